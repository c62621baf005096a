import { mkdirSync } from 'node:fs';
import pg from 'pg';
import type { PGlite as PGliteType } from '@electric-sql/pglite';

export type Row = Record<string, unknown>;

export interface Queryable {
  query<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]>;
}

/** The storage engine: real PostgreSQL (`pg` pool) or embedded PGlite. Same SQL for both. */
export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs `fn` while holding the cluster-wide migration lock (a Postgres advisory lock). */
  withMigrationLock<T>(fn: (db: Queryable) => Promise<T>): Promise<T>;
  /**
   * LISTENs on `channel` on a dedicated connection that reconnects on its own; `onReconnect` runs after a
   * reconnect because notifications sent while disconnected are lost. PGlite: no-op (single process).
   */
  listen(channel: string, onMessage: (payload: string) => void, onReconnect: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface PostgresOptions {
  connectionString: string;
  /** Schema holding Halyard's tables; created when missing. */
  schema: string;
  poolSize?: number;
  onError?: (error: Error) => void;
}

export const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openPostgres(options: PostgresOptions): Promise<Database> {
  const { connectionString, schema, onError = () => {} } = options;
  if (!SCHEMA_PATTERN.test(schema)) {
    throw new Error(`@halyard/server: invalid schema name "${schema}"; use lower-case letters, digits and "_" (max 63)`);
  }
  // search_path as a startup parameter: every pooled connection gets it before its first query.
  const config: pg.PoolConfig = { connectionString, max: options.poolSize ?? 10, options: `-c search_path=${schema}` };
  const pool = new pg.Pool(config);
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', (error) => onError(error));
  {
    // Schema must exist before anything that relies on search_path; do it on a plain connection.
    const client = new pg.Client({ connectionString });
    client.on('error', onError);
    await client.connect();
    try {
      await client.query(`create schema if not exists "${schema}"`);
    } catch (error) {
      // Two instances racing to create the schema: the loser sees a unique violation; the schema exists.
      if ((error as { code?: string }).code !== '23505' && (error as { code?: string }).code !== '42P06') throw error;
    } finally {
      await client.end();
    }
  }

  const query = async <T extends Row>(sql: string, params?: unknown[]): Promise<T[]> =>
    (await pool.query(sql, params as unknown[])).rows as T[];

  const listeners: Array<() => Promise<void>> = [];
  let closed = false;

  return {
    kind: 'postgres',
    query,
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await fn({ query: async (sql, params) => (await client.query(sql, params as unknown[])).rows });
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async withMigrationLock(fn) {
      const client = await pool.connect();
      try {
        await client.query('select pg_advisory_lock(hashtext($1))', [`halyard:migrations:${schema}`]);
        try {
          return await fn({ query: async (sql, params) => (await client.query(sql, params as unknown[])).rows });
        } finally {
          await client.query('select pg_advisory_unlock(hashtext($1))', [`halyard:migrations:${schema}`]);
        }
      } finally {
        client.release();
      }
    },
    async listen(channel, onMessage, onReconnect) {
      let client: pg.Client | undefined;
      let stopped = false;
      let retry: NodeJS.Timeout | undefined;
      let delay = 250;
      const connect = async (isReconnect: boolean): Promise<void> => {
        // TCP keep-alive: a listener whose connection silently died would otherwise never notice.
        const c = new pg.Client({ connectionString, keepAlive: true });
        client = c;
        let failed = false;
        const fail = (error?: Error) => {
          if (failed || stopped) return;
          failed = true;
          if (error) onError(error);
          c.end().catch(() => {});
          retry = setTimeout(() => {
            connect(true).catch(() => {});
          }, delay);
          retry.unref();
          delay = Math.min(delay * 2, 5000);
        };
        c.on('error', fail);
        c.on('end', () => fail());
        c.on('notification', (message) => {
          if (message.channel === channel && message.payload !== undefined) onMessage(message.payload);
        });
        try {
          await c.connect();
          await c.query(`listen "${channel}"`);
          delay = 250;
          if (isReconnect) onReconnect();
        } catch (error) {
          if (!isReconnect) {
            stopped = true;
            await c.end().catch(() => {});
            throw error;
          }
          fail(error as Error);
        }
      };
      await connect(false);
      const stop = async () => {
        stopped = true;
        if (retry) clearTimeout(retry);
        await client?.end().catch(() => {});
      };
      listeners.push(stop);
      return stop;
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(listeners.map((stop) => stop()));
      await pool.end();
    },
  };
}

export async function openPglite(dataDir: string): Promise<Database> {
  mkdirSync(dataDir, { recursive: true });
  // Loaded lazily: the WASM build is large and unused with DATABASE_URL.
  const { PGlite } = await import('@electric-sql/pglite');
  const db: PGliteType = await PGlite.create({ dataDir });
  const wrap = (q: Pick<PGliteType, 'query'>): Queryable => ({
    query: async <T extends Row>(sql: string, params?: unknown[]) => (await q.query<T>(sql, params)).rows,
  });
  const base = wrap(db);
  let closed = false;
  return {
    kind: 'pglite',
    query: base.query,
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    // One process owns a PGlite directory, so there is nobody to race with.
    withMigrationLock: (fn) => fn(base),
    listen: async () => async () => {},
    async close() {
      if (closed) return;
      closed = true;
      await db.close();
    },
  };
}
