import { createHash } from 'node:crypto';
import type { EvaluationContext, EvaluationDetails, FlagSnapshot, JsonValue, SnapshotFlag } from '@halyard/core';
import type { Request } from 'express';
import type { RequestFlags, Widen } from '../types';
import { readCookie, resolveContext, type Shared } from './shared';

type Forced = Readonly<Record<string, JsonValue>>;
const NONE: Forced = Object.freeze({});
const hasOwn = Object.prototype.hasOwnProperty;

/** One memoised read: the details for a flag read with a default of type `tag` (others chain on `next`). */
interface Memo {
  readonly tag: string;
  readonly details: EvaluationDetails<JsonValue>;
  next: Memo | undefined;
}

/**
 * What `req.flags` computes at most once per request: the context, the overrides, each flag's evaluation and the
 * snapshot. Deliberately holds no reference to the request: it is the value of a WeakMap keyed by the request
 * (see attach.ts), and a value that points back at its key keeps both alive past V8's young-generation GC.
 */
export class RequestFlagsState {
  ctx: EvaluationContext | undefined;
  forced: Forced | undefined = undefined;
  memo: Map<string, Memo> | undefined = undefined;
  snap: FlagSnapshot | undefined = undefined;

  constructor(
    readonly shared: Shared,
    context?: EvaluationContext,
  ) {
    this.ctx = context;
  }
}

/** `req.flags`: a light view joining the request to its memoised state. */
export class LazyRequestFlags implements RequestFlags {
  constructor(
    private readonly req: Request,
    private readonly state: RequestFlagsState,
  ) {}

  context(): EvaluationContext {
    const state = this.state;
    return (state.ctx ??= resolveContext(state.shared, this.req));
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
    const state = this.state;
    if (state.snap !== undefined) return state.snap;
    let base: FlagSnapshot;
    try {
      base = state.shared.client.evaluateAll(this.context());
    } catch (error) {
      state.shared.report(asError(error, 'evaluateAll() threw; serving an empty snapshot'), this.req);
      base = { version: '', flags: {} };
    }
    return (state.snap = applyForced(base, this.overrides(), state.shared));
  }

  private overrides(): Forced {
    const state = this.state;
    if (state.forced !== undefined) return state.forced;
    const verifier = state.shared.verifier;
    if (verifier === undefined) return (state.forced = NONE);
    const header = this.req.headers[verifier.header];
    const token = (Array.isArray(header) ? header[0] : header) ?? readCookie(this.req, verifier.cookie);
    if (token === undefined || token === '') return (state.forced = NONE);
    const result = verifier.verify(token);
    if (result instanceof Error) {
      state.shared.report(new Error(`@halyard/express: ignored flag override token: ${result.message}`), this.req);
      return (state.forced = NONE);
    }
    return (state.forced = result);
  }

  private read<T extends JsonValue>(key: string, defaultValue: T): EvaluationDetails<T> {
    const state = this.state;
    const forced = this.overrides();
    if (forced !== NONE && hasOwn.call(forced, key)) return forcedDetails(key, forced[key] as JsonValue, defaultValue, state.shared);
    // Same key + same default type → same evaluation, except that errors carry the caller's default.
    const tag = typeTag(defaultValue);
    const memo = (state.memo ??= new Map());
    const first = memo.get(key);
    let entry = first;
    while (entry !== undefined && entry.tag !== tag) entry = entry.next;
    let details: EvaluationDetails<JsonValue>;
    if (entry !== undefined) details = entry.details;
    else {
      details = this.evaluate(key, defaultValue, tag);
      if (first === undefined) memo.set(key, { tag, details, next: undefined });
      else first.next = { tag, details, next: first.next };
    }
    if (details.reason === 'ERROR' && details.value !== defaultValue) return { ...details, value: defaultValue } as EvaluationDetails<T>;
    return details as EvaluationDetails<T>;
  }

  private evaluate(key: string, defaultValue: JsonValue, tag: string): EvaluationDetails<JsonValue> {
    const shared = this.state.shared;
    let details: EvaluationDetails<JsonValue>;
    try {
      details = shared.client.getDetails<JsonValue>(key, defaultValue, this.context());
    } catch (error) {
      details = { value: defaultValue, reason: 'ERROR', errorCode: 'GENERAL', errorMessage: asError(error, `reading flag "${key}" threw`).message };
    }
    if (details.reason === 'ERROR') {
      shared.report(
        new Error(details.errorMessage ?? `@halyard/express: flag "${key}" failed (${details.errorCode ?? 'GENERAL'})`),
        this.req,
        details.errorCode === 'TYPE_MISMATCH' ? `${details.errorCode}\u0000${key}\u0000${tag}` : `${details.errorCode}\u0000${key}`,
      );
    }
    return details;
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
