import type { BucketingAlgorithm } from '@halyard/core';
import { sha1 } from '@noble/hashes/legacy.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/*
 * LaunchDarkly's bucketing, from its SDK documentation and source (`Bucketer.bucket` in
 * @launchdarkly/js-server-sdk-common): hash `<prefix>.<value>` with SHA-1, read the first 15 hex digits as an
 * integer and divide by 0xFFFFFFFFFFFFFFF, giving a float in [0, 1]. The prefix is `<flag or segment key>.<salt>`,
 * or, when a rollout has a non-zero `seed`, the seed alone. A rollout assigns the first variation whose running sum
 * of `weight / 100000` exceeds that float.
 *
 * Halyard buckets are integers, so the algorithm reports the float as the integer bucket `b` in [0, 100000) that
 * compares the same way with every integer weight bound: `b < W` exactly when LaunchDarkly's `float < W / 100000`
 * (`b` is the largest k with `k / 100000 <= float`). The import writes weights out of 100,000, LaunchDarkly's own.
 */

/** LaunchDarkly weights are out of 100,000 (`weight / 100000` in the SDKs). */
export const LAUNCHDARKLY_RANGE = 100000;

/**
 * LaunchDarkly's bucket float for `value` under `prefix` (`"<key>.<salt>"`, or the seed as a string):
 * `parseInt(sha1hex(prefix + "." + value).slice(0, 15), 16) / 0xFFFFFFFFFFFFFFF`, computed with the same float
 * operations as the SDKs.
 *
 * @example
 * launchdarklyBucketValue('new-checkout.f00d', 'user-1'); // 0 ≤ n ≤ 1
 */
export function launchdarklyBucketValue(prefix: string, value: string): number {
  const hex = bytesToHex(sha1(utf8ToBytes(`${prefix}.${value}`)));
  return parseInt(hex.substring(0, 15), 16) / 0xfffffffffffffff;
}

/** The integer bucket (0–99999) that compares with integer weight bounds as LaunchDarkly's float does. */
function integerBucket(n: number): number {
  let k = Math.min(Math.floor(n * LAUNCHDARKLY_RANGE), LAUNCHDARKLY_RANGE - 1);
  while (k > 0 && k / LAUNCHDARKLY_RANGE > n) k--;
  while (k + 1 < LAUNCHDARKLY_RANGE && (k + 1) / LAUNCHDARKLY_RANGE <= n) k++;
  return k;
}

/**
 * The salt a Halyard split or rollout carries for LaunchDarkly's bucketing: the hash prefix the SDKs use,
 * `"<key>.<salt>"` (flag key and flag salt for flag rollouts, segment key and segment salt for segment rules), or
 * the rollout's `seed` when it is non-zero (LaunchDarkly then ignores key and salt).
 *
 * @example
 * launchdarklySalt('new-checkout', 'f00d');        // 'new-checkout.f00d'
 * launchdarklySalt('new-checkout', 'f00d', 61);    // '61'
 */
export function launchdarklySalt(key: string, salt: string | undefined, seed?: number | null): string {
  // LaunchDarkly tests the seed for truthiness (`seed ? Number(seed) : …`), so a seed of 0 means "no seed".
  return seed ? String(Number(seed)) : `${key}.${salt ?? ''}`;
}

/**
 * LaunchDarkly's bucketing as a Halyard algorithm named `launchdarkly`, range 100,000. The split's or rollout's
 * `salt` is the hash prefix (`launchdarklySalt`). An empty unit gets bucket 0, as LaunchDarkly buckets a value it
 * cannot hash at 0 (the importer adds the rules that do the same for a missing attribute).
 *
 * @example
 * import { createEvaluator, parseDefinitions } from '@halyard/core';
 * import { importLaunchDarkly, launchdarklyBucketing } from '@halyard/launchdarkly';
 * const { document } = importLaunchDarkly(payload);
 * const evaluator = createEvaluator(parseDefinitions(document).definitions!, { bucketing: [launchdarklyBucketing] });
 */
export const launchdarklyBucketing: BucketingAlgorithm = Object.freeze({
  name: 'launchdarkly',
  range: LAUNCHDARKLY_RANGE,
  compile: (salt: string) => (unit: string) => (unit === '' ? 0 : integerBucket(launchdarklyBucketValue(salt, unit))),
});
