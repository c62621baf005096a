import { createHash } from 'node:crypto';
import type { EvaluationContext, EvaluationDetails, FlagSnapshot, JsonValue, SnapshotFlag } from '@halyard/core';
import type { Request } from 'express';
import type { RequestFlags, Widen } from '../types';
import { readCookie, resolveContext, type Shared } from './shared';

type Forced = Readonly<Record<string, JsonValue>>;
const NONE: Forced = Object.freeze({});
const hasOwn = Object.prototype.hasOwnProperty;

/**
 * `req.flags`: created per request for the price of one small object; the context, overrides, evaluations and
 * snapshot are computed on first use and memoised for the rest of the request.
 */
export class LazyRequestFlags implements RequestFlags {
  private ctx: EvaluationContext | undefined;
  private forced: Forced | undefined;
  private cache: Map<string, EvaluationDetails<JsonValue>> | undefined;
  private snap: FlagSnapshot | undefined;

  constructor(
    private readonly req: Request,
    private readonly shared: Shared,
    context?: EvaluationContext,
  ) {
    this.ctx = context;
  }

  context(): EvaluationContext {
    return (this.ctx ??= resolveContext(this.shared, this.req));
  }

  isEnabled(key: string): boolean {
    return this.read<boolean>(key, false).value === true;
  }

  value<T extends JsonValue>(key: string, defaultValue: T): Widen<T> {
    return this.read(key, defaultValue).value as Widen<T>;
  }

  variant(key: string): string | undefined {
    return this.read(key, null).variant;
  }

  details<T extends JsonValue = JsonValue>(key: string, defaultValue?: T): EvaluationDetails<Widen<T>> {
    return this.read(key, defaultValue === undefined ? null : defaultValue) as EvaluationDetails<Widen<T>>;
  }

  snapshot(): FlagSnapshot {
    if (this.snap !== undefined) return this.snap;
    let base: FlagSnapshot;
    try {
      base = this.shared.client.evaluateAll(this.context());
    } catch (error) {
      this.shared.report(asError(error, 'evaluateAll() threw; serving an empty snapshot'), this.req);
      base = { version: '', flags: {} };
    }
    return (this.snap = applyForced(base, this.overrides(), this.shared));
  }

  private overrides(): Forced {
    if (this.forced !== undefined) return this.forced;
    const verifier = this.shared.verifier;
    if (verifier === undefined) return (this.forced = NONE);
    const header = this.req.headers[verifier.header];
    const token = (Array.isArray(header) ? header[0] : header) ?? readCookie(this.req, verifier.cookie);
    if (token === undefined || token === '') return (this.forced = NONE);
    const result = verifier.verify(token);
    if (result instanceof Error) {
      this.shared.report(new Error(`@halyard/express: ignored flag override token: ${result.message}`), this.req);
      return (this.forced = NONE);
    }
    return (this.forced = result);
  }

  private read<T extends JsonValue>(key: string, defaultValue: T): EvaluationDetails<T> {
    const forced = this.overrides();
    if (forced !== NONE && hasOwn.call(forced, key)) return forcedDetails(key, forced[key] as JsonValue, defaultValue, this.shared);
    // Same key + same default type → same evaluation, except that errors carry the caller's default.
    const memoKey = `${typeTag(defaultValue)}${key}`;
    const cache = (this.cache ??= new Map());
    let details = cache.get(memoKey);
    if (details === undefined) {
      try {
        details = this.shared.client.getDetails<JsonValue>(key, defaultValue, this.context());
      } catch (error) {
        details = { value: defaultValue, reason: 'ERROR', errorCode: 'GENERAL', errorMessage: asError(error, `reading flag "${key}" threw`).message };
      }
      cache.set(memoKey, details);
      if (details.reason === 'ERROR') {
        this.shared.report(
          new Error(details.errorMessage ?? `@halyard/express: flag "${key}" failed (${details.errorCode ?? 'GENERAL'})`),
          this.req,
          details.errorCode === 'TYPE_MISMATCH' ? `${details.errorCode}\u0000${key}\u0000${typeTag(defaultValue)}` : `${details.errorCode}\u0000${key}`,
        );
      }
    }
    if (details.reason === 'ERROR' && details.value !== defaultValue) return { ...details, value: defaultValue } as EvaluationDetails<T>;
    return details as EvaluationDetails<T>;
  }
}

function typeTag(value: JsonValue): string {
  if (value === null) return 'n';
  if (Array.isArray(value)) return 'j';
  switch (typeof value) {
    case 'boolean':
      return 'b';
    case 'string':
      return 's';
    case 'number':
      return 'd';
    default:
      return 'j';
  }
}

function sameType(value: JsonValue, defaultValue: JsonValue): boolean {
  if (defaultValue === null) return true;
  const a = typeTag(value);
  const b = typeTag(defaultValue);
  return a === b || (a === 'n' && b === 'j');
}

/** The variant whose value equals the forced one, so forced reads report a real variant name when there is one. */
function variantOf(shared: Shared, key: string, value: JsonValue): string | undefined {
  const flag = shared.client.getSnapshot().definitions?.flags[key];
  if (flag === undefined) return undefined;
  const json = JSON.stringify(value);
  for (const [name, candidate] of Object.entries(flag.variants)) {
    if (candidate === value || JSON.stringify(candidate) === json) return name;
  }
  return undefined;
}

function forcedDetails<T extends JsonValue>(key: string, value: JsonValue, defaultValue: T, shared: Shared): EvaluationDetails<T> {
  if (!sameType(value, defaultValue)) {
    return {
      value: defaultValue,
      reason: 'ERROR',
      errorCode: 'TYPE_MISMATCH',
      errorMessage: `@halyard/express: flag "${key}" is overridden with a ${typeof value} but the default value is a ${typeof defaultValue}`,
    };
  }
  const variant = variantOf(shared, key, value);
  return variant === undefined
    ? { value: value as T, reason: 'STATIC', ruleId: 'override' }
    : { value: value as T, variant, reason: 'STATIC', ruleId: 'override' };
}

/** Merges forced values into a snapshot; the version changes with them so ETags and stream ids stay truthful. */
export function applyForced(base: FlagSnapshot, forced: Forced, shared: Shared): FlagSnapshot {
  const keys = Object.keys(forced);
  if (keys.length === 0) return base;
  const flags: Record<string, SnapshotFlag> = { ...base.flags };
  for (const key of keys) {
    const value = forced[key] as JsonValue;
    const variant = variantOf(shared, key, value);
    flags[key] = variant === undefined ? { value, reason: 'STATIC', ruleId: 'override' } : { value, variant, reason: 'STATIC', ruleId: 'override' };
  }
  const digest = createHash('sha1').update(JSON.stringify(forced)).digest('base64url').slice(0, 12);
  return { version: `${base.version}.o${digest}`, flags };
}

function asError(error: unknown, message: string): Error {
  const detail = error instanceof Error ? error.message : String(error);
  return new Error(`@halyard/express: ${message}: ${detail}`, { cause: error });
}
