import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { ChangeBus } from './internal/changes';
import { DocumentHub } from './internal/document-hub';
import { registerApi, createFastify } from './internal/http/app';
import { Authenticator } from './internal/http/authentication';
import { clientAddress } from './internal/http/client-address';
import { definitionsFastPath } from './internal/http/fast-path';
import { AuthFailureLimiter, KeyRing } from './internal/keys';
import { Propagation } from './internal/services/propagation';
import { createServices } from './internal/services/services';
import { openPglite, openPostgres, type Database } from './internal/store/db';
import { migrate } from './internal/store/migrations';
import { Store } from './internal/store/store';

export interface ServerOptions {
  /** PostgreSQL connection string. Without it the server uses embedded PGlite in `dataDir`. */
  databaseUrl?: string;
  /** Postgres schema for Halyard's tables (created when missing). Default `"public"`. */
  schema?: string;
  /** PGlite data directory (only without `databaseUrl`). Default `./.halyard`. */
  dataDir?: string;
  /** Redis URL: also propagate changes over Redis pub/sub (e.g. `redis://127.0.0.1:6379`). */
  redisUrl?: string;
  /** Redis channel. Default `halyard:changes:<schema>`. */
  redisChannel?: string;
  /**
   * Propagate changes with Postgres LISTEN/NOTIFY. Default `true`. Turn it off behind a transaction-pooling proxy
   * (PgBouncer) that cannot LISTEN, and use `redisUrl` instead.
   */
  postgresNotify?: boolean;
  /** Port to listen on. Default 4242; `0` picks a free port. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`; use `0.0.0.0` in containers. */
  host?: string;
  /**
   * `false` or `'silent'` for no logs, a level name, or Fastify/pino logger options. Default: `info`
   * (`silent` under vitest); `HALYARD_LOG_LEVEL` overrides the default.
   */
  logger?: boolean | 'silent' | 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | FastifyServerOptions['logger'];
  /** Origins allowed to call `POST /sdk/v1/evaluate` from browsers. Default `'*'` (the endpoint only takes client keys). */
  corsOrigins?: '*' | string[];
  /** SSE heartbeat period in ms. Default 15,000. */
  heartbeatMs?: number;
  /** Failed authentications per client IP per minute before answering 429. Default 20; `0` disables. */
  authFailureLimit?: number;
  /**
   * Largest accepted request body in bytes. Default 1 MiB (64 KiB for `/sdk/v1/evaluate` and OFREP; at least
   * 16 MiB for `PUT /api/v1/environments/:env/document`, the whole-environment import).
   */
  bodyLimit?: number;
  /**
   * How often each instance re-checks keys and document versions against the database, in ms: the upper bound on
   * staleness if a change notification is lost. Default 30,000.
   */
  resyncMs?: number;
  /** Passed to Fastify: trust `X-Forwarded-For` from these proxies (needed for per-IP limits behind a proxy). */
  trustProxy?: boolean | string | string[];
}

export interface HalyardServer {
  /** Base URL, e.g. `http://127.0.0.1:4242`. */
  readonly url: string;
  readonly app: FastifyInstance;
  /** The first admin token: only on the very first start of an empty database, never again. */
  readonly bootstrapToken: string | undefined;
  /** Closes streams, the HTTP server, listeners and the database. */
  close(): Promise<void>;
}

function loggerOption(logger: ServerOptions['logger']): FastifyServerOptions['logger'] {
  const fallback = process.env.HALYARD_LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info');
  if (logger === undefined) return { level: fallback };
  if (logger === false || logger === 'silent') return { level: 'silent' };
  if (logger === true) return { level: 'info' };
  if (typeof logger === 'string') return { level: logger };
  return logger;
}

/**
 * Starts the Halyard flag service: admin API, SDK endpoints (definitions, SSE stream, evaluate), audit log, keys.
 * Applies migrations on start; on a fresh database returns the first admin token once.
 *
 * @example
 * const server = await createServer({ databaseUrl: process.env.DATABASE_URL, port: 0, logger: false });
 * console.log(server.url, server.bootstrapToken);
 * await server.close();
 */
export async function createServer(options: ServerOptions = {}): Promise<HalyardServer> {
  const schema = options.schema ?? 'public';
  const dataDir = resolve(options.dataDir ?? '.halyard');
  // Set once the service is ready; see definitionsFastPath.
  let fastPath: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;
  const app = createFastify({
    logger: loggerOption(options.logger),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    trustProxy: options.trustProxy ?? false,
    fastPath: () => fastPath,
  });
  const log = app.log;
  const onError = (error: unknown, message: string) => log.error({ err: error }, message);

  let db: Database | undefined;
  let bus: ChangeBus | undefined;
  let hub: DocumentHub | undefined;
  let timer: NodeJS.Timeout | undefined;
  const cleanup = async () => {
    if (timer) clearInterval(timer);
    hub?.close();
    await app.close().catch(() => {});
    await bus?.close().catch(() => {});
    await db?.close().catch(() => {});
  };

  try {
    db = options.databaseUrl
      ? await openPostgres({ connectionString: options.databaseUrl, schema, onError: (e) => onError(e, '@halyard/server: database connection error') })
      : await openPglite(resolve(dataDir, 'pglite'));
    const { bootstrapToken } = await migrate(db);

    // The store layer; its change notifications go out inside each writing transaction (Postgres NOTIFY).
    const store = new Store(db, (tx, message) => bus!.notifyInTransaction(tx, message));
    const keys = new KeyRing(store.keys);
    await keys.reload();
    const limiter = new AuthFailureLimiter(options.authFailureLimit ?? 20);
    const documents = new DocumentHub({ store, heartbeatMs: options.heartbeatMs ?? 15_000, onError });
    hub = documents;
    const refreshKeys = () =>
      keys
        .reload()
        .then((removed) => documents.revoke(removed))
        .catch((error: unknown) => onError(error, '@halyard/server: reloading API keys failed'));
    const changes = new ChangeBus({
      db,
      namespace: options.databaseUrl ? schema : dataDir,
      postgresNotify: options.postgresNotify ?? true,
      redisUrl: options.redisUrl,
      redisChannel: options.redisChannel,
      onMessage(message) {
        if (message.type === 'env') documents.changed(message.env);
        // Keys first: once the streams end, reconnecting SDKs must already get 401, not a half-deleted state.
        else if (message.type === 'env-deleted') void refreshKeys().finally(() => documents.dropped(message.env));
        else void refreshKeys();
      },
      onResync() {
        documents.changedAll();
        void refreshKeys();
      },
      onError,
    });
    bus = changes;
    // Listen before serving, so no change committed after start can be missed.
    await changes.start();

    // The layers: store (SQL only) → services (the rules) → HTTP (Fastify plugins with JSON schemas).
    const services = createServices(store, new Propagation(documents, changes, keys), documents);

    // Safety net for lost notifications (documents, key revocations) and housekeeping, on one shared timer.
    timer = setInterval(() => {
      limiter.sweep();
      void refreshKeys();
      documents.verify().catch((error: unknown) => onError(error, '@halyard/server: checking document versions failed'));
    }, options.resyncMs ?? 30_000);
    timer.unref();

    await registerApi(app, services, new Authenticator(keys, limiter), {
      corsOrigins: options.corsOrigins ?? '*',
      evaluateBodyLimit: Math.min(options.bodyLimit ?? 64 * 1024, 64 * 1024),
      documentBodyLimit: Math.max(options.bodyLimit ?? 1024 * 1024, 16 * 1024 * 1024),
      health: { database: db.kind, ping: () => store.ping(), streams: () => documents.connections },
      onError,
    });

    // End SSE responses before the HTTP server waits for connections to drain.
    app.addHook('preClose', async () => {
      fastPath = undefined;
      documents.close();
    });
    fastPath = definitionsFastPath(keys, documents, limiter, clientAddress(options.trustProxy ?? false));

    await app.listen({ port: options.port ?? 4242, host: options.host ?? '127.0.0.1' });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : (options.port ?? 4242);
    const host = options.host === undefined || options.host === '0.0.0.0' ? '127.0.0.1' : options.host === '::' ? '[::1]' : options.host;
    const url = `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;

    let closing: Promise<void> | undefined;
    return {
      url,
      app,
      bootstrapToken,
      close: () => (closing ??= cleanup()),
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
