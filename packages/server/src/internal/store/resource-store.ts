import type { Queryable } from './db';
import { iso, type RowOf } from './rows';
import type { ArchivedFilter, ResourceKind, StoredResource } from './types';

interface ResourceRow {
  key: string;
  env: string;
  definition: unknown;
  version: number | string;
  created_at: Date | string;
  updated_at: Date | string;
  /** Flags only. */
  archived_at?: Date | string | null;
}

function resourceFromRow<T>(row: ResourceRow): StoredResource<T> {
  const resource: StoredResource<T> = {
    key: row.key,
    environment: row.env,
    version: Number(row.version),
    definition: row.definition as T,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
  if (row.archived_at !== undefined && row.archived_at !== null) resource.archivedAt = iso(row.archived_at);
  return resource;
}

const TABLE: Record<ResourceKind, 'flags' | 'segments'> = { flag: 'flags', segment: 'segments' };

/** SQL for the `flags` and `segments` tables, which share one shape (flags also have `archived_at`). */
export class ResourceStore {
  constructor(private readonly q: Queryable) {}

  async list<T>(kind: ResourceKind, env: string, archived: ArchivedFilter = 'exclude'): Promise<Array<StoredResource<T>>> {
    const filter = kind !== 'flag' || archived === 'include' ? '' : archived === 'only' ? ' and archived_at is not null' : ' and archived_at is null';
    const rows = await this.q.query<RowOf<ResourceRow>>(`select * from ${TABLE[kind]} where env = $1${filter} order by key collate "C"`, [env]);
    return rows.map((row) => resourceFromRow<T>(row));
  }

  async find<T>(kind: ResourceKind, env: string, key: string): Promise<StoredResource<T> | undefined> {
    const row = (await this.q.query<RowOf<ResourceRow>>(`select * from ${TABLE[kind]} where env = $1 and key = $2`, [env, key]))[0];
    return row ? resourceFromRow<T>(row) : undefined;
  }

  async insert<T>(kind: ResourceKind, env: string, key: string, definition: T): Promise<StoredResource<T>> {
    const rows = await this.q.query<RowOf<ResourceRow>>(`insert into ${TABLE[kind]} (env, key, definition, version) values ($1, $2, $3, 1) returning *`, [
      env,
      key,
      JSON.stringify(definition),
    ]);
    return resourceFromRow<T>(rows[0]!);
  }

  async update<T>(kind: ResourceKind, env: string, key: string, definition: T): Promise<StoredResource<T>> {
    const rows = await this.q.query<RowOf<ResourceRow>>(
      `update ${TABLE[kind]} set definition = $3, version = version + 1, updated_at = now() where env = $1 and key = $2 returning *`,
      [env, key, JSON.stringify(definition)],
    );
    return resourceFromRow<T>(rows[0]!);
  }

  /** Archives (or restores) a flag: a new version, the definition untouched. */
  async setArchived<T>(env: string, key: string, archived: boolean): Promise<StoredResource<T>> {
    const rows = await this.q.query<RowOf<ResourceRow>>(
      `update flags set archived_at = ${archived ? 'now()' : 'null'}, version = version + 1, updated_at = now() where env = $1 and key = $2 returning *`,
      [env, key],
    );
    return resourceFromRow<T>(rows[0]!);
  }

  async delete(kind: ResourceKind, env: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 1) await this.q.query(`delete from ${TABLE[kind]} where env = $1 and key = $2`, [env, keys[0]]);
    else if (keys.length > 1) await this.q.query(`delete from ${TABLE[kind]} where env = $1 and key = any($2::text[])`, [env, keys]);
  }

  /**
   * Creates or replaces many resources in one statement whatever the size of the import; json (not jsonb) keeps
   * each definition's text as sent. Replaced resources get a new version.
   */
  async upsert(kind: ResourceKind, env: string, definitions: Record<string, unknown>): Promise<void> {
    if (Object.keys(definitions).length === 0) return;
    const table = TABLE[kind];
    await this.q.query(
      `insert into ${table} (env, key, definition, version) select $1, j.key, j.value, 1 from json_each($2::json) j
       on conflict (env, key) do update set definition = excluded.definition, version = ${table}.version + 1, updated_at = now()`,
      [env, JSON.stringify(definitions)],
    );
  }

  /** Copies every live flag and every segment of `from` into the new environment `to`, at version 1. */
  async copyEnvironment(from: string, to: string): Promise<void> {
    // Archived flags stay behind: they are not part of the source environment's document.
    await this.q.query(`insert into flags (env, key, definition, version) select $1, key, definition, 1 from flags where env = $2 and archived_at is null`, [
      to,
      from,
    ]);
    await this.q.query(`insert into segments (env, key, definition, version) select $1, key, definition, 1 from segments where env = $2`, [to, from]);
  }
}
