import type { ExposureTracker } from './exposure';
import { exposureUnits, unitAttribute, unitOf, DEFAULT_UNIT_ATTRIBUTE, type ExposureHandoff } from './internal/exposure-unit';
import { murmur3 } from './internal/murmur3';
import { defaultTypeTag, matchesDefaultType, typeMismatchMessage, valueType } from './internal/value-type';
import type {
  BooleanFlagKey,
  DefaultValueFor,
  Definitions,
  EvaluationContext,
  EvaluationDetails,
  FlagClient,
  FlagKey,
  FlagSnapshot,
  JsonValue,
  ResolvedValue,
  ServerFlags,
  SnapshotFlag,
} from './types';

/*
 * The one server-side reader: "the evaluated flags of one request", behind `req.flags` (@halyard/express),
 * `getFlags()` / `evaluateInMiddleware()` (@halyard/next) and the snapshots every flags endpoint serves. One
 * type-match rule (internal/value-type.ts), one exposure-unit rule (internal/exposure-unit.ts), one way to apply
 * forced values (override tokens, test kits), one memo.
 *
 * Two ways to read, chosen by the adapter:
 * - `reads: 'client'` evaluates each flag on its first read through `client.getDetails` (which records the
 *   exposure), memoised per (key, default type): a handler reading 5 of 200 flags pays for 5. Express.
 * - `reads: 'snapshot'` evaluates every flag once, on the first read, and answers every read from that snapshot:
 *   server components, client components and the snapshot sent to the browser cannot disagree, even when the
 *   definitions change mid-render. Exposures go through the host's tracker. Next.
 *
 * The per-request state holds no reference to the request: Express keeps it in a WeakMap keyed by the request, and
 * a WeakMap value pointing back at its key survives V8's young-generation GC (see express/src/internal/attach.ts).
 * The request is passed to each read by a light view, {@link RequestServerFlags}.
 */

/** Values forced for one request, by flag key (override tokens, test kits). */
export type ForcedValues = Readonly<Record<string, JsonValue>>;

/** What an adapter supplies once per app, shared by every request. `Req` is its request type. */
export interface ServerFlagsHost<Req> {
  readonly client: FlagClient;
  /** Prefix of every message this reader writes, e.g. `@halyard/express`. */
  readonly scope: string;
  /** See the module note: per-flag reads through the client, or every read from one snapshot. */
  readonly reads: 'client' | 'snapshot';
  /** Records exposures of `reads: 'snapshot'` (with `reads: 'client'` the client's `onExposure` does). */
  readonly tracker?: ExposureTracker | undefined;
  /** The request's evaluation context, called at most once per request. Must not throw (log, return `{}`). */
  context(req: Req): EvaluationContext;
  /** Values forced for this request, called at most once per request; `undefined` for none. Must not throw. */
  forced?(req: Req): ForcedValues | undefined;
  /** Reports a flag problem; with `dedupeKey`, at most once per (definitions version, key). Must not throw. */
  report(error: Error, req: Req | undefined, dedupeKey?: string): void;
}

/** One memoised read: the details of a flag read with a default of type tag `tag` (others chain on `next`). */
interface Memo {
  readonly tag: number;
  readonly details: EvaluationDetails<JsonValue>;
  next: Memo | undefined;
}

/** The client's by-key read over plain keys: the reader serves every key, registered (`Register`) or not. */
interface KeyedReads {
  getDetails(key: string, defaultValue: JsonValue, context?: EvaluationContext): EvaluationDetails<JsonValue>;
}

const NONE: ForcedValues = Object.freeze({});
const EMPTY: FlagSnapshot = Object.freeze({ version: '', flags: Object.freeze({}) }) as FlagSnapshot;
const hasOwn = Object.prototype.hasOwnProperty;

/** What one request computes at most once: its context, forced values, each flag's details and the snapshot. */
export class ServerFlagsState<Req> {
  ctx: EvaluationContext | undefined;
  forced: ForcedValues | undefined = undefined;
  memo: Map<string, Memo> | undefined = undefined;
  snap: FlagSnapshot | undefined = undefined;
  /** Flags whose exposure this request recorded (`reads: 'snapshot'`), for {@link RequestServerFlags.exposureHandoff}. */
  exposed: Set<string> | undefined = undefined;

  /**
   * `context`: when the adapter already knows it (a flags request merges the browser's allowed attributes).
   * `extra`: values forced for this request on top of the host's (a test kit's `forceFlags`).
   */
  constructor(
    readonly host: ServerFlagsHost<Req>,
    context?: EvaluationContext,
    readonly extra?: ForcedValues,
  ) {
    this.ctx = context;
  }
}

/**
 * `ServerFlags` of one request: a light view joining the request to its memoised state. Reads never throw.
 *
 * @example
 * const host: ServerFlagsHost<Request> = { client, scope: '@halyard/my-adapter', reads: 'client', context: contextOf, report };
 * const flags = new RequestServerFlags(request, new ServerFlagsState(host));
 * flags.getValue('button-color', 'blue');
 */
export class RequestServerFlags<Req> implements ServerFlags {
  constructor(
    private readonly req: Req,
    /** This request's memoised state (shared by every view of the same request). */
    readonly state: ServerFlagsState<Req>,
  ) {}

  private get host(): ServerFlagsHost<Req> {
    return this.state.host;
  }

  context(): EvaluationContext {
    const state = this.state;
    return (state.ctx ??= this.host.context(this.req));
  }

  isEnabled(key: BooleanFlagKey): boolean {
    return this.read(key, false).value === true;
  }

  getValue<K extends FlagKey, D extends DefaultValueFor<K>>(key: K, defaultValue: D): ResolvedValue<K, D> {
    return this.read(key, defaultValue as unknown as JsonValue).value as ResolvedValue<K, D>;
  }

  getDetails<K extends FlagKey, D extends DefaultValueFor<K>>(key: K, defaultValue: D): EvaluationDetails<ResolvedValue<K, D>>;
  getDetails<K extends FlagKey>(key: K): EvaluationDetails<ResolvedValue<K, null> | null>;
  getDetails(key: string, defaultValue?: unknown): EvaluationDetails<unknown> {
    return this.read(key, defaultValue === undefined ? null : (defaultValue as JsonValue));
  }

  variant(key: FlagKey): string | undefined {
    return this.read(key, null).variant;
  }

  snapshot(): FlagSnapshot {
    const state = this.state;
    if (state.snap !== undefined) return state.snap;
    const { client } = this.host;
    let base: FlagSnapshot;
    try {
      base = client.evaluateAll(this.context());
    } catch (error) {
      this.host.report(problem(this.host.scope, 'evaluateAll() threw; serving an empty snapshot', error), this.req);
      base = EMPTY;
    }
    const definitions = client.getSnapshot().definitions;
    return (state.snap = applyForced(base, this.overrides(), definitions));
  }

  /**
   * What the browser half of an adapter needs to record its own exposures of this request's snapshot without the
   * context: the unit value per unit attribute, and the flags this request recorded so far (reads after this call
   * are not in it; the service counts unique units, so such a read also recorded by the browser costs one event).
   *
   * @example
   * const { units, exposed } = flags.exposureHandoff(); // { units: { userId: 'u1' }, exposed: ['new-checkout'] }
   */
  exposureHandoff(): ExposureHandoff {
    return { units: exposureUnits(this.snapshot(), this.context()), exposed: [...(this.state.exposed ?? [])] };
  }

  private overrides(): ForcedValues {
    const state = this.state;
    if (state.forced !== undefined) return state.forced;
    const own = this.host.forced?.(this.req);
    const forced = state.extra === undefined ? own : own === undefined ? state.extra : { ...own, ...state.extra };
    return (state.forced = forced === undefined || Object.keys(forced).length === 0 ? NONE : forced);
  }

  private read(key: string, defaultValue: JsonValue): EvaluationDetails<JsonValue> {
    const forced = this.overrides();
    if (forced !== NONE && hasOwn.call(forced, key)) return this.forcedDetails(key, forced[key] as JsonValue, defaultValue);
    if (this.host.reads === 'snapshot') return this.fromSnapshot(key, defaultValue);
    // Same key + same default type → same evaluation, except that errors carry the caller's default.
    const tag = defaultTypeTag(defaultValue);
    const memo = (this.state.memo ??= new Map());
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
    if (details.reason === 'ERROR' && details.value !== defaultValue) return { ...details, value: defaultValue };
    return details;
  }

  private evaluate(key: string, defaultValue: JsonValue, tag: number): EvaluationDetails<JsonValue> {
    let details: EvaluationDetails<JsonValue>;
    try {
      details = (this.host.client as unknown as KeyedReads).getDetails(key, defaultValue, this.context());
    } catch (error) {
      details = { value: defaultValue, reason: 'ERROR', errorCode: 'GENERAL', errorMessage: problem(this.host.scope, `reading flag "${key}" threw`, error).message };
    }
    if (details.reason === 'ERROR') this.reportError(key, details, tag);
    return details;
  }

  private fromSnapshot(key: string, defaultValue: JsonValue): EvaluationDetails<JsonValue> {
    const { scope, tracker } = this.host;
    const snapshot = this.snapshot();
    const entry: SnapshotFlag | undefined = hasOwn.call(snapshot.flags, key) ? snapshot.flags[key] : undefined;
    if (entry === undefined) {
      const details = notFound(scope, key, defaultValue);
      this.reportError(key, details, 0);
      return details;
    }
    if (!matchesDefaultType(entry.value, defaultValue)) {
      const details = mismatch(scope, key, entry.value, defaultValue);
      this.reportError(key, details, defaultTypeTag(defaultValue));
      return details;
    }
    if (entry.reason === 'ERROR') return { value: defaultValue, reason: 'ERROR', errorCode: entry.errorCode ?? 'GENERAL' };
    // Forced entries (ruleId 'override') are no exposure: nobody was assigned anything.
    if (tracker !== undefined && entry.ruleId !== 'override') {
      tracker.track(key, entry.variant, entry.value, entry.reason, unitOf(this.context(), entry.unitBy ?? DEFAULT_UNIT_ATTRIBUTE));
      (this.state.exposed ??= new Set()).add(key);
    }
    const details: EvaluationDetails<JsonValue> = { value: entry.value, reason: entry.reason };
    if (entry.variant !== undefined) details.variant = entry.variant;
    if (entry.ruleId !== undefined) details.ruleId = entry.ruleId;
    return details;
  }

  private forcedDetails(key: string, value: JsonValue, defaultValue: JsonValue): EvaluationDetails<JsonValue> {
    if (!matchesDefaultType(value, defaultValue)) return mismatch(this.host.scope, key, value, defaultValue);
    const variant = variantOf(this.host.client.getSnapshot().definitions, key, value);
    return variant === undefined ? { value, reason: 'STATIC', ruleId: 'override' } : { value, variant, reason: 'STATIC', ruleId: 'override' };
  }

  private reportError(key: string, details: EvaluationDetails<JsonValue>, tag: number): void {
    const code = details.errorCode ?? 'GENERAL';
    this.host.report(
      new Error(details.errorMessage ?? `${this.host.scope}: flag "${key}" failed (${code})`),
      this.req,
      code === 'TYPE_MISMATCH' ? `${code}\u0000${key}\u0000${tag}` : `${code}\u0000${key}`,
    );
  }
}

/**
 * The reader of one request: `new RequestServerFlags(req, new ServerFlagsState(host, context))`.
 *
 * @example
 * const flags = createServerFlags(host, request, { userId: 'u-1' });
 * flags.isEnabled('new-checkout');
 */
export function createServerFlags<Req>(host: ServerFlagsHost<Req>, req: Req, context?: EvaluationContext): RequestServerFlags<Req> {
  return new RequestServerFlags(req, new ServerFlagsState(host, context));
}

function notFound(scope: string, key: string, defaultValue: JsonValue): EvaluationDetails<JsonValue> {
  const message = `${scope}: flag "${key}" is not defined; check the key or publish the flag`;
  return { value: defaultValue, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND', errorMessage: message };
}

function mismatch(scope: string, key: string, value: JsonValue, defaultValue: JsonValue): EvaluationDetails<JsonValue> {
  return { value: defaultValue, reason: 'ERROR', errorCode: 'TYPE_MISMATCH', errorMessage: typeMismatchMessage(scope, key, valueType(value), defaultValue) };
}

function problem(scope: string, message: string, cause: unknown): Error {
  return new Error(`${scope}: ${message}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
}

/** The variant whose value equals the forced one, so forced reads report a real variant name when there is one. */
function variantOf(definitions: Definitions | undefined, key: string, value: JsonValue): string | undefined {
  const flag = definitions !== undefined && hasOwn.call(definitions.flags, key) ? definitions.flags[key] : undefined;
  if (flag === undefined) return undefined;
  const json = JSON.stringify(value);
  for (const [name, candidate] of Object.entries(flag.variants)) {
    if (candidate === value || JSON.stringify(candidate) === json) return name;
  }
  return undefined;
}

/** Merges forced values into a snapshot; the version changes with them so ETags and stream ids stay truthful. */
function applyForced(base: FlagSnapshot, forced: ForcedValues, definitions: Definitions | undefined): FlagSnapshot {
  if (forced === NONE) return base;
  const flags: Record<string, SnapshotFlag> = { ...base.flags };
  for (const key of Object.keys(forced)) {
    const value = forced[key] as JsonValue;
    const variant = variantOf(definitions, key, value);
    flags[key] = variant === undefined ? { value, reason: 'STATIC', ruleId: 'override' } : { value, variant, reason: 'STATIC', ruleId: 'override' };
  }
  const text = JSON.stringify(forced);
  const digest = murmur3(text, 0).toString(36) + murmur3(text, 0x9747b28c).toString(36);
  return { version: `${base.version}.o${digest}`, flags };
}
