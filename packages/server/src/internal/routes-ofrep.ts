import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EvaluationContext, JsonValue, SnapshotFlag } from '@halyard/core';
import type { Authenticator } from './auth';
import type { DocumentHub } from './documents';
import { HttpError } from './errors';
import { isPlainObject, parseEntityTags } from './json';
import { currentEntry } from './routes-sdk';
import { describe } from './validate';

/**
 * The OpenFeature Remote Evaluation Protocol (OFREP, https://github.com/open-feature/protocol, service/openapi.yaml):
 * `POST /ofrep/v1/evaluate/flags/{key}` (single flag, used by server providers) and `POST /ofrep/v1/evaluate/flags`
 * (bulk, used by web providers; ETag / If-None-Match → 304). Any OFREP provider can read Halyard flags with an SDK
 * or client key, sent as `Authorization: Bearer <key>` or `X-API-Key: <key>`.
 */
export interface OfrepRouteOptions {
  auth: Authenticator;
  hub: DocumentHub;
  corsOrigins: '*' | readonly string[];
  bodyLimit: number;
  onError: (error: unknown, message: string) => void;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** The OpenFeature error codes OFREP answers carry. TYPE_MISMATCH is never sent: requests carry no type (OFREP ADR 0003), providers check it. */
type OfrepErrorCode = 'PARSE_ERROR' | 'TARGETING_KEY_MISSING' | 'INVALID_CONTEXT' | 'FLAG_NOT_FOUND' | 'GENERAL';

/** A failure answered with an OFREP body: `{ key?, errorCode, errorDetails }`. */
class OfrepFailure extends Error {
  constructor(
    readonly statusCode: number,
    readonly errorCode: OfrepErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads `{ context }` and maps OpenFeature's `targetingKey` to Halyard's `userId` (unless the context sets
 * `userId` itself), as @halyard/openfeature's providers do, so targets and splits see the same unit either way.
 */
function readContext(body: unknown): EvaluationContext | undefined {
  if (body === undefined || body === null) return undefined;
  if (!isPlainObject(body)) {
    throw new OfrepFailure(400, 'PARSE_ERROR', `The request body must be a JSON object like { "context": { "targetingKey": "user-1" } }, got ${describe(body)}`);
  }
  const context = body.context;
  if (context === undefined || context === null) return undefined;
  if (!isPlainObject(context)) {
    throw new OfrepFailure(400, 'INVALID_CONTEXT', `"context" must be an object of attributes like { "targetingKey": "user-1", "plan": "pro" }, got ${describe(context)}`);
  }
  const targetingKey = context.targetingKey;
  if (targetingKey !== undefined && typeof targetingKey !== 'string') {
    throw new OfrepFailure(400, 'INVALID_CONTEXT', `"context.targetingKey" must be a string, got ${describe(targetingKey)}`);
  }
  if (targetingKey === undefined || context.userId !== undefined) return context as EvaluationContext;
  return { ...context, userId: targetingKey } as EvaluationContext;
}

interface Resolution {
  value: JsonValue;
  variant?: string | undefined;
  reason: string;
  ruleId?: string | undefined;
}

/** OFREP success body. Halyard's reasons are OpenFeature's names; PREREQUISITE_FAILED passes through as a custom reason. */
function success(key: string, result: Resolution): Record<string, unknown> {
  const body: Record<string, unknown> = { key, value: result.value, reason: result.reason };
  if (result.variant !== undefined) body.variant = result.variant;
  // The matching rule (or "target"), as @halyard/openfeature reports it in flagMetadata.
  if (result.ruleId !== undefined) body.metadata = { ruleId: result.ruleId };
  return body;
}

function bulkEntry(key: string, flag: SnapshotFlag): Record<string, unknown> {
  if (flag.errorCode !== undefined) {
    return { key, errorCode: flag.errorCode === 'TYPE_MISMATCH' ? 'GENERAL' : flag.errorCode, errorDetails: `flag "${key}" could not be evaluated (${flag.errorCode})` };
  }
  return success(key, flag);
}

export function registerOfrepRoutes(app: FastifyInstance, options: OfrepRouteOptions): void {
  const { auth, hub } = options;

  // Web providers call the bulk endpoint from browsers: CORS on every answer, errors included.
  const cors = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (options.corsOrigins === '*') {
      reply.header('access-control-allow-origin', '*');
    } else {
      reply.header('vary', 'Origin');
      const origin = request.headers.origin;
      if (origin !== undefined && options.corsOrigins.includes(origin)) reply.header('access-control-allow-origin', origin);
    }
    reply.header('access-control-expose-headers', 'ETag, Retry-After');
  };
  const preflight = async (request: FastifyRequest, reply: FastifyReply) => {
    await cors(request, reply);
    reply.header('access-control-allow-methods', 'POST, OPTIONS');
    reply.header('access-control-allow-headers', 'Authorization, X-API-Key, Content-Type, If-None-Match');
    reply.header('access-control-max-age', '600');
    return reply.code(204).send();
  };

  // OFREP bodies instead of Halyard's `{ error: { … } }`: providers parse these.
  const errorHandler = (error: FastifyError | HttpError | OfrepFailure, request: FastifyRequest, reply: FastifyReply) => {
    const key = (request.params as { key?: string } | undefined)?.key;
    const withKey = (body: Record<string, unknown>) => (key === undefined ? body : { key, ...body });
    reply.header('content-type', JSON_TYPE);
    if (error instanceof OfrepFailure) {
      return reply.code(error.statusCode).send(withKey({ errorCode: error.errorCode, errorDetails: error.message }));
    }
    if (error instanceof HttpError) {
      if (error.headers) reply.headers(error.headers);
      // Unparseable bodies (invalid JSON, forbidden keys) are PARSE_ERROR; auth (401/403/429) and the rest carry details only.
      if (error.statusCode === 400) return reply.code(400).send(withKey({ errorCode: 'PARSE_ERROR', errorDetails: error.message }));
      return reply.code(error.statusCode).send({ errorDetails: error.message });
    }
    const status = error.statusCode;
    if (status === 400) return reply.code(400).send(withKey({ errorCode: 'PARSE_ERROR', errorDetails: error.message }));
    if (status !== undefined && status > 400 && status < 500) return reply.code(status).send({ errorDetails: error.message });
    options.onError(error, '@halyard/server: OFREP request failed');
    return reply.code(500).send({ errorDetails: 'Internal server error' });
  };

  const evaluatorFor = async (request: FastifyRequest) => {
    const key = await auth.check(request, 'evaluate', { apiKeyHeader: true });
    const entry = await currentEntry(hub, key);
    const evaluator = entry.evaluator();
    if (!evaluator) throw new HttpError(500, 'internal', 'The stored flag document could not be compiled');
    return evaluator;
  };

  const route = { bodyLimit: options.bodyLimit, onRequest: cors, errorHandler };

  app.options('/ofrep/v1/evaluate/flags', preflight);
  app.options('/ofrep/v1/evaluate/flags/:key', preflight);

  app.post('/ofrep/v1/evaluate/flags/:key', route, async (request, reply) => {
    const flagKey = (request.params as { key: string }).key;
    const evaluator = await evaluatorFor(request);
    const context = readContext(request.body);
    // No default value: OFREP requests carry no type, so the provider checks the type (TYPE_MISMATCH) itself.
    const details = evaluator.evaluate<JsonValue>(flagKey, context, null);
    if (details.errorCode === 'FLAG_NOT_FOUND') throw new OfrepFailure(404, 'FLAG_NOT_FOUND', details.errorMessage ?? `flag "${flagKey}" not found`);
    if (details.errorCode !== undefined) {
      throw new OfrepFailure(400, details.errorCode === 'PARSE_ERROR' ? 'PARSE_ERROR' : 'GENERAL', details.errorMessage ?? `flag "${flagKey}" could not be evaluated`);
    }
    return reply.header('content-type', JSON_TYPE).header('cache-control', 'no-store').send(JSON.stringify(success(flagKey, details)));
  });

  app.post('/ofrep/v1/evaluate/flags', route, async (request, reply) => {
    const evaluator = await evaluatorFor(request);
    const context = readContext(request.body);
    const snapshot = evaluator.evaluateAll(context);
    // The snapshot version hashes every entry the body is built from: a strong validator for this answer.
    reply.header('etag', `"${snapshot.version}"`);
    reply.header('cache-control', 'no-cache');
    const tags = parseEntityTags(request.headers['if-none-match']);
    if (tags === '*' || (tags !== undefined && tags.includes(snapshot.version))) return reply.code(304).send();
    const flags = Object.keys(snapshot.flags).map((key) => bulkEntry(key, snapshot.flags[key]!));
    return reply.header('content-type', JSON_TYPE).send(JSON.stringify({ flags }));
  });
}
