import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import { checkJsonValue, parseJsonBody } from '../json-body';
import type { Api, Services } from './api';
import { type Authenticator, installAuthentication } from './authentication';
import type { CorsOrigins } from './cors';
import { errorHandler } from './error-handler';
import { replayedBody } from './evaluate-fast-path';
import { installIdempotency } from './idempotency';
import { installOpenApi } from './openapi';
import type { AdminFeed } from '../services/admin-feed';
import { adminStreamRoutes } from './routes/admin-stream';
import { auditRoutes } from './routes/audit';
import { codeRefRoutes } from './routes/code-refs';
import { dashboardRoutes } from './routes/dashboard-assets';
import { documentRoutes } from './routes/documents';
import { environmentRoutes } from './routes/environments';
import { eventRoutes } from './routes/events';
import { experimentRoutes } from './routes/experiments';
import { explainRoutes } from './routes/explain';
import { flagOverviewRoutes } from './routes/flag-overview';
import { flagActionRoutes } from './routes/flag-actions';
import { type HealthOptions, healthRoutes } from './routes/health';
import { keyRoutes } from './routes/keys';
import { ofrepRoutes } from './routes/ofrep';
import { releasePlanRoutes } from './routes/release-plans';
import { resourceRoutes } from './routes/resources';
import { revertRoutes } from './routes/revert';
import { sdkRoutes } from './routes/sdk';
import { sessionRoutes } from './routes/session';
import { SHARED_SCHEMAS } from './schemas';
import { lazySerializerFactory } from './serialization';
import { validatorFactory } from './validation';

export interface FastifyAppOptions {
  logger: FastifyServerOptions['logger'];
  bodyLimit: number;
  trustProxy: FastifyServerOptions['trustProxy'];
  /** Consulted for every request before Fastify routes it; returns true when it answered (see fast-path.ts). */
  fastPath: () => ((req: IncomingMessage, res: ServerResponse, fallback: (req: IncomingMessage, res: ServerResponse) => void) => boolean) | undefined;
}

/** The Fastify instance: node:http with the fast path in front, Ajv validation (validation.ts), one JSON error shape. */
export function createFastify(options: FastifyAppOptions): FastifyInstance {
  // The factory returns a plain node:http server; Fastify's overloads cannot infer that from serverFactory.
  return Fastify({
    serverFactory: (handler) =>
      createHttpServer((req, res) => {
        const fastPath = options.fastPath();
        if (fastPath === undefined || !fastPath(req, res, handler)) handler(req, res);
      }),
    logger: options.logger,
    bodyLimit: options.bodyLimit,
    // Per-request log lines would cost more than serving an SDK request; writes and errors are logged instead.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: options.trustProxy,
    return503OnClosing: true,
    // In-flight requests finish on close; idle keep-alive sockets go at once (SSE streams are ended in preClose).
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 512 },
    schemaController: { compilersFactory: { buildValidator: validatorFactory() as never, buildSerializer: lazySerializerFactory() } },
    // Router-level failures (malformed percent-encoding, over-long parameters) get the same JSON error shape.
    frameworkErrors: (error, _request, reply) => {
      const code = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400;
      void (reply as unknown as FastifyReply).code(code).send({ error: { code: code === 414 ? 'uri_too_long' : 'bad_request', message: error.message } });
    },
  }) as unknown as FastifyInstance;
}

export interface ApiOptions {
  corsOrigins: CorsOrigins;
  /** Largest `POST /sdk/v1/evaluate` and OFREP body. */
  evaluateBodyLimit: number;
  /** Largest `PUT …/document` body (whole-environment imports). */
  documentBodyLimit: number;
  health: HealthOptions;
  onError: (error: unknown, message: string) => void;
  /** The dashboard's live feed (`GET /api/v1/stream`); without it the route is absent. */
  feed?: AdminFeed;
  /** Serve the built dashboard at `/` from `dir` (`undefined`: the shipped one); absent: an API-only app. */
  dashboard?: { dir: string | undefined };
}

/**
 * The HTTP layer: one Fastify plugin per area over the services. Order matters: authentication and OpenAPI
 * collect routes through `onRoute`, so they are installed before any route.
 */
export async function registerApi(app: FastifyInstance, services: Services, authenticator: Authenticator, options: ApiOptions): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'application/merge-patch+json'], { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  // A body the evaluate fast path read and handed over is parsed from its replayed bytes (evaluate-fast-path.ts).
  app.addHook('preParsing', replayedBody);
  // The URL's strings obey the body's rules (json-body.ts): a NUL in `?actor=` or a path parameter is a 400, not
  // a database error. Before validation, so every route gets it without declaring anything.
  app.addHook('preValidation', (request, _reply, done) => {
    try {
      checkJsonValue(request.query, 'query');
      checkJsonValue(request.params, 'params');
      done();
    } catch (error) {
      done(error as Error);
    }
  });
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: { code: 'not_found', message: `No route for ${request.method} ${request.url.slice(0, 200)}; see /openapi.json` } }),
  );
  installAuthentication(app, authenticator);
  installIdempotency(app, services.idempotency);
  await installOpenApi(app);

  const plugin = (register: (api: Api) => void) => app.register(async (scope) => register(scope.withTypeProvider<TypeBoxTypeProvider>()));
  await plugin((api) => healthRoutes(api, options.health));
  await plugin((api) => sdkRoutes(api, services, { corsOrigins: options.corsOrigins, evaluateBodyLimit: options.evaluateBodyLimit }));
  await plugin((api) => ofrepRoutes(api, services, { corsOrigins: options.corsOrigins, bodyLimit: options.evaluateBodyLimit, onError: options.onError }));
  await plugin((api) => keyRoutes(api, services));
  await plugin((api) => environmentRoutes(api, services));
  await plugin((api) => documentRoutes(api, services, { bodyLimit: options.documentBodyLimit }));
  await plugin((api) => {
    resourceRoutes(api, services, 'flag');
    flagActionRoutes(api, services);
  });
  await plugin((api) => resourceRoutes(api, services, 'segment'));
  await plugin((api) => auditRoutes(api, services));
  await plugin((api) => releasePlanRoutes(api, services));
  await plugin((api) => codeRefRoutes(api, services));
  const { events } = services;
  if (events) await plugin((api) => eventRoutes(api, events, services, { corsOrigins: options.corsOrigins }));
  const experiments = services.experiments;
  if (experiments) await plugin((api) => experimentRoutes(api, experiments));
  // The dashboard's API (docs/server.md, "Dashboard").
  await plugin((api) => {
    sessionRoutes(api, services, authenticator, options.feed);
    if (options.feed) adminStreamRoutes(api, options.feed);
    flagOverviewRoutes(api, services);
    explainRoutes(api, services, { bodyLimit: options.evaluateBodyLimit });
    revertRoutes(api, services);
  });
  // Last: its wildcard answers only what no route above claims.
  const { dashboard } = options;
  if (dashboard) await app.register(async (scope) => dashboardRoutes(scope.withTypeProvider<TypeBoxTypeProvider>(), dashboard.dir, app.log));
}
