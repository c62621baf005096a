import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import { Authenticator } from './internal/auth';
import { ChangeBus } from './internal/changes';
import { openPglite, openPostgres, type Database } from './internal/db';
import { DocumentHub } from './internal/documents';
import { HttpError } from './internal/errors';
import { parseJsonBody } from './internal/json';
import { AuthFailureLimiter, KeyRing } from './internal/keys';
import { migrate } from './internal/migrations';
import { openApiDocument } from './internal/openapi';
import { registerAdminRoutes } from './internal/routes-admin';
import { registerOfrepRoutes } from './internal/routes-ofrep';
import { definitionsFastPath, registerSdkRoutes } from './internal/routes-sdk';
import { Store } from './internal/store';

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

const FASTIFY_ERRORS: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad_request',
  FST_ERR_BAD_URL: 'bad_request',
  FST_ERR_ASYNC_CONSTRAINT: 'bad_request',
};

/** Database failures that mean "unavailable", not "bug": connection refused/reset, shutdown, too many clients. */
function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return (
    typeof code === 'string' &&
    (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '53300', '08000', '08003', '08006'].includes(code) ||
      /Connection terminated|timeout exceeded/i.test(String((error as Error).message)))
  );
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
  const app = Fastify({
    serverFactory: (handler) =>
      createHttpServer((req, res) => {
        if (fastPath === undefined || !fastPath(req, res)) handler(req, res);
      }),
    logger: loggerOption(options.logger),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // Per-request log lines would cost more than serving an SDK request; writes and errors are logged instead.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: options.trustProxy ?? false,
    return503OnClosing: true,
    // In-flight requests finish on close; idle keep-alive sockets go at once (SSE streams are ended in preClose).
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 512 },
    // Router-level failures (malformed percent-encoding, over-long parameters) get the same JSON error shape.
    frameworkErrors: (error, _request, reply) => {
      const code = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400;
      void (reply as unknown as FastifyReply).code(code).send({ error: { code: code === 414 ? 'uri_too_long' : 'bad_request', message: error.message } });
    },
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

    const keys = new KeyRing(db);
    await keys.reload();
    const limiter = new AuthFailureLimiter(options.authFailureLimit ?? 20);
    const documents = new DocumentHub({ db, heartbeatMs: options.heartbeatMs ?? 15_000, onError });
    hub = documents;
    const refreshKeys = () =>
      keys
        .reload()
        .then((removed) => documents.revoke(removed))
        .catch((error: unknown) => onError(error, '@halyard/server: reloading API keys failed'));
    bus = new ChangeBus({
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
    // Listen before serving, so no change committed after start can be missed.
    await bus.start();
    const store = new Store(db, bus, documents, keys);
    const auth = new Authenticator(keys, limiter);

    // Safety net for lost notifications (documents, key revocations) and housekeeping, on one shared timer.
    timer = setInterval(() => {
      limiter.sweep();
      void refreshKeys();
      documents.verify().catch((error: unknown) => onError(error, '@halyard/server: checking document versions failed'));
    }, options.resyncMs ?? 30_000);
    timer.unref();

    app.removeAllContentTypeParsers();
    app.addContentTypeParser(['application/json', 'application/merge-patch+json'], { parseAs: 'string' }, (_request, body, done) => {
      try {
        done(null, parseJsonBody(body as string));
      } catch (error) {
        done(error as Error, undefined);
      }
    });

    app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
      if (error instanceof HttpError) {
        if (error.headers) reply.headers(error.headers);
        return reply.code(error.statusCode).send({ error: { code: error.code, message: error.message, ...error.details } });
      }
      const status = error.statusCode;
      if (status !== undefined && status >= 400 && status < 500) {
        return reply.code(status).send({ error: { code: FASTIFY_ERRORS[error.code] ?? 'bad_request', message: error.message } });
      }
      if (isUnavailable(error)) {
        request.log.warn({ err: error }, 'database unavailable');
        return reply.code(503).header('retry-after', '1').send({ error: { code: 'unavailable', message: 'The database is unavailable; retry shortly' } });
      }
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).send({ error: { code: 'internal', message: 'Internal server error' } });
    });

    app.setNotFoundHandler((request, reply) =>
      reply.code(404).send({ error: { code: 'not_found', message: `No route for ${request.method} ${request.url.slice(0, 200)}; see /openapi.json` } }),
    );

    app.get('/health', async (_request, reply) => {
      try {
        await Promise.race([db!.query('select 1'), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref())]);
        return { status: 'ok', database: db!.kind, streams: documents.connections };
      } catch {
        return reply.code(503).send({ status: 'unavailable', database: db!.kind, streams: documents.connections });
      }
    });

    const openapi = JSON.stringify(openApiDocument);
    app.get('/openapi.json', async (_request, reply) => reply.header('content-type', 'application/json; charset=utf-8').send(openapi));

    registerSdkRoutes(app, {
      auth,
      hub: documents,
      corsOrigins: options.corsOrigins ?? '*',
      evaluateBodyLimit: Math.min(options.bodyLimit ?? 64 * 1024, 64 * 1024),
    });
    registerOfrepRoutes(app, {
      auth,
      hub: documents,
      corsOrigins: options.corsOrigins ?? '*',
      bodyLimit: Math.min(options.bodyLimit ?? 64 * 1024, 64 * 1024),
      onError,
    });
    registerAdminRoutes(app, {
      auth,
      store,
      documentBodyLimit: Math.max(options.bodyLimit ?? 1024 * 1024, 16 * 1024 * 1024),
      onChange: (request, actor, action, detail) => request.log.info({ actor: actor.name, actorId: actor.id, action, ...detail }, 'change committed'),
    });

    // End SSE responses before the HTTP server waits for connections to drain.
    app.addHook('preClose', async () => {
      fastPath = undefined;
      documents.close();
    });
    fastPath = definitionsFastPath(keys, documents, limiter);

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
