import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { parseEntityTags } from '../../json';
import type { FlagDefinition } from '@halyard/core';
import { withLifecycle } from '../../services/flag-lifecycle';
import type { Definition, WriteOutcome } from '../../services/resource-service';
import type { ResourceKind, StoredResource } from '../../store/types';
import { type Api, type Services, actorOf, logChange } from '../api';
import { EnvKey, IfMatchHeaders, ResourceKey, errorResponse, noBody } from '../schemas';

export const ResourceParams = Type.Object({ env: EnvKey, key: ResourceKey });

/** Answers a write: 204 once deleted, else the resource with its version as ETag (201 when created). */
export function sendOutcome(reply: FastifyReply, outcome: WriteOutcome<unknown>, request: FastifyRequest, env: string, kind: ResourceKind, key: string) {
  if (outcome.changed) logChange(request, outcome.action!, { env, [kind]: key, version: outcome.resource?.version });
  if (!outcome.resource) return reply.code(204).send();
  return reply
    .code(outcome.created ? 201 : 200)
    .header('etag', `"${outcome.resource.version}"`)
    .send(outcome.resource);
}

/** Flags and segments share one CRUD shape: list, create, read, replace (PUT), merge-patch, delete. */
export function resourceRoutes(api: Api, { resources, events }: Pick<Services, 'resources' | 'events'>, kind: ResourceKind): void {
  const plural = kind === 'flag' ? 'flags' : 'segments';
  const label = kind;
  const stored = Type.Ref(kind === 'flag' ? 'StoredFlag' : 'StoredSegment');
  const definition = Type.Ref(kind === 'flag' ? 'FlagDefinition' : 'SegmentDefinition');
  const base = `/api/v1/environments/:env/${plural}`;
  const tags = [kind === 'flag' ? 'Flags' : 'Segments'];
  const invalid = errorResponse('Invalid request, or the change would make the environment document invalid (every problem listed with its JSON path)');

  api.get(
    base,
    {
      config: { auth: 'viewer' },
      schema: {
        tags,
        summary: `List ${plural}`,
        ...(kind === 'flag' ? { description: 'Archived flags only with `?archived=true` (or `only`). Each flag has `lifecycle`: expired, stale or active (docs/lifecycle.md).' } : {}),
        params: Type.Object({ env: EnvKey }),
        querystring: Type.Object(
          kind === 'flag' ? { archived: Type.Optional(Type.Enum(['false', 'true', 'only', 'exclude', 'include'], { default: 'false', description: '`true` includes archived flags, `only` lists just them' })) } : {},
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ [plural]: Type.Array(stored) }), 404: errorResponse('No such environment') },
      },
    },
    async (request) => {
      const value = (request.query as { archived?: string }).archived;
      const archived = value === 'true' || value === 'include' ? 'include' : value === 'only' ? 'only' : 'exclude';
      const list = await resources.list<Definition>(kind, request.params.env, archived);
      if (kind !== 'flag') return { [plural]: list };
      const flags = list as Array<StoredResource<FlagDefinition>>;
      const lastEvaluated = events ? await events.metrics.lastEvaluated(request.params.env, flags.map((flag) => flag.key)) : undefined;
      return { [plural]: withLifecycle(flags, {}, lastEvaluated) };
    },
  );

  api.post(
    base,
    {
      config: { auth: 'editor' },
      schema: {
        tags,
        summary: `Create a ${label}`,
        description: '409 if it exists.',
        params: Type.Object({ env: EnvKey }),
        body: Type.Object({ key: ResourceKey, definition }, { additionalProperties: false, examples: [{ key: 'new-checkout', definition: {} }] }),
        response: { 201: stored, 400: invalid, 404: errorResponse('No such environment'), 409: errorResponse('Already exists, or archived') },
      },
    },
    async (request, reply) => {
      const { env } = request.params;
      const { key } = request.body;
      const outcome = await resources.create(actorOf(request), kind, env, key, request.body.definition as Definition);
      reply.header('location', `/api/v1/environments/${env}/${plural}/${key}`);
      return sendOutcome(reply, outcome, request, env, kind, key);
    },
  );

  api.get(
    `${base}/:key`,
    {
      config: { auth: 'viewer' },
      schema: { tags, summary: `Read a ${label}`, description: 'ETag = version.', params: ResourceParams, response: { 200: stored, 404: errorResponse('Not found') } },
    },
    async (request, reply) => {
      const resource = await resources.get<Definition>(kind, request.params.env, request.params.key);
      return reply.header('etag', `"${resource.version}"`).send(resource);
    },
  );

  api.put(
    `${base}/:key`,
    {
      config: { auth: 'editor' },
      schema: {
        tags,
        summary: `Create or replace a ${label}`,
        description:
          'Replacing an existing resource requires If-Match (428 without it, 412 when stale). `If-None-Match: *` creates only. Read-only fields of a GET response are ignored, so GET → edit → PUT round-trips.',
        params: ResourceParams,
        headers: Type.Object({ ...IfMatchHeaders.properties, 'if-none-match': Type.Optional(Type.String({ description: '`*`: create only' })) }),
        // Read-only fields of a GET response may come back unchanged; they are ignored.
        body: Type.Object(
          { definition, key: Type.Optional(Type.Unknown()), environment: Type.Optional(Type.Unknown()), version: Type.Optional(Type.Unknown()), createdAt: Type.Optional(Type.Unknown()), updatedAt: Type.Optional(Type.Unknown()) },
          { additionalProperties: false, examples: [{ definition: {} }] },
        ),
        response: {
          200: stored,
          201: stored,
          400: invalid,
          412: errorResponse('Version conflict: `error.currentVersion` holds the current version, `error.lastChange` who changed it'),
          428: errorResponse('If-Match required to replace'),
        },
      },
    },
    async (request, reply) => {
      const { env, key } = request.params;
      const outcome = await resources.replace(actorOf(request), kind, env, key, request.body.definition as Definition, {
        ifMatch: parseEntityTags(request.headers['if-match']),
        ifNoneMatch: parseEntityTags(request.headers['if-none-match']),
      });
      return sendOutcome(reply, outcome, request, env, kind, key);
    },
  );

  api.patch(
    `${base}/:key`,
    {
      config: { auth: 'editor' },
      schema: {
        tags,
        summary: `Merge-patch a ${label} definition (RFC 7396)`,
        description: 'The body is a JSON merge patch of the definition; `null` removes a field. If-Match optional.',
        consumes: ['application/merge-patch+json', 'application/json'],
        params: ResourceParams,
        headers: IfMatchHeaders,
        body: Type.Object({}, { additionalProperties: true, examples: [{ description: '…' }], description: 'A JSON merge patch of the definition' }),
        response: { 200: stored, 400: invalid, 404: errorResponse('Not found'), 412: errorResponse('Version conflict') },
      },
    },
    async (request, reply) => {
      const { env, key } = request.params;
      const outcome = await resources.patch(actorOf(request), kind, env, key, request.body as Record<string, unknown>, { ifMatch: parseEntityTags(request.headers['if-match']) });
      return sendOutcome(reply, outcome, request, env, kind, key);
    },
  );

  api.delete(
    `${base}/:key`,
    {
      config: { auth: 'editor' },
      schema: {
        tags,
        summary: `Delete a ${label}`,
        description: 'Refused (400) while other flags still reference it.',
        params: ResourceParams,
        headers: IfMatchHeaders,
        response: { 204: noBody('Deleted'), 400: invalid, 404: errorResponse('Not found'), 412: errorResponse('Version conflict') },
      },
    },
    async (request, reply) => {
      const { env, key } = request.params;
      const outcome = await resources.delete(actorOf(request), kind, env, key, { ifMatch: parseEntityTags(request.headers['if-match']) });
      return sendOutcome(reply, outcome, request, env, kind, key);
    },
  );
}
