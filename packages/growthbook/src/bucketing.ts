import type { BucketingAlgorithm } from '@halyard/core';

/*
 * GrowthBook's bucketing, from its SDK specification: FNV-1a 32 over UTF-16 code units (the SDKs read
 * `charCodeAt`), then hash version 1 `(fnv1a32(value + seed) % 1000) / 1000` or version 2
 * `(fnv1a32(String(fnv1a32(seed + value))) % 10000) / 10000`. Halyard buckets are the integers before the division
 * (0–999, 0–9999); the importer turns GrowthBook's float ranges into the exact integer bounds the SDKs' float
 * comparisons select (see `bucketThreshold`).
 */

/** FNV-1a 32 over the UTF-16 code units of `s`, unsigned. The multiply by the FNV prime is spelled as shifts. */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h += (h << 1) + (h << 4) + (h << 7) + (h << 8) + (h << 24);
  }
  return h >>> 0;
}

/**
 * GrowthBook hash version 1 as a Halyard algorithm: bucket `fnv1a32(unit + salt) % 1000` (GrowthBook's `n` is
 * the bucket / 1000). The salt is GrowthBook's seed. An empty unit is left out, as GrowthBook skips empty ids.
 */
export const growthbookV1Bucketing: BucketingAlgorithm = Object.freeze({
  name: 'growthbook-v1',
  range: 1000,
  compile: (salt: string) => (unit: string) => (unit === '' ? -1 : fnv1a32(unit + salt) % 1000),
});

/**
 * GrowthBook hash version 2 as a Halyard algorithm: bucket `fnv1a32(String(fnv1a32(salt + unit))) % 10000`
 * (GrowthBook's `n` is the bucket / 10000). An empty unit is left out.
 */
export const growthbookV2Bucketing: BucketingAlgorithm = Object.freeze({
  name: 'growthbook-v2',
  range: 10000,
  compile: (salt: string) => (unit: string) => (unit === '' ? -1 : fnv1a32(String(fnv1a32(salt + unit))) % 10000),
});

/**
 * Both GrowthBook hash versions, ready for `createEvaluator(defs, { bucketing: [growthbookBucketing] })` or
 * `createFlagClient({ source, bucketing: [growthbookBucketing] })`. Documents imported with `importGrowthBook`
 * name them (`"bucketing": { "algorithm": "growthbook-v2" }`).
 *
 * @example
 * import { createEvaluator } from '@halyard/core';
 * import { growthbookBucketing, importGrowthBook } from '@halyard/growthbook';
 * const { document } = importGrowthBook(payload);
 * const evaluator = createEvaluator(parseDefinitions(document).definitions!, { bucketing: [growthbookBucketing] });
 */
export const growthbookBucketing: readonly BucketingAlgorithm[] = Object.freeze([growthbookV1Bucketing, growthbookV2Bucketing]);

/** The algorithm for a GrowthBook hash version, or undefined for versions GrowthBook does not define. */
export function growthbookAlgorithm(hashVersion: number): BucketingAlgorithm | undefined {
  return hashVersion === 1 ? growthbookV1Bucketing : hashVersion === 2 ? growthbookV2Bucketing : undefined;
}

/**
 * The first bucket `k` (0 ≤ k < range, else `range`) whose GrowthBook value `k / range` is `>= x` (or `> x` when `strict`): the
 * SDKs compare those floats, so the integer bound is searched with the same division rather than derived.
 */
export function bucketThreshold(x: number, range: number, strict = false): number {
  const pass = (k: number): boolean => (strict ? k / range > x : k / range >= x);
  if (!(x === x)) return range; // NaN: no float passes
  let k = Math.min(Math.max(Math.ceil(x * range), 0), range);
  while (k > 0 && pass(k - 1)) k--;
  while (k < range && !pass(k)) k++;
  return k; // `range` when no bucket passes
}
