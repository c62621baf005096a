/**
 * `@halyard/redis`: Halyard flags kept in Redis, for teams that do not run the flag service (Node only).
 *
 * - `redisSource()` feeds a `FlagClient` from one Redis key (or one key per flag) and follows changes at once.
 * - `writeDocument()` / `updateFlag()` are the one write path: validated, atomic (compare-and-set in a Lua
 *   script, so concurrent writers never lose an update), version-bumped, audited (`XADD`) and announced
 *   (`PUBLISH`). The `halyard` CLI's `--redis` options and `halyard serve --redis-mirror` use them.
 * - `readDocument()` / `readAudit()` read back what is there and who changed it.
 */
export { redisSource } from './redis-source';
export type { RedisSourceOptions } from './redis-source';
export { writeDocument, updateFlag, readDocument } from './write';
export type { WriteOptions, WriteResult, DefinitionChanges } from './write';
export { readAudit } from './audit';
export type { RedisAuditEntry } from './audit';
export { connectRedis } from './connect';
export type { ConnectOptions } from './connect';
export { DEFAULT_KEY } from './internal/layout';
export type { RedisLocation } from './internal/layout';
