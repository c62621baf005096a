import type { Redis } from 'ioredis';
import { ensureConnected } from './connect';
import { resolveLayout, type RedisLocation } from './internal/layout';

/** One entry of the audit stream, as the writers record it. */
export interface RedisAuditEntry {
  /** The stream entry id (`<ms>-<seq>`): entries are in commit order. */
  id: string;
  /** When the writer made the change (ISO 8601, the writer's clock). */
  at: string;
  actor: string;
  /** e.g. `flag.toggle`, `flag.rollout`, `document.import`. */
  action: string;
  /** `document` or `flag:<key>`. */
  target: string;
  /** The version the write produced. */
  version: string;
  /** Keys created, updated and deleted, per kind. */
  changes: { flags: { created: string[]; updated: string[]; deleted: string[] }; segments: { created: string[]; updated: string[]; deleted: string[] } } | undefined;
  /** For single-flag writes: the definition before and after (JSON), unless larger than 64 KiB. */
  before?: string;
  after?: string;
}

/**
 * Reads the audit stream, newest first: who changed what, when, and which version it made.
 *
 * @example
 * for (const entry of await readAudit(redis, { key: 'halyard:flags', count: 20 })) {
 *   console.log(entry.at, entry.actor, entry.action, entry.target, entry.version);
 * }
 */
export async function readAudit(redis: Redis, options: RedisLocation & { count?: number } = {}): Promise<RedisAuditEntry[]> {
  const layout = resolveLayout(options, 'readAudit()');
  await ensureConnected(redis);
  const count = Math.min(Math.max(options.count ?? 100, 1), 100_000);
  const rows = await redis.xrevrange(layout.audit, '+', '-', 'COUNT', count);
  return rows.map(([id, values]) => {
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < values.length; i += 2) fields[values[i]!] = values[i + 1]!;
    let changes: RedisAuditEntry['changes'];
    try {
      changes = fields.changes === undefined ? undefined : (JSON.parse(fields.changes) as RedisAuditEntry['changes']);
    } catch {
      changes = undefined;
    }
    const entry: RedisAuditEntry = {
      id,
      at: fields.at ?? '',
      actor: fields.actor ?? '',
      action: fields.action ?? '',
      target: fields.target ?? '',
      version: fields.version ?? '',
      changes,
    };
    if (fields.before !== undefined) entry.before = fields.before;
    if (fields.after !== undefined) entry.after = fields.after;
    return entry;
  });
}
