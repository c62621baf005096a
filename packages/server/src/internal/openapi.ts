/**
 * Hand-written OpenAPI 3.1 description of the service, served at /openapi.json. Request bodies are validated in
 * code (definitions by @halyard/core's parseDefinitions), so this document is the reference, not the validator.
 */

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const error = (description: string) => json(ref('Error'), description);
const body = (schema: unknown, contentTypes = ['application/json']) => ({
  required: true,
  content: Object.fromEntries(contentTypes.map((type) => [type, { schema }])),
});

const envParam = { name: 'env', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' } };
const keyParam = { name: 'key', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$' } };
const ifMatch = {
  name: 'If-Match',
  in: 'header',
  required: false,
  description: 'The resource version (its ETag). On mismatch the write is refused with 412 and the current version.',
  schema: { type: 'string' },
};

const adminErrors = {
  '400': error('Invalid request or the change would make the environment document invalid (every problem listed with its JSON path)'),
  '401': error('Missing or invalid token'),
  '403': error('The token lacks the required role'),
  '429': error('Too many failed authentications from this address'),
};

const resourcePaths = (plural: 'flags' | 'segments', schema: string, label: string) => ({
  [`/api/v1/environments/{env}/${plural}`]: {
    parameters: [envParam],
    get: {
      summary: `List ${plural}`,
      description: plural === 'flags' ? 'Role: viewer. Archived flags only with `?archived=true` (or `only`).' : 'Role: viewer.',
      security: [{ adminToken: [] }],
      ...(plural === 'flags'
        ? { parameters: [{ name: 'archived', in: 'query', required: false, schema: { enum: ['false', 'true', 'only'], default: 'false' } }] }
        : {}),
      responses: { '200': json({ type: 'object', properties: { [plural]: { type: 'array', items: ref(`Stored${schema}`) } } }), ...adminErrors },
    },
    post: {
      summary: `Create a ${label}`,
      description: 'Role: editor. 409 if it exists.',
      security: [{ adminToken: [] }],
      requestBody: body({ type: 'object', required: ['key', 'definition'], properties: { key: { type: 'string' }, definition: ref(schema) } }),
      responses: { '201': json(ref(`Stored${schema}`), 'Created; ETag is the version'), '409': error('Already exists'), ...adminErrors },
    },
  },
  [`/api/v1/environments/{env}/${plural}/{key}`]: {
    parameters: [envParam, keyParam],
    get: {
      summary: `Read a ${label}`,
      description: 'Role: viewer. ETag = version.',
      security: [{ adminToken: [] }],
      responses: { '200': json(ref(`Stored${schema}`)), '404': error('Not found'), ...adminErrors },
    },
    put: {
      summary: `Create or replace a ${label}`,
      description:
        'Role: editor. Replacing an existing resource requires If-Match (428 without it, 412 when stale). `If-None-Match: *` creates only. Read-only fields of a GET response are ignored, so GET → edit → PUT round-trips.',
      security: [{ adminToken: [] }],
      parameters: [ifMatch, { name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string', enum: ['*'] } }],
      requestBody: body({ type: 'object', required: ['definition'], properties: { definition: ref(schema) } }),
      responses: {
        '200': json(ref(`Stored${schema}`), 'Replaced (or unchanged)'),
        '201': json(ref(`Stored${schema}`), 'Created'),
        '412': error('Version conflict: `error.currentVersion` holds the current version'),
        '428': error('If-Match required to replace'),
        ...adminErrors,
      },
    },
    patch: {
      summary: `Merge-patch a ${label} definition (RFC 7396)`,
      description: 'Role: editor. The body is a JSON merge patch of the definition; `null` removes a field. If-Match optional.',
      security: [{ adminToken: [] }],
      parameters: [ifMatch],
      requestBody: body({ type: 'object' }, ['application/merge-patch+json', 'application/json']),
      responses: { '200': json(ref(`Stored${schema}`)), '404': error('Not found'), '412': error('Version conflict'), ...adminErrors },
    },
    delete: {
      summary: `Delete a ${label}`,
      description: 'Role: editor. Refused (400) while other flags still reference it.',
      security: [{ adminToken: [] }],
      parameters: [ifMatch],
      responses: { '204': { description: 'Deleted' }, '404': error('Not found'), '412': error('Version conflict'), ...adminErrors },
    },
  },
});

const looseObject = { type: 'object', additionalProperties: true };

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Halyard flag service',
    version: '1',
    description:
      'Feature flags: admin API (/api/v1, admin tokens), SDK endpoints (/sdk/v1, SDK and client keys). Errors are `{ "error": { "code", "message", ... } }`. Every write appends one audit entry in the same transaction.',
  },
  components: {
    securitySchemes: {
      sdkKey: { type: 'http', scheme: 'bearer', description: 'Server SDK key `hy_sdk_…`: reads the full ruleset of one environment.' },
      clientKey: { type: 'http', scheme: 'bearer', description: 'Client key `hy_client_…`: evaluation only; rules never leave the server.' },
      adminToken: { type: 'http', scheme: 'bearer', description: 'Admin token `hy_admin_…` with role viewer (read), editor (flags, segments) or admin (everything).' },
      apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'OFREP only: an SDK or client key in `X-API-Key` instead of `Authorization: Bearer`.' },
    },
    schemas: {
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message'],
            properties: {
              code: { type: 'string', examples: ['bad_request', 'invalid_definitions', 'version_conflict', 'unauthorized', 'forbidden', 'not_found'] },
              message: { type: 'string' },
              problems: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
              currentVersion: { type: ['integer', 'null'] },
            },
          },
        },
      },
      FlagDefinition: { ...looseObject, description: 'See @halyard/core FlagDefinition: variants, enabled, offVariant, targets, rules, defaultServe, prerequisites…' },
      SegmentDefinition: { ...looseObject, description: 'See @halyard/core SegmentDefinition: conditions, included, excluded, attribute.' },
      FlagsDocument: {
        type: 'object',
        required: ['schemaVersion', 'flags'],
        properties: {
          schemaVersion: { const: 1 },
          version: { type: 'integer', description: 'Grows with every change of the environment; globally unique.' },
          flags: { type: 'object', additionalProperties: ref('FlagDefinition') },
          segments: { type: 'object', additionalProperties: ref('SegmentDefinition') },
        },
      },
      FlagSnapshot: {
        type: 'object',
        properties: { version: { type: 'string', description: 'Content hash' }, flags: looseObject },
      },
      StoredFlagDefinition: {
        type: 'object',
        properties: {
          key: { type: 'string' },
          environment: { type: 'string' },
          version: { type: 'integer' },
          definition: ref('FlagDefinition'),
          createdAt: { type: 'string', format: 'date-time' },
          updatedAt: { type: 'string', format: 'date-time' },
          archivedAt: { type: 'string', format: 'date-time', description: 'Only on archived flags: out of the served document until restored.' },
        },
      },
      ResourceChanges: {
        type: 'object',
        properties: {
          created: { type: 'array', items: { type: 'string' } },
          updated: { type: 'array', items: { type: 'string' } },
          deleted: { type: 'array', items: { type: 'string' } },
          unchanged: { type: 'integer', description: "Resources of the document that were already equal" },
        },
      },
      DocumentWriteResult: {
        type: 'object',
        properties: {
          version: { type: 'integer', description: 'The document version afterwards' },
          changed: { type: 'boolean' },
          dryRun: { type: 'boolean' },
          flags: ref('ResourceChanges'),
          segments: ref('ResourceChanges'),
        },
      },
      OfrepContext: {
        type: 'object',
        description: 'Evaluation context. `targetingKey` (a string) becomes Halyard\'s `userId` unless `userId` is set.',
        properties: { targetingKey: { type: 'string' } },
        additionalProperties: true,
      },
      OfrepEvaluationSuccess: {
        type: 'object',
        required: ['key', 'value', 'reason'],
        properties: {
          key: { type: 'string' },
          value: { description: 'The served variant\'s value (boolean, string, number or JSON)' },
          reason: { type: 'string', examples: ['STATIC', 'TARGETING_MATCH', 'SPLIT', 'DEFAULT', 'DISABLED', 'PREREQUISITE_FAILED'] },
          variant: { type: 'string' },
          metadata: { type: 'object', properties: { ruleId: { type: 'string', description: 'The matching rule id, or "target"' } } },
        },
      },
      OfrepEvaluationFailure: {
        type: 'object',
        required: ['errorCode'],
        properties: {
          key: { type: 'string' },
          errorCode: { enum: ['PARSE_ERROR', 'INVALID_CONTEXT', 'FLAG_NOT_FOUND', 'GENERAL'] },
          errorDetails: { type: 'string' },
        },
      },
      OfrepGeneralError: { type: 'object', properties: { errorDetails: { type: 'string' } } },
      StoredSegmentDefinition: {
        type: 'object',
        properties: {
          key: { type: 'string' },
          environment: { type: 'string' },
          version: { type: 'integer' },
          definition: ref('SegmentDefinition'),
          createdAt: { type: 'string', format: 'date-time' },
          updatedAt: { type: 'string', format: 'date-time' },
        },
      },
      Environment: {
        type: 'object',
        properties: {
          key: { type: 'string' },
          name: { type: 'string' },
          version: { type: 'integer' },
          createdAt: { type: 'string', format: 'date-time' },
          updatedAt: { type: 'string', format: 'date-time' },
        },
      },
      ApiKey: {
        type: 'object',
        properties: {
          id: { type: 'string', format: 'uuid' },
          type: { enum: ['sdk', 'client', 'admin'] },
          role: { enum: ['viewer', 'editor', 'admin'] },
          environment: { type: 'string' },
          name: { type: 'string' },
          prefix: { type: 'string' },
          createdAt: { type: 'string', format: 'date-time' },
          createdBy: { type: ['string', 'null'] },
        },
      },
      AuditEntry: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          at: { type: 'string', format: 'date-time' },
          actor: { type: 'object', properties: { id: { type: ['string', 'null'] }, name: { type: 'string' } } },
          action: {
            type: 'string',
            examples: ['flag.create', 'flag.update', 'flag.delete', 'flag.toggle', 'flag.rollout', 'flag.archive', 'flag.restore', 'segment.update', 'environment.create', 'key.revoke'],
          },
          environment: { type: ['string', 'null'] },
          resourceType: { enum: ['flag', 'segment', 'environment', 'key'] },
          resourceKey: { type: 'string' },
          before: {},
          after: {},
          diff: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, before: {}, after: {} } } },
        },
      },
    },
  },
  paths: {
    '/health': { get: { summary: 'Liveness and database check', responses: { '200': json(looseObject), '503': json(looseObject, 'Database unavailable') } } },
    '/openapi.json': { get: { summary: 'This document', responses: { '200': json(looseObject) } } },
    '/sdk/v1/definitions': {
      get: {
        summary: "The environment's flag document",
        description:
          'Server SDK key. Serialised and gzipped once per version; gzip when Accept-Encoding allows. Strong ETag (`"<version>"`, `"<version>-gzip"`); If-None-Match → 304.',
        security: [{ sdkKey: [] }],
        responses: { '200': json(ref('FlagsDocument')), '304': { description: 'Not modified' }, '401': error('No or invalid key'), '403': error('Not an SDK key') },
      },
    },
    '/sdk/v1/stream': {
      get: {
        summary: 'Server-sent events: every new document version',
        description:
          'Server SDK key. On connect: `event: update`, `id: <version>`, `data: <FlagsDocument JSON>` — skipped when `Last-Event-ID` equals the current version — then one such event per committed change. `: ping` comment every 15 s. With `Accept-Encoding: gzip` the stream is gzip-encoded as one gzip member per event.',
        security: [{ sdkKey: [] }],
        parameters: [{ name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' } }],
        responses: { '200': { description: 'Event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, '401': error('No or invalid key'), '403': error('Not an SDK key') },
      },
    },
    '/sdk/v1/evaluate': {
      post: {
        summary: 'Evaluate every flag for one context',
        description: 'Client or SDK key. Returns a FlagSnapshot; ETag is its content version, If-None-Match → 304. CORS-enabled.',
        security: [{ clientKey: [] }, { sdkKey: [] }],
        requestBody: body({ type: 'object', properties: { context: looseObject } }),
        responses: { '200': json(ref('FlagSnapshot')), '304': { description: 'Not modified' }, '400': error('Invalid body'), '401': error('No or invalid key'), '403': error('Admin token') },
      },
    },
    '/ofrep/v1/evaluate/flags/{key}': {
      parameters: [{ name: 'key', in: 'path', required: true, schema: { type: 'string' } }],
      post: {
        tags: ['OFREP'],
        summary: 'OFREP: evaluate one flag',
        description:
          'OpenFeature Remote Evaluation Protocol (single flag, for server providers such as @openfeature/ofrep-provider). SDK or client key as `Authorization: Bearer` or `X-API-Key`. Not cached: every request evaluates the current flags. Requests carry no type, so TYPE_MISMATCH is detected by the provider. CORS-enabled.',
        security: [{ sdkKey: [] }, { clientKey: [] }, { apiKeyHeader: [] }],
        requestBody: { required: false, content: { 'application/json': { schema: { type: 'object', properties: { context: ref('OfrepContext') } } } } },
        responses: {
          '200': json(ref('OfrepEvaluationSuccess')),
          '400': json(ref('OfrepEvaluationFailure'), 'PARSE_ERROR (unreadable body), INVALID_CONTEXT (context or targetingKey of the wrong type), GENERAL'),
          '404': json(ref('OfrepEvaluationFailure'), 'FLAG_NOT_FOUND (unknown or archived flag)'),
          '401': json(ref('OfrepGeneralError'), 'No or invalid key'),
          '403': json(ref('OfrepGeneralError'), 'Admin tokens cannot evaluate'),
          '429': { description: 'Too many failed authentications from this address; see Retry-After (seconds)', headers: { 'Retry-After': { schema: { type: 'string' } } } },
          '500': json(ref('OfrepGeneralError'), 'Internal error'),
        },
      },
    },
    '/ofrep/v1/evaluate/flags': {
      post: {
        tags: ['OFREP'],
        summary: 'OFREP: evaluate every flag',
        description:
          'OpenFeature Remote Evaluation Protocol (bulk, for web providers such as @openfeature/ofrep-web-provider). Flags in key order; a flag that fails to evaluate is listed as `{ key, errorCode, errorDetails }`. The ETag identifies the evaluated content; If-None-Match → 304. CORS-enabled.',
        security: [{ sdkKey: [] }, { clientKey: [] }, { apiKeyHeader: [] }],
        parameters: [{ name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string' } }],
        requestBody: { required: false, content: { 'application/json': { schema: { type: 'object', properties: { context: ref('OfrepContext') } } } } },
        responses: {
          '200': {
            description: 'Every flag evaluated for the context',
            headers: { ETag: { schema: { type: 'string' } } },
            content: {
              'application/json': {
                schema: { type: 'object', required: ['flags'], properties: { flags: { type: 'array', items: { oneOf: [ref('OfrepEvaluationSuccess'), ref('OfrepEvaluationFailure')] } } } },
              },
            },
          },
          '304': { description: 'Not modified' },
          '400': json(ref('OfrepEvaluationFailure'), 'PARSE_ERROR or INVALID_CONTEXT (no `key`)'),
          '401': json(ref('OfrepGeneralError'), 'No or invalid key'),
          '403': json(ref('OfrepGeneralError'), 'Admin tokens cannot evaluate'),
          '429': { description: 'Too many failed authentications from this address; see Retry-After (seconds)', headers: { 'Retry-After': { schema: { type: 'string' } } } },
          '500': json(ref('OfrepGeneralError'), 'Internal error'),
        },
      },
    },
    '/api/v1/me': { get: { summary: 'The calling admin token', security: [{ adminToken: [] }], responses: { '200': json(ref('ApiKey')), ...adminErrors } } },
    '/api/v1/environments': {
      get: {
        summary: 'List environments',
        description: 'Role: viewer.',
        security: [{ adminToken: [] }],
        responses: { '200': json({ type: 'object', properties: { environments: { type: 'array', items: ref('Environment') } } }), ...adminErrors },
      },
      post: {
        summary: 'Create an environment',
        description: 'Role: admin. `copyFrom` copies every flag and segment of another environment.',
        security: [{ adminToken: [] }],
        requestBody: body({ type: 'object', required: ['key'], properties: { key: { type: 'string' }, name: { type: 'string' }, copyFrom: { type: 'string' } } }),
        responses: { '201': json(ref('Environment')), '409': error('Exists'), ...adminErrors },
      },
    },
    '/api/v1/environments/{env}': {
      parameters: [envParam],
      get: { summary: 'Read an environment', security: [{ adminToken: [] }], responses: { '200': json(ref('Environment')), '404': error('Not found'), ...adminErrors } },
      patch: {
        summary: 'Rename an environment',
        description: 'Role: admin.',
        security: [{ adminToken: [] }],
        requestBody: body({ type: 'object', required: ['name'], properties: { name: { type: 'string' } } }),
        responses: { '200': json(ref('Environment')), ...adminErrors },
      },
      delete: {
        summary: 'Delete an environment with its flags, segments and keys',
        description: 'Role: admin. Open SDK streams of the environment are closed.',
        security: [{ adminToken: [] }],
        responses: { '204': { description: 'Deleted' }, '404': error('Not found'), ...adminErrors },
      },
    },
    '/api/v1/environments/{env}/document': {
      parameters: [envParam],
      get: { summary: 'The full current document', description: 'Role: viewer. ETag = document version.', security: [{ adminToken: [] }], responses: { '200': json(ref('FlagsDocument')), ...adminErrors } },
      put: {
        summary: 'Write a whole document (import, GitOps apply)',
        description:
          'Role: editor. `mode=replace` (default): the environment becomes the document — flags and segments it does not name are deleted (archived flags are left alone). `mode=merge`: creates or replaces the named flags and segments and keeps the rest. One transaction, one validation of the resulting document (every problem with its path, nothing written), one new version, one audit entry per flag or segment that changes; equal resources are untouched. `dryRun=true` reports the changes without writing. `If-Match: "<document version>"` refuses (412) if the environment changed since that version. Body up to 16 MiB.',
        security: [{ adminToken: [] }],
        parameters: [
          ifMatch,
          { name: 'mode', in: 'query', required: false, schema: { enum: ['replace', 'merge'], default: 'replace' } },
          { name: 'dryRun', in: 'query', required: false, schema: { enum: ['true', 'false'], default: 'false' } },
        ],
        requestBody: body(ref('FlagsDocument')),
        responses: {
          '200': json(ref('DocumentWriteResult')),
          '404': error('No such environment'),
          '409': error('The document names archived flags (`problems` lists them)'),
          '412': error('The environment changed since the If-Match version'),
          ...adminErrors,
        },
      },
    },
    ...resourcePaths('flags', 'FlagDefinition', 'flag'),
    '/api/v1/environments/{env}/flags/{key}/toggle': {
      parameters: [envParam, keyParam],
      post: {
        summary: 'Kill switch',
        description: 'Role: editor. `{ "enabled": false }` sets `enabled`; an empty body flips it. If-Match optional. Setting the current value writes nothing.',
        security: [{ adminToken: [] }],
        parameters: [ifMatch],
        requestBody: { required: false, content: { 'application/json': { schema: { type: 'object', properties: { enabled: { type: 'boolean' } } } } } },
        responses: { '200': json(ref('StoredFlagDefinition')), '404': error('Not found'), '412': error('Version conflict'), ...adminErrors },
      },
    },
    '/api/v1/environments/{env}/flags/{key}/rollout': {
      parameters: [envParam, keyParam],
      post: {
        summary: 'Percentage rollout',
        description:
          'Role: editor. Sets `defaultServe` to `{ split: [{ variant, percentage }, { variant: rest, percentage: 100 − percentage }] }`, keeping an existing split\'s bucketBy/salt/seed so raising the percentage only adds units. `variant` defaults to the variant whose value is `true` (or "on"); `rest` defaults to `offVariant` (or the other of two variants). Does not touch `enabled`.',
        security: [{ adminToken: [] }],
        parameters: [ifMatch],
        requestBody: body({
          type: 'object',
          required: ['percentage'],
          properties: { percentage: { type: 'number', minimum: 0, maximum: 100 }, variant: { type: 'string' }, rest: { type: 'string' } },
        }),
        responses: { '200': json(ref('StoredFlagDefinition')), '404': error('Not found'), '412': error('Version conflict'), ...adminErrors },
      },
    },
    '/api/v1/environments/{env}/flags/{key}/archive': {
      parameters: [envParam, keyParam],
      post: {
        summary: 'Archive a flag',
        description:
          'Role: editor. The flag leaves the served document (SDKs get FLAG_NOT_FOUND and use their defaults) but keeps its definition, versions and audit history. Refused (400) while other flags reference it. Writes to an archived flag are refused with 409 `archived` until it is restored; DELETE removes it for good.',
        security: [{ adminToken: [] }],
        parameters: [ifMatch],
        responses: { '200': json(ref('StoredFlagDefinition')), '404': error('Not found'), '412': error('Version conflict'), ...adminErrors },
      },
    },
    '/api/v1/environments/{env}/flags/{key}/restore': {
      parameters: [envParam, keyParam],
      post: {
        summary: 'Restore an archived flag',
        description: 'Role: editor. Puts the flag back into the served document, as it was.',
        security: [{ adminToken: [] }],
        parameters: [ifMatch],
        responses: { '200': json(ref('StoredFlagDefinition')), '404': error('Not found'), '412': error('Version conflict'), ...adminErrors },
      },
    },
    ...resourcePaths('segments', 'SegmentDefinition', 'segment'),
    '/api/v1/keys': {
      get: {
        summary: 'List active API keys (no secrets)',
        description: 'Role: admin. Optional `?environment=`.',
        security: [{ adminToken: [] }],
        responses: { '200': json({ type: 'object', properties: { keys: { type: 'array', items: ref('ApiKey') } } }), ...adminErrors },
      },
      post: {
        summary: 'Create an API key; the token is in this response only',
        description: 'Role: admin. `sdk` and `client` keys need `environment`; `admin` tokens need `role`.',
        security: [{ adminToken: [] }],
        requestBody: body({
          type: 'object',
          required: ['type', 'name'],
          properties: { type: { enum: ['sdk', 'client', 'admin'] }, name: { type: 'string' }, environment: { type: 'string' }, role: { enum: ['viewer', 'editor', 'admin'] } },
        }),
        responses: { '201': json({ allOf: [ref('ApiKey'), { type: 'object', properties: { token: { type: 'string' } } }] }), ...adminErrors },
      },
    },
    '/api/v1/keys/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
      delete: {
        summary: 'Revoke an API key',
        description: 'Role: admin. Takes effect at once on this instance and on notification elsewhere; streams opened with it are closed.',
        security: [{ adminToken: [] }],
        responses: { '204': { description: 'Revoked' }, '404': error('Not found'), ...adminErrors },
      },
    },
    '/api/v1/audit': {
      get: {
        summary: 'Query the audit log (newest first)',
        description: 'Role: viewer.',
        security: [{ adminToken: [] }],
        parameters: [
          ...['env', 'flag', 'segment', 'resourceType', 'actor'].map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } })),
          { name: 'action', in: 'query', required: false, description: 'Exact action or a prefix like `flag.*`', schema: { type: 'string' } },
          { name: 'since', in: 'query', required: false, schema: { type: 'string', format: 'date-time' } },
          { name: 'until', in: 'query', required: false, schema: { type: 'string', format: 'date-time' } },
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
          { name: 'cursor', in: 'query', required: false, description: '`nextCursor` of the previous page', schema: { type: 'string' } },
        ],
        responses: {
          '200': json({ type: 'object', properties: { entries: { type: 'array', items: ref('AuditEntry') }, nextCursor: { type: ['string', 'null'] } } }),
          ...adminErrors,
        },
      },
    },
  },
} as const;
