import type { EvaluationContext, Evaluator } from '@halyard/core';
import { wantsDeltas } from '@halyard/core/adapter';
import type { FastifyReply } from 'fastify';
import Type from 'typebox';
import type { Api, Services } from '../api';
import { keyOf } from '../authentication';
import { JSON_TYPE, acceptsGzip, documentNotModified, tagNotModified } from '../conditional';
import { type CorsOrigins, corsHook, preflight } from '../cors';
import { errorResponse, noBody, optionalBody } from '../schemas';

export interface SdkRouteOptions {
  corsOrigins: CorsOrigins;
  evaluateBodyLimit: number;
}

const tags = ['SDK'];
const NotModified = noBody('Not modified');

/**
 * The SDK endpoints: the document (the Fastify route behind the node:http fast path, see fast-path.ts), its SSE
 * stream, and evaluation for client keys. Bodies are pre-serialised once per version, so no response serialiser.
 */
export function sdkRoutes(api: Api, { sdk }: Pick<Services, 'sdk'>, options: SdkRouteOptions): void {
  api.get(
    '/sdk/v1/definitions',
    {
      config: { auth: 'server-sdk' },
      schema: {
        tags,
        summary: "The environment's flag document",
        description:
          'Serialised and gzipped once per version; gzip when Accept-Encoding allows. Strong ETag (`"<version>"`, `"<version>-gzip"`); If-None-Match → 304.',
        produces: ['application/json'],
        response: { 200: Type.Ref('FlagsDocument'), 304: NotModified },
      },
    },
    async (request, reply) => {
      const entry = await sdk.entry(keyOf(request));
      const gzip = acceptsGzip(request.headers['accept-encoding']);
      reply.header('etag', gzip ? entry.gzipEtag : entry.etag);
      reply.header('cache-control', 'no-cache');
      reply.header('vary', 'Accept-Encoding');
      if (documentNotModified(request.headers['if-none-match'], entry)) return reply.code(304).send();
      reply.header('content-type', JSON_TYPE);
      if (gzip) reply.header('content-encoding', 'gzip');
      // A Buffer: Fastify sends it as is, past the response serialiser.
      return reply.send(gzip ? entry.gzipBody : entry.body);
    },
  );

  // No automatic HEAD route: a HEAD request would otherwise hold a stream slot open with nothing to read.
  api.get(
    '/sdk/v1/stream',
    {
      exposeHeadRoute: false,
      config: { auth: 'server-sdk' },
      schema: {
        tags,
        summary: 'Server-sent events: every new document version',
        description:
          'On connect: `event: update`, `id: <version>`, `data: <FlagsDocument JSON>` — skipped when `Last-Event-ID` equals the current version — then one such event per committed change. `: ping` comment every 15 s. With `Accept-Encoding: gzip` the stream is gzip-encoded as one gzip member per event.\n\n' +
          'With the request header `X-Halyard-Stream: delta` (or `?delta=1`, for clients that cannot set headers) a change is sent as `event: patch`, `id: <version>`, `data: {"base", "version", "flags"?, "segments"?, "removed"?: {"flags"?, "segments"?}, "order"?: {"flags"?, "segments"?}}`: the changed and added entries whole, the removed keys, and the full key order only when it is not the kept keys followed by the added ones. Apply it only to the document whose version is `base`; otherwise re-fetch the document. A change a patch cannot express is sent as `update`. On reconnect, a `Last-Event-ID` of a recent version gets the patches since then, an older one the document.',
        produces: ['text/event-stream'],
        querystring: Type.Object({ delta: Type.Optional(Type.String({ description: '`1`: as the `X-Halyard-Stream: delta` header' })) }),
        headers: Type.Object({
          'last-event-id': Type.Optional(Type.String({ description: 'The version the client has' })),
          'x-halyard-stream': Type.Optional(Type.String({ description: '`delta`: send changes as `patch` events (the client applies them to its document)' })),
        }),
        response: { 200: Type.String({ description: 'Event stream' }), 404: errorResponse("The key's environment no longer exists") },
      },
    },
    async (request, reply) => {
      const key = keyOf(request);
      const entry = await sdk.entry(key);
      const lastEventId = request.headers['last-event-id'];
      const delta = wantsDeltas(request.query.delta, request.headers['x-halyard-stream']);
      reply.hijack();
      const res = reply.raw;
      const socket = request.raw.socket;
      socket.setTimeout(0);
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 30_000);
      // A full document per event (and each patch): gzip, one pre-compressed member per event, cuts the bytes ~10–20×.
      const gzip = acceptsGzip(request.headers['accept-encoding']);
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        vary: 'Accept-Encoding, X-Halyard-Stream',
        // Tell nginx-style proxies not to buffer the stream.
        'x-accel-buffering': 'no',
        ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      });
      sdk.hub.attach(key.environment!, entry, res, key.id, typeof lastEventId === 'string' ? lastEventId : undefined, gzip, delta);
    },
  );

  const expose = 'ETag';
  api.options('/sdk/v1/evaluate', { schema: { tags, summary: 'CORS preflight for evaluate' } }, preflight(options.corsOrigins, expose, 'Authorization, Content-Type, If-None-Match'));

  // Browsers call evaluate cross-origin with a client key.
  api.post(
    '/sdk/v1/evaluate',
    {
      bodyLimit: options.evaluateBodyLimit,
      onRequest: corsHook(options.corsOrigins, expose),
      config: { auth: 'evaluate' },
      schema: {
        tags,
        summary: 'Evaluate every flag for one context',
        description: 'Returns a FlagSnapshot; ETag is its content version, If-None-Match → 304. CORS-enabled.',
        body: optionalBody(
          Type.Object(
            { context: Type.Optional(Type.Union([Type.Object({}, { additionalProperties: true, description: 'Attributes like { "userId": "u-1", "plan": "pro" }' }), Type.Null()])) },
            { additionalProperties: false, examples: [{ context: { userId: 'u-1' } }] },
          ),
        ),
        response: { 200: Type.Ref('FlagSnapshot'), 304: NotModified, 400: errorResponse('Invalid body') },
      },
    },
    (request, reply) => {
      const context = (request.body?.context ?? undefined) as EvaluationContext | undefined;
      // Synchronous when the document is cached (the hot path allocates no promise); a miss loads it first.
      const evaluator = sdk.evaluator(keyOf(request));
      if (evaluator instanceof Promise) return evaluator.then((loaded) => sendSnapshot(loaded, context, request.headers['if-none-match'], reply));
      // A synchronous handler that has sent its reply returns nothing (Fastify would send a returned value again).
      sendSnapshot(evaluator, context, request.headers['if-none-match'], reply);
      return undefined;
    },
  );
}

/**
 * The evaluate answer: `evaluateAllJson` joins precomputed per-outcome JSON, so the body is never built as objects
 * and run through JSON.stringify (that cost several times the evaluation itself).
 */
function sendSnapshot(evaluator: Evaluator, context: EvaluationContext | undefined, ifNoneMatch: string | undefined, reply: FastifyReply): FastifyReply {
  const { version, json } = evaluator.evaluateAllJson(context);
  // The snapshot version is a hash of its content, so it is a strong validator for this body.
  reply.header('etag', `"${version}"`);
  reply.header('cache-control', 'no-cache');
  if (tagNotModified(ifNoneMatch, version)) return reply.code(304).send();
  // A string: Fastify sends it as is, past the response serialiser.
  return reply.header('content-type', JSON_TYPE).send(json);
}
