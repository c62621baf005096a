import type { JsonValue } from '@halyard/core';
import type { DiffEntry } from '../json';
import type { Queryable } from './db';
import { iso, type RowOf } from './rows';
import type { Actor, AuditEntry, AuditFilter, AuditRecord } from './types';

interface AuditRow {
  id: number | string;
  at: Date | string;
  actor_id: string | null;
  actor_name: string;
  action: string;
  env: string | null;
  resource_type: string;
  resource_key: string;
  before: JsonValue | null;
  after: JsonValue | null;
  diff: DiffEntry[];
  metadata?: Record<string, JsonValue> | null;
}

const auditFromRow = (row: AuditRow): AuditEntry => ({
  id: String(row.id),
  at: iso(row.at),
  actor: { id: row.actor_id, name: row.actor_name },
  action: row.action,
  environment: row.env,
  resourceType: row.resource_type,
  resourceKey: row.resource_key,
  before: row.before,
  after: row.after,
  diff: row.diff,
  ...(row.metadata ? { metadata: row.metadata } : {}),
});

/** SQL for the append-only `audit_log` table. */
export class AuditStore {
  constructor(private readonly q: Queryable) {}

  async append(actor: Actor, record: AuditRecord): Promise<AuditEntry> {
    const rows = await this.q.query<RowOf<AuditRow>>(
      `insert into audit_log (actor_id, actor_name, action, env, resource_type, resource_key, before, after, diff, metadata)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning *`,
      [
        actor.id,
        actor.name,
        record.action,
        record.environment,
        record.resourceType,
        record.resourceKey,
        record.before === null ? null : JSON.stringify(record.before),
        record.after === null ? null : JSON.stringify(record.after),
        JSON.stringify(record.diff),
        record.metadata === undefined ? null : JSON.stringify(record.metadata),
      ],
    );
    return auditFromRow(rows[0]!);
  }

  /** Appends many entries in one statement, in the order given. */
  async appendMany(actor: Actor, records: readonly AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.q.query(
      `insert into audit_log (actor_id, actor_name, action, env, resource_type, resource_key, before, after, diff)
       select $1, $2, e.v->>'action', e.v->>'environment', e.v->>'resourceType', e.v->>'resourceKey',
              nullif((e.v->'before')::jsonb, 'null'::jsonb), nullif((e.v->'after')::jsonb, 'null'::jsonb), (e.v->'diff')::jsonb
       from json_array_elements($3::json) with ordinality as e(v, n) order by e.n`,
      [actor.id, actor.name, JSON.stringify(records)],
    );
  }

  /** Newest first; one more row than `limit` tells whether there is a next page. */
  async query(filter: AuditFilter): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replaceAll('?', `$${params.length}`));
    };
    if (filter.environment !== undefined) add('env = ?', filter.environment);
    if (filter.flag !== undefined) {
      add('resource_type = ?', 'flag');
      add('resource_key = ?', filter.flag);
    }
    if (filter.segment !== undefined) {
      add('resource_type = ?', 'segment');
      add('resource_key = ?', filter.segment);
    }
    if (filter.resourceType !== undefined) add('resource_type = ?', filter.resourceType);
    if (filter.actor !== undefined) add('(actor_id = ? or actor_name = ?)', filter.actor);
    if (filter.action !== undefined) {
      if (filter.action.endsWith('.*')) add("action like ? escape '\\'", `${filter.action.slice(0, -2).replace(/[\\%_]/g, '\\$&')}.%`);
      else add('action = ?', filter.action);
    }
    if (filter.since !== undefined) add('at >= ?', filter.since.toISOString());
    if (filter.until !== undefined) add('at < ?', filter.until.toISOString());
    if (filter.before !== undefined) add('id < ?', filter.before);
    params.push(filter.limit + 1);
    const rows = await this.q.query<RowOf<AuditRow>>(
      `select * from audit_log ${where.length ? `where ${where.join(' and ')}` : ''} order by id desc limit $${params.length}`,
      params,
    );
    const page = rows.slice(0, filter.limit).map(auditFromRow);
    return { entries: page, nextCursor: rows.length > filter.limit ? page[page.length - 1]!.id : null };
  }

  /** The id of the newest entry (`"0"` for an empty log): where a live feed starts. */
  async newestId(): Promise<string> {
    const rows = await this.q.query<{ id: string | number | null }>('select max(id) as id from audit_log');
    return String(rows[0]?.id ?? 0);
  }

  /** Entries after `afterId`, oldest first, at most `limit`: what a live feed reads on each change signal. */
  async since(afterId: string, limit: number): Promise<AuditEntry[]> {
    const rows = await this.q.query<RowOf<AuditRow>>('select * from audit_log where id > $1 order by id limit $2', [afterId, limit]);
    return rows.map(auditFromRow);
  }

  async find(id: string): Promise<AuditEntry | undefined> {
    const row = (await this.q.query<RowOf<AuditRow>>('select * from audit_log where id = $1', [id]))[0];
    return row ? auditFromRow(row) : undefined;
  }

  /** The newest entry about one resource written after entry `afterId`, or `undefined` (revert's conflict check). */
  async latestAfter(resourceType: string, environment: string | null, resourceKey: string, afterId: string): Promise<AuditEntry | undefined> {
    const row = (
      await this.q.query<RowOf<AuditRow>>(
        'select * from audit_log where resource_type = $1 and resource_key = $2 and env is not distinct from $3 and id > $4 order by id desc limit 1',
        [resourceType, resourceKey, environment, afterId],
      )
    )[0];
    return row ? auditFromRow(row) : undefined;
  }

  /** The newest entry about one resource, or `undefined`. */
  async latest(resourceType: string, environment: string | null, resourceKey: string): Promise<AuditEntry | undefined> {
    const row = (
      await this.q.query<RowOf<AuditRow>>(
        'select * from audit_log where resource_type = $1 and resource_key = $2 and env is not distinct from $3 order by id desc limit 1',
        [resourceType, resourceKey, environment],
      )
    )[0];
    return row ? auditFromRow(row) : undefined;
  }
}
