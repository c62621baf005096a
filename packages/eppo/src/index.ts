/**
 * Eppo compatibility: Eppo's MD5 shard bucketing as a pluggable Halyard algorithm, so subjects keep the shards (and
 * therefore the variations) Eppo gave them.
 *
 * - `eppoBucketing`: the algorithm `eppo` (10,000 shards); `createEppoBucketing(n)` for flags with other `totalShards`.
 * - `eppoShard(input, totalShards)`: Eppo's shard function itself, for tools and tests.
 */
export { eppoBucketing, createEppoBucketing, eppoShard, EPPO_TOTAL_SHARDS } from './bucketing';
