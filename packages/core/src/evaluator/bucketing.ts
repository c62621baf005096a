import { murmur3, murmur3Int32WithPrefix, murmur3Prefix, reduceHash, type Murmur3State } from '../internal/murmur3';
import { DEFAULT_UNIT_ATTRIBUTE, MAX_SPLIT_TOTAL, percentageWeight } from '../internal/schema';
import type { RuleRollout, SplitSlice } from '../types';
import { compilePath, isOwnRead, readPath, type Ctx, type Matcher, type Rec } from './context';

/*
 * Bucketing: `murmur3_x86_32(salt + ":" + unit, seed) mod W`, with the salt's block state precomputed and the
 * modulo done by multiplying with the reciprocal (`reduceHash`). See docs/bucketing.md.
 */

/**
 * A pluggable bucketing algorithm (another vendor's hashing), named by a split's or rollout's
 * `"bucketing": { "algorithm": name }`. Lives in its own module (e.g. `@halyard/growthbook`) and is passed to
 * `createEvaluator(defs, { bucketing: [algorithm] })`, so the default evaluator and the browser carry none of it.
 *
 * @example
 * const halves: BucketingAlgorithm = {
 *   name: 'first-char', range: 2,
 *   compile: (salt) => (unit) => (salt + unit).charCodeAt(0) % 2,
 * };
 */
export interface BucketingAlgorithm {
  /** The name documents use, lower case (`"growthbook-v2"`). */
  readonly name: string;
  /** Number of buckets the algorithm produces: buckets are integers in `[0, range)`. */
  readonly range: number;
  /**
   * Compiles the salt (the vendor's seed) into `unit → bucket in [0, range)`, or -1 when the vendor leaves that
   * unit out (e.g. an empty id); such a unit is treated like one without the `bucketBy` attribute. Must not throw.
   */
  compile(salt: string): (unit: string) => number;
}

/** A compiled pluggable bucket: the algorithm's bucket scaled to the split's total. */
export type CustomBucket = (unit: string) => number;

/**
 * Scales an algorithm's bucket to `total` buckets: `floor(b × total / range)` (exact: integers below 2^53). With
 * `total === range` (what importers write) the bucket is the algorithm's own.
 */
export function customBucket(algorithm: BucketingAlgorithm, salt: string, total: number): CustomBucket {
  const hash = algorithm.compile(salt);
  const range = algorithm.range;
  if (range === total) return hash;
  return (unit) => {
    const b = hash(unit);
    return b < 0 ? -1 : Math.floor((b * total) / range);
  };
}

/** The bucket of the last split `pickSlice` decided; read by the details path right after (evaluation is synchronous). */
let bucketRegister = 0;

/** The bucket of the unit in the split that `pickSlice` decided last. */
export function lastBucket(): number {
  return bucketRegister;
}

export interface CompiledSplit {
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
  /** A pluggable algorithm's bucket (`bucketing` in the document), else null for murmur3. */
  readonly custom: CustomBucket | null;
}

/**
 * Picks the slice for the unit in `ctx`; returns its outcome index, or -1 when the unit attribute is missing.
 *
 * Every split of every flag runs through this one function, so its property reads and calls stay monomorphic.
 * The single-name unit read is verified as an own property before it is hashed (see `isOwnRead`).
 */
export function pickSlice(split: CompiledSplit, ctx: Ctx): number {
  const parts = split.parts;
  const key = split.key;
  const unit = parts === null ? (ctx as Rec)[key] : readPath(ctx, parts);
  let s: string;
  if (typeof unit === 'string') s = unit;
  else if (typeof unit === 'number') s = String(unit);
  else return -1;
  if (parts === null && !isOwnRead(ctx, key)) return -1;
  const custom = split.custom;
  let bucket: number;
  if (custom === null) bucket = reduceHash(murmur3Int32WithPrefix(split.prefix, s) >>> 0, split.total, split.inverse);
  else if ((bucket = custom(s)) < 0) return -1;
  bucketRegister = bucket;
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

/** Slice weights: integer weights as given, percentages as weights out of `PERCENT_SCALE`. */
export function sliceWeights(split: readonly SplitSlice[]): number[] {
  const weights: number[] = [];
  for (const s of split) weights.push(s.percentage !== undefined ? (percentageWeight(s.percentage) ?? 0) : (s.weight ?? 0));
  return weights;
}

/** Compiles slice weights into the bounds of `CompiledSplit`. */
export function sliceBounds(weights: readonly number[]): Pick<CompiledSplit, 'total' | 'inverse' | 't0' | 't1' | 't2' | 't3' | 'rest'> {
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
 * the gate (the rule is skipped). Does not touch the bucket register, which belongs to the split that may follow.
 */
export function compileRollout(rollout: RuleRollout, flagKey: string, algorithms?: ReadonlyMap<string, BucketingAlgorithm>): Matcher {
  const { key, parts } = compilePath(rollout.bucketBy ?? DEFAULT_UNIT_ATTRIBUTE);
  if (rollout.bucketing !== undefined) {
    const algorithm = algorithms?.get(rollout.bucketing.algorithm);
    // Not installed: the caller was told (createEvaluator reports it); the gate never passes rather than re-bucket.
    if (algorithm === undefined) return () => false;
    const bucket = customBucket(algorithm, rollout.salt ?? flagKey, Math.min(Math.max(rollout.total, 1), MAX_SPLIT_TOTAL));
    const w = rollout.weight;
    return (ctx) => {
      const unit = parts === null ? (ctx as Rec)[key] : readPath(ctx, parts);
      let s: string;
      if (typeof unit === 'string') s = unit;
      else if (typeof unit === 'number') s = String(unit);
      else return false;
      if (parts === null && !isOwnRead(ctx, key)) return false;
      const b = bucket(s);
      return b >= 0 && b < w;
    };
  }
  const prefix = murmur3Prefix(`${rollout.salt ?? flagKey}:`, rollout.seed ?? 0);
  const total = Math.min(Math.max(rollout.total, 1), MAX_SPLIT_TOTAL);
  const inverse = 1 / total;
  const weight = rollout.weight;
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
