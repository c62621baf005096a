import { parseDefinitions } from '@halyard/core';
import type { FlagDefinition, FlagsDocument, JsonValue, SegmentDefinition } from '@halyard/core';
import type { ChangeBus, ChangeMessage } from './changes';
import type { Database, Queryable } from './db';
import { composeDocument, loadDocument, type DocumentHub } from './documents';
import { HttpError, badRequest, conflict, invalidDefinitions, notFound } from './errors';
import { deepEqual, jsonDiff, type DiffEntry } from './json';
import { KEY_COLUMNS, createKey, keyFromRow, type ApiKey, type KeyRing, type KeyType, type Role } from './keys';

/** Who made a change, as recorded in the audit log. */
export interface Actor {
  /** The API key id; `null` for the system. */
  id: string | null;
  name: string;
}

export interface EnvironmentInfo {
  key: string;
  name: string;
  /** Document version: changes whenever a flag or segment of the environment changes. */
  version: number;
  createdAt: string;
  updatedAt: string;
}

export type ResourceKind = 'flag' | 'segment';

/** A stored flag or segment. `version` starts at 1 and grows by one per change; it is the resource's ETag. */
export interface StoredResource<T> {
  key: string;
  environment: string;
  version: number;
  definition: T;
  createdAt: string;
  updatedAt: string;
  /** Flags only, when archived: out of the served document, kept with its history until restored or deleted. */
  archivedAt?: string;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: Actor;
  action: string;
  environment: string | null;
  resourceType: string;
  resourceKey: string;
  before: JsonValue | null;
  after: JsonValue | null;
  diff: DiffEntry[];
}

export interface AuditQuery {
  environment?: string;
  flag?: string;
  segment?: string;
  resourceType?: string;
  actor?: string;
  /** Exact action, or a prefix ending in `.*` (e.g. `flag.*`). */
  action?: string;
  since?: Date;
  until?: Date;
  limit: number;
  cursor?: string;
}

/** A change to one flag or segment, decided inside the transaction from the current state. */
export type ResourceChange<T> =
  | { action: string; definition: T }
  | { action: string; delete: true }
  | { action: string; archive: true }
  | { action: string; restore: true }
  | { unchanged: true };

/** Which flags a listing returns. */
export type ArchivedFilter = 'exclude' | 'include' | 'only';

/** What `writeDocument` changed (or, with `dryRun`, would change) for flags or segments. */
export interface ResourceChanges {
  created: string[];
  updated: string[];
  deleted: string[];
  unchanged: number;
}

export interface DocumentWriteResult {
  /** The environment's document version afterwards (the current one when nothing was written). */
  version: number;
  /** Whether anything was (or, on a dry run, would be) written. `unchanged` counts the document's resources that were already equal. */
  changed: boolean;
  dryRun: boolean;
  flags: ResourceChanges;
  segments: ResourceChanges;
}

export interface DocumentWriteOptions {
  /** `replace`: the environment ends up exactly as the document (other flags and segments are deleted). `merge`: create or replace the given ones, keep the rest. */
  mode: 'replace' | 'merge';
  /** Entity tags of `If-Match`: the environment's document version must be one of them. */
  ifMatch?: string[] | '*';
  dryRun?: boolean;
}

export interface ChangeResult<T> {
  resource: StoredResource<T> | undefined;
  changed: boolean;
  /** Present when something was written. */
  audit?: AuditEntry;
}

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

const isLive = (row: ResourceRow): boolean => row.archived_at === undefined || row.archived_at === null;

const iso = (value: Date | string): string => new Date(value).toISOString();

function resourceFromRow<T>(row: ResourceRow): StoredResource<T> {
  const resource: StoredResource<T> = {
    key: row.key,
    environment: row.env,
    version: Number(row.version),
    definition: row.definition as T,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
  if (!isLive(row)) resource.archivedAt = iso(row.archived_at!);
  return resource;
}

interface EnvRow {
  key: string;
  name: string;
  version: number | string;
  created_at: Date | string;
  updated_at: Date | string;
}

const envFromRow = (row: EnvRow): EnvironmentInfo => ({
  key: row.key,
  name: row.name,
  version: Number(row.version),
  createdAt: iso(row.created_at),
  updatedAt: iso(row.updated_at),
});

const TABLE: Record<ResourceKind, 'flags' | 'segments'> = { flag: 'flags', segment: 'segments' };
const LABEL: Record<ResourceKind, string> = { flag: 'Flag', segment: 'Segment' };

export const ENV_KEY_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/**
 * All reads and writes of the service's data. Every write runs in one transaction that locks the environment row,
 * validates the would-be document with `parseDefinitions`, writes, bumps the document version, appends exactly one
 * audit entry and queues the change notification — so a write is either entirely there or not at all.
 */
export class Store {
  constructor(
    private readonly db: Database,
    private readonly bus: ChangeBus,
    private readonly hub: DocumentHub,
    private readonly keys: KeyRing,
  ) {}

  // ---- environments -------------------------------------------------------------------------------------------

  async listEnvironments(): Promise<EnvironmentInfo[]> {
    const rows = await this.db.query<EnvRow & Record<string, unknown>>('select * from environments order by ordinal');
    return rows.map(envFromRow);
  }

  async getEnvironment(env: string): Promise<EnvironmentInfo> {
    const row = (await this.db.query<EnvRow & Record<string, unknown>>('select * from environments where key = $1', [env]))[0];
    if (!row) throw notFound(`Environment "${env}"`);
    return envFromRow(row);
  }

  async getDocument(env: string): Promise<FlagsDocument> {
    const document = await loadDocument(this.db, env);
    if (!document) throw notFound(`Environment "${env}"`);
    return document;
  }

  async createEnvironment(actor: Actor, input: { key: string; name: string; copyFrom?: string }): Promise<EnvironmentInfo> {
    const { result, document } = await this.db.transaction(async (tx) => {
      const exists = await tx.query('select 1 from environments where key = $1', [input.key]);
      if (exists.length > 0) throw conflict(`Environment "${input.key}" already exists`);
      const row = (
        await tx.query<EnvRow & Record<string, unknown>>(
          `insert into environments (key, name, version) values ($1, $2, nextval('halyard_version_seq'))
           on conflict (key) do nothing returning *`,
          [input.key, input.name],
        )
      )[0];
      if (!row) throw conflict(`Environment "${input.key}" already exists`);
      if (input.copyFrom !== undefined) {
        const source = await tx.query('select 1 from environments where key = $1 for share', [input.copyFrom]);
        if (source.length === 0) throw notFound(`Environment "${input.copyFrom}" (copyFrom)`);
        // Archived flags stay behind: they are not part of the source environment's document.
        await tx.query(`insert into flags (env, key, definition, version) select $1, key, definition, 1 from flags where env = $2 and archived_at is null`, [
          input.key,
          input.copyFrom,
        ]);
        await tx.query(`insert into segments (env, key, definition, version) select $1, key, definition, 1 from segments where env = $2`, [input.key, input.copyFrom]);
      }
      const document = await loadDocument(tx, input.key);
      const info = envFromRow(row);
      const after = { key: info.key, name: info.name, ...(input.copyFrom !== undefined ? { copiedFrom: input.copyFrom } : {}) };
      await this.audit(tx, actor, 'environment.create', info.key, 'environment', info.key, null, after);
      await this.notify(tx, { type: 'env', env: info.key, version: info.version });
      return { result: info, document };
    });
    if (document) await this.hub.publish(result.key, document);
    this.bus.afterCommit({ type: 'env', env: result.key, version: result.version });
    return result;
  }

  async updateEnvironment(actor: Actor, env: string, input: { name: string }): Promise<EnvironmentInfo> {
    return this.db.transaction(async (tx) => {
      const before = (await tx.query<EnvRow & Record<string, unknown>>('select * from environments where key = $1 for update', [env]))[0];
      if (!before) throw notFound(`Environment "${env}"`);
      if (before.name === input.name) return envFromRow(before);
      const row = (
        await tx.query<EnvRow & Record<string, unknown>>('update environments set name = $2, updated_at = now() where key = $1 returning *', [
          env,
          input.name,
        ])
      )[0]!;
      await this.audit(tx, actor, 'environment.update', env, 'environment', env, { key: env, name: before.name }, { key: env, name: row.name });
      return envFromRow(row);
    });
  }

  async deleteEnvironment(actor: Actor, env: string): Promise<void> {
    const revoked = await this.db.transaction(async (tx) => {
      const row = (await tx.query<EnvRow & Record<string, unknown>>('select * from environments where key = $1 for update', [env]))[0];
      if (!row) throw notFound(`Environment "${env}"`);
      const document = await loadDocument(tx, env);
      const keys = await tx.query<{ id: string }>('select id from api_keys where env = $1 and revoked_at is null', [env]);
      // Keys of the environment go with it (cascade); the audit entry lists them.
      await tx.query('delete from environments where key = $1', [env]);
      const before = { key: env, name: row.name, document: document as unknown as JsonValue, deletedKeys: keys.map((k) => k.id) };
      await this.audit(tx, actor, 'environment.delete', env, 'environment', env, before, null);
      await this.notify(tx, { type: 'env-deleted', env });
      return new Set(keys.map((k) => k.id));
    });
    for (const id of revoked) this.keys.forget(id);
    this.hub.revoke(revoked);
    this.hub.dropped(env);
    this.bus.afterCommit({ type: 'env-deleted', env });
  }

  // ---- flags and segments ---------------------------------------------------------------------------------------

  async listResources<T>(kind: ResourceKind, env: string, archived: ArchivedFilter = 'exclude'): Promise<Array<StoredResource<T>>> {
    const filter = kind !== 'flag' || archived === 'include' ? '' : archived === 'only' ? ' and archived_at is not null' : ' and archived_at is null';
    const rows = await this.db.transaction(async (tx) => {
      await this.requireEnvironment(tx, env);
      return tx.query<ResourceRow & Record<string, unknown>>(`select * from ${TABLE[kind]} where env = $1${filter} order by key collate "C"`, [env]);
    });
    return rows.map((row) => resourceFromRow<T>(row));
  }

  async getResource<T>(kind: ResourceKind, env: string, key: string): Promise<StoredResource<T>> {
    const row = (await this.db.query<ResourceRow & Record<string, unknown>>(`select * from ${TABLE[kind]} where env = $1 and key = $2`, [env, key]))[0];
    if (!row) {
      await this.requireEnvironment(this.db, env);
      throw notFound(`${LABEL[kind]} "${key}" in environment "${env}"`);
    }
    return resourceFromRow<T>(row);
  }

  /**
   * Changes one flag or segment. `decide` sees the current stored resource (under the environment lock) and
   * returns what to do; it may throw an HttpError (404, 412, 400...). Nothing is written unless the resulting
   * environment document passes `parseDefinitions`.
   */
  async changeResource<T extends FlagDefinition | SegmentDefinition>(
    actor: Actor,
    kind: ResourceKind,
    env: string,
    key: string,
    decide: (current: StoredResource<T> | undefined) => ResourceChange<T>,
  ): Promise<ChangeResult<T>> {
    const outcome = await this.db.transaction(async (tx) => {
      await this.requireEnvironment(tx, env, true);
      const flagRows = await tx.query<ResourceRow & Record<string, unknown>>('select * from flags where env = $1', [env]);
      const segmentRows = await tx.query<ResourceRow & Record<string, unknown>>('select * from segments where env = $1', [env]);
      const flags = new Map(flagRows.filter(isLive).map((r) => [r.key, r.definition as FlagDefinition]));
      const segments = new Map(segmentRows.map((r) => [r.key, r.definition as SegmentDefinition]));
      const rows = kind === 'flag' ? flagRows : segmentRows;
      const currentRow = rows.find((r) => r.key === key);
      const current = currentRow ? resourceFromRow<T>(currentRow) : undefined;

      const change = decide(current);
      if ('unchanged' in change) return { resource: current, changed: false as const };
      if (current?.archivedAt !== undefined && 'definition' in change) throw archivedConflict(env, key);
      if (('archive' in change || 'restore' in change) && (kind !== 'flag' || !current)) throw notFound(`${LABEL[kind]} "${key}" in environment "${env}"`);

      const target = (kind === 'flag' ? flags : segments) as Map<string, T>;
      if ('delete' in change || 'archive' in change) target.delete(key);
      else if ('restore' in change) target.set(key, current!.definition);
      else target.set(key, change.definition);
      const parsed = parseDefinitions(composeDocument(0, flags, segments));
      if (!parsed.ok) throw invalidDefinitions(parsed.problems);

      let resource: StoredResource<T> | undefined;
      let auditDiff: DiffEntry[] | undefined;
      const table = TABLE[kind];
      if ('delete' in change) {
        await tx.query(`delete from ${table} where env = $1 and key = $2`, [env, key]);
      } else if ('archive' in change || 'restore' in change) {
        const row = (
          await tx.query<ResourceRow & Record<string, unknown>>(
            `update flags set archived_at = ${'archive' in change ? 'now()' : 'null'}, version = version + 1, updated_at = now() where env = $1 and key = $2 returning *`,
            [env, key],
          )
        )[0]!;
        resource = resourceFromRow<T>(row);
        // The definition is unchanged; the entry records the archive state instead.
        auditDiff = [{ path: '$.archivedAt', ...(current!.archivedAt !== undefined ? { before: current!.archivedAt } : {}), ...(resource.archivedAt !== undefined ? { after: resource.archivedAt } : {}) }];
      } else if (current) {
        const row = (
          await tx.query<ResourceRow & Record<string, unknown>>(
            `update ${table} set definition = $3, version = version + 1, updated_at = now() where env = $1 and key = $2 returning *`,
            [env, key, JSON.stringify(change.definition)],
          )
        )[0]!;
        resource = resourceFromRow<T>(row);
      } else {
        const row = (
          await tx.query<ResourceRow & Record<string, unknown>>(
            `insert into ${table} (env, key, definition, version) values ($1, $2, $3, 1) returning *`,
            [env, key, JSON.stringify(change.definition)],
          )
        )[0]!;
        resource = resourceFromRow<T>(row);
      }
      const version = Number(
        (await tx.query<{ version: unknown }>(`update environments set version = nextval('halyard_version_seq'), updated_at = now() where key = $1 returning version`, [env]))[0]!
          .version,
      );
      const before = (current?.definition ?? null) as JsonValue | null;
      const after = (resource?.definition ?? null) as JsonValue | null;
      const audit = await this.audit(tx, actor, change.action, env, kind, key, before, after, auditDiff);
      await this.notify(tx, { type: 'env', env, version });
      return { resource, changed: true as const, audit, document: composeDocument(version, flags, segments) };
    });
    if (outcome.changed) {
      await this.hub.publish(env, outcome.document);
      this.bus.afterCommit({ type: 'env', env, version: Number(outcome.document.version) });
      return { resource: outcome.resource, changed: true, audit: outcome.audit };
    }
    return { resource: outcome.resource, changed: false };
  }

  /**
   * Writes many flags and segments at once (import, GitOps apply): one transaction, one validation of the whole
   * resulting document, one new document version and one push to SDKs, one audit entry per flag or segment that
   * actually changes (`flag.create|update|delete`, `segment.*`), so each resource's history stays complete.
   * Resources whose definition is already equal are not touched (no new version).
   */
  async writeDocument(
    actor: Actor,
    env: string,
    input: { flags: Record<string, FlagDefinition>; segments: Record<string, SegmentDefinition> },
    options: DocumentWriteOptions,
  ): Promise<DocumentWriteResult> {
    const outcome = await this.db.transaction(async (tx) => {
      const envRow = (await tx.query<{ version: unknown }>('select version from environments where key = $1 for update', [env]))[0];
      if (!envRow) throw notFound(`Environment "${env}"`);
      const currentVersion = Number(envRow.version);
      if (options.ifMatch !== undefined && options.ifMatch !== '*' && !options.ifMatch.includes(String(currentVersion))) {
        throw new HttpError(
          412,
          'version_conflict',
          `If-Match does not match the environment's document version ${currentVersion}; someone else changed it since. Export again (or retry with If-Match: "${currentVersion}")`,
          { currentVersion },
          { etag: `"${currentVersion}"` },
        );
      }
      const flagRows = await tx.query<ResourceRow & Record<string, unknown>>('select * from flags where env = $1', [env]);
      const segmentRows = await tx.query<ResourceRow & Record<string, unknown>>('select * from segments where env = $1', [env]);

      const archived = flagRows.filter((row) => !isLive(row) && Object.hasOwn(input.flags, row.key)).map((row) => row.key);
      if (archived.length > 0) {
        archived.sort();
        throw new HttpError(
          409,
          'archived',
          `${archived.length === 1 ? `Flag "${archived[0]}" is` : `Flags ${archived.map((k) => `"${k}"`).join(', ')} are`} archived in environment "${env}"; restore or delete ${archived.length === 1 ? 'it' : 'them'} first, or remove ${archived.length === 1 ? 'it' : 'them'} from the document`,
          { problems: archived.map((key) => ({ path: `$.flags[${JSON.stringify(key)}]`, message: 'is archived; restore it (halyard flags restore) or delete it first' })) },
        );
      }

      const liveFlags = new Map(flagRows.filter(isLive).map((r) => [r.key, r.definition as FlagDefinition]));
      const liveSegments = new Map(segmentRows.map((r) => [r.key, r.definition as SegmentDefinition]));
      const merge = options.mode === 'merge';
      const targetFlags = new Map<string, FlagDefinition>([...(merge ? liveFlags : []), ...Object.entries(input.flags)]);
      const targetSegments = new Map<string, SegmentDefinition>([...(merge ? liveSegments : []), ...Object.entries(input.segments)]);
      const parsed = parseDefinitions(composeDocument(0, targetFlags, targetSegments));
      if (!parsed.ok) throw invalidDefinitions(parsed.problems);

      const flags = planChanges(liveFlags, targetFlags, Object.keys(input.flags));
      const segments = planChanges(liveSegments, targetSegments, Object.keys(input.segments));
      const changed = [flags, segments].some((c) => c.created.length + c.updated.length + c.deleted.length > 0);
      const result: DocumentWriteResult = { version: currentVersion, changed, dryRun: options.dryRun === true, flags, segments };
      if (!changed || options.dryRun) return { result, document: undefined };

      const audits: Array<{ action: string; type: ResourceKind; key: string; before: unknown; after: unknown; diff: DiffEntry[] }> = [];
      const apply = async (kind: ResourceKind, plan: ResourceChanges, before: Map<string, unknown>, after: Map<string, unknown>) => {
        const table = TABLE[kind];
        if (plan.deleted.length > 0) await tx.query(`delete from ${table} where env = $1 and key = any($2::text[])`, [env, plan.deleted]);
        const upserts = [...plan.created, ...plan.updated];
        if (upserts.length > 0) {
          const values: Record<string, unknown> = {};
          for (const key of upserts) values[key] = after.get(key);
          // One statement whatever the size of the import; json (not jsonb) keeps each definition's text as sent.
          await tx.query(
            `insert into ${table} (env, key, definition, version) select $1, j.key, j.value, 1 from json_each($2::json) j
             on conflict (env, key) do update set definition = excluded.definition, version = ${table}.version + 1, updated_at = now()`,
            [env, JSON.stringify(values)],
          );
        }
        for (const key of plan.created) audits.push({ action: `${kind}.create`, type: kind, key, before: null, after: after.get(key), diff: [] });
        for (const key of plan.updated) audits.push({ action: `${kind}.update`, type: kind, key, before: before.get(key), after: after.get(key), diff: [] });
        for (const key of plan.deleted) audits.push({ action: `${kind}.delete`, type: kind, key, before: before.get(key), after: null, diff: [] });
      };
      // Segments first in the log: flags created in the same import may reference them.
      await apply('segment', segments, liveSegments, targetSegments);
      await apply('flag', flags, liveFlags, targetFlags);
      for (const entry of audits) entry.diff = jsonDiff(entry.before ?? undefined, entry.after ?? undefined);
      await tx.query(
        `insert into audit_log (actor_id, actor_name, action, env, resource_type, resource_key, before, after, diff)
         select $1, $2, e.v->>'action', $3, e.v->>'type', e.v->>'key',
                nullif((e.v->'before')::jsonb, 'null'::jsonb), nullif((e.v->'after')::jsonb, 'null'::jsonb), (e.v->'diff')::jsonb
         from json_array_elements($4::json) with ordinality as e(v, n) order by e.n`,
        [actor.id, actor.name, env, JSON.stringify(audits)],
      );
      const version = Number(
        (await tx.query<{ version: unknown }>(`update environments set version = nextval('halyard_version_seq'), updated_at = now() where key = $1 returning version`, [env]))[0]!
          .version,
      );
      await this.notify(tx, { type: 'env', env, version });
      result.version = version;
      return { result, document: composeDocument(version, targetFlags, targetSegments) };
    });
    if (outcome.document) {
      await this.hub.publish(env, outcome.document);
      this.bus.afterCommit({ type: 'env', env, version: outcome.result.version });
    }
    return outcome.result;
  }

  // ---- API keys ---------------------------------------------------------------------------------------------------

  async listKeys(filter: { environment?: string } = {}): Promise<ApiKey[]> {
    const rows =
      filter.environment === undefined
        ? await this.db.query(`select ${KEY_COLUMNS} from api_keys where revoked_at is null order by created_at, id`)
        : await this.db.query(`select ${KEY_COLUMNS} from api_keys where revoked_at is null and env = $1 order by created_at, id`, [filter.environment]);
    return rows.map((row) => keyFromRow(row as never));
  }

  async createApiKey(actor: Actor, input: { type: KeyType; name: string; environment?: string; role?: Role }): Promise<{ key: ApiKey; token: string }> {
    const created = createKey(input.type);
    const key = await this.db.transaction(async (tx) => {
      if (input.environment !== undefined) await this.requireEnvironment(tx, input.environment, false, true);
      const row = (
        await tx.query(
          `insert into api_keys (id, type, role, env, name, hash, prefix, created_by) values ($1, $2, $3, $4, $5, $6, $7, $8) returning ${KEY_COLUMNS}`,
          [created.id, input.type, input.role ?? null, input.environment ?? null, input.name, created.hash, created.prefix, actor.id],
        )
      )[0];
      const key = keyFromRow(row as never);
      await this.audit(tx, actor, 'key.create', key.environment ?? null, 'key', key.id, null, key as unknown as JsonValue);
      await this.notify(tx, { type: 'keys' });
      return key;
    });
    this.keys.remember(key, created.hash);
    this.bus.afterCommit({ type: 'keys' });
    return { key, token: created.token };
  }

  async revokeApiKey(actor: Actor, id: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const row = (await tx.query(`update api_keys set revoked_at = now() where id = $1 and revoked_at is null returning ${KEY_COLUMNS}`, [id]))[0];
      if (!row) throw notFound(`API key "${id}"`);
      const key = keyFromRow(row as never);
      await this.audit(tx, actor, 'key.revoke', key.environment ?? null, 'key', key.id, key as unknown as JsonValue, null);
      await this.notify(tx, { type: 'keys' });
    });
    this.keys.forget(id);
    this.hub.revoke(new Set([id]));
    this.bus.afterCommit({ type: 'keys' });
  }

  // ---- audit --------------------------------------------------------------------------------------------------------

  async queryAudit(query: AuditQuery): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replaceAll('?', `$${params.length}`));
    };
    if (query.environment !== undefined) add('env = ?', query.environment);
    if (query.flag !== undefined) {
      add('resource_type = ?', 'flag');
      add('resource_key = ?', query.flag);
    }
    if (query.segment !== undefined) {
      add('resource_type = ?', 'segment');
      add('resource_key = ?', query.segment);
    }
    if (query.resourceType !== undefined) add('resource_type = ?', query.resourceType);
    if (query.actor !== undefined) add('(actor_id = ? or actor_name = ?)', query.actor);
    if (query.action !== undefined) {
      if (query.action.endsWith('.*')) add("action like ? escape '\\'", `${query.action.slice(0, -2).replace(/[\\%_]/g, '\\$&')}.%`);
      else add('action = ?', query.action);
    }
    if (query.since !== undefined) add('at >= ?', query.since.toISOString());
    if (query.until !== undefined) add('at < ?', query.until.toISOString());
    if (query.cursor !== undefined) {
      if (!/^\d{1,18}$/.test(query.cursor)) throw badRequest('cursor: use the nextCursor value of a previous page');
      add('id < ?', query.cursor);
    }
    params.push(query.limit + 1);
    const rows = await this.db.query<AuditRow & Record<string, unknown>>(
      `select * from audit_log ${where.length ? `where ${where.join(' and ')}` : ''} order by id desc limit $${params.length}`,
      params,
    );
    const page = rows.slice(0, query.limit).map(auditFromRow);
    return { entries: page, nextCursor: rows.length > query.limit ? page[page.length - 1]!.id : null };
  }

  // ---- helpers ------------------------------------------------------------------------------------------------------

  private async requireEnvironment(q: Queryable, env: string, lock = false, share = false): Promise<void> {
    const rows = await q.query(`select 1 from environments where key = $1${lock ? ' for update' : share ? ' for share' : ''}`, [env]);
    if (rows.length === 0) throw notFound(`Environment "${env}"`);
  }

  private async notify(tx: Queryable, message: ChangeMessage): Promise<void> {
    await this.bus.notifyInTransaction(tx, message);
  }

  private async audit(
    tx: Queryable,
    actor: Actor,
    action: string,
    env: string | null,
    resourceType: string,
    resourceKey: string,
    before: JsonValue | null,
    after: JsonValue | null,
    diffOverride?: DiffEntry[],
  ): Promise<AuditEntry> {
    const diff = diffOverride ?? jsonDiff(before ?? undefined, after ?? undefined);
    const row = (
      await tx.query<AuditRow & Record<string, unknown>>(
        `insert into audit_log (actor_id, actor_name, action, env, resource_type, resource_key, before, after, diff)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning *`,
        [
          actor.id,
          actor.name,
          action,
          env,
          resourceType,
          resourceKey,
          before === null ? null : JSON.stringify(before),
          after === null ? null : JSON.stringify(after),
          JSON.stringify(diff),
        ],
      )
    )[0]!;
    return auditFromRow(row);
  }
}

function archivedConflict(env: string, key: string): HttpError {
  return new HttpError(
    409,
    'archived',
    `Flag "${key}" in environment "${env}" is archived; restore it first (POST /api/v1/environments/${env}/flags/${key}/restore, or halyard flags restore ${key}) or delete it`,
  );
}

const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** `given`: the keys the document named (in merge mode, resources it did not name are neither changed nor counted). */
function planChanges<T>(current: Map<string, T>, target: Map<string, T>, given: Iterable<string>): ResourceChanges {
  const plan: ResourceChanges = { created: [], updated: [], deleted: [], unchanged: 0 };
  for (const key of given) {
    const definition = target.get(key);
    if (!current.has(key)) plan.created.push(key);
    else if (!deepEqual(current.get(key), definition)) plan.updated.push(key);
    else plan.unchanged++;
  }
  for (const key of current.keys()) if (!target.has(key)) plan.deleted.push(key);
  plan.created.sort(byKey);
  plan.updated.sort(byKey);
  plan.deleted.sort(byKey);
  return plan;
}

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
});

