import { createKey } from '../keys';
import type { Database, Queryable } from './db';

/**
 * Schema migrations: append-only, applied in order at start under an advisory lock, each in its own transaction
 * and recorded in `halyard_migrations`. Never edit a released migration; add a new one.
 */
interface Migration {
  version: number;
  name: string;
  statements: string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    statements: [
      // One global counter for document versions: a deleted and re-created environment never reuses a version,
      // so an SDK's cached ETag or Last-Event-ID can never match different content.
      `create sequence halyard_version_seq`,
      `create table environments (
        key text primary key,
        ordinal bigserial not null,
        name text not null,
        version bigint not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`,
      // json (not jsonb) keeps definitions byte-for-byte as written, including key order.
      `create table flags (
        env text not null references environments(key) on delete cascade,
        key text not null,
        definition json not null,
        version integer not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        primary key (env, key)
      )`,
      `create table segments (
        env text not null references environments(key) on delete cascade,
        key text not null,
        definition json not null,
        version integer not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        primary key (env, key)
      )`,
      `create table api_keys (
        id text primary key,
        type text not null check (type in ('sdk', 'client', 'admin')),
        role text check (role in ('viewer', 'editor', 'admin')),
        env text references environments(key) on delete cascade,
        name text not null,
        hash text not null unique,
        prefix text not null,
        created_at timestamptz not null default now(),
        created_by text,
        revoked_at timestamptz,
        check ((type = 'admin') = (role is not null)),
        check ((type = 'admin') = (env is null))
      )`,
      `create table audit_log (
        id bigserial primary key,
        at timestamptz not null default now(),
        actor_id text,
        actor_name text not null,
        action text not null,
        env text,
        resource_type text not null,
        resource_key text not null,
        before jsonb,
        after jsonb,
        diff jsonb not null default '[]'
      )`,
      `create index audit_log_env_idx on audit_log (env, id desc)`,
      `create index audit_log_resource_idx on audit_log (resource_type, resource_key, id desc)`,
      `create index audit_log_actor_idx on audit_log (actor_id, id desc)`,
      `create function halyard_audit_append_only() returns trigger language plpgsql as $$
        begin
          raise exception 'audit_log is append-only';
        end
      $$`,
      `create trigger audit_log_append_only before update or delete on audit_log
        for each row execute function halyard_audit_append_only()`,
      `create table settings (key text primary key, value jsonb not null)`,
      `insert into environments (key, name, version) values
        ('development', 'Development', nextval('halyard_version_seq')),
        ('staging', 'Staging', nextval('halyard_version_seq')),
        ('production', 'Production', nextval('halyard_version_seq'))`,
    ],
  },
  {
    version: 2,
    name: 'archived flags',
    statements: [
      // An archived flag leaves the served document (SDKs see FLAG_NOT_FOUND) but keeps its row, versions and
      // audit history, and can be restored.
      `alter table flags add column archived_at timestamptz`,
    ],
  },
  {
    version: 3,
    name: 'audit log truncate guard',
    statements: [
      // Row triggers never fire on TRUNCATE: without this one, `truncate audit_log` emptied the append-only log.
      `create trigger audit_log_no_truncate before truncate on audit_log
        for each statement execute function halyard_audit_append_only()`,
    ],
  },
  {
    version: 4,
    name: 'event aggregates',
    statements: [
      // SDK events (POST /sdk/v1/events) aggregated per environment × flag × variant × minute; several instances add
      // into the same rows (see store/event-store.ts). No foreign key to environments: ingestion must not fail
      // while an environment is deleted; retention removes what is left.
      `create table event_variant_minutes (
        env text not null,
        flag text not null,
        variant text not null,
        minute timestamptz not null,
        exposures bigint not null default 0,
        successes bigint not null default 0,
        errors bigint not null default 0,
        latency_count bigint not null default 0,
        latency_sum double precision not null default 0,
        latency_min double precision,
        latency_max double precision,
        latency_sketch bytea,
        primary key (env, flag, variant, minute)
      )`,
      `create index event_variant_minutes_minute on event_variant_minutes (minute)`,
      // First exposure per unit, for experiments: bounded by retention on first_at.
      `create table event_units (
        env text not null,
        flag text not null,
        unit text not null,
        first_variant text not null,
        first_at timestamptz not null,
        multiple boolean not null default false,
        primary key (env, flag, unit)
      )`,
      `create index event_units_first_at on event_units (env, flag, first_at)`,
      `create index event_units_retention on event_units (first_at)`,
      `create table event_metric_minutes (
        env text not null,
        name text not null,
        minute timestamptz not null,
        count bigint not null default 0,
        value_count bigint not null default 0,
        value_sum double precision not null default 0,
        primary key (env, name, minute)
      )`,
      `create index event_metric_minutes_minute on event_metric_minutes (minute)`,
      // Applied flushes (an instance's flush id, or a Redis Stream entry id): a retried flush is not counted twice.
      `create table event_flushes (
        id text primary key,
        applied_at timestamptz not null default now()
      )`,
      `create index event_flushes_applied_at on event_flushes (applied_at)`,
    ],
  },
  {
    version: 5,
    name: 'idempotency keys',
    statements: [
      // Idempotency-Key of admin writes: claimed in the write's own transaction, with the answer to replay.
      `create table idempotency_keys (
        token_id text not null,
        method text not null,
        path text not null,
        key text not null,
        request_hash text not null,
        status integer,
        headers jsonb,
        body text,
        created_at timestamptz not null default now(),
        expires_at timestamptz not null,
        primary key (token_id, method, path, key)
      )`,
      `create index idempotency_keys_expires_at on idempotency_keys (expires_at)`,
    ],
  },
  {
    version: 6,
    name: 'release plans and scheduled changes',
    statements: [
      // One row per plan; `plan` holds the spec, the steps and the stepper's state (written with each flag write).
      `create table release_plans (
        id text primary key,
        env text not null references environments(key) on delete cascade,
        flag text not null,
        status text not null,
        plan jsonb not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`,
      // One active (or paused) plan per flag × environment.
      `create unique index release_plans_one_live on release_plans (env, flag) where status in ('active', 'paused')`,
      `create table scheduled_changes (
        id text primary key,
        env text not null references environments(key) on delete cascade,
        flag text not null,
        run_at timestamptz not null,
        change jsonb not null,
        status text not null default 'pending',
        created_by text not null,
        result text,
        created_at timestamptz not null default now(),
        applied_at timestamptz
      )`,
      `create index scheduled_changes_due on scheduled_changes (run_at) where status = 'pending'`,
      // The stepper's lease: exactly one instance advances plans and applies scheduled changes.
      `create table stepper_leases (
        name text primary key,
        holder text not null,
        expires_at timestamptz not null
      )`,
    ],
  },
  {
    version: 7,
    name: 'flag lifecycle: last exposure per flag, expiry notices',
    statements: [
      // One row per env × flag an SDK reported, written in the flush transaction: the flag list's
      // `lastEvaluatedAt` reads it instead of scanning the minute rows. Retention drops rows older than the
      // minute rows' window, so a missing row means "not evaluated within retention".
      `create table event_flag_last_seen (
        env text not null,
        flag text not null,
        last_at timestamptz not null,
        primary key (env, flag)
      )`,
      `create index event_flag_last_seen_last_at on event_flag_last_seen (last_at)`,
      // The marker of a sent flag.expired notification (services/flag-expiry.ts): one per env × flag × expiresAt
      // value, so a restart does not send it again. No foreign key: a deleted environment keeps nothing to resend.
      `create table flag_expiry_notices (
        env text not null,
        flag text not null,
        expires_at text not null,
        notified_at timestamptz not null default now(),
        primary key (env, flag, expires_at)
      )`,
    ],
  },
  {
    version: 8,
    name: 'code references uploaded by halyard code-refs --upload',
    statements: [
      // One row per env × repository upload; its references are replaced as a whole in one transaction.
      `create table code_ref_uploads (
        env text not null references environments (key) on delete cascade,
        repo text not null,
        branch text,
        commit text,
        uploaded_at timestamptz not null default now(),
        uploaded_by text not null,
        primary key (env, repo)
      )`,
      `create table code_refs (
        env text not null,
        repo text not null,
        flag text not null,
        file text not null,
        line integer not null,
        col integer,
        foreign key (env, repo) references code_ref_uploads (env, repo) on delete cascade
      )`,
      `create index code_refs_env_flag on code_refs (env, flag)`,
      `create index code_refs_env_repo on code_refs (env, repo)`,
    ],
  },
  {
    version: 9,
    name: 'dashboard sessions and audit metadata',
    statements: [
      // Only the SHA-256 of the session token is stored (like api_keys.hash): a database leak reveals no session.
      // A session is its admin token's: revoking the token (or deleting it) ends the session (joined on read).
      `create table admin_sessions (
        hash text primary key,
        key_id text not null references api_keys(id) on delete cascade,
        created_at timestamptz not null default now(),
        last_seen_at timestamptz not null default now(),
        expires_at timestamptz not null
      )`,
      `create index admin_sessions_key_idx on admin_sessions (key_id)`,
      `create index admin_sessions_expires_idx on admin_sessions (expires_at)`,
      // Facts about an entry beyond before/after, e.g. `{ "revertOf": "42" }` for a revert.
      `alter table audit_log add column metadata jsonb`,
    ],
  },
  {
    version: 10,
    name: 'experiments: metric events per unit',
    statements: [
      // Per env × metric name × unit × minute, only for names an experiment in that environment reads (the
      // aggregator's filter): experiment results join it with event_units at read time, so a metric event and
      // the exposure it is attributed to may arrive in any order, flush or instance. Kept unitRetentionDays.
      `create table event_unit_metrics (
        env text not null,
        name text not null,
        unit text not null,
        minute timestamptz not null,
        count bigint not null default 0,
        value_count bigint not null default 0,
        value_sum double precision not null default 0,
        primary key (env, name, unit, minute)
      )`,
      `create index event_unit_metrics_minute on event_unit_metrics (minute)`,
    ],
  },
];

export interface MigrationResult {
  applied: number[];
  /** A new admin token, only on the very first start of an empty database. */
  bootstrapToken: string | undefined;
}

/** Applies pending migrations and, on a fresh database, issues the first admin token. Safe to race. */
export async function migrate(db: Database): Promise<MigrationResult> {
  return db.withMigrationLock(async (lock) => {
    await lock.query(`create table if not exists halyard_migrations (
      version integer primary key,
      name text not null,
      applied_at timestamptz not null default now()
    )`);
    const done = new Set((await lock.query<{ version: number }>('select version from halyard_migrations')).map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      await db.transaction(async (tx) => {
        for (const statement of migration.statements) await tx.query(statement);
        await tx.query('insert into halyard_migrations (version, name) values ($1, $2)', [migration.version, migration.name]);
      });
      applied.push(migration.version);
    }
    const bootstrapToken = await db.transaction((tx) => bootstrap(tx));
    return { applied, bootstrapToken };
  });
}

async function bootstrap(tx: Queryable): Promise<string | undefined> {
  // Issued once per database, ever: deleting every admin key later must not make a restart mint a new one.
  const inserted = await tx.query(
    `insert into settings (key, value) values ('bootstrap_token_issued', $1) on conflict (key) do nothing returning key`,
    [JSON.stringify(new Date().toISOString())],
  );
  if (inserted.length === 0) return undefined;
  const key = createKey('admin');
  await tx.query(
    `insert into api_keys (id, type, role, env, name, hash, prefix, created_by) values ($1, 'admin', 'admin', null, $2, $3, $4, 'halyard serve (first start)')`,
    [key.id, 'bootstrap admin', key.hash, key.prefix],
  );
  await tx.query(
    `insert into audit_log (actor_id, actor_name, action, env, resource_type, resource_key, before, after)
     values (null, 'system', 'key.create', null, 'key', $1, null, $2)`,
    [key.id, JSON.stringify({ id: key.id, type: 'admin', role: 'admin', name: 'bootstrap admin', prefix: key.prefix })],
  );
  return key.token;
}
