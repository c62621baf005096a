import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EvaluationContext } from '@halyard/core';
import type { Authenticator } from './auth';
import type { DocumentEntry, DocumentHub } from './documents';
import { HttpError } from './errors';
import { isPlainObject, parseEntityTags } from './json';
import type { ApiKey } from './keys';
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

async function currentEntry(hub: DocumentHub, key: ApiKey): Promise<DocumentEntry> {
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

  app.get('/sdk/v1/stream', async (request, reply) => {
    const key = await auth.check(request, 'server-sdk');
    const entry = await currentEntry(hub, key);
    const lastEventId = request.headers['last-event-id'];
    reply.hijack();
    const res = reply.raw;
    const socket = request.raw.socket;
    socket.setTimeout(0);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // Tell nginx-style proxies not to buffer the stream.
      'x-accel-buffering': 'no',
    });
    res.write(': connected\n\n');
    hub.attach(key.environment!, entry, res, key.id, typeof lastEventId === 'string' ? lastEventId : undefined);
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
