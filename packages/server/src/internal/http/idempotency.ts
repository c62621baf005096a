import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, onResponseHookHandler, onSendHookHandler, RouteHandlerMethod } from 'fastify';
import { type IdempotencyService, type IdempotentWrite, IdempotencyService as Service, type StoredResponse } from '../services/idempotency-service';
import { keyOf } from './authentication';
import { unavailableAnswer } from './error-handler';
import { isUnavailable } from './error-table';

const PENDING = Symbol('halyard.idempotency');
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const ADMIN = new Set(['viewer', 'editor', 'admin']);
/** Headers of the answer that a replay repeats (the rest are per-response: date, request ids…). */
const REPLAYED_HEADERS = ['content-type', 'etag', 'location'];
/** Marks a recorded answer whose secret (`token`) was not stored: it is shown once, never replayed. */
const SECRET_REMOVED = 'x-halyard-secret-removed';

type PendingRequest = FastifyRequest & { [PENDING]?: IdempotentWrite | undefined };

/** The request as far as the key is concerned: a retry must send the same query and body (key order included). */
function requestHash(request: FastifyRequest): string {
  const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
  return createHash('sha256')
    .update(JSON.stringify([query, request.body ?? null]))
    .digest('hex');
}

/** The answer to record; an API token in it is removed (only its hash is ever stored). */
function recordable(status: number, headers: Record<string, string>, payload: string): StoredResponse {
  if (payload.includes('"token"')) {
    try {
      const body = JSON.parse(payload) as Record<string, unknown>;
      if (body !== null && typeof body === 'object' && typeof body.token === 'string') {
        delete body.token;
        return { status, headers: { ...headers, [SECRET_REMOVED]: 'token' }, body: JSON.stringify(body) };
      }
    } catch {
      // Not JSON: nothing to redact.
    }
  }
  return { status, headers, body: payload };
}

function replay(reply: FastifyReply, stored: StoredResponse): FastifyReply {
  reply.header('idempotent-replayed', 'true');
  if (stored.headers[SECRET_REMOVED] !== undefined) {
    const created = JSON.parse(stored.body) as { id?: string };
    return reply.code(409).send({
      error: {
        code: 'idempotency_token_not_replayed',
        message: `The first request with this Idempotency-Key created API key ${created.id ?? ''}; its token is shown only once and was not stored. Revoke the key (DELETE /api/v1/keys/${created.id ?? ':id'}) and create another`,
        key: created,
      },
    });
  }
  const { [SECRET_REMOVED]: _removed, ...headers } = stored.headers;
  reply.code(stored.status).headers(headers);
  return stored.body === '' ? reply.send() : reply.send(stored.body);
}

const HEADER_SCHEMA = {
  type: 'string',
  description:
    'Makes a retry safe: the first answer is stored with the write (same transaction) and replayed to a retry with the same key and body (`Idempotent-Replayed: true`). 1–255 visible ASCII characters, kept 24 h, scoped per token, method and path.',
};

/** Declares the header in the route's schema (a copy: header schemas are shared between routes), for /openapi.json. */
function documentHeader(schema: unknown): void {
  if (schema === undefined || schema === null || typeof schema !== 'object') return;
  const target = schema as { headers?: { type?: unknown; properties?: Record<string, unknown> } };
  const headers = target.headers;
  if (headers === undefined) target.headers = { type: 'object', properties: { 'idempotency-key': HEADER_SCHEMA } };
  else if (headers.type === 'object' && headers.properties) target.headers = { ...headers, properties: { ...headers.properties, 'idempotency-key': HEADER_SCHEMA } };
}

/**
 * Honours `Idempotency-Key` on every admin write (POST, PUT, PATCH, DELETE under `/api/`): the request runs in one
 * unit of work with the key's claim, and its answer is recorded in the same transaction (onSend, before a byte is
 * sent), so a retry gets the first answer replayed (`Idempotent-Replayed: true`) whether or not the first one
 * reached the client. Without the header nothing changes. Call before any route is declared.
 */
export function installIdempotency(app: FastifyInstance, service: IdempotencyService): void {
  const onSend: onSendHookHandler = async (request: PendingRequest, reply, payload) => {
    const pending = request[PENDING];
    if (!pending) return payload;
    request[PENDING] = undefined;
    const status = reply.statusCode;
    // Only a success is recorded: a refused or failed write wrote nothing, and a retry may succeed.
    if (status < 200 || status >= 300) {
      await pending.unit.rollback();
      return payload;
    }
    try {
      const headers: Record<string, string> = {};
      for (const name of REPLAYED_HEADERS) {
        const value = reply.getHeader(name);
        if (value !== undefined) headers[name] = String(value);
      }
      // Admin writes answer JSON; a streamed answer (none today) would be recorded without its body.
      const body = typeof payload === 'string' || Buffer.isBuffer(payload) ? payload.toString() : '';
      await pending.complete(recordable(status, headers, body));
      await pending.unit.commit();
      return payload;
    } catch (error) {
      await pending.unit.rollback();
      // Not committed (or not known to be): the client must not see the success; a retry with the key is safe.
      for (const name of ['etag', 'location']) reply.removeHeader(name);
      const unavailable = isUnavailable(error);
      request.log[unavailable ? 'warn' : 'error']({ err: error }, 'committing an idempotent write failed');
      const answer = unavailable ? unavailableAnswer() : { status: 500, headers: {}, body: { error: { code: 'internal', message: 'Internal server error' } } };
      reply.code(answer.status).headers(answer.headers).header('content-type', 'application/json; charset=utf-8');
      return JSON.stringify(answer.body);
    }
  };

  // A request that ended without onSend must not hold a transaction open. Queries the handler still makes
  // after this fail (they never fall back to autocommit), so nothing of it is written.
  const onResponse: onResponseHookHandler = async (request: PendingRequest) => {
    const pending = request[PENDING];
    request[PENDING] = undefined;
    if (pending && !pending.unit.finished) await pending.unit.rollback();
  };

  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const auth = route.config?.auth;
    if (!route.url.startsWith('/api/') || auth === undefined || !ADMIN.has(auth) || !methods.some((m) => WRITES.has(m))) return;
    documentHeader(route.schema);
    // Attached to the admin write routes only, so SDK reads never pay for these hooks.
    route.onSend = [...toArray(route.onSend), onSend];
    route.onResponse = [...toArray(route.onResponse), onResponse];
    const handler = route.handler as RouteHandlerMethod;
    route.handler = async function (this: FastifyInstance, request: PendingRequest, reply: FastifyReply) {
      const header = request.headers['idempotency-key'];
      if (header === undefined || !WRITES.has(request.method)) return handler.call(this, request, reply);
      const key = Array.isArray(header) ? header.join(',') : header;
      Service.check(key);
      const scope = { tokenId: keyOf(request).id, method: request.method, path: request.url.split('?')[0]!, key };
      const start = await service.begin(scope, requestHash(request));
      if ('replay' in start) return replay(reply, start.replay);
      request[PENDING] = start;
      // A thrown error is answered by the error handler; onSend then rolls the unit back (status >= 400).
      return start.unit.run(() => handler.call(this, request, reply));
    } as RouteHandlerMethod;
  });
}

function toArray<T>(hooks: T | T[] | undefined): T[] {
  return hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks];
}
