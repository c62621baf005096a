import type { EvaluationContext, JsonValue, SnapshotFlag } from '@halyard/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { ValidationError } from '../../errors';
import type { Api, Services } from '../api';
import { keyOf } from '../authentication';
import { noBody } from '../schemas';
import { JSON_TYPE, tagNotModified } from '../conditional';
import { type CorsOrigins, corsHook, preflight } from '../cors';
import { httpAnswer, isUnavailable } from '../error-table';

/**
 * The OpenFeature Remote Evaluation Protocol (OFREP, https://github.com/open-feature/protocol, service/openapi.yaml):
 * `POST /ofrep/v1/evaluate/flags/{key}` (single flag, used by server providers) and `POST /ofrep/v1/evaluate/flags`
 * (bulk, used by web providers; ETag / If-None-Match → 304). Any OFREP provider can read Halyard flags with an SDK
 * or client key, sent as `Authorization: Bearer <key>` or `X-API-Key: <key>`.
 */
export interface OfrepRouteOptions {
  corsOrigins: CorsOrigins;
  bodyLimit: number;
  onError: (error: unknown, message: string) => void;
}

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

const tags = ['OFREP'];

/** A body serialised here: strings bypass Fastify's serialiser (the response schemas document the shape). */
const preSerialised = (body: unknown) => JSON.stringify(body) as never;

const OfrepContext = Type.Union(
  [
    Type.Object(
      { targetingKey: Type.Optional(Type.String({ description: "Becomes Halyard's `userId` unless `userId` is set" })) },
      { additionalProperties: true, description: 'Evaluation context' },
    ),
    Type.Null(),
  ],
);
const OfrepBody = Type.Union([Type.Object({ context: Type.Optional(OfrepContext) }, { additionalProperties: true, examples: [{ context: { targetingKey: 'user-1' } }] }), Type.Null()]);

const Success = Type.Object({
  key: Type.String(),
  value: Type.Unknown({ description: "The served variant's value (boolean, string, number or JSON)" }),
  reason: Type.String({ examples: ['STATIC', 'TARGETING_MATCH', 'SPLIT', 'DEFAULT', 'DISABLED', 'PREREQUISITE_FAILED'] }),
  variant: Type.Optional(Type.String()),
  metadata: Type.Optional(Type.Object({ ruleId: Type.Optional(Type.String({ description: 'The matching rule id, or "target"' })) })),
});
const Failure = Type.Object({
  key: Type.Optional(Type.String()),
  errorCode: Type.Enum(['PARSE_ERROR', 'INVALID_CONTEXT', 'FLAG_NOT_FOUND', 'GENERAL']),
  errorDetails: Type.String(),
});
const General = (description: string) => Type.Object({ errorDetails: Type.String() }, { description });
const generalErrors = {
  401: General('No or invalid key'),
  403: General('Admin tokens cannot evaluate'),
  429: General('Too many failed authentications from this address; see Retry-After (seconds)'),
  500: General('Internal error'),
};

/** Maps OpenFeature's `targetingKey` to Halyard's `userId` (unless the context sets `userId`), as @halyard/openfeature's providers do. */
function contextOf(body: { context?: Record<string, unknown> | null | undefined } | null): EvaluationContext | undefined {
  const context = body?.context;
  if (context === undefined || context === null) return undefined;
  const targetingKey = context.targetingKey;
  if (targetingKey === undefined || context.userId !== undefined) return context as EvaluationContext;
  return { ...context, userId: targetingKey } as EvaluationContext;
}

/** OFREP success body. Halyard's reasons are OpenFeature's names; PREREQUISITE_FAILED passes through as a custom reason. */
function success(key: string, result: { value: JsonValue; variant?: string | undefined; reason: string; ruleId?: string | undefined }): Record<string, unknown> {
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

export function ofrepRoutes(api: Api, { sdk }: Pick<Services, 'sdk'>, options: OfrepRouteOptions): void {
  // OFREP bodies instead of Halyard's `{ error: { … } }`: providers parse these. The same table decides the status.
  api.setErrorHandler((error: FastifyError | OfrepFailure, request: FastifyRequest, reply: FastifyReply) => {
    const key = (request.params as { key?: string } | undefined)?.key;
    const withKey = (body: Record<string, unknown>) => (key === undefined ? body : { key, ...body });
    reply.header('content-type', JSON_TYPE);
    if (error instanceof OfrepFailure) return reply.code(error.statusCode).send(withKey({ errorCode: error.errorCode, errorDetails: error.message }));
    const answer = httpAnswer(error);
    if (answer && answer.status < 500) {
      reply.headers(answer.headers);
      if (answer.status !== 400) return reply.code(answer.status).send({ errorDetails: answer.message });
      // A context of the wrong shape is INVALID_CONTEXT; an unreadable body (invalid JSON, forbidden keys) PARSE_ERROR.
      const invalidContext = error instanceof ValidationError && error.problems?.some((p) => p.path.startsWith('$.context')) === true;
      return reply.code(400).send(withKey({ errorCode: invalidContext ? 'INVALID_CONTEXT' : 'PARSE_ERROR', errorDetails: answer.message }));
    }
    if (isUnavailable(error)) return reply.code(503).header('retry-after', '1').send({ errorDetails: 'The database is unavailable; retry shortly' });
    options.onError(error, '@halyard/server: OFREP request failed');
    return reply.code(500).send({ errorDetails: 'Internal server error' });
  });

  const expose = 'ETag, Retry-After';
  const cors = corsHook(options.corsOrigins, expose);
  const answerPreflight = preflight(options.corsOrigins, expose, 'Authorization, X-API-Key, Content-Type, If-None-Match');
  api.options('/ofrep/v1/evaluate/flags', { schema: { tags, summary: 'CORS preflight (bulk)' } }, answerPreflight);
  api.options('/ofrep/v1/evaluate/flags/:key', { schema: { tags, summary: 'CORS preflight (single flag)', params: Type.Object({ key: Type.String() }) } }, answerPreflight);

  const route = { bodyLimit: options.bodyLimit, onRequest: cors, config: { auth: 'evaluate' as const, apiKeyHeader: true } };

  api.post(
    '/ofrep/v1/evaluate/flags/:key',
    {
      ...route,
      schema: {
        tags,
        summary: 'OFREP: evaluate one flag',
        description:
          'OpenFeature Remote Evaluation Protocol (single flag, for server providers such as @openfeature/ofrep-provider). SDK or client key as `Authorization: Bearer` or `X-API-Key`. Not cached: every request evaluates the current flags. Requests carry no type, so TYPE_MISMATCH is detected by the provider. CORS-enabled.',
        params: Type.Object({ key: Type.String() }),
        body: OfrepBody,
        response: {
          200: Success,
          400: { ...Failure, description: 'PARSE_ERROR (unreadable body), INVALID_CONTEXT (context or targetingKey of the wrong type), GENERAL' },
          404: { ...Failure, description: 'FLAG_NOT_FOUND (unknown or archived flag)' },
          ...generalErrors,
        },
      },
    },
    async (request, reply) => {
      const flagKey = request.params.key;
      const evaluator = await sdk.evaluator(keyOf(request));
      // No default value: OFREP requests carry no type, so the provider checks the type (TYPE_MISMATCH) itself.
      const details = evaluator.getDetails<JsonValue>(flagKey, null, contextOf(request.body as never));
      if (details.errorCode === 'FLAG_NOT_FOUND') throw new OfrepFailure(404, 'FLAG_NOT_FOUND', details.errorMessage ?? `flag "${flagKey}" not found`);
      if (details.errorCode !== undefined) {
        throw new OfrepFailure(400, details.errorCode === 'PARSE_ERROR' ? 'PARSE_ERROR' : 'GENERAL', details.errorMessage ?? `flag "${flagKey}" could not be evaluated`);
      }
      return reply.header('content-type', JSON_TYPE).header('cache-control', 'no-store').send(preSerialised(success(flagKey, details)));
    },
  );

  api.post(
    '/ofrep/v1/evaluate/flags',
    {
      ...route,
      schema: {
        tags,
        summary: 'OFREP: evaluate every flag',
        description:
          'OpenFeature Remote Evaluation Protocol (bulk, for web providers such as @openfeature/ofrep-web-provider). Flags in key order; a flag that fails to evaluate is listed as `{ key, errorCode, errorDetails }`. The ETag identifies the evaluated content; If-None-Match → 304. CORS-enabled.',
        headers: Type.Object({ 'if-none-match': Type.Optional(Type.String()) }),
        body: OfrepBody,
        response: {
          200: Type.Object({ flags: Type.Array(Type.Union([Success, Failure])) }, { description: 'Every flag evaluated for the context' }),
          304: noBody('Not modified'),
          400: { ...Failure, description: 'PARSE_ERROR or INVALID_CONTEXT (no `key`)' },
          ...generalErrors,
        },
      },
    },
    async (request, reply) => {
      const evaluator = await sdk.evaluator(keyOf(request));
      const snapshot = evaluator.evaluateAll(contextOf(request.body as never));
      // The snapshot version hashes every entry the body is built from: a strong validator for this answer.
      reply.header('etag', `"${snapshot.version}"`);
      reply.header('cache-control', 'no-cache');
      if (tagNotModified(request.headers['if-none-match'], snapshot.version)) return reply.code(304).send();
      const flags = Object.keys(snapshot.flags).map((key) => bulkEntry(key, snapshot.flags[key]!));
      return reply.header('content-type', JSON_TYPE).send(preSerialised({ flags }));
    },
  );
}
