import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import pg from 'pg';
import type { PGlite as PGliteType, Transaction as PGliteTransaction } from '@electric-sql/pglite';

export type Row = Record<string, unknown>;

export interface Queryable {
  query<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]>;
}

/**
 * One transaction that a whole request joins (see `Database.openUnit`): every query and `transaction` run inside
 * `run` goes through it (inner transactions become savepoints), and nothing is committed until `commit`.
 */
export interface UnitOfWork extends Queryable {
  /** Runs `fn` so that its queries (and everything it awaits) join this unit. */
  run<T>(fn: () => T): T;
  /** Runs `fn` after the unit commits (in order); dropped when it rolls back. */
  afterCommit(fn: () => unknown): void;
  /** Commits, then runs the after-commit callbacks; throws (and the unit is rolled back) when the commit fails. */
  commit(): Promise<void>;
  rollback(): Promise<void>;
  readonly finished: boolean;
}

/** The storage engine: real PostgreSQL (`pg` pool) or embedded PGlite. Same SQL for both. */
export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /**
   * Runs `fn` in one transaction; commits when it resolves, rolls back when it throws. Inside a unit of work it is a
   * savepoint of the unit's transaction.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Opens a unit of work: one transaction that the queries of `unit.run(fn)` join; see UnitOfWork. */
  openUnit(): Promise<UnitOfWork>;
  /** Runs `fn` while holding the cluster-wide migration lock (a Postgres advisory lock). */
  withMigrationLock<T>(fn: (db: Queryable) => Promise<T>): Promise<T>;
  /**
   * LISTENs on `channel` on a dedicated connection that reconnects on its own; `onReconnect` runs after a
   * reconnect because notifications sent while disconnected are lost. PGlite: no-op (single process).
   */
  listen(channel: string, onMessage: (payload: string) => void, onReconnect: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/**
 * How long the service waits for PostgreSQL. Every call is bounded, so a database that is down or black-holed
 * (packets dropped, sockets open) turns into a 503 within `queryMs`, never a request that hangs.
 */
export interface DatabaseTimeouts {
  /** Opening a connection, and waiting for a free one from the pool. Default 5,000 ms. */
  connectMs: number;
  /**
   * Server side: PostgreSQL cancels a statement running longer (`statement_timeout`) and ends a session that sits
   * in a transaction without a statement for longer (`idle_in_transaction_session_timeout`), rolling it back.
   * Default 10,000 ms.
   */
  statementMs: number;
  /**
   * Client side: the longest wait for any answer, for when the server cannot tell us (a dead network path). Must
   * be larger than `statementMs`: then a transaction the service gave up on has always been rolled back by the
   * server before its COMMIT could arrive late. Default `statementMs + 2000`.
   */
  queryMs: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 10_000;

/** Fills in defaults and checks the one rule between the timeouts (see DatabaseTimeouts.queryMs). */
export function databaseTimeouts(given: Partial<DatabaseTimeouts> = {}): DatabaseTimeouts {
  const connectMs = given.connectMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const statementMs = given.statementMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const queryMs = given.queryMs ?? statementMs + 2000;
  for (const [name, value] of Object.entries({ connectTimeoutMs: connectMs, statementTimeoutMs: statementMs, queryTimeoutMs: queryMs })) {
    if (!Number.isInteger(value) || value < 1 || value > 3_600_000) {
      throw new Error(`@halyard/server: ${name} must be a whole number of milliseconds from 1 to 3600000, got ${String(value)}`);
    }
  }
  if (queryMs <= statementMs) {
    throw new Error(
      `@halyard/server: queryTimeoutMs (${queryMs}) must be larger than statementTimeoutMs (${statementMs}), so the server has rolled back a transaction before the service gives up on it; raise queryTimeoutMs or lower statementTimeoutMs`,
    );
  }
  return { connectMs, statementMs, queryMs };
}

/**
 * The database did not answer in time, or the connection broke: the request answers 503 (`code` is one that
 * `isUnavailable` in http/error-table.ts knows). Whatever the transaction wrote was not committed by this call.
 */
export class DatabaseUnavailableError extends Error {
  readonly code = 'ETIMEDOUT';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseUnavailableError';
  }
}

/** pg's timeout errors carry no code; give them one, with the option that bounds them in the message. */
function translate(error: unknown, timeouts: DatabaseTimeouts): unknown {
  const message = String((error as Error | null)?.message ?? '');
  const code = (error as { code?: unknown } | null)?.code;
  if (message === 'Query read timeout') {
    return new DatabaseUnavailableError(`@halyard/server: the database did not answer within ${timeouts.queryMs} ms (queryTimeoutMs)`, { cause: error });
  }
  if (/timeout exceeded when trying to connect|connection timeout|^timeout expired$/i.test(message)) {
    return new DatabaseUnavailableError(`@halyard/server: no database connection within ${timeouts.connectMs} ms (connectTimeoutMs)`, { cause: error });
  }
  if (code === '57014' && /statement timeout/i.test(message)) {
    return new DatabaseUnavailableError(`@halyard/server: a statement ran longer than ${timeouts.statementMs} ms (statementTimeoutMs)`, { cause: error });
  }
  if (code === '25P03') return new DatabaseUnavailableError('@halyard/server: the database ended an idle transaction (statementTimeoutMs)', { cause: error });
  return error;
}

/** The connection itself is gone or untrustworthy: destroy it instead of sending ROLLBACK down a dead path. */
function isConnectionFailure(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (/^(08|57P)/.test(code) || ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT'].includes(code))) return true;
  return /Connection terminated|not queryable/i.test(String((error as Error | null)?.message ?? ''));
}

export interface PostgresOptions {
  connectionString: string;
  /** Schema holding Halyard's tables; created when missing. */
  schema: string;
  poolSize?: number;
  timeouts?: Partial<DatabaseTimeouts>;
  onError?: (error: Error) => void;
}

export const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/** The unit of work of the current async context, if any (one store for every Database: units never cross). */
const currentUnit = new AsyncLocalStorage<UnitState>();

interface UnitState {
  /** The database the unit belongs to: another instance in the same process must not join it. */
  owner: object;
  query: Queryable['query'];
  finished: boolean;
  /** Inner transactions of one unit run one after another (savepoints are a stack). */
  chain: Promise<unknown>;
  savepoints: number;
  callbacks: Array<() => unknown>;
}

/**
 * The unit of the current async context. One that has ended keeps answering with an error: work that outlives
 * its unit must fail, never fall back to committing on its own what the unit was meant to hold.
 */
function activeUnit(owner: object): UnitState | undefined {
  const unit = currentUnit.getStore();
  return unit && unit.owner === owner ? unit : undefined;
}

/** An inner transaction of a unit: a savepoint, so it still rolls back on its own when `fn` throws. */
function savepoint<T>(unit: UnitState, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  const run = async () => {
    const name = `halyard_${++unit.savepoints}`;
    await unit.query(`savepoint ${name}`);
    try {
      const result = await fn({ query: unit.query });
      await unit.query(`release savepoint ${name}`);
      return result;
    } catch (error) {
      await unit.query(`rollback to savepoint ${name}`).catch(() => {});
      throw error;
    }
  };
  const result = unit.chain.then(run, run);
  unit.chain = result.catch(() => {});
  return result;
}

const ended: Queryable['query'] = () => Promise.reject(new Error('@halyard/server: the unit of work (the request) has already ended; nothing more is written in it'));

/** A unit over one open transaction; `finish(true)` commits it, `finish(false)` rolls it back. */
function unitOfWork(owner: object, query: Queryable['query'], finish: (commit: boolean) => Promise<void>): UnitOfWork {
  const state: UnitState = { owner, query: (sql, params) => query(sql, params), finished: false, chain: Promise.resolve(), savepoints: 0, callbacks: [] };
  const end = async (commit: boolean) => {
    if (state.finished) throw new Error('@halyard/server: the unit of work has already ended');
    state.finished = true;
    await state.chain;
    await finish(commit);
  };
  return {
    query: (sql, params) => state.query(sql, params),
    run: (fn) => currentUnit.run(state, fn),
    afterCommit: (fn) => void state.callbacks.push(fn),
    get finished() {
      return state.finished;
    },
    async commit() {
      try {
        await end(true);
      } finally {
        state.query = ended;
      }
      // Outside the unit's context: what follows the commit queries the database on its own.
      for (const fn of state.callbacks.splice(0)) await currentUnit.exit(fn);
    },
    async rollback() {
      state.callbacks.length = 0;
      if (!state.finished) await end(false).catch(() => {});
      state.query = ended;
    },
  };
}

/** Whether the caller runs inside an open unit of work (its transactions are savepoints of it). */
export function inUnitOfWork(): boolean {
  const unit = currentUnit.getStore();
  return unit !== undefined && !unit.finished;
}

/**
 * Runs `fn` after the current unit of work commits, or now when there is none: what follows a commit (serving
 * the new document, telling other instances) must not happen for a change that may still be rolled back.
 */
export function afterCommit<T>(fn: () => T): T | undefined {
  const unit = currentUnit.getStore();
  if (unit && !unit.finished) {
    unit.callbacks.push(fn);
    return undefined;
  }
  return fn();
}

export async function openPostgres(options: PostgresOptions): Promise<Database> {
  const { connectionString, schema, onError = () => {} } = options;
  if (!SCHEMA_PATTERN.test(schema)) {
    throw new Error(`@halyard/server: invalid schema name "${schema}"; use lower-case letters, digits and "_" (max 63)`);
  }
  const timeouts = databaseTimeouts(options.timeouts);
  // Every connection gets its search_path and the server-side timeouts as startup parameters, before its first
  // query. idle_in_transaction_session_timeout rolls back a transaction whose client went silent (black hole).
  const startup = `-c search_path=${schema} -c statement_timeout=${timeouts.statementMs} -c idle_in_transaction_session_timeout=${timeouts.statementMs}`;
  const bounded = { connectionTimeoutMillis: timeouts.connectMs, query_timeout: timeouts.queryMs, keepAlive: true };
  // connectionTimeoutMillis also bounds the wait for a free pooled connection.
  const pool = new pg.Pool({ connectionString, max: options.poolSize ?? 10, options: startup, ...bounded });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', (error) => onError(error));
  {
    // Schema must exist before anything that relies on search_path; do it on a plain connection.
    const client = new pg.Client({ connectionString, ...bounded });
    client.on('error', onError);
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => {});
      throw translate(error, timeouts);
    }
    try {
      await client.query(`create schema if not exists "${schema}"`);
    } catch (error) {
      // Two instances racing to create the schema: the loser sees a unique violation; the schema exists.
      if ((error as { code?: string }).code !== '23505' && (error as { code?: string }).code !== '42P06') throw translate(error, timeouts);
    } finally {
      await client.end().catch(() => {});
    }
  }

  const owner = {};
  const poolQuery = async <T extends Row>(sql: string, params?: unknown[]): Promise<T[]> => {
    try {
      return (await pool.query(sql, params as unknown[])).rows as T[];
    } catch (error) {
      throw translate(error, timeouts);
    }
  };
  const clientQuery =
    (client: pg.PoolClient) =>
    async <T extends Row>(sql: string, params?: unknown[]): Promise<T[]> => {
      try {
        return (await client.query(sql, params as unknown[])).rows as T[];
      } catch (error) {
        throw translate(error, timeouts);
      }
    };
  // A checked-out connection that breaks between two statements emits 'error' with no pool listener attached:
  // unhandled, that would crash the process. Listened to once per connection; the next statement then fails.
  const guarded = new WeakSet<pg.PoolClient>();
  const connect = async (): Promise<pg.PoolClient> => {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw translate(error, timeouts);
    }
    if (!guarded.has(client)) {
      guarded.add(client);
      client.on('error', (error) => onError(error));
    }
    return client;
  };
  /** Ends a transaction's connection: destroyed when it failed, so a broken one never returns to the pool. */
  const rollbackAndRelease = async (client: pg.PoolClient, error: unknown) => {
    if (isConnectionFailure(error)) return client.release(true);
    try {
      await client.query('rollback');
      client.release();
    } catch {
      client.release(true);
    }
  };

  const listeners: Array<() => Promise<void>> = [];
  let closed = false;

  return {
    kind: 'postgres',
    query: <T extends Row>(sql: string, params?: unknown[]) => {
      const unit = activeUnit(owner);
      return unit ? (unit.query(sql, params) as Promise<T[]>) : poolQuery<T>(sql, params);
    },
    async transaction(fn) {
      const unit = activeUnit(owner);
      if (unit) return savepoint(unit, fn);
      const client = await connect();
      const q = clientQuery(client);
      try {
        await q('begin');
        const result = await fn({ query: q });
        await q('commit');
        client.release();
        return result;
      } catch (error) {
        await rollbackAndRelease(client, error);
        throw error;
      }
    },
    async openUnit() {
      const client = await connect();
      const q = clientQuery(client);
      try {
        await q('begin');
      } catch (error) {
        await rollbackAndRelease(client, error);
        throw error;
      }
      const finish = async (commit: boolean) => {
        if (!commit) return rollbackAndRelease(client, undefined);
        try {
          // A transaction that failed inside (and was not rolled back to a savepoint) "commits" as a rollback.
          const result = await client.query('commit').catch((error: unknown) => {
            throw translate(error, timeouts);
          });
          if (result.command === 'ROLLBACK') throw new Error('@halyard/server: the unit of work failed inside and was rolled back');
          client.release();
        } catch (error) {
          await rollbackAndRelease(client, error);
          throw error;
        }
      };
      return unitOfWork(owner, q, finish);
    },
    async withMigrationLock(fn) {
      const client = await connect();
      const q = clientQuery(client);
      let failure: unknown;
      try {
        await q('select pg_advisory_lock(hashtext($1))', [`halyard:migrations:${schema}`]);
        try {
          return await fn({ query: q });
        } finally {
          await q('select pg_advisory_unlock(hashtext($1))', [`halyard:migrations:${schema}`]);
        }
      } catch (error) {
        failure = error;
        throw error;
      } finally {
        client.release(failure !== undefined && isConnectionFailure(failure));
      }
    },
    async listen(channel, onMessage, onReconnect) {
      let client: pg.Client | undefined;
      let stopped = false;
      let retry: NodeJS.Timeout | undefined;
      let probe: NodeJS.Timeout | undefined;
      let delay = 250;
      const connect = async (isReconnect: boolean): Promise<void> => {
        const c = new pg.Client({ connectionString, ...bounded });
        client = c;
        let failed = false;
        const fail = (error?: Error) => {
          if (failed || stopped) return;
          failed = true;
          if (probe) clearInterval(probe);
          if (error) onError(error);
          c.end().catch(() => {});
          // Backoff with jitter: many instances losing the database at once must not reconnect in lock-step.
          retry = setTimeout(
            () => {
              connect(true).catch(() => {});
            },
            delay / 2 + Math.random() * (delay / 2),
          );
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
          // A listener on a black-holed path hears nothing and notices nothing (TCP keep-alive takes hours):
          // a periodic round trip, bounded by query_timeout, finds out and reconnects (then resyncs).
          probe = setInterval(() => {
            c.query('select 1').catch((error: unknown) => fail(translate(error, timeouts) as Error));
          }, Math.max(1000, timeouts.queryMs));
          probe.unref();
          if (isReconnect) onReconnect();
        } catch (error) {
          if (!isReconnect) {
            stopped = true;
            await c.end().catch(() => {});
            throw translate(error, timeouts);
          }
          fail(translate(error, timeouts) as Error);
        }
      };
      await connect(false);
      const stop = async () => {
        stopped = true;
        if (retry) clearTimeout(retry);
        if (probe) clearInterval(probe);
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
  const owner = {};
  let closed = false;
  return {
    kind: 'pglite',
    query: <T extends Row>(sql: string, params?: unknown[]) => {
      const unit = activeUnit(owner);
      return unit ? (unit.query(sql, params) as Promise<T[]>) : base.query<T>(sql, params);
    },
    transaction: (fn) => {
      const unit = activeUnit(owner);
      return unit ? savepoint(unit, fn) : db.transaction((tx) => fn(wrap(tx)));
    },
    async openUnit() {
      // PGlite has one connection: the unit holds its transaction open until it ends (others queue meanwhile).
      let open!: (tx: PGliteTransaction) => void;
      let end!: (commit: boolean) => void;
      const opened = new Promise<PGliteTransaction>((resolve) => (open = resolve));
      const decided = new Promise<boolean>((resolve) => (end = resolve));
      const done = db.transaction(async (tx) => {
        open(tx);
        if (!(await decided)) await tx.rollback();
      });
      const tx = await Promise.race([opened, done.then(() => Promise.reject(new Error('@halyard/server: the transaction ended before it opened')))]);
      return unitOfWork(owner, wrap(tx).query, async (commit) => {
        end(commit);
        await done;
      });
    },
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
