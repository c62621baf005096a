import { splitAttributePath } from '../internal/schema';

/*
 * Attribute access
 *
 * Only own properties count: an inherited value (prototype pollution, class prototypes, `constructor`,
 * `__proto__`) reads as missing. Checking ownership on every read costs more than the rest of a condition, so
 * single-name attributes are read directly (`ctx[key]`, which V8 inlines with an inline cache) and ownership is
 * verified only when it can change the answer: a missing attribute makes every condition false, so a condition
 * that computed `false` would stay false, and only a `true` needs the own-property check. Dot paths check every
 * step. Reads that throw (getters, proxy traps) abort the fast path; the evaluation is then retried on a safe copy
 * of the context, where such properties are simply absent (see `safe-context.ts`).
 *
 * Operators repeat the read-and-verify pattern inline (`parts === null ? ctx[key] : readPath(ctx, parts)`, then
 * `hasOwnProperty` on a hit, through their own local `hasOwnProperty` constant) instead of calling a shared reader on purpose: a shared function would share one
 * inline cache across all attribute names and stop V8 from inlining the read.
 */

/** An evaluation context as the compiled code sees it: any object (never null). */
export type Ctx = object;
export type Rec = Record<string, unknown>;
/** A compiled condition, segment or rollout gate. */
export type Matcher = (ctx: Ctx) => boolean;

/**
 * `Object.prototype.hasOwnProperty`, held in a module-local constant by every file that calls it on a hot path.
 * Not exported on purpose: when sources run as ES modules (tests, `pnpm bench`), an imported binding is a live
 * module cell that V8 reloads on every call and the rule flag measured ~10 % slower through its handle; a local
 * constant it folds. Bundled builds inline either form.
 */
const hasOwnProperty = Object.prototype.hasOwnProperty;
const ObjectPrototype: object = Object.prototype;

/** The context used when the caller passed none (or a non-object). */
export const EMPTY_CONTEXT: Ctx = Object.freeze(Object.create(null) as object);

/**
 * Reads a dot path, own properties only at every step. A path never indexes into an array: `groups.0` and
 * `groups.length` read as missing (array operators and the any-element rule work on the array itself).
 */
export function readPath(ctx: Ctx, parts: readonly string[]): unknown {
  let cur: unknown = ctx;
  for (let i = 0; i < parts.length; i++) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    const k = parts[i] as string;
    if (!hasOwnProperty.call(cur, k)) return undefined;
    cur = (cur as Rec)[k];
  }
  return cur;
}

/** A compiled attribute path: `parts` is null for a single name (the fast, lazily verified case). */
export interface Attr {
  readonly key: string;
  readonly parts: readonly string[] | null;
}

export function compilePath(path: string): Attr {
  const parts = splitAttributePath(path) ?? [path];
  return parts.length === 1 ? { key: path, parts: null } : { key: path, parts };
}

/**
 * Whether `ctx[key]`, already read and not undefined, is an own property. For an ordinary object (prototype
 * `Object.prototype` or null) it is unless `Object.prototype` itself defines `key` — which is exactly what
 * prototype pollution does. V8 folds both tests into map checks, where `hasOwnProperty` is a builtin call
 * (~7 ns, measured): this is the bucketing hot path. Class instances and other prototypes ask `hasOwnProperty`.
 * A proxy is taken at its word: if its prototype is `Object.prototype` or null, what its `get` returns counts
 * as its own (a `getOwnPropertyDescriptor` trap is not consulted).
 */
export function isOwnRead(ctx: Ctx, key: string): boolean {
  const proto: unknown = Object.getPrototypeOf(ctx);
  if (proto === null || (proto === ObjectPrototype && (ObjectPrototype as Rec)[key] === undefined)) return true;
  return hasOwnProperty.call(ctx, key);
}

/** Fully verified read (for cold paths): the own value at `attr`, or undefined. */
export function readAttr(ctx: Ctx, attr: Attr): unknown {
  if (attr.parts !== null) return readPath(ctx, attr.parts);
  return hasOwnProperty.call(ctx, attr.key) ? (ctx as Rec)[attr.key] : undefined;
}

/**
 * The string form of a unit id, for targets and segment `included`/`excluded` lists: strings as they are, finite
 * numbers and booleans as `String(v)`; anything else (objects, arrays, NaN, missing) has none and never matches.
 * Operators do not use it: they compare typed values (see operators/equality.ts).
 */
export function asString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return undefined;
}

const NUMERIC_STRING = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Numeric operators accept finite numbers and decimal numeric strings ("42", "-1.5", "1e3"); not "", "0x10", " 1". */
export function asNumber(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) ? v : NaN;
  if (typeof v === 'string' && v.length <= 64 && NUMERIC_STRING.test(v)) return Number(v);
  return NaN;
}
