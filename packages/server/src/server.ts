import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { FlagsDocument } from '@halyard/core';
import { ChangeBus } from './internal/changes';
import { DocumentHub } from './internal/document-hub';
import { registerApi, createFastify } from './internal/http/app';
import { Authenticator } from './internal/http/authentication';
import { clientAddress } from './internal/http/client-address';
import { evaluateFastPath } from './internal/http/evaluate-fast-path';
import { definitionsFastPath } from './internal/http/fast-path';
import { AuthFailureLimiter, KeyRing } from './internal/keys';
import { AdminFeed } from './internal/services/admin-feed';
import { type Events, type EventsConfig, resolveEventsOptions, startEvents } from './internal/services/events/ingest';
import { Propagation } from './internal/services/propagation';
import { startRedisMirror, type RedisMirror, type RedisMirrorOptions } from './internal/services/redis-mirror';
import { Stepper } from './internal/services/release-plans/stepper';
import { FlagExpiry } from './internal/services/flag-expiry';
import { createServices } from './internal/services/services';
import { BreakerMonitor, type BreakerMonitorOptions } from './internal/services/breaker-monitor';
import type { Notifier } from './internal/services/notifications/notifier';
import { fanOut, WebhookNotifier, type WebhookNotifierOptions } from './internal/services/notifications/webhook-notifier';
import { openPglite, openPostgres, type Database, type DatabaseTimeouts } from './internal/store/db';
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
  /**
   * Keep a Redis key (read by `@halyard/redis`'s `redisSource`) in step with one environment, and optionally seed
   * an empty environment from it on start: the migration path from Redis-only flags (docs/sources.md).
   */
  redisMirror?: RedisMirrorOptions;
  /**
   * Opening a PostgreSQL or Redis connection, and waiting for a free pooled database connection, in ms. Default
   * 5,000. Also bounds every Redis command (publishing a change).
   */
  connectTimeoutMs?: number;
  /**
   * PostgreSQL's `statement_timeout` and `idle_in_transaction_session_timeout`, in ms: the server cancels a
   * longer statement and rolls back a transaction whose client went silent. Default 10,000.
   */
  statementTimeoutMs?: number;
  /**
   * The longest wait for any answer from PostgreSQL, in ms, for when the server cannot tell (a dead network
   * path): the request then answers 503. Must be larger than `statementTimeoutMs`. Default `statementTimeoutMs + 2000`.
   */
  queryTimeoutMs?: number;
  /**
   * SDK events (`POST /sdk/v1/events`): aggregation, retention, and the stream-backed mode
   * (`{ transport: 'redis-stream' }`, which uses `redisUrl`). See docs/events-ingestion.md.
   */
  events?: EventsConfig;
  /**
   * Release plans and scheduled changes (docs/release-safety.md): how often the stepper evaluates, in ms
   * (default 5,000), and `enabled: false` to run no stepper in this instance. One instance steps at a time (a lease).
   */
  releasePlans?: { enabled?: boolean; tickMs?: number };
  /**
   * Notifications (breaker trips, release plans) as signed webhooks with a Slack-compatible body
   * (docs/release-safety.md). CLI: `HALYARD_WEBHOOK_URLS` (comma-separated), `HALYARD_WEBHOOK_SECRET`.
   */
  webhooks?: Omit<WebhookNotifierOptions, 'onError'>;
  /** The flag circuit-breaker monitor (needs events); `false` turns it off. Default: check every 5 s. */
  breakerMonitor?: Omit<BreakerMonitorOptions, 'setInterval'> | false;
  /**
   * The admin dashboard served at `/` (docs/server.md, "Dashboard"): the directory of its build, or `false` to
   * serve none (`/` then answers 404 JSON). Default: the copy shipped in this package (`dist/dashboard`), or,
   * running from the repository's sources, `packages/dashboard/dist`. CLI: `halyard serve --no-dashboard`.
   */
  dashboardDir?: string | false;
  /** Dashboard sessions end after this long without use, in ms (sliding; at most 7 days after sign-in). Default 12 h. */
  sessionTtlMs?: number;
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

/** The timeouts that were given (the rest take their defaults in store/db.ts). */
function databaseTimeoutOptions(options: ServerOptions): Partial<DatabaseTimeouts> {
  const given: Partial<DatabaseTimeouts> = {};
  if (options.connectTimeoutMs !== undefined) given.connectMs = options.connectTimeoutMs;
  if (options.statementTimeoutMs !== undefined) given.statementMs = options.statementTimeoutMs;
  if (options.queryTimeoutMs !== undefined) given.queryMs = options.queryTimeoutMs;
  return given;
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
  // Set once the service is ready; see definitionsFastPath and evaluateFastPath.
  let fastPath: ((req: IncomingMessage, res: ServerResponse, fallback: (req: IncomingMessage, res: ServerResponse) => void) => boolean) | undefined;
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
  let mirror: RedisMirror | undefined;
  let events: Events | undefined;
  let stepper: Stepper | undefined;
  let monitor: BreakerMonitor | undefined;
  let webhooks: WebhookNotifier | undefined;
  let feed: AdminFeed | undefined;
  const cleanup = async () => {
    if (timer) clearInterval(timer);
    feed?.close();
    await monitor?.close().catch(() => {});
    await stepper?.stop().catch(() => {});
    await mirror?.close().catch(() => {});
    hub?.close();
    await app.close().catch(() => {});
    // After the HTTP server drained (no batch is still being accepted), before the database closes: flushes.
    await events?.close().catch(() => {});
    await webhooks?.close().catch(() => {});
    await bus?.close().catch(() => {});
    await db?.close().catch(() => {});
  };

  try {
    db = options.databaseUrl
      ? await openPostgres({
          connectionString: options.databaseUrl,
          schema,
          timeouts: databaseTimeoutOptions(options),
          onError: (e) => onError(e, '@halyard/server: database connection error'),
        })
      : await openPglite(resolve(dataDir, 'pglite'));
    const { bootstrapToken } = await migrate(db);

    // The store layer; its change notifications go out inside each writing transaction (Postgres NOTIFY).
    const store = new Store(db, (tx, message) => bus!.notifyInTransaction(tx, message));
    const keys = new KeyRing(store.keys);
    await keys.reload();
    const limiter = new AuthFailureLimiter(options.authFailureLimit ?? 20);
    const documents = new DocumentHub({ store, heartbeatMs: options.heartbeatMs ?? 15_000, onError });
    hub = documents;
    // The dashboard's live feed reads the audit log on every change signal (local commits, other instances').
    const adminFeed = new AdminFeed(store, { heartbeatMs: options.heartbeatMs ?? 15_000, onError });
    feed = adminFeed;
    // An experiment declared or changed: its metric names are kept per unit from now on (events/experiment-metric-names.ts).
    const experimentNamesChanged = async (env?: string, document?: FlagsDocument): Promise<void> => events?.experimentMetricNames.changed(env, document);
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
      redisTimeoutMs: options.connectTimeoutMs,
      onMessage(message) {
        adminFeed.changed();
        if (message.type === 'env') {
          documents.changed(message.env);
          void experimentNamesChanged(message.env);
        }
        // Keys first: once the streams end, reconnecting SDKs must already get 401, not a half-deleted state.
        else if (message.type === 'env-deleted') void refreshKeys().finally(() => documents.dropped(message.env));
        else void refreshKeys();
      },
      onResync() {
        documents.changedAll();
        void experimentNamesChanged();
        void refreshKeys();
      },
      onError,
    });
    bus = changes;
    // Listen before serving, so no change committed after start can be missed.
    await changes.start();

    // The layers: store (SQL only) → services (the rules) → HTTP (Fastify plugins with JSON schemas).
    const namespace = options.databaseUrl ? schema : dataDir;
    if (options.events?.enabled !== false) {
      events = await startEvents(db, { ...resolveEventsOptions(options.events ?? {}, namespace, options.redisUrl), experimentNamesMs: options.resyncMs ?? 30_000 }, onError);
    }
    if (options.webhooks !== undefined && options.webhooks.urls.length > 0) webhooks = new WebhookNotifier({ ...options.webhooks, onError: (e) => onError(e, e.message) });
    // Every notification is logged too, so one is never lost silently when no webhook is configured.
    const logged: Notifier = { notify: (n) => log.info({ notification: n }, n.message), flush: async () => {} };
    const notifier = webhooks === undefined ? logged : fanOut(logged, webhooks);
    const propagation = new Propagation(documents, changes, keys, () => adminFeed.changed(), experimentNamesChanged);
    const services = createServices(store, propagation, documents, events, { notifier }, { ttlMs: options.sessionTtlMs });
    if (events !== undefined && options.breakerMonitor !== false) {
      const { audit, environments, resources, flags } = services;
      monitor = new BreakerMonitor({ db, audit, environments, resources, flags, metrics: events.metrics, notifier, onError }, options.breakerMonitor ?? {});
      monitor.start();
    }
    if (options.releasePlans?.enabled !== false) {
      // The stepper's lease holder also sends flag.expired notifications (one instance acts).
      const { environments, resources, releasePlans } = services;
      const expiry = new FlagExpiry({ db, environments, resources, notifier }, { now: releasePlans.now });
      stepper = new Stepper(store, services.releasePlans, { tickMs: options.releasePlans?.tickMs ?? 5000, onError, expiry });
      stepper.start();
    }
    // Seeded (if asked) before the service listens, so no SDK ever sees the empty environment.
    if (options.redisMirror) mirror = await startRedisMirror({ hub: documents, documents: services.documents, log }, options.redisMirror);

    // Safety net for lost notifications (documents, key revocations) and housekeeping, on one shared timer.
    timer = setInterval(() => {
      limiter.sweep();
      events?.ingest.sweep();
      void refreshKeys();
      documents.verify().catch((error: unknown) => onError(error, '@halyard/server: checking document versions failed'));
    }, options.resyncMs ?? 30_000);
    timer.unref();

    await registerApi(app, services, new Authenticator(keys, limiter, services.sessions), {
      corsOrigins: options.corsOrigins ?? '*',
      evaluateBodyLimit: Math.min(options.bodyLimit ?? 64 * 1024, 64 * 1024),
      documentBodyLimit: Math.max(options.bodyLimit ?? 1024 * 1024, 16 * 1024 * 1024),
      health: { database: db.kind, ping: () => store.ping(), streams: () => documents.connections },
      onError,
      feed: adminFeed,
      ...(options.dashboardDir === false ? {} : { dashboard: { dir: options.dashboardDir } }),
    });

    // End SSE responses before the HTTP server waits for connections to drain.
    app.addHook('preClose', async () => {
      fastPath = undefined;
      documents.close();
      adminFeed.close();
    });
    const addressOf = clientAddress(options.trustProxy ?? false);
    const definitionsPath = definitionsFastPath(keys, documents, limiter, addressOf);
    // Same limit and origins as the evaluate route gets from registerApi above.
    const evaluatePath = evaluateFastPath(keys, documents, limiter, addressOf, {
      corsOrigins: options.corsOrigins ?? '*',
      bodyLimit: Math.min(options.bodyLimit ?? 64 * 1024, 64 * 1024),
    });
    fastPath = (req, res, fallback) => definitionsPath(req, res) || evaluatePath(req, res, fallback);

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
