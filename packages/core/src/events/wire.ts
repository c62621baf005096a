import type { JsonValue } from '../types';

/*
 * Events wire format v1 (`POST /sdk/v1/events`, docs/events.md). The limits here are the service's: an event that
 * breaks one is dropped on the SDK side (and counted), because the service rejects the whole batch with a 400 and
 * one bad event must not take 999 good ones with it.
 */

/** This SDK, as the `sdk` field of every batch names it. A test keeps the version equal to package.json's. */
export const SDK_NAME = '@halyard/core';
export const SDK_VERSION = '0.1.0';

/** Most events in one batch, and most bytes in one body (the service's limits). */
export const MAX_BATCH_EVENTS = 1_000;
export const MAX_BATCH_BYTES = 512 * 1024;
/** `navigator.sendBeacon` refuses bodies over 64 KiB (all beacons of a page in flight together). */
export const MAX_BEACON_BYTES = 60 * 1024;
/** Longest `flag`, `variant`, `unit`. */
export const MAX_STRING = 256;
/** Longest `errorType`. */
export const MAX_ERROR_TYPE = 100;
/** A NUL or a lone surrogate: the service refuses any JSON body holding one (it cannot be stored faithfully). */
const UNSENDABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** What a metric name may look like. */
export const METRIC_NAME = /^[A-Za-z0-9_.:-]{1,100}$/;

/** A flag served a variant to a unit for the first time in this process. */
export interface ExposureWireEvent {
  kind: 'exposure';
  flag: string;
  variant: string;
  unit?: string;
  time: number;
}

/** One execution of a flag-guarded code path. */
export interface OutcomeWireEvent {
  kind: 'outcome';
  flag: string;
  variant: string;
  unit?: string;
  ok: boolean;
  durationMs?: number;
  errorType?: string;
  time: number;
}

/** A custom metric, `client.track(name, context, value?)`. */
export interface MetricWireEvent {
  kind: 'metric';
  name: string;
  unit?: string;
  value?: number;
  time: number;
}

/** One event as it is sent. */
export type WireEvent = ExposureWireEvent | OutcomeWireEvent | MetricWireEvent;

/**
 * The variant name an event carries: the served variant key; for flags without variant keys `"on"`/`"off"` for
 * boolean values, else `"default"`.
 *
 * @example
 * wireVariant(undefined, true); // 'on'
 */
export function wireVariant(variant: string | undefined, value: JsonValue): string {
  return variant ?? (value === true ? 'on' : value === false ? 'off' : 'default');
}

/**
 * Why `event` would make the service reject its batch, or `undefined` when it is fine. Checked when an event is
 * recorded, so a bad one is dropped alone.
 */
export function wireProblem(event: WireEvent): string | undefined {
  if (event.unit !== undefined && event.unit.length > MAX_STRING) return `unit is longer than ${MAX_STRING} characters`;
  if (event.unit !== undefined && UNSENDABLE.test(event.unit)) return 'unit contains a NUL character or a lone surrogate, which the service refuses';
  if (event.kind === 'outcome' && event.errorType !== undefined && UNSENDABLE.test(event.errorType)) return 'errorType contains a NUL character or a lone surrogate';
  if (event.kind === 'metric') {
    if (typeof event.name !== 'string' || !METRIC_NAME.test(event.name)) {
      return `metric name ${JSON.stringify(String(event.name)).slice(0, 120)} must match ${METRIC_NAME} (letters, digits, _ . : -; at most 100)`;
    }
    if (event.value !== undefined && (typeof event.value !== 'number' || !Number.isFinite(event.value))) return 'metric value must be a finite number';
    return undefined;
  }
  if (event.flag.length > MAX_STRING) return `flag key is longer than ${MAX_STRING} characters`;
  if (event.variant.length > MAX_STRING) return `variant is longer than ${MAX_STRING} characters`;
  return undefined;
}

/** `{"sdk":…,"events":[` — a batch body is this, the events' JSON joined by commas, and {@link BODY_END}. */
export function bodyStart(sdk: { name: string; version: string }): string {
  return `{"sdk":${JSON.stringify({ name: sdk.name, version: sdk.version })},"events":[`;
}
export const BODY_END = ']}';
