import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EvaluationContext } from '@halyard/core';
import { extractToken, type Authenticator } from './auth';
import type { DocumentEntry, DocumentHub } from './documents';
import { HttpError } from './errors';
import { isPlainObject, parseEntityTags } from './json';
import type { ApiKey, AuthFailureLimiter, KeyRing } from './keys';
import { bodyObject, onlyFields, problem } from './validate';

export interface SdkRouteOptions {
  auth: Authenticator;
  hub: DocumentHub;
  corsOrigins: '*' | readonly string[];
  evaluateBodyLimit: number;
}

const JSON_TYPE = 'application/json; charset=utf-8';

function acceptsGzip(header: string | string[] | undefined): boolean {
  if (typeof header !== 'string') return false;
  // Fast path for the usual "gzip, deflate, br"; a q=0 entry means "never gzip".
  const index = header.indexOf('gzip');
  if (index < 0) return false;
  return !/gzip\s*;\s*q=0(?:\.0*)?(?:\s*,|\s*$)/.test(header);
}

/** True when If-None-Match names this version, in either representation. */
function notModified(header: string | undefined, entry: DocumentEntry): boolean {
  if (header === undefined) return false;
  if (header === entry.gzipEtag || header === entry.etag) return true;
  const tags = parseEntityTags(header);
  if (tags === '*') return true;
  const v = String(entry.version);
  return tags !== undefined && tags.some((tag) => tag === v || tag === `${v}-gzip`);
}

/**
 * `GET /sdk/v1/definitions` straight on node:http, ahead of Fastify's routing: the hottest endpoint, answered
 * from memory only (cached key, cached document). Anything else — unknown or wrong key, an uncached document,
 * HEAD, an address under the failed-auth limit — returns false and goes through the full Fastify route, which
 * produces the same answers plus every error.
 */
export function definitionsFastPath(keys: KeyRing, hub: DocumentHub, limiter: AuthFailureLimiter): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    if (req.method !== 'GET' || req.url !== '/sdk/v1/definitions' || limiter.anyBlocked()) return false;
    const token = extractToken(req.headers.authorization);
    if (token === undefined || token.length > 256) return false;
    const key = keys.lookup(token);
    if (key === undefined || key.type !== 'sdk') return false;
    const entry = hub.peek(key.environment!);
    if (entry === undefined) return false;
    const gzip = acceptsGzip(req.headers['accept-encoding']);
    const etag = gzip ? entry.gzipEtag : entry.etag;
    if (notModified(req.headers['if-none-match'], entry)) {
      res.writeHead(304, { etag, 'cache-control': 'no-cache', vary: 'Accept-Encoding' });
      res.end();
      return true;
    }
    const body = gzip ? entry.gzipBody : entry.body;
    res.writeHead(
      200,
      gzip
        ? { etag, 'cache-control': 'no-cache', vary: 'Accept-Encoding', 'content-type': JSON_TYPE, 'content-encoding': 'gzip', 'content-length': body.length }
        : { etag, 'cache-control': 'no-cache', vary: 'Accept-Encoding', 'content-type': JSON_TYPE, 'content-length': body.length },
    );
    res.end(body);
    return true;
  };
}

export async function currentEntry(hub: DocumentHub, key: ApiKey): Promise<DocumentEntry> {
  const env = key.environment!;
  const entry = hub.peek(env) ?? (await hub.get(env));
  if (!entry) throw new HttpError(404, 'not_found', `Environment "${env}" of this key no longer exists`);
  return entry;
}

export function registerSdkRoutes(app: FastifyInstance, options: SdkRouteOptions): void {
  const { auth, hub } = options;

  app.get('/sdk/v1/definitions', async (request, reply) => {
    const checked = auth.check(request, 'server-sdk');
    const key = checked instanceof Promise ? await checked : checked;
    const entry = hub.peek(key.environment!) ?? (await currentEntry(hub, key));
    const gzip = acceptsGzip(request.headers['accept-encoding']);
    reply.header('etag', gzip ? entry.gzipEtag : entry.etag);
    reply.header('cache-control', 'no-cache');
    reply.header('vary', 'Accept-Encoding');
    if (notModified(request.headers['if-none-match'], entry)) return reply.code(304).send();
    reply.header('content-type', JSON_TYPE);
    if (gzip) reply.header('content-encoding', 'gzip');
    return reply.send(gzip ? entry.gzipBody : entry.body);
  });

  // No automatic HEAD route: a HEAD request would otherwise hold a stream slot open with nothing to read.
  app.get('/sdk/v1/stream', { exposeHeadRoute: false }, async (request, reply) => {
    const key = await auth.check(request, 'server-sdk');
    const entry = await currentEntry(hub, key);
    const lastEventId = request.headers['last-event-id'];
    reply.hijack();
    const res = reply.raw;
    const socket = request.raw.socket;
    socket.setTimeout(0);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    // A full document per event: gzip (one pre-compressed member per event) cuts the bytes ~10–20×.
    const gzip = acceptsGzip(request.headers['accept-encoding']);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      vary: 'Accept-Encoding',
      // Tell nginx-style proxies not to buffer the stream.
      'x-accel-buffering': 'no',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    hub.attach(key.environment!, entry, res, key.id, typeof lastEventId === 'string' ? lastEventId : undefined, gzip);
  });

  // Browsers call evaluate cross-origin with a client key. CORS headers go on every answer, errors included,
  // so the page can read why a request failed.
  const cors = (request: FastifyRequest, reply: FastifyReply): void => {
    const origin = request.headers.origin;
    if (options.corsOrigins === '*') {
      reply.header('access-control-allow-origin', '*');
    } else {
      reply.header('vary', 'Origin');
      if (origin !== undefined && options.corsOrigins.includes(origin)) reply.header('access-control-allow-origin', origin);
    }
    reply.header('access-control-expose-headers', 'ETag');
  };

  app.options('/sdk/v1/evaluate', async (request, reply) => {
    cors(request, reply);
    reply.header('access-control-allow-methods', 'POST, OPTIONS');
    reply.header('access-control-allow-headers', 'Authorization, Content-Type, If-None-Match');
    reply.header('access-control-max-age', '600');
    return reply.code(204).send();
  });

  app.post('/sdk/v1/evaluate', { bodyLimit: options.evaluateBodyLimit, onRequest: async (request, reply) => cors(request, reply) }, async (request, reply) => {
    const key = await auth.check(request, 'evaluate');
    const body = bodyObject(request.body, '{ "context": { "userId": "u-1" } }');
    onlyFields(body, ['context']);
    const context = body.context;
    if (context !== undefined && context !== null && !isPlainObject(context)) {
      throw problem('$.context', 'must be an object of attributes like { "userId": "u-1", "plan": "pro" }');
    }
    const entry = await currentEntry(hub, key);
    const evaluator = entry.evaluator();
    if (!evaluator) throw new HttpError(500, 'internal', 'The stored flag document could not be compiled');
    const snapshot = evaluator.evaluateAll((context ?? undefined) as EvaluationContext | undefined);
    // The snapshot version is a hash of its content, so it is a strong validator for this body.
    const etag = `"${snapshot.version}"`;
    reply.header('etag', etag);
    reply.header('cache-control', 'no-cache');
    if (notModifiedTag(request.headers['if-none-match'], snapshot.version)) return reply.code(304).send();
    return reply.header('content-type', JSON_TYPE).send(JSON.stringify(snapshot));
  });
}

function notModifiedTag(header: string | undefined, version: string): boolean {
  const tags = parseEntityTags(header);
  return tags === '*' || (tags !== undefined && tags.includes(version));
}
