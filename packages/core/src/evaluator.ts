import { toEpochMs } from './internal/date';
import { murmur3, murmur3Finish, murmur3Int32WithPrefix, murmur3MixWord, murmur3Prefix, reduceHash, type Murmur3State } from './internal/murmur3';
import { DEFAULT_UNIT_ATTRIBUTE, MAX_SPLIT_TOTAL, PERCENT_SCALE, TARGET_RULE_ID, canonicalJson, splitAttributePath, validatedDefinitions } from './internal/schema';
import { compareSemver, parseSemver, type SemVer } from './internal/semver';
import { cidrContains, parseCidr, parseIp, type CidrRange } from './internal/cidr';
import { parseDefinitions } from './parse-definitions';
import type {
  Condition,
  Definitions,
  ErrorCode,
  EvaluationContext,
  EvaluationDetails,
  EvaluationReason,
  Evaluator,
  FlagDefinition,
  FlagHandle,
  FlagSnapshot,
  JsonValue,
  RuleRollout,
  SegmentDefinition,
  Serve,
  SnapshotFlag,
  SplitServe,
  SplitSlice,
  VariantServe,
} from './types';

/*
 * Design: `createEvaluator` compiles every flag into a `decide(context) → outcome index` closure. Everything a
 * result can look like (variant × reason × rule) is enumerated at compile time as a frozen `Outcome`, so the hot
 * path returns shared objects and allocates nothing. Split buckets vary per unit; `decide` leaves the last bucket
 * in a module-level register (`lastBucket`) that `evaluate` reads right after — evaluation is synchronous, so no
 * other evaluation can run in between.
 */

type Ctx = object;
type Matcher = (ctx: Ctx) => boolean;

/**
 * Strings longer than this never match `matches`. The regex guard admits at most quadratic backtracking, which
 * costs ~2.5 ms at 1,024 characters but ~140 ms at 10,000 for something as plain as `[0-9]+x` on hostile input.
 */
export const MAX_MATCH_SUBJECT_LENGTH = 1_024;
/** `in`/`notIn` operand lists longer than this are looked up in a Set instead of scanned. */
const SET_THRESHOLD = 8;

const EMPTY_CONTEXT: Ctx = Object.freeze(Object.create(null) as object);

let lastBucket = 0;

interface Outcome {
  readonly variantIndex: number;
  readonly variant: string;
  readonly value: JsonValue;
  readonly reason: EvaluationReason;
  readonly ruleId: string | undefined;
  /** Shared frozen details (without `bucket`). */
  readonly details: EvaluationDetails;
  /** Shared frozen snapshot entry. */
  readonly entry: SnapshotFlag;
  /** True for SPLIT outcomes: `evaluate` adds the unit's bucket to a fresh details object. */
  readonly split: boolean;
  /** Two 32-bit hashes of `[flagKey, entry]`, combined into snapshot versions. */
  readonly hashA: number;
  readonly hashB: number;
}

interface CompiledFlag {
  readonly key: string;
  /** 0 boolean, 1 string, 2 number, 3 json. */
  readonly typeTag: number;
  readonly outcomes: readonly Outcome[];
  readonly decide: (ctx: Ctx) => number;
  /** The outcome index when it does not depend on the context (disabled or static flags), else -1. */
  readonly constant: number;
  /** For a flag that is nothing but its default split: that split (handles call `pickSlice` directly), else null. */
  readonly split: CompiledSplit | null;
  /** With `split`: the outcome for a unit without the bucketBy attribute. */
  readonly missingUnit: number;
  readonly errorEntry: SnapshotFlag;
  readonly errorHashA: number;
  readonly errorHashB: number;
}

interface CompiledSplit {
  readonly key: string;
  readonly parts: readonly string[] | null;
  readonly prefix: Murmur3State;
  readonly total: number;
  /** `1 / total`, for `reduceHash`. */
  readonly inverse: number;
  /**
   * Upper bucket bounds of slices 0–3: slice i covers [t(i-1), t(i)). The last slice's bound is `total` and
   * bounds past the last slice are `total` too, so the unrolled compares in `pickSlice` never run past the end.
   */
  readonly t0: number;
  readonly t1: number;
  readonly t2: number;
  readonly t3: number;
  /** Upper bounds of slices 4 and up (same rule); empty for the usual two to four slices. */
  readonly rest: readonly number[];
  /** Outcome index of slice 0; slice i is `firstOutcome + i`. */
  readonly firstOutcome: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Attribute access
//
// Only own properties count: an inherited value (prototype pollution, class prototypes, `constructor`,
// `__proto__`) reads as missing. Checking ownership on every read costs more than the rest of a condition, so
// single-name attributes are read directly (`ctx[key]`, which V8 inlines with an inline cache) and ownership is
// verified only when it can change the answer: a missing attribute makes every condition false, so a condition
// that computed `false` would stay false, and only a `true` needs the own-property check. Dot paths check every
// step. Reads that throw (getters, proxy traps) abort the fast path; the evaluation is then retried on a safe copy
// of the context, where such properties are simply absent (see `safeContext`).

type Rec = Record<string, unknown>;

const hasOwnProperty = Object.prototype.hasOwnProperty;
const ObjectPrototype: object = Object.prototype;

/** Reads a dot path, own properties only at every step. */
function readPath(ctx: Ctx, parts: readonly string[]): unknown {
  let cur: unknown = ctx;
  for (let i = 0; i < parts.length; i++) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    const k = parts[i] as string;
    if (!hasOwnProperty.call(cur, k)) return undefined;
    cur = (cur as Rec)[k];
  }
  return cur;
}

/** A compiled attribute path: `parts` is null for a single name (the fast, lazily verified case). */
interface Attr {
  readonly key: string;
  readonly parts: readonly string[] | null;
}

function compilePath(path: string): Attr {
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
function isOwnRead(ctx: Ctx, key: string): boolean {
  const proto: unknown = Object.getPrototypeOf(ctx);
  if (proto === null || (proto === ObjectPrototype && (ObjectPrototype as Rec)[key] === undefined)) return true;
  return hasOwnProperty.call(ctx, key);
}

/** Fully verified read (for cold paths): the own value at `attr`, or undefined. */
function readAttr(ctx: Ctx, attr: Attr): unknown {
  if (attr.parts !== null) return readPath(ctx, attr.parts);
  return hasOwnProperty.call(ctx, attr.key) ? (ctx as Rec)[attr.key] : undefined;
}

const MAX_SAFE_COPY_DEPTH = 16;
const MAX_SAFE_COPY_PROPERTIES = 10_000;
const dateGetTime = Date.prototype.getTime;

function isDate(value: object): boolean {
  try {
    dateGetTime.call(value as Date);
    return true;
  } catch {
    return false;
  }
}

/**
 * A copy of the context's own data, for the retry after the fast path threw: every property read inside a
 * try/catch, properties that throw are left out, nested objects copied up to a depth and size budget, cycles
 * shared rather than followed. Only built on that error path.
 */
function safeContext(ctx: Ctx): Ctx {
  const seen = new Map<object, object>();
  let budget = MAX_SAFE_COPY_PROPERTIES;
  const copy = (value: unknown, depth: number): unknown => {
    if (typeof value === 'function') return undefined;
    if (typeof value !== 'object' || value === null) return value;
    const known = seen.get(value);
    if (known !== undefined) return known;
    if (isDate(value)) return new Date(dateGetTime.call(value as Date));
    if (depth > MAX_SAFE_COPY_DEPTH) return undefined;
    let isArray = false;
    try {
      isArray = Array.isArray(value);
    } catch {
      return undefined; // revoked proxy
    }
    const out: object = isArray ? [] : (Object.create(null) as object);
    seen.set(value, out);
    let names: string[];
    try {
      names = Object.getOwnPropertyNames(value);
    } catch {
      return out;
    }
    for (const name of names) {
      if (budget-- <= 0) break;
      let v: unknown;
      try {
        v = (value as Rec)[name];
      } catch {
        continue;
      }
      const c = copy(v, depth + 1);
      if (c !== undefined) Object.defineProperty(out, name, { value: c, enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
  const result = copy(ctx, 0);
  return typeof result === 'object' && result !== null ? result : EMPTY_CONTEXT;
}

/** The last exception `decideSafely` could not recover from, for the ERROR/GENERAL message. */
let lastError: unknown;

/** Retries on a safe copy of the context; -1 when even that throws (the caller answers ERROR/GENERAL). */
function decideSafely(flag: CompiledFlag, ctx: Ctx): number {
  try {
    return flag.decide(safeContext(ctx));
  } catch (e) {
    lastError = e;
    return -1;
  }
}

/**
 * The string form used by string operators, targets and `in`: strings as they are, finite numbers and booleans
 * as `String(v)`; anything else (objects, arrays, NaN, missing) has none and never matches.
 */
function asString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return undefined;
}

const NUMERIC_STRING = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Numeric operators accept finite numbers and decimal numeric strings ("42", "-1.5", "1e3"); not "", "0x10", " 1". */
function asNumber(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) ? v : NaN;
  if (typeof v === 'string' && v.length <= 64 && NUMERIC_STRING.test(v)) return Number(v);
  return NaN;
}

// ---------------------------------------------------------------------------------------------------------------
// Conditions

function operandStrings(values: readonly (string | number | boolean)[] | undefined, ci: boolean): string[] {
  const out: string[] = [];
  for (const v of values ?? []) {
    const s = asString(v);
    if (s !== undefined) out.push(ci ? s.toLowerCase() : s);
  }
  return out;
}

/**
 * Compiles one condition. Every operator first reads the attribute; a value the operator cannot compare
 * (missing, inherited, wrong type, unparseable) makes the condition false whether or not it is negated. Only a
 * real comparison result is inverted by `negate`. `exists` and `inSegment` are the exceptions: they are defined
 * for every context, so `negate` simply inverts them.
 *
 * The closures repeat the read-and-verify pattern instead of calling a shared helper on purpose: a helper would
 * share one inline cache across all attribute names and stop V8 from inlining the read.
 */
function compileCondition(cond: Condition, segmentMatchers: ReadonlyMap<string, Matcher>): Matcher {
  const negate = cond.negate === true;
  const ci = cond.caseInsensitive === true;
  const { key, parts } = compilePath(cond.attribute);
  const values = cond.values ?? [];
  switch (cond.operator) {
    case 'exists':
      return (ctx) => {
        const v = parts === null ? (ctx as Rec)[key] : readPath(ctx, parts);
        const present = v !== undefined && v !== null && (parts !== null || hasOwnProperty.call(ctx, key));
        return present !== negate;
      };
    case 'inSegment': {
      const matchers: Matcher[] = [];
      for (const s of values) {
        const m = segmentMatchers.get(String(s));
        if (m !== undefined) matchers.push(m);
      }
      return (ctx) => {
        let hit = false;
        for (let i = 0; i < matchers.length && !hit; i++) hit = (matchers[i] as Matcher)(ctx);
        return hit !== negate;
      };
    }
    case 'equals':
    case 'in':
    case 'notIn': {
      const ops = operandStrings(values, ci);
      // notIn is "in" inverted; combining it with negate gives "in" again.
      const invert = negate !== (cond.operator === 'notIn');
      if (ops.length > SET_THRESHOLD) {
        const set = new Set(ops);
        return (ctx) => {
          const v = parts === null ? (ctx as Rec)[key] : readPath(ctx, parts);
          let s = typeof v === 'string' ? v : asString(v);
          if (s === undefined) return false;
          if (ci) s = s.toLowerCase();
          return set.has(s) !== invert && (parts !== null || hasOwnProperty.call(ctx, key));
        };
      }
      if (ops.length === 1) {
        const only = ops[0] as string;
        return (ctx) => {
          const v = parts === null ? (ctx as Rec)[key] : readPath(ctx, parts);
          let s = typeof v === 'string' ? v : asString(v);
          if (s === undefined) return false;
          if (ci) s = s.toLowerCase();
          return (s === only) !== invert && (parts !== null || hasOwnProperty.call(ctx, key));
        };
      }
      if (ops.length <= 4) {
        // Short lists (the usual "country in [US, CA, GB]") compare unrolled; missing slots never equal a string.
        const [o0, o1, o2, o3] = ops as [string, string?, string?, string?];
        return (ctx) => {
          const v = parts === null ? (ctx as Rec)[key] : readPath(ctx, parts);
          let s = typeof v === 'string' ? v : asString(v);
          if (s === undefined) return false;
          if (ci) s = s.toLowerCase();
          const hit = s === o0 || s === o1 || s === o2 || s === o3;
          return hit !== invert && (parts !== null || hasOwnProperty.call(ctx, key));
        };
      }
      return (ctx) => {
        const v = parts === null ? (ctx as Rec)[key] : readPath(ctx, parts);
        let s = typeof v === 'string' ? v : asString(v);
        if (s === undefined) return false;
        if (ci) s = s.toLowerCase();
        let hit = false;
        for (let i = 0; i < ops.length; i++) {
          if (ops[i] === s) {
            hit = true;
            break;
          }
        }
        return hit !== invert && (parts !== null || hasOwnProperty.call(ctx, key));
      };
    }
    case 'contains':
    case 'startsWith':
    case 'endsWith': {
      const ops = operandStrings(values, ci);
      const mode = cond.operator === 'endsWith' ? 2 : cond.operator === 'startsWith' ? 1 : 0;
      if (ops.length === 1 && !ci) {
        const only = ops[0] as string;
        return (ctx) => {
          const v = parts === null ? (ctx as Rec)[key] : readPath(ctx, parts);
          const s = typeof v === 'string' ? v : asString(v);
          if (s === undefined) return false;
          const hit = mode === 2 ? s.endsWith(only) : mode === 1 ? s.startsWith(only) : s.includes(only);
          return hit !== negate && (parts !== null || hasOwnProperty.call(ctx, key));
        };
      }
      return (ctx) => {
        const v = parts === null ? (ctx as Rec)[key] : readPath(ctx, parts);
        let s = typeof v === 'string' ? v : asString(v);
        if (s === undefined) return false;
        if (ci) s = s.toLowerCase();
        let hit = false;
        for (let i = 0; i < ops.length && !hit; i++) {
          const o = ops[i] as string;
          hit = mode === 2 ? s.endsWith(o) : mode === 1 ? s.startsWith(o) : s.includes(o);
        }
        return hit !== negate && (parts !== null || hasOwnProperty.call(ctx, key));
      };
    }
    case 'matches': {
      const regexes = values.map((p) => new RegExp(String(p), ci ? 'iu' : 'u'));
      const attr: Attr = { key, parts };
      return (ctx) => {
        const s = asString(readAttr(ctx, attr));
        if (s === undefined || s.length > MAX_MATCH_SUBJECT_LENGTH) return false;
        let hit = false;
        for (let i = 0; i < regexes.length && !hit; i++) hit = (regexes[i] as RegExp).test(s);
        return hit !== negate;
      };
    }
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte': {
      const operand = Number(values[0]);
      const op = cond.operator;
      return (ctx) => {
        const v = parts === null ? (ctx as Rec)[key] : readPath(ctx, parts);
        const n = asNumber(v);
        if (n !== n) return false; // NaN: not comparable
        const hit = op === 'lt' ? n < operand : op === 'lte' ? n <= operand : op === 'gt' ? n > operand : n >= operand;
        return hit !== negate && (parts !== null || hasOwnProperty.call(ctx, key));
      };
    }
    case 'semverEq':
    case 'semverLt':
    case 'semverLte':
    case 'semverGt':
    case 'semverGte': {
      const operand = parseSemver(String(values[0])) as SemVer;
      const op = cond.operator;
      const attr: Attr = { key, parts };
      return (ctx) => {
        const v = readAttr(ctx, attr);
        if (typeof v !== 'string') return false;
        const parsed = parseSemver(v);
        if (parsed === undefined) return false;
        const c = compareSemver(parsed, operand);
        const hit = op === 'semverEq' ? c === 0 : op === 'semverLt' ? c < 0 : op === 'semverLte' ? c <= 0 : op === 'semverGt' ? c > 0 : c >= 0;
        return hit !== negate;
      };
    }
    case 'before':
    case 'after': {
      const operand = toEpochMs(values[0]) as number;
      const before = cond.operator === 'before';
      const attr: Attr = { key, parts };
      return (ctx) => {
        const t = toEpochMs(readAttr(ctx, attr));
        if (t === undefined) return false;
        return (before ? t < operand : t > operand) !== negate;
      };
    }
    case 'inCidr': {
      const ranges: CidrRange[] = [];
      for (const v of values) {
        const r = parseCidr(String(v));
        if (r !== undefined) ranges.push(r);
      }
      const attr = compilePath(cond.attribute);
      return (ctx) => {
        const v = readAttr(ctx, attr);
        if (typeof v !== 'string') return false;
        const ip = parseIp(v);
        if (ip === undefined) return false;
        let hit = false;
        for (let i = 0; i < ranges.length && !hit; i++) hit = cidrContains(ranges[i] as CidrRange, ip);
        return hit !== negate;
      };
    }
    default:
      // Unreachable for validated definitions; an unknown operator never matches.
      return () => false;
  }
}

function allOf(matchers: readonly Matcher[]): Matcher {
  if (matchers.length === 0) return () => true;
  if (matchers.length === 1) return matchers[0] as Matcher;
  if (matchers.length === 2) {
    const [a, b] = matchers as [Matcher, Matcher];
    return (ctx) => a(ctx) && b(ctx);
  }
  if (matchers.length === 3) {
    const [a, b, c] = matchers as [Matcher, Matcher, Matcher];
    return (ctx) => a(ctx) && b(ctx) && c(ctx);
  }
  return (ctx) => {
    for (let i = 0; i < matchers.length; i++) if (!(matchers[i] as Matcher)(ctx)) return false;
    return true;
  };
}

function compileSegment(seg: SegmentDefinition): Matcher {
  const attr = compilePath(seg.attribute ?? DEFAULT_UNIT_ATTRIBUTE);
  const included = new Set(seg.included ?? []);
  const excluded = new Set(seg.excluded ?? []);
  const conditions = (seg.conditions ?? []).map((c) => compileCondition(c, new Map()));
  const conds = conditions.length === 0 ? null : allOf(conditions);
  const hasLists = included.size > 0 || excluded.size > 0;
  return (ctx) => {
    if (hasLists) {
      const id = asString(readAttr(ctx, attr));
      if (id !== undefined) {
        if (excluded.has(id)) return false;
        if (included.has(id)) return true;
      }
    }
    return conds !== null && conds(ctx);
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Outcomes and splits

function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

const HASH_SEED_A = 0;
const HASH_SEED_B = 0x5bd1e995;

function makeOutcome(
  flagKey: string,
  variantIndex: number,
  variant: string,
  value: JsonValue,
  reason: EvaluationReason,
  ruleId: string | undefined,
  detail: string | undefined,
): Outcome {
  const details: EvaluationDetails = { value, variant, reason };
  const entry: SnapshotFlag = { value, variant, reason };
  if (ruleId !== undefined) {
    details.ruleId = ruleId;
    entry.ruleId = ruleId;
  }
  if (detail !== undefined) details.detail = detail;
  const text = canonicalJson([flagKey, entry]);
  return {
    variantIndex,
    variant,
    value,
    reason,
    ruleId,
    details: Object.freeze(details),
    entry: Object.freeze(entry),
    split: reason === 'SPLIT',
    hashA: murmur3(text, HASH_SEED_A),
    hashB: murmur3(text, HASH_SEED_B),
  };
}

function sliceWeights(split: readonly SplitSlice[]): number[] {
  const weights: number[] = [];
  for (const s of split) {
    if (s.percentage !== undefined) weights.push(Math.round(s.percentage * (PERCENT_SCALE / 100)));
    else weights.push(s.weight ?? 0);
  }
  return weights;
}

/** The detail reported when a default split is skipped because the unit attribute is missing. */
function missingUnitDetail(attribute: string): string {
  return `unit has no ${JSON.stringify(attribute)} attribute; split skipped`;
}

/**
 * Picks the slice for the unit in `ctx`; returns its outcome index, or -1 when the unit attribute is missing.
 *
 * Every split of every flag runs through this one function, so its property reads and calls stay monomorphic.
 * The single-name unit read is verified as an own property before it is hashed (see `isOwnRead`).
 */
function pickSlice(split: CompiledSplit, ctx: Ctx): number {
  const parts = split.parts;
  const key = split.key;
  const unit = parts === null ? (ctx as Rec)[key] : readPath(ctx, parts);
  let s: string;
  if (typeof unit === 'string') s = unit;
  else if (typeof unit === 'number') s = String(unit);
  else return -1;
  if (parts === null && !isOwnRead(ctx, key)) return -1;
  const bucket = reduceHash(murmur3Int32WithPrefix(split.prefix, s) >>> 0, split.total, split.inverse);
  lastBucket = bucket;
  const first = split.firstOutcome;
  if (bucket < split.t0) return first;
  if (bucket < split.t1) return first + 1;
  if (bucket < split.t2) return first + 2;
  if (bucket < split.t3) return first + 3;
  const rest = split.rest;
  for (let i = 0; i < rest.length; i++) {
    if (bucket < (rest[i] as number)) return first + 4 + i;
  }
  return first + 3 + rest.length; // unreachable: the last bound is the total
}

/** Compiles slice weights into the bounds of `CompiledSplit`. */
function sliceBounds(weights: readonly number[]): Pick<CompiledSplit, 'total' | 'inverse' | 't0' | 't1' | 't2' | 't3' | 'rest'> {
  let sum = 0;
  for (const w of weights) sum += w;
  const total = Math.min(Math.max(sum, 1), MAX_SPLIT_TOTAL);
  const bounds: number[] = [];
  let cumulative = 0;
  for (let i = 0; i < weights.length; i++) {
    cumulative += weights[i] as number;
    bounds.push(i === weights.length - 1 ? total : Math.min(cumulative, total));
  }
  while (bounds.length < 4) bounds.push(total);
  const [t0, t1, t2, t3] = bounds as [number, number, number, number];
  return { total, inverse: 1 / total, t0, t1, t2, t3, rest: bounds.slice(4) };
}

/**
 * A rule's percentage gate as one more condition: the unit's bucket must be below `weight`. A missing unit fails
 * the gate (the rule is skipped). Does not touch `lastBucket`, which belongs to the split that may follow.
 */
function compileRollout(rollout: RuleRollout, flagKey: string): Matcher {
  const attr = compilePath(rollout.bucketBy ?? DEFAULT_UNIT_ATTRIBUTE);
  const prefix = murmur3Prefix(`${rollout.salt ?? flagKey}:`, rollout.seed ?? 0);
  const total = Math.min(Math.max(rollout.total, 1), MAX_SPLIT_TOTAL);
  const inverse = 1 / total;
  const weight = rollout.weight;
  const { key, parts } = attr;
  return (ctx) => {
    const unit = parts === null ? (ctx as Rec)[key] : readPath(ctx, parts);
    let s: string;
    if (typeof unit === 'string') s = unit;
    else if (typeof unit === 'number') s = String(unit);
    else return false;
    if (parts === null && !isOwnRead(ctx, key)) return false;
    return reduceHash(murmur3Int32WithPrefix(prefix, s) >>> 0, total, inverse) < weight;
  };
}

/**
 * Whether a serve is a weighted split (`{ split: [...] }`) rather than a single variant.
 *
 * @example
 * if (isSplitServe(flag.defaultServe)) console.log(flag.defaultServe.split.map((s) => s.variant));
 */
export function isSplitServe(serve: Serve): serve is SplitServe {
  return Array.isArray((serve as SplitServe).split);
}

/**
 * Whether a serve names a single variant (`{ variant: "on" }`).
 *
 * @example
 * const served = isVariantServe(rule.serve) ? rule.serve.variant : 'a split';
 */
export function isVariantServe(serve: Serve): serve is VariantServe {
  return typeof (serve as VariantServe).variant === 'string';
}

// ---------------------------------------------------------------------------------------------------------------
// Flags

interface CompileEnv {
  readonly segmentMatchers: ReadonlyMap<string, Matcher>;
  readonly compiled: ReadonlyMap<string, CompiledFlag>;
}

const TYPE_TAGS: Readonly<Record<string, number>> = { boolean: 0, string: 1, number: 2, json: 3 };

function compileFlag(key: string, def: FlagDefinition, env: CompileEnv): CompiledFlag {
  const variantNames = Object.keys(def.variants);
  const variantIndex = new Map<string, number>();
  variantNames.forEach((name, i) => variantIndex.set(name, i));
  const outcomes: Outcome[] = [];
  const add = (variant: string, reason: EvaluationReason, ruleId?: string, detail?: string): number => {
    outcomes.push(makeOutcome(key, variantIndex.get(variant) ?? 0, variant, def.variants[variant] as JsonValue, reason, ruleId, detail));
    return outcomes.length - 1;
  };
  const compileSplit = (serve: SplitServe, reason: EvaluationReason, ruleId: string | undefined): CompiledSplit => {
    const firstOutcome = outcomes.length;
    for (const slice of serve.split) add(slice.variant, reason, ruleId);
    const { key: attrKey, parts } = compilePath(serve.bucketBy ?? DEFAULT_UNIT_ATTRIBUTE);
    const b = sliceBounds(sliceWeights(serve.split));
    // Spelled out (no spread) so every split has the same hidden class: `pickSlice` sees one shape.
    return {
      key: attrKey,
      parts,
      prefix: murmur3Prefix(`${serve.salt ?? key}:`, serve.seed ?? 0),
      total: b.total,
      inverse: b.inverse,
      t0: b.t0,
      t1: b.t1,
      t2: b.t2,
      t3: b.t3,
      rest: b.rest,
      firstOutcome,
    };
  };

  const typeTag = TYPE_TAGS[def.type ?? 'json'] ?? 3;
  const errorEntry: SnapshotFlag = Object.freeze({ value: null, reason: 'ERROR', errorCode: 'GENERAL' });
  const errorText = canonicalJson([key, errorEntry]);
  const base = {
    constant: -1,
    split: null as CompiledSplit | null,
    missingUnit: -1,
    key,
    typeTag,
    outcomes,
    errorEntry,
    errorHashA: murmur3(errorText, HASH_SEED_A),
    errorHashB: murmur3(errorText, HASH_SEED_B),
  };

  const off = add(def.offVariant, 'DISABLED');
  if (!def.enabled) return { ...base, decide: () => off, constant: off };

  const prerequisites = (def.prerequisites ?? []).map((p) => {
    const flag = env.compiled.get(p.flag) as CompiledFlag;
    const accepted = flag.outcomes.map((o) => p.variants.includes(o.variant));
    const failed = add(def.offVariant, 'PREREQUISITE_FAILED', undefined, `prerequisite flag ${JSON.stringify(p.flag)} did not serve one of: ${p.variants.join(', ')}`);
    return { flag, accepted, failed };
  });

  const targetGroups: Array<{ attr: Attr; ids: Map<string, number> }> = [];
  for (const t of def.targets ?? []) {
    const attr = t.attribute ?? DEFAULT_UNIT_ATTRIBUTE;
    let group = targetGroups.find((g) => g.attr.key === attr);
    if (group === undefined) {
      group = { attr: compilePath(attr), ids: new Map() };
      targetGroups.push(group);
    }
    const outcome = add(t.variant, 'TARGETING_MATCH', TARGET_RULE_ID);
    for (const id of t.values) if (!group.ids.has(id)) group.ids.set(id, outcome);
  }

  const rules = (def.rules ?? []).map((r, i) => {
    const ruleId = r.id ?? `rule-${i}`;
    const matchers = r.conditions.map((c) => compileCondition(c, env.segmentMatchers));
    if (r.rollout !== undefined) matchers.push(compileRollout(r.rollout, key));
    const match = allOf(matchers);
    if (isSplitServe(r.serve)) return { match, matchers, outcome: -1, split: compileSplit(r.serve, 'SPLIT', ruleId) };
    return { match, matchers, outcome: add(r.serve.variant, 'TARGETING_MATCH', ruleId), split: null };
  });

  const hasLogic = prerequisites.length > 0 || targetGroups.length > 0 || rules.length > 0;
  let defaultOutcome = -1;
  let defaultSplit: CompiledSplit | null = null;
  let missingUnit = -1;
  if (isSplitServe(def.defaultServe)) {
    defaultSplit = compileSplit(def.defaultServe, 'SPLIT', undefined);
    missingUnit = add(def.offVariant, 'DEFAULT', undefined, missingUnitDetail(def.defaultServe.bucketBy ?? DEFAULT_UNIT_ATTRIBUTE));
  } else {
    defaultOutcome = add((def.defaultServe as VariantServe).variant, hasLogic ? 'DEFAULT' : 'STATIC');
  }

  // Specialised shapes for the common cases keep the hot path free of loops over empty arrays.
  if (!hasLogic) {
    if (defaultSplit === null) return { ...base, decide: () => defaultOutcome, constant: defaultOutcome };
    const split = defaultSplit;
    return {
      ...base,
      split,
      missingUnit,
      decide: (ctx) => {
        const o = pickSlice(split, ctx);
        return o >= 0 ? o : missingUnit;
      },
    };
  }

  if (prerequisites.length === 0 && targetGroups.length === 0 && rules.length === 1 && defaultSplit === null) {
    const rule = rules[0] as (typeof rules)[number];
    const { match, matchers, outcome } = rule;
    const split = rule.split;
    // The most common targeting shape, "these conditions → this variant": call the conditions directly.
    if (split === null && matchers.length === 3) {
      const [a, b, c] = matchers as [Matcher, Matcher, Matcher];
      return { ...base, decide: (ctx) => (a(ctx) && b(ctx) && c(ctx) ? outcome : defaultOutcome) };
    }
    if (split === null && matchers.length === 2) {
      const [a, b] = matchers as [Matcher, Matcher];
      return { ...base, decide: (ctx) => (a(ctx) && b(ctx) ? outcome : defaultOutcome) };
    }
    if (split === null && matchers.length === 1) {
      const a = matchers[0] as Matcher;
      return { ...base, decide: (ctx) => (a(ctx) ? outcome : defaultOutcome) };
    }
    return {
      ...base,
      decide: (ctx) => {
        if (match(ctx)) {
          if (split === null) return outcome;
          const o = pickSlice(split, ctx);
          if (o >= 0) return o;
        }
        return defaultOutcome;
      },
    };
  }

  return {
    ...base,
    decide: (ctx) => {
      for (let i = 0; i < prerequisites.length; i++) {
        const p = prerequisites[i] as (typeof prerequisites)[number];
        if (!(p.accepted[p.flag.decide(ctx)] as boolean)) return p.failed;
      }
      for (let i = 0; i < targetGroups.length; i++) {
        const g = targetGroups[i] as (typeof targetGroups)[number];
        const id = asString(readAttr(ctx, g.attr));
        if (id !== undefined) {
          const o = g.ids.get(id);
          if (o !== undefined) return o;
        }
      }
      for (let i = 0; i < rules.length; i++) {
        const r = rules[i] as (typeof rules)[number];
        if (!r.match(ctx)) continue;
        if (r.split === null) return r.outcome;
        const o = pickSlice(r.split, ctx);
        if (o >= 0) return o; // a unit without the bucketBy attribute skips this rule
      }
      if (defaultSplit === null) return defaultOutcome;
      const o = pickSlice(defaultSplit, ctx);
      return o >= 0 ? o : missingUnit;
    },
  };
}

/** Flags ordered so every prerequisite comes before the flags that depend on it (iterative: no stack limits). */
function topologicalOrder(flags: Readonly<Record<string, FlagDefinition>>): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  for (const root of Object.keys(flags)) {
    if (seen.has(root)) continue;
    seen.add(root);
    const stack: Array<{ key: string; next: number }> = [{ key: root, next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { key: string; next: number };
      const prerequisites = flags[top.key]?.prerequisites ?? [];
      if (top.next >= prerequisites.length) {
        order.push(top.key);
        stack.pop();
        continue;
      }
      const dep = (prerequisites[top.next++] as { flag: string }).flag;
      if (!seen.has(dep) && Object.hasOwn(flags, dep)) {
        seen.add(dep);
        stack.push({ key: dep, next: 0 });
      }
    }
  }
  return order;
}

// ---------------------------------------------------------------------------------------------------------------
// Public API

/** Type tag of a caller's default: -1 accepts any flag type (null/undefined), -2 matches none. */
function defaultTypeTag(v: unknown): number {
  switch (typeof v) {
    case 'boolean':
      return 0;
    case 'string':
      return 1;
    case 'number':
      return 2;
    case 'object':
      return v === null ? -1 : 3;
    case 'undefined':
      return -1;
    default:
      return -2;
  }
}

const TYPE_NAMES = ['boolean', 'string', 'number', 'json'];

/** The flag key for messages; JavaScript callers may pass anything. */
function keyText(key: unknown): string {
  return typeof key === 'string' ? JSON.stringify(key) : `(a ${typeof key}, not a string key)`;
}

function describeError(e: unknown): string {
  try {
    return e instanceof Error ? e.message : String(e);
  } catch {
    return 'unknown error';
  }
}

function errorDetails<T>(defaultValue: T, errorCode: ErrorCode, errorMessage: string): EvaluationDetails<T> {
  return { value: defaultValue, reason: 'ERROR', errorCode, errorMessage };
}

function notFoundDetails<T>(key: unknown, defaultValue: T, version: string): EvaluationDetails<T> {
  return errorDetails(defaultValue, 'FLAG_NOT_FOUND', `@halyard/core: flag ${keyText(key)} is not defined (definitions version ${version}); check the key or publish the flag`);
}

function mismatchDetails<T>(flag: CompiledFlag, tag: number, defaultValue: T): EvaluationDetails<T> {
  return errorDetails(
    defaultValue,
    'TYPE_MISMATCH',
    `@halyard/core: flag ${keyText(flag.key)} is a ${TYPE_NAMES[flag.typeTag]} flag but the default value is ${tag === -2 ? `a ${typeof defaultValue}` : `a ${TYPE_NAMES[tag]}`}; pass a default of the flag's type`,
  );
}

function failedDetails<T>(flag: CompiledFlag, defaultValue: T): EvaluationDetails<T> {
  return errorDetails(defaultValue, 'GENERAL', `@halyard/core: evaluating flag ${keyText(flag.key)} failed: ${describeError(lastError)}`);
}

/** The details of an outcome: the shared frozen object, or for a split a fresh one carrying the unit's bucket. */
function outcomeDetails<T>(o: Outcome): EvaluationDetails<T> {
  if (!o.split) return o.details as EvaluationDetails<T>;
  const bucket = lastBucket;
  if (o.ruleId === undefined) return { value: o.value as T, variant: o.variant, reason: 'SPLIT', bucket };
  return { value: o.value as T, variant: o.variant, reason: 'SPLIT', ruleId: o.ruleId, bucket };
}

// ---------------------------------------------------------------------------------------------------------------
// Flag handles
//
// `evaluator.flag(key)` binds one compiled flag. Each handle shape has its own closures, so a call site that
// holds one handle sees one function and V8 can inline all of it: a static flag's `isEnabled` is the shared
// `alwaysTrue`/`alwaysFalse`, a plain split calls `pickSlice` directly, and only flags with targeting go through
// their `decide` closure. The handle skips everything by-key reads pay for: the key lookup, the key check, and a
// `decide` call site shared by every flag shape in the document.

const alwaysTrue = (): boolean => true;
const alwaysFalse = (): boolean => false;

/** Outcome index for a split-only flag (see `CompiledFlag.split`); -1 when even the safe retry failed. */
function splitIndex(flag: CompiledFlag, split: CompiledSplit, context: unknown): number {
  const ctx = typeof context === 'object' && context !== null ? context : EMPTY_CONTEXT;
  try {
    const o = pickSlice(split, ctx);
    return o >= 0 ? o : flag.missingUnit;
  } catch {
    return decideSafely(flag, ctx);
  }
}

/** Outcome index through the flag's `decide`; -1 when even the safe retry failed. */
function decideIndex(flag: CompiledFlag, context: unknown): number {
  const ctx = typeof context === 'object' && context !== null ? context : EMPTY_CONTEXT;
  try {
    return flag.decide(ctx);
  } catch {
    return decideSafely(flag, ctx);
  }
}

/**
 * Outcome index for the by-key methods: constant, split-only and `decide` flags each take their own path, so
 * the `decide` call site in `decideIndex` only ever sees flags with targeting.
 */
function outcomeIndex(flag: CompiledFlag, context: unknown): number {
  const constant = flag.constant;
  if (constant >= 0) return constant;
  const split = flag.split;
  return split !== null ? splitIndex(flag, split, context) : decideIndex(flag, context);
}

type AnyHandle = FlagHandle<JsonValue>;

function constantHandle(flag: CompiledFlag): AnyHandle {
  const { key, typeTag } = flag;
  const o = flag.outcomes[flag.constant] as Outcome;
  const value = o.value;
  const details = o.details;
  return Object.freeze({
    key,
    isEnabled: typeTag === 0 && value === true ? alwaysTrue : alwaysFalse,
    getValue(_context: EvaluationContext | undefined, defaultValue: JsonValue): JsonValue {
      const tag = defaultTypeTag(defaultValue);
      return tag === typeTag || tag === -1 ? value : defaultValue;
    },
    evaluate(_context: EvaluationContext | undefined, defaultValue: JsonValue): EvaluationDetails {
      const tag = defaultTypeTag(defaultValue);
      return tag === typeTag || tag === -1 ? details : mismatchDetails(flag, tag, defaultValue);
    },
  });
}

function splitHandle(flag: CompiledFlag, split: CompiledSplit): AnyHandle {
  const { key, typeTag, outcomes } = flag;
  const values = outcomes.map((o) => o.value);
  return Object.freeze({
    key,
    isEnabled:
      typeTag !== 0
        ? alwaysFalse
        : (context?: EvaluationContext): boolean => {
            const index = splitIndex(flag, split, context);
            return index >= 0 && values[index] === true;
          },
    getValue(context: EvaluationContext | undefined, defaultValue: JsonValue): JsonValue {
      const tag = defaultTypeTag(defaultValue);
      if (tag !== typeTag && tag !== -1) return defaultValue;
      const index = splitIndex(flag, split, context);
      return index < 0 ? defaultValue : (values[index] as JsonValue);
    },
    evaluate(context: EvaluationContext | undefined, defaultValue: JsonValue): EvaluationDetails {
      const tag = defaultTypeTag(defaultValue);
      if (tag !== typeTag && tag !== -1) return mismatchDetails(flag, tag, defaultValue);
      const index = splitIndex(flag, split, context);
      return index < 0 ? failedDetails(flag, defaultValue) : outcomeDetails(outcomes[index] as Outcome);
    },
  });
}

function decideHandle(flag: CompiledFlag): AnyHandle {
  const { key, typeTag, outcomes } = flag;
  const values = outcomes.map((o) => o.value);
  return Object.freeze({
    key,
    isEnabled:
      typeTag !== 0
        ? alwaysFalse
        : (context?: EvaluationContext): boolean => {
            const index = decideIndex(flag, context);
            return index >= 0 && values[index] === true;
          },
    getValue(context: EvaluationContext | undefined, defaultValue: JsonValue): JsonValue {
      const tag = defaultTypeTag(defaultValue);
      if (tag !== typeTag && tag !== -1) return defaultValue;
      const index = decideIndex(flag, context);
      return index < 0 ? defaultValue : (values[index] as JsonValue);
    },
    evaluate(context: EvaluationContext | undefined, defaultValue: JsonValue): EvaluationDetails {
      const tag = defaultTypeTag(defaultValue);
      if (tag !== typeTag && tag !== -1) return mismatchDetails(flag, tag, defaultValue);
      const index = decideIndex(flag, context);
      return index < 0 ? failedDetails(flag, defaultValue) : outcomeDetails(outcomes[index] as Outcome);
    },
  });
}

/** The handle of a key the definitions do not have: always the caller's default, reason ERROR/FLAG_NOT_FOUND. */
function missingHandle(key: unknown, version: string): AnyHandle {
  return Object.freeze({
    key: typeof key === 'string' ? key : keyText(key),
    isEnabled: alwaysFalse,
    getValue: (_context: EvaluationContext | undefined, defaultValue: JsonValue): JsonValue => defaultValue,
    evaluate: (_context: EvaluationContext | undefined, defaultValue: JsonValue): EvaluationDetails => notFoundDetails(key, defaultValue, version),
  });
}

function bindFlag(flag: CompiledFlag): AnyHandle {
  if (flag.constant >= 0) return constantHandle(flag);
  if (flag.split !== null) return splitHandle(flag, flag.split);
  return decideHandle(flag);
}

function ensureValid(definitions: Definitions): Definitions {
  if (validatedDefinitions.has(definitions)) return definitions;
  const result = parseDefinitions(definitions);
  if (result.ok) return result.definitions;
  const shown = result.problems.slice(0, 5).map((p) => `${p.path}: ${p.message}`);
  const more = result.problems.length > 5 ? `\n…and ${result.problems.length - 5} more` : '';
  throw new Error(`@halyard/core: createEvaluator() needs valid definitions; validate them with parseDefinitions() first:\n${shown.join('\n')}${more}`);
}

/**
 * Compiles validated definitions into an evaluator. Compile once per definitions version; evaluation never
 * throws and, on the value paths (`getValue`, `isEnabled`), allocates nothing.
 *
 * Definitions that did not come from `parseDefinitions` are validated first; invalid ones make this function
 * throw (evaluation itself never does). `evaluator.definitions` is then the validated, frozen copy.
 *
 * Three ways to read a flag:
 * - `evaluate(key, context, default)` — full `EvaluationDetails`. Results are shared frozen objects, except for
 *   splits, where a small object carrying the unit's `bucket` is allocated per call.
 * - `getValue(key, context, default)` — just the value (or `default` on any error), allocation-free.
 * - `isEnabled(key, context)` — `true` only when a boolean flag serves `true`; allocation-free.
 *
 * On hot paths, bind the flag once with `flag(key)` and call the same three methods on the handle (context
 * first, no key): the handle skips the key lookup and runs code specialised for the flag's shape.
 *
 * Operator semantics: string operators (`equals`, `in`, `notIn`, `contains`, `startsWith`, `endsWith`,
 * `matches`) and targets compare string forms — strings as they are, finite numbers and booleans as `String(v)`
 * (so `equals 30` matches `30` and `"30"`), anything else never matches. Numeric operators accept finite numbers
 * and decimal numeric strings. Semver operators need strict SemVer 2.0.0 strings. Date operators accept ISO-8601
 * strings (UTC when no offset), epoch milliseconds and `Date` objects. A missing or incomparable attribute makes
 * a condition false even when negated; only `exists` and `inSegment` are inverted unconditionally. `matches`
 * ignores strings longer than 1,024 characters (a bound on regex backtracking). Attribute paths read own properties only.
 *
 * @example
 * const result = parseDefinitions(document);
 * if (!result.ok) throw new Error(result.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
 * const evaluator = createEvaluator(result.definitions);
 * evaluator.isEnabled('new-checkout', { userId: 'u-42' });            // true / false
 * evaluator.getValue('checkout-theme', { userId: 'u-42' }, 'light');  // 'dark'
 * evaluator.evaluate('checkout-theme', { userId: 'u-42' }, 'light');  // { value, variant, reason, ruleId, bucket }
 *
 * const newCheckout = evaluator.flag('new-checkout');                 // bind once…
 * if (newCheckout.isEnabled({ userId: 'u-42' })) renderNewCheckout(); // …read per request
 */
export function createEvaluator(definitions: Definitions): Evaluator {
  const defs = ensureValid(definitions);

  const segmentMatchers = new Map<string, Matcher>();
  for (const key of Object.keys(defs.segments)) segmentMatchers.set(key, compileSegment(defs.segments[key] as SegmentDefinition));

  const compiled = new Map<string, CompiledFlag>();
  const env: CompileEnv = { segmentMatchers, compiled };
  for (const key of topologicalOrder(defs.flags)) compiled.set(key, compileFlag(key, defs.flags[key] as FlagDefinition, env));

  const keys = Object.freeze(Object.keys(defs.flags));
  const ordered = keys.map((k) => compiled.get(k) as CompiledFlag);

  // One-entry cache in front of the Map: hot loops read the same flag over and over, and comparing an
  // interned key is cheaper than hashing it. A miss costs one comparison.
  let cachedKey: string | undefined;
  let cachedFlag: CompiledFlag | undefined;
  const lookup = (key: string): CompiledFlag | undefined => {
    if (key === cachedKey) return cachedFlag;
    const flag = compiled.get(key);
    if (flag !== undefined) {
      cachedKey = key;
      cachedFlag = flag;
    }
    return flag;
  };

  // Nothing in the entry points can throw but `decide`/`pickSlice`, and those run inside the try/catch of
  // `splitIndex`/`decideIndex`.
  function evaluate<T extends JsonValue>(key: string, context: EvaluationContext | undefined, defaultValue: T): EvaluationDetails<T> {
    const flag = lookup(key);
    if (flag === undefined) return notFoundDetails(key, defaultValue, defs.version);
    const tag = defaultTypeTag(defaultValue);
    if (tag !== flag.typeTag && tag !== -1) return mismatchDetails(flag, tag, defaultValue);
    const index = outcomeIndex(flag, context);
    return index < 0 ? failedDetails(flag, defaultValue) : outcomeDetails(flag.outcomes[index] as Outcome);
  }

  function getValue<T extends JsonValue>(key: string, context: EvaluationContext | undefined, defaultValue: T): T {
    const flag = lookup(key);
    if (flag === undefined) return defaultValue;
    const tag = defaultTypeTag(defaultValue);
    if (tag !== flag.typeTag && tag !== -1) return defaultValue;
    const index = outcomeIndex(flag, context);
    return index < 0 ? defaultValue : ((flag.outcomes[index] as Outcome).value as T);
  }

  function isEnabled(key: string, context?: EvaluationContext): boolean {
    const flag = lookup(key);
    if (flag === undefined || flag.typeTag !== 0) return false;
    const index = outcomeIndex(flag, context);
    return index >= 0 && (flag.outcomes[index] as Outcome).value === true;
  }

  function evaluateAll(context: EvaluationContext | undefined): FlagSnapshot {
    const ctx = typeof context === 'object' && context !== null ? context : EMPTY_CONTEXT;
    const flags: Record<string, SnapshotFlag> = {};
    let hA = 0x9747b28c | 0;
    let hB = 0x2f8e5a13 | 0;
    for (let i = 0; i < ordered.length; i++) {
      const flag = ordered[i] as CompiledFlag;
      let entry: SnapshotFlag;
      let a: number;
      let b: number;
      let index: number;
      try {
        index = flag.decide(ctx);
      } catch {
        index = decideSafely(flag, ctx);
      }
      if (index >= 0) {
        const o = flag.outcomes[index] as Outcome;
        entry = o.entry;
        a = o.hashA;
        b = o.hashB;
      } else {
        entry = flag.errorEntry;
        a = flag.errorHashA;
        b = flag.errorHashB;
      }
      flags[flag.key] = entry;
      hA = murmur3MixWord(hA, a);
      hB = murmur3MixWord(hB, b);
    }
    // The version depends only on the entries (via their content hashes), so equal content → equal version,
    // even across definitions versions that differ elsewhere.
    const version = hex32(murmur3Finish(hA, ordered.length * 4)) + hex32(murmur3Finish(hB, ordered.length * 4));
    return { version, flags };
  }

  // Handles of defined flags are made on first use and shared; a handle of an unknown key is not kept, so
  // arbitrary keys cannot grow this map.
  const handles = new Map<string, AnyHandle>();
  function flag<T extends JsonValue = JsonValue>(key: string): FlagHandle<T> {
    const compiledFlag = typeof key === 'string' ? compiled.get(key) : undefined;
    if (compiledFlag === undefined) return missingHandle(key, defs.version) as unknown as FlagHandle<T>;
    let handle = handles.get(key);
    if (handle === undefined) {
      handle = bindFlag(compiledFlag);
      handles.set(key, handle);
    }
    return handle as unknown as FlagHandle<T>;
  }

  return Object.freeze({
    definitions: defs,
    evaluate,
    getValue,
    isEnabled,
    flag,
    evaluateAll,
    has: (key: string) => compiled.has(key),
    keys: () => keys,
  });
}

/**
 * The bucket of `unit` in a split of total weight `total`: `murmur3(salt + ":" + unit, seed) mod total`. For
 * other SDKs, tools and tests that need to reproduce Halyard's assignment (see docs/bucketing.md).
 *
 * @example
 * bucketOf('new-checkout', 'user-42', 100_000); // 0 ≤ bucket < 100000; below 25000 means "in a 25 % rollout"
 */
export function bucketOf(salt: string, unit: string | number, total: number, seed = 0): number {
  if (!Number.isInteger(total) || total < 1 || total > MAX_SPLIT_TOTAL) {
    throw new RangeError(`@halyard/core: bucketOf() needs an integer total between 1 and ${MAX_SPLIT_TOTAL}, got ${String(total)}`);
  }
  return murmur3(`${salt}:${typeof unit === 'number' ? String(unit) : unit}`, seed) % total;
}
