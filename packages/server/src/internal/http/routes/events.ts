import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { parseJsonBody } from '../../json-body';
import type { Events } from '../../services/events/ingest';
import { EventsBody, MAX_BODY_BYTES } from '../../services/events/wire';
import type { Api, Services } from '../api';
import { extractToken, keyOf } from '../authentication';
import { type CorsOrigins, corsHook, preflight } from '../cors';
import { EnvKey, ResourceKey, errorResponse } from '../schemas';

export interface EventRouteOptions {
  corsOrigins: CorsOrigins;
}

const CLIENT_KEY_PREFIX = 'hy_client_';

/**
 * `navigator.sendBeacon` cannot set headers: a client key (public anyway) may come as `?key=`. Moved into the
 * Authorization header before the authentication hook runs, so the one authentication path checks it; SDK keys
 * (secret) are never taken from a URL, where logs and proxies would keep them.
 */
function keyFromQuery(request: FastifyRequest, _reply: FastifyReply, done: () => void): void {
  if (request.headers.authorization === undefined) {
    const key = (request.query as { key?: unknown } | undefined)?.key;
    if (typeof key === 'string' && key.startsWith(CLIENT_KEY_PREFIX) && extractToken(key) !== undefined) request.headers.authorization = `Bearer ${key}`;
  }
  done();
}

const Accepted = Type.Object({ accepted: Type.Integer({ description: 'Events accepted' }) });

const VariantMetrics = Type.Object({
  variant: Type.String(),
  exposures: Type.Integer({ description: 'Exposure events' }),
  uniqueUnits: Type.Integer({ description: 'Units first exposed to the flag in the window, with this variant first' }),
  multipleVariantUnits: Type.Integer({ description: 'Of those, units exposed to more than one variant' }),
  successes: Type.Integer(),
  errors: Type.Integer(),
  errorRate: Type.Union([Type.Number(), Type.Null()], { description: 'errors / (successes + errors)' }),
  latency: Type.Object({
    count: Type.Integer({ description: 'Outcomes with a duration' }),
    mean: Type.Union([Type.Number(), Type.Null()]),
    min: Type.Union([Type.Number(), Type.Null()]),
    max: Type.Union([Type.Number(), Type.Null()]),
    p50: Type.Union([Type.Number(), Type.Null()], { description: 'ms, from the merged DDSketch (±1 % relative)' }),
    p90: Type.Union([Type.Number(), Type.Null()]),
    p99: Type.Union([Type.Number(), Type.Null()]),
  }),
});

const FlagMetrics = Type.Object({
  env: Type.String(),
  flag: Type.String(),
  since: Type.String({ format: 'date-time' }),
  until: Type.String({ format: 'date-time' }),
  variants: Type.Array(VariantMetrics),
});

/** SDK events in (`POST /sdk/v1/events`) and per-variant aggregates out (admin API). */
export function eventRoutes(api: Api, events: Events, { environments }: Pick<Services, 'environments'>, options: EventRouteOptions): void {
  // sendBeacon sends text/plain (a CORS-safelisted type, so no preflight); the body is JSON all the same, under
  // the same boundary rules as every other body. Scoped to this plugin.
  api.addContentTypeParser('text/plain', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  const expose = 'Retry-After';
  api.options('/sdk/v1/events', { schema: { tags: ['SDK'], summary: 'CORS preflight for events' } }, preflight(options.corsOrigins, expose, 'Authorization, Content-Type'));

  api.post(
    '/sdk/v1/events',
    {
      bodyLimit: MAX_BODY_BYTES,
      onRequest: [corsHook(options.corsOrigins, expose), keyFromQuery],
      config: { auth: 'evaluate' },
      // The body is validated by the events service (TypeBox compiled checks, see services/events/wire.ts): faster
      // for 1,000 events and exact about the path. The schemas here document it.
      validatorCompiler: () => () => true,
      schema: {
        tags: ['SDK'],
        summary: 'Report exposures, outcomes and custom metrics',
        description:
          'Up to 1,000 events and 512 KiB per batch; SDK or client key (client keys may also come as `?key=` for `navigator.sendBeacon`, with `Content-Type: text/plain` carrying JSON). 202 once accepted (aggregated within seconds). 400 names the first invalid field and nothing is accepted; 429 (per key) and 503 (queue full) carry Retry-After. See docs/events-ingestion.md.',
        consumes: ['application/json', 'text/plain'],
        querystring: Type.Object({ key: Type.Optional(Type.String({ description: 'A client key (hy_client_…), for sendBeacon only' })) }),
        body: EventsBody,
        response: {
          202: Accepted,
          400: errorResponse('Invalid batch: the JSON path of the first invalid field; nothing accepted'),
          413: errorResponse('Body over 512 KiB'),
          429: errorResponse("Over the key's events per second (or too many failed authentications from this address); see Retry-After (seconds)"),
          503: errorResponse('Ingestion queue full; see Retry-After (seconds)'),
        },
      },
    },
    async (request, reply) => {
      const accepted = await events.ingest.accept(keyOf(request), request.body, Date.now(), request.ip);
      return reply.code(202).send({ accepted });
    },
  );

  api.get(
    '/api/v1/environments/:env/flags/:key/metrics',
    {
      config: { auth: 'viewer' },
      schema: {
        tags: ['Flags'],
        summary: "A flag's per-variant event aggregates",
        description:
          'Exposures, unique units (first exposures in the window), outcomes, error rate and latency percentiles per variant, from the minute aggregates of `POST /sdk/v1/events`. Minute granularity (since rounded down, until up); at most 7 days; rows trail by the flush interval (a few seconds).',
        params: Type.Object({ env: EnvKey, key: ResourceKey }),
        querystring: Type.Object({
          since: Type.Optional(Type.String({ format: 'date-time', description: 'Default: one hour before until' })),
          until: Type.Optional(Type.String({ format: 'date-time', description: 'Default: now' })),
        }),
        response: { 200: FlagMetrics, 404: errorResponse('Environment not found') },
      },
    },
    async (request) => {
      const { env, key } = request.params;
      await environments.get(env);
      const until = request.query.until === undefined ? new Date() : new Date(request.query.until);
      const since = request.query.since === undefined ? new Date(until.getTime() - 60 * 60_000) : new Date(request.query.since);
      const window = await events.metrics.window({ env, flag: key, since, until });
      return {
        env,
        flag: key,
        since: window.since.toISOString(),
        until: window.until.toISOString(),
        variants: window.variants.map((v) => ({
          variant: v.variant,
          exposures: v.exposures,
          uniqueUnits: v.uniqueUnits,
          multipleVariantUnits: v.multipleVariantUnits,
          successes: v.successes,
          errors: v.errors,
          errorRate: v.errorRate,
          latency: { count: v.latency.count, mean: v.latency.mean, min: v.latency.min, max: v.latency.max, ...v.latency.percentiles },
        })),
      };
    },
  );
}
