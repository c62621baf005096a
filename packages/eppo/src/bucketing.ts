import type { BucketingAlgorithm } from '@halyard/core';
import { md5 } from '@noble/hashes/legacy.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';

/*
 * Eppo's sharding, from its SDK source (`MD5Sharder.getShard` and `hashKey` in @eppo/js-client-sdk-common): the
 * shard of a subject is `parseInt(md5hex(salt + "-" + subjectKey).slice(0, 8), 16) % totalShards`, i.e. the first
 * four bytes of the MD5 digest as a big-endian unsigned integer, modulo the flag's `totalShards` (10,000 by
 * default). An allocation split holds the subject when every one of its shards' ranges `[start, end)` contains
 * the subject's shard for that shard's salt. Strings are hashed as UTF-8 (spark-md5 converts non-ASCII input).
 */

/** Eppo's default number of shards per flag (`totalShards`). */
export const EPPO_TOTAL_SHARDS = 10000;

/**
 * The Eppo shard of `input` (`salt + "-" + subjectKey`): the first 4 bytes of its MD5 digest, big-endian, modulo
 * `totalShards`.
 *
 * @example
 * eppoShard('checkout-exp-user-1', 10000); // 0 ≤ shard < 10000, what Eppo's MD5Sharder returns
 */
export function eppoShard(input: string, totalShards: number = EPPO_TOTAL_SHARDS): number {
  const digest = md5(utf8ToBytes(input));
  // `>>> 0` keeps the 32-bit value unsigned, as Eppo's parseInt of 8 hex digits does.
  const first = (((digest[0] as number) << 24) | ((digest[1] as number) << 16) | ((digest[2] as number) << 8) | (digest[3] as number)) >>> 0;
  return first % totalShards;
}

/**
 * Eppo's bucketing for flags with `totalShards` shards, as a Halyard algorithm named `eppo` (10,000 shards, Eppo's
 * default) or `eppo-<totalShards>`. The split's or rollout's `salt` is the Eppo shard salt; the bucket is the shard.
 *
 * @example
 * const eppo1000 = createEppoBucketing(1000); // name "eppo-1000", range 1000
 */
export function createEppoBucketing(totalShards: number): BucketingAlgorithm {
  if (!Number.isInteger(totalShards) || totalShards < 1 || totalShards > 0xffffffff) {
    throw new RangeError(`@halyard/eppo: totalShards must be an integer between 1 and 4294967295, got ${String(totalShards)}; Eppo's default is 10000`);
  }
  return Object.freeze({
    name: totalShards === EPPO_TOTAL_SHARDS ? 'eppo' : `eppo-${totalShards}`,
    range: totalShards,
    compile: (salt: string) => {
      const prefix = `${salt}-`;
      return (unit: string) => eppoShard(prefix + unit, totalShards);
    },
  });
}

/**
 * Eppo's MD5 shard bucketing with its default 10,000 shards, ready for
 * `createEvaluator(defs, { bucketing: [eppoBucketing] })` or `createFlagClient({ source, bucketing: [eppoBucketing] })`.
 * A split that names it (`"bucketing": { "algorithm": "eppo" }`, `"salt": <Eppo shard salt>`, weights out of 10,000
 * in the order of the Eppo shard ranges) assigns every subject as Eppo does.
 *
 * @example
 * import { createEvaluator, parseDefinitions } from '@halyard/core';
 * import { eppoBucketing } from '@halyard/eppo';
 * const evaluator = createEvaluator(parseDefinitions(document).definitions!, { bucketing: [eppoBucketing] });
 */
export const eppoBucketing: BucketingAlgorithm = createEppoBucketing(EPPO_TOTAL_SHARDS);
