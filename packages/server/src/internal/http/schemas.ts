import type { RouteOptions } from 'fastify';
import Type, { type TSchema } from 'typebox';

/**
 * The JSON schemas of the API, written once with TypeBox: Fastify validates requests with them (Ajv), serialises
 * responses with them (fast-json-stringify) and @fastify/swagger turns them into /openapi.json. Shared shapes are
 * registered with `app.addSchema` under their `$id` and referenced with `Type.Ref`, so they appear once under
 * `components.schemas`. Flag and segment definitions are described loosely: @halyard/core's parseDefinitions is
 * their validator, and reports every problem with its path.
 */

export const ENV_KEY_RULE = 'use 1–63 characters from a–z, 0–9, "-", "_", starting with a letter or digit';
export const RESOURCE_KEY_RULE = 'use 1–200 characters from A–Z, a–z, 0–9, ".", "_", ":", "-", starting with a letter or digit';

export const EnvKey = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,62}$', description: ENV_KEY_RULE });
/** Flag and segment keys, as @halyard/core's parseDefinitions accepts them. */
export const ResourceKey = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$', description: RESOURCE_KEY_RULE });
export const Name = Type.String({ minLength: 1, maxLength: 200 });
const DateTime = Type.String({ format: 'date-time' });
const Any = Type.Unknown();

const Problem = Type.Object({ path: Type.String({ examples: ['$.flags["checkout"].offVariant'] }), message: Type.String() });

const ErrorBody = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.String({ examples: ['bad_request', 'invalid_definitions', 'version_conflict', 'unauthorized', 'forbidden', 'not_found'] }),
        message: Type.String(),
        problems: Type.Optional(Type.Array(Problem)),
        currentVersion: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
        lastChange: Type.Optional(Type.Object({ actor: Type.String(), action: Type.String(), at: DateTime }, { description: 'Who changed the resource last (412 only)' })),
      },
      { additionalProperties: true },
    ),
  },
  { $id: 'Error' },
);

/** A documented error answer (`{ error: { code, message, … } }`). */
export const errorResponse = (description: string) => Type.Ref('Error', { description });

const FlagDefinition = Type.Object(
  {},
  {
    $id: 'FlagDefinition',
    additionalProperties: true,
    description:
      'See @halyard/core FlagDefinition: variants, enabled, offVariant, targets, rules, defaultServe, prerequisites… Validated by parseDefinitions (400 invalid_definitions, every problem with its path).',
  },
);

const SegmentDefinition = Type.Object(
  {},
  { $id: 'SegmentDefinition', additionalProperties: true, description: 'See @halyard/core SegmentDefinition: conditions, included, excluded, attribute.' },
);

const FlagsDocument = Type.Object(
  {
    schemaVersion: Type.Optional(Type.Unknown({ description: 'Always 1' })),
    version: Type.Optional(Type.Unknown({ description: 'The document version: grows with every change of the environment; globally unique' })),
    flags: Type.Optional(Type.Record(Type.String(), Type.Ref('FlagDefinition'))),
    segments: Type.Optional(Type.Record(Type.String(), Type.Ref('SegmentDefinition'))),
  },
  { $id: 'FlagsDocument', additionalProperties: true, description: 'A whole environment: `{ schemaVersion: 1, version, flags, segments }`' },
);

const stored = (definition: string, extra: Record<string, TSchema> = {}) =>
  Type.Object({
    key: Type.String(),
    environment: Type.String(),
    version: Type.Integer({ description: 'Starts at 1, grows by one per change; the ETag' }),
    definition: Type.Ref(definition),
    createdAt: DateTime,
    updatedAt: DateTime,
    ...extra,
  });

const FlagLifecycle = Type.Object(
  {
    status: Type.Enum(['active', 'stale', 'expired'], { description: '`expired`: expiresAt has passed; `stale`: past the lifetime of its kind, or one variant served to everyone, unchanged' }),
    findings: Type.Array(
      Type.Object({
        rule: Type.Enum(['expired', 'lifetime', 'single-variant', 'not-evaluated', 'no-owner']),
        severity: Type.Enum(['error', 'warning']),
        message: Type.String(),
        days: Type.Optional(Type.Integer()),
      }),
    ),
    lastEvaluatedAt: Type.Optional(
      Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
        description: 'Only when the service runs with events: the last SDK exposure (to the minute); null if none within event retention',
      }),
    ),
  },
  { description: 'Flag debt, by the rules of `halyard lint` (docs/lifecycle.md). Only in flag lists.' },
);

const StoredFlag = Type.Object(
  {
    ...stored('FlagDefinition').properties,
    archivedAt: Type.Optional(Type.String({ format: 'date-time', description: 'Only on archived flags: out of the served document until restored' })),
    lifecycle: Type.Optional(FlagLifecycle),
  },
  { $id: 'StoredFlag' },
);
const StoredSegment = Type.Object({ ...stored('SegmentDefinition').properties }, { $id: 'StoredSegment' });

const Environment = Type.Object(
  { key: Type.String(), name: Type.String(), version: Type.Integer({ description: 'The document version' }), createdAt: DateTime, updatedAt: DateTime },
  { $id: 'Environment' },
);

const apiKeyProperties = {
  id: Type.String({ format: 'uuid' }),
  type: Type.Enum(['sdk', 'client', 'admin']),
  role: Type.Optional(Type.Enum(['viewer', 'editor', 'admin'], { description: 'Admin tokens only' })),
  environment: Type.Optional(Type.String({ description: 'SDK and client keys only' })),
  name: Type.String(),
  prefix: Type.String({ description: 'The first characters of the token, to recognise it' }),
  createdAt: DateTime,
  createdBy: Type.Union([Type.String(), Type.Null()]),
};
const ApiKey = Type.Object(apiKeyProperties, { $id: 'ApiKey' });
const NewApiKey = Type.Object({ ...apiKeyProperties, token: Type.String({ description: 'Shown in this response only; only its hash is stored' }) }, { $id: 'NewApiKey' });

const AuditEntry = Type.Object(
  {
    id: Type.String(),
    at: DateTime,
    actor: Type.Object({ id: Type.Union([Type.String(), Type.Null()]), name: Type.String() }),
    action: Type.String({ examples: ['flag.create', 'flag.update', 'flag.delete', 'flag.toggle', 'flag.rollout', 'flag.archive', 'flag.restore', 'segment.update', 'environment.create', 'key.revoke'] }),
    environment: Type.Union([Type.String(), Type.Null()]),
    resourceType: Type.String({ examples: ['flag', 'segment', 'environment', 'key'] }),
    resourceKey: Type.String(),
    before: Any,
    after: Any,
    diff: Type.Array(Type.Object({ path: Type.String(), before: Type.Optional(Any), after: Type.Optional(Any) })),
    metadata: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'E.g. `{ "revertOf": "42" }` on an entry made by POST /api/v1/audit/:id/revert' })),
  },
  { $id: 'AuditEntry' },
);

const ResourceChanges = Type.Object({
  created: Type.Array(Type.String()),
  updated: Type.Array(Type.String()),
  deleted: Type.Array(Type.String()),
  unchanged: Type.Integer({ description: 'Resources of the document that were already equal' }),
});

const DocumentWriteResult = Type.Object(
  {
    version: Type.Integer({ description: 'The document version afterwards' }),
    changed: Type.Boolean(),
    dryRun: Type.Boolean(),
    flags: ResourceChanges,
    segments: ResourceChanges,
  },
  { $id: 'DocumentWriteResult' },
);

const FlagSnapshot = Type.Object(
  { version: Type.String({ description: 'Content hash: the ETag' }), flags: Type.Object({}, { additionalProperties: true }) },
  { $id: 'FlagSnapshot', additionalProperties: true, description: 'Every flag evaluated for one context (values, variants, reasons; no rules)' },
);

/** Shapes shared by several routes, registered once with `app.addSchema`. */
export const SHARED_SCHEMAS: readonly TSchema[] = [
  ErrorBody,
  FlagDefinition,
  SegmentDefinition,
  FlagsDocument,
  StoredFlag,
  StoredSegment,
  Environment,
  ApiKey,
  NewApiKey,
  AuditEntry,
  DocumentWriteResult,
  FlagSnapshot,
];

/** `If-Match` on conditional writes. */
export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ description: 'The resource version (its ETag). On mismatch the write is refused with 412 and the current version.' })),
});

/** A body that may be left out (Fastify validates a missing body as `null`). */
export const optionalBody = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** A response without a body (204, 304). */
export const noBody = (description: string) => Type.Unsafe<undefined>({ type: 'null', description });

/** Where documentErrorsOnly keeps a route's error responses for /openapi.json. */
export const DOCUMENTED_ERRORS = Symbol('halyard.documentedErrors');

type RouteSchema = Record<string, unknown> & { [DOCUMENTED_ERRORS]?: Record<string, unknown> };

/**
 * Takes a route's 4xx/5xx response schemas out of what Fastify compiles into serialisers and keeps them for
 * /openapi.json, which puts them back. Error bodies are small and built by the error handler; a serialiser for
 * each of every route's 401/403/429/… would cost start time and memory for nothing. Success responses keep their
 * schemas and are serialised by fast-json-stringify (only the declared fields leave the service).
 */
export function documentErrorsOnly(route: Pick<RouteOptions, 'schema'>): void {
  const schema = route.schema as RouteSchema | undefined;
  const response = schema?.response as Record<string, unknown> | undefined;
  if (!schema || !response) return;
  const errors: Record<string, unknown> = (schema[DOCUMENTED_ERRORS] ??= {});
  for (const status of Object.keys(response)) {
    if (Number(status) >= 400) {
      errors[status] = response[status];
      delete response[status];
    }
  }
}

/** The schema /openapi.json describes: the route's schema with its error responses back in. */
export function documentedSchema(schema: RouteSchema): Record<string, unknown> {
  const errors = schema[DOCUMENTED_ERRORS];
  if (!errors) return schema;
  return { ...schema, response: { ...(schema.response as object | undefined), ...errors } };
}
