import { DDSketch } from '@datadog/sketches-js';
import type { NormalizedEvent } from './wire';

/**
 * The in-memory aggregate of accepted events between two flushes: per environment × flag × variant × minute
 * (exposures, successes, errors, a latency DDSketch), per environment × flag × unit (the first variant and time,
 * whether several variants were seen) and per environment × metric × minute (count, value count, sum).
 *
 * Its size is counted in keys, so the owner can refuse new batches (503) before memory grows without bound.
 */

/** DDSketch relative accuracy: a reported percentile is within ±1 % of a value actually observed. */
export const SKETCH_RELATIVE_ACCURACY = 0.01;

export const newSketch = (): DDSketch => new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });

export const MINUTE_MS = 60_000;

export interface VariantMinute {
  env: string;
  flag: string;
  variant: string;
  /** Start of the minute, ms since epoch. */
  minute: number;
  exposures: number;
  successes: number;
  errors: number;
  latency: DDSketch | undefined;
  latencyMin: number;
  latencyMax: number;
}

export interface UnitExposure {
  env: string;
  flag: string;
  unit: string;
  variant: string;
  /** ms since epoch. */
  firstAt: number;
  multiple: boolean;
}

/** One unit's metric events of one minute: what experiment results attribute to the unit's first exposure. */
export interface UnitMetricMinute {
  env: string;
  name: string;
  unit: string;
  minute: number;
  count: number;
  valueCount: number;
  valueSum: number;
}

/**
 * Which metric events are kept per unit: only names an experiment in that environment reads (see
 * experiment-metric-names.ts), so apps that track much more than they experiment on pay nothing for it.
 */
export type UnitMetricFilter = (env: string, name: string) => boolean;

export interface MetricMinute {
  env: string;
  name: string;
  minute: number;
  count: number;
  valueCount: number;
  valueSum: number;
}

// NUL never reaches here (json-body.ts refuses it), so it separates the parts of a key unambiguously.
const SEP = '\u0000';

export class Aggregate {
  readonly variants = new Map<string, VariantMinute>();
  readonly units = new Map<string, UnitExposure>();
  readonly metrics = new Map<string, MetricMinute>();
  readonly unitMetrics = new Map<string, UnitMetricMinute>();
  /** Events added, for counters and tests. */
  events = 0;

  /** `unitMetrics`: which metric events to keep per unit as well (none without it). */
  constructor(private readonly unitMetricFilter?: UnitMetricFilter) {}

  /** Distinct keys held: what bounds this aggregate's memory. */
  get size(): number {
    return this.variants.size + this.units.size + this.metrics.size + this.unitMetrics.size;
  }

  get empty(): boolean {
    return this.events === 0;
  }

  add(env: string, events: readonly NormalizedEvent[]): void {
    this.events += events.length;
    for (const event of events) {
      const minute = event.time - (event.time % MINUTE_MS);
      if (event.kind === 'metric') {
        const key = env + SEP + event.name + SEP + minute;
        let row = this.metrics.get(key);
        if (row === undefined) this.metrics.set(key, (row = { env, name: event.name, minute, count: 0, valueCount: 0, valueSum: 0 }));
        row.count++;
        if (event.value !== undefined) {
          row.valueCount++;
          row.valueSum += event.value;
        }
        if (event.unit !== undefined && this.unitMetricFilter?.(env, event.name) === true) this.unitMetric(env, event.name, event.unit, minute, event.value);
        continue;
      }
      const key = env + SEP + event.flag + SEP + event.variant + SEP + minute;
      let row = this.variants.get(key);
      if (row === undefined) {
        row = { env, flag: event.flag, variant: event.variant, minute, exposures: 0, successes: 0, errors: 0, latency: undefined, latencyMin: Infinity, latencyMax: -Infinity };
        this.variants.set(key, row);
      }
      if (event.kind === 'exposure') {
        row.exposures++;
        if (event.unit !== undefined) this.expose(env, event.flag, event.unit, event.variant, event.time);
      } else {
        if (event.ok) row.successes++;
        else row.errors++;
        if (event.durationMs !== undefined) {
          (row.latency ??= newSketch()).accept(event.durationMs);
          if (event.durationMs < row.latencyMin) row.latencyMin = event.durationMs;
          if (event.durationMs > row.latencyMax) row.latencyMax = event.durationMs;
        }
      }
    }
  }

  private unitMetric(env: string, name: string, unit: string, minute: number, value: number | undefined): void {
    const key = env + SEP + name + SEP + unit + SEP + minute;
    let row = this.unitMetrics.get(key);
    if (row === undefined) this.unitMetrics.set(key, (row = { env, name, unit, minute, count: 0, valueCount: 0, valueSum: 0 }));
    row.count++;
    if (value !== undefined) {
      row.valueCount++;
      row.valueSum += value;
    }
  }

  private expose(env: string, flag: string, unit: string, variant: string, time: number): void {
    const key = env + SEP + flag + SEP + unit;
    const seen = this.units.get(key);
    if (seen === undefined) {
      this.units.set(key, { env, flag, unit, variant, firstAt: time, multiple: false });
      return;
    }
    if (seen.variant !== variant) seen.multiple = true;
    if (time < seen.firstAt) {
      seen.firstAt = time;
      seen.variant = variant;
    }
  }
}
