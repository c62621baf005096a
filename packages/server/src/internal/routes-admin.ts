import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseDefinitions } from '@halyard/core';
import type { FlagDefinition, JsonValue, SegmentDefinition, Serve, SplitServe } from '@halyard/core';
import type { Authenticator, Permission } from './auth';
import { HttpError, badRequest, conflict, invalidDefinitions, notFound, versionConflict } from './errors';
import { deepEqual, isPlainObject, mergePatch, parseEntityTags } from './json';
import type { ApiKey, KeyType, Role } from './keys';
import { ENV_KEY_PATTERN, type Actor, type ArchivedFilter, type ResourceChange, type ResourceKind, type StoredResource, type Store } from './store';
import {
  bodyObject,
  dateParam,
  describe,
  intParam,
  onlyFields,
  problem,
  queryParam,
  requiredBodyObject,
  resourceKey,
  resourceKeyField,
  stringField,
} from './validate';

export interface AdminRouteOptions {
  auth: Authenticator;
  store: Store;
  /** Largest accepted `PUT …/document` body (whole-environment imports). */
  documentBodyLimit: number;
  onChange: (request: FastifyRequest, actor: Actor, action: string, detail: Record<string, unknown>) => void;
}

type Params = { env?: string; key?: string; id?: string };

const ENV_RULE = 'use 1–63 characters from a–z, 0–9, "-", "_", starting with a letter or digit';

function envParam(request: FastifyRequest): string {
  const env = (request.params as Params).env ?? '';
  if (!ENV_KEY_PATTERN.test(env)) throw new HttpError(400, 'bad_request', `Invalid environment key ${JSON.stringify(env.slice(0, 60))}: ${ENV_RULE}`);
  return env;
}

const actorOf = (key: ApiKey): Actor => ({ id: key.id, name: key.name });

function setEtag(reply: FastifyReply, resource: { version: number } | undefined): void {
  if (resource) reply.header('etag', `"${resource.version}"`);
}

/** The If-Match contract shared by every write to an existing flag or segment. */
function checkIfMatch(request: FastifyRequest, current: { version: number } | undefined): void {
  const tags = parseEntityTags(request.headers['if-match']);
  if (tags === undefined) return;
  if (!current) throw versionConflict(null);
  if (tags !== '*' && !tags.includes(String(current.version))) throw versionConflict(current.version);
}

function definitionOf(body: Record<string, unknown>, what: string): Record<string, unknown> {
  const definition = body.definition;
  if (!isPlainObject(definition)) throw problem('$.definition', `must be the ${what} definition object, got ${describe(definition)}`);
  return definition;
}

export function registerAdminRoutes(app: FastifyInstance, options: AdminRouteOptions): void {
  const { auth, store } = options;
  const guard = (need: Permission) => async (request: FastifyRequest) => {
    (request as FastifyRequest & { apiKey?: ApiKey }).apiKey = await auth.check(request, need);
  };
  const keyOf = (request: FastifyRequest): ApiKey => (request as FastifyRequest & { apiKey?: ApiKey }).apiKey!;
  const viewer = { preHandler: guard('viewer') };
  const editor = { preHandler: guard('editor') };
  const admin = { preHandler: guard('admin') };
  const changed = (request: FastifyRequest, action: string, detail: Record<string, unknown>) =>
    options.onChange(request, actorOf(keyOf(request)), action, detail);

  app.get('/api/v1/me', viewer, async (request) => keyOf(request));

  // ---- environments ----
  app.get('/api/v1/environments', viewer, async () => ({ environments: await store.listEnvironments() }));

  app.post('/api/v1/environments', admin, async (request, reply) => {
    const body = requiredBodyObject(request.body, '{ "key": "qa", "name": "QA" }');
    onlyFields(body, ['key', 'name', 'copyFrom']);
    const key = stringField(body, 'key', { required: true, max: 63, pattern: ENV_KEY_PATTERN, rule: ENV_RULE });
    const name = stringField(body, 'name') ?? key;
    const copyFrom = stringField(body, 'copyFrom', { max: 63, pattern: ENV_KEY_PATTERN, rule: ENV_RULE });
    const env = await store.createEnvironment(actorOf(keyOf(request)), { key, name, ...(copyFrom !== undefined ? { copyFrom } : {}) });
    changed(request, 'environment.create', { env: key });
    return reply.code(201).header('location', `/api/v1/environments/${key}`).send(env);
  });

  app.get('/api/v1/environments/:env', viewer, async (request) => store.getEnvironment(envParam(request)));

  app.patch('/api/v1/environments/:env', admin, async (request) => {
    const env = envParam(request);
    const body = requiredBodyObject(request.body, '{ "name": "Production (EU)" }');
    onlyFields(body, ['name']);
    const result = await store.updateEnvironment(actorOf(keyOf(request)), env, { name: stringField(body, 'name', { required: true }) });
    changed(request, 'environment.update', { env });
    return result;
  });

  app.delete('/api/v1/environments/:env', admin, async (request, reply) => {
    const env = envParam(request);
    await store.deleteEnvironment(actorOf(keyOf(request)), env);
    changed(request, 'environment.delete', { env });
    return reply.code(204).send();
  });

  app.get('/api/v1/environments/:env/document', viewer, async (request, reply) => {
    const document = await store.getDocument(envParam(request));
    return reply.header('etag', `"${document.version}"`).send(document);
  });

  // ---- flags and segments share one shape ----
  const resourceRoutes = <T extends FlagDefinition | SegmentDefinition>(kind: ResourceKind, plural: 'flags' | 'segments') => {
    const base = `/api/v1/environments/:env/${plural}`;
    const keyParam = (request: FastifyRequest) => resourceKey((request.params as Params).key ?? '', kind);
    const write = async (
      request: FastifyRequest,
      reply: FastifyReply,
      decide: (current: StoredResource<T> | undefined) => ResourceChange<T>,
      created = 201,
    ) => {
      const env = envParam(request);
      const key = keyParam(request);
      let action = '';
      const result = await store.changeResource<T>(actorOf(keyOf(request)), kind, env, key, (current) => {
        const change = decide(current);
        if ('action' in change) action = change.action;
        return change;
      });
      if (result.changed) changed(request, action, { env, [kind]: key, version: result.resource?.version });
      if (!result.resource) return reply.code(204).send();
      setEtag(reply, result.resource);
      return reply.code(result.changed && action.endsWith('.create') ? created : 200).send(result.resource);
    };

    app.get(base, viewer, async (request) => {
      let archived: ArchivedFilter = 'exclude';
      if (kind === 'flag') {
        const value = queryParam(request.query, 'archived');
        if (value === 'true' || value === 'include') archived = 'include';
        else if (value === 'only') archived = 'only';
        else if (value !== undefined && value !== 'false' && value !== 'exclude') {
          throw badRequest('Query parameter "archived" must be "true" (include archived flags), "only" or "false" (the default)');
        }
      }
      return { [plural]: await store.listResources<T>(kind, envParam(request), archived) };
    });

    app.post(base, editor, async (request, reply) => {
      const body = requiredBodyObject(request.body, `{ "key": "new-checkout", "definition": { ... } }`);
      onlyFields(body, ['key', 'definition']);
      const key = resourceKeyField(body, kind);
      const definition = definitionOf(body, kind) as unknown as T;
      (request.params as Params).key = key;
      reply.header('location', `/api/v1/environments/${envParam(request)}/${plural}/${key}`);
      return write(request, reply, (current) => {
        if (current?.archivedAt !== undefined) {
          throw new HttpError(409, 'archived', `Flag "${key}" exists but is archived; restore it (POST …/flags/${key}/restore) or delete it before creating it again`);
        }
        if (current) throw conflict(`${kind === 'flag' ? 'Flag' : 'Segment'} "${key}" already exists (version ${current.version}); use PUT or PATCH to change it`);
        return { action: `${kind}.create`, definition };
      });
    });

    app.get(`${base}/:key`, viewer, async (request, reply) => {
      const resource = await store.getResource<T>(kind, envParam(request), keyParam(request));
      setEtag(reply, resource);
      return resource;
    });

    // Full replacement. Replacing an existing resource requires If-Match: a PUT is a read-modify-write, and
    // without the version it would silently overwrite a concurrent editor's change.
    app.put(`${base}/:key`, editor, async (request, reply) => {
      const body = requiredBodyObject(request.body, '{ "definition": { ... } }');
      // Read-only fields of a GET response may come back unchanged; they are ignored.
      onlyFields(body, ['definition', 'key', 'environment', 'version', 'createdAt', 'updatedAt']);
      const definition = definitionOf(body, kind) as unknown as T;
      const ifNoneMatch = parseEntityTags(request.headers['if-none-match']);
      return write(request, reply, (current) => {
        if (current) {
          if (ifNoneMatch === '*') throw versionConflict(current.version);
          if (request.headers['if-match'] === undefined) {
            throw new HttpError(
              428,
              'precondition_required',
              `Replacing an existing ${kind} needs If-Match with its current version (ETag "${current.version}"), so concurrent edits are never overwritten; use PATCH or toggle for a blind change`,
              { currentVersion: current.version },
            );
          }
          checkIfMatch(request, current);
          if (deepEqual(current.definition, definition)) return { unchanged: true };
          return { action: `${kind}.update`, definition };
        }
        checkIfMatch(request, current);
        return { action: `${kind}.create`, definition };
      });
    });

    // JSON merge patch (RFC 7396) of the definition: `{ "enabled": false }`, `{ "description": null }` removes it.
    app.patch(`${base}/:key`, editor, async (request, reply) => {
      const patch = requiredBodyObject(request.body, '{ "description": "…" } (a JSON merge patch of the definition)');
      return write(request, reply, (current) => {
        if (!current) throw notFound(`${kind === 'flag' ? 'Flag' : 'Segment'} "${keyParam(request)}" in environment "${envParam(request)}"`);
        checkIfMatch(request, current);
        const definition = mergePatch(current.definition, patch) as T;
        if (deepEqual(current.definition, definition)) return { unchanged: true };
        return { action: `${kind}.update`, definition };
      });
    });

    app.delete(`${base}/:key`, editor, async (request, reply) =>
      write(request, reply, (current) => {
        if (!current) throw notFound(`${kind === 'flag' ? 'Flag' : 'Segment'} "${keyParam(request)}" in environment "${envParam(request)}"`);
        checkIfMatch(request, current);
        return { action: `${kind}.delete`, delete: true };
      }),
    );

    return { write, keyParam };
  };

  const flags = resourceRoutes<FlagDefinition>('flag', 'flags');
  resourceRoutes<SegmentDefinition>('segment', 'segments');

  const existingFlag = (request: FastifyRequest, current: StoredResource<FlagDefinition> | undefined): StoredResource<FlagDefinition> => {
    if (!current) throw notFound(`Flag "${flags.keyParam(request)}" in environment "${envParam(request)}"`);
    checkIfMatch(request, current);
    return current;
  };

  // The kill switch: one call, no read first. `{ "enabled": false }` sets it; an empty body flips it.
  app.post('/api/v1/environments/:env/flags/:key/toggle', editor, async (request, reply) => {
    const body = bodyObject(request.body, '{ "enabled": false }');
    onlyFields(body, ['enabled']);
    if (body.enabled !== undefined && typeof body.enabled !== 'boolean') throw problem('$.enabled', `must be true or false, got ${describe(body.enabled)}`);
    const enabled = body.enabled as boolean | undefined;
    return flags.write(request, reply, (found) => {
      const current = existingFlag(request, found);
      const next = enabled ?? !current.definition.enabled;
      if (current.definition.enabled === next) return { unchanged: true };
      return { action: 'flag.toggle', definition: { ...current.definition, enabled: next } };
    });
  });

  // Percentage rollout in one call: defaultServe becomes [{ variant, percentage }, { rest, 100 − percentage }].
  // The split keeps bucketBy/salt/seed, so raising the percentage only ever adds units.
  app.post('/api/v1/environments/:env/flags/:key/rollout', editor, async (request, reply) => {
    const body = requiredBodyObject(request.body, '{ "percentage": 25 }');
    onlyFields(body, ['percentage', 'variant', 'rest']);
    const percentage = body.percentage;
    if (typeof percentage !== 'number' || !Number.isFinite(percentage) || percentage < 0 || percentage > 100) {
      throw problem('$.percentage', `must be a number from 0 to 100, got ${describe(percentage)}`);
    }
    if (Math.round(percentage * 1000) !== percentage * 1000) throw problem('$.percentage', 'has more than 3 decimals; the resolution is 0.001 %');
    const variantInput = stringField(body, 'variant');
    const restInput = stringField(body, 'rest');
    return flags.write(request, reply, (found) => {
      const current = existingFlag(request, found);
      const definition = current.definition;
      const variantKeys = Object.keys(isPlainObject(definition.variants) ? definition.variants : {});
      const variant =
        variantInput ??
        variantKeys.find((k) => (definition.variants as Record<string, JsonValue>)[k] === true) ??
        (variantKeys.includes('on') ? 'on' : undefined);
      if (variant === undefined) throw problem('$.variant', 'is required: this flag has no variant with the value true (or named "on") to roll out');
      const rest = restInput ?? (definition.offVariant !== variant ? definition.offVariant : variantKeys.length === 2 ? variantKeys.find((k) => k !== variant) : undefined);
      if (rest === undefined) throw problem('$.rest', 'is required: name the variant everyone outside the rollout gets');
      if (rest === variant) throw problem('$.rest', 'must differ from "variant"');
      const previous: Serve = definition.defaultServe;
      const keep: Partial<SplitServe> = {};
      if (isPlainObject(previous) && 'split' in previous) {
        const split = previous as SplitServe;
        if (split.bucketBy !== undefined) keep.bucketBy = split.bucketBy;
        if (split.salt !== undefined) keep.salt = split.salt;
        if (split.seed !== undefined) keep.seed = split.seed;
      }
      const defaultServe: SplitServe = {
        split: [
          { variant, percentage },
          { variant: rest, percentage: Math.round((100 - percentage) * 1000) / 1000 },
        ],
        ...keep,
      };
      if (deepEqual(definition.defaultServe, defaultServe)) return { unchanged: true };
      return { action: 'flag.rollout', definition: { ...definition, defaultServe } };
    });
  });

  // Archive: the flag leaves the served document (SDKs get FLAG_NOT_FOUND and their defaults) but keeps its
  // definition, versions and audit history. Refused while other flags still reference it.
  app.post('/api/v1/environments/:env/flags/:key/archive', editor, async (request, reply) => {
    onlyFields(bodyObject(request.body, '{}'), []);
    return flags.write(request, reply, (found) => {
      const current = existingFlag(request, found);
      if (current.archivedAt !== undefined) return { unchanged: true };
      return { action: 'flag.archive', archive: true };
    });
  });

  app.post('/api/v1/environments/:env/flags/:key/restore', editor, async (request, reply) => {
    onlyFields(bodyObject(request.body, '{}'), []);
    return flags.write(request, reply, (found) => {
      const current = existingFlag(request, found);
      if (current.archivedAt === undefined) return { unchanged: true };
      return { action: 'flag.restore', restore: true };
    });
  });

  // ---- whole documents (import, GitOps) ----
  // Replaces (or merges into) the environment's flags and segments in one validated, audited transaction.
  app.put('/api/v1/environments/:env/document', { ...editor, bodyLimit: options.documentBodyLimit }, async (request, reply) => {
    const env = envParam(request);
    const q = request.query;
    for (const name of Object.keys(isPlainObject(q) ? q : {})) {
      if (name !== 'mode' && name !== 'dryRun') throw badRequest(`Unknown query parameter "${name.slice(0, 40)}"; use mode, dryRun`);
    }
    const mode = queryParam(q, 'mode') ?? 'replace';
    if (mode !== 'replace' && mode !== 'merge') throw badRequest('Query parameter "mode" must be "replace" (the default: the environment becomes the document) or "merge" (create or replace the given flags and segments, keep the others)');
    const dryRunText = queryParam(q, 'dryRun');
    if (dryRunText !== undefined && dryRunText !== 'true' && dryRunText !== 'false') throw badRequest('Query parameter "dryRun" must be "true" or "false"');
    const body = requiredBodyObject(request.body, '{ "schemaVersion": 1, "flags": { … }, "segments": { … } }');
    // Problems carry the paths of the document as sent, so they point into the user's file.
    const checked = parseDefinitions(mode === 'replace' ? body : { ...body, flags: {}, segments: {} });
    if (!checked.ok) throw invalidDefinitions(checked.problems);
    if (!isPlainObject(body.flags)) throw invalidDefinitions([{ path: '$.flags', message: `"flags" is required and must be an object of flags keyed by flag key, got ${describe(body.flags)}` }]);
    if (body.segments !== undefined && !isPlainObject(body.segments)) {
      throw invalidDefinitions([{ path: '$.segments', message: `"segments" must be an object of named segments, got ${describe(body.segments)}` }]);
    }
    const ifMatch = parseEntityTags(request.headers['if-match']);
    const result = await store.writeDocument(
      actorOf(keyOf(request)),
      env,
      { flags: body.flags as Record<string, FlagDefinition>, segments: (body.segments ?? {}) as Record<string, SegmentDefinition> },
      { mode, dryRun: dryRunText === 'true', ...(ifMatch !== undefined ? { ifMatch } : {}) },
    );
    if (result.changed && !result.dryRun) changed(request, 'document.write', { env, mode, version: result.version });
    return reply.header('etag', `"${result.version}"`).send(result);
  });

  // ---- API keys ----
  app.get('/api/v1/keys', admin, async (request) => {
    const environment = queryParam(request.query, 'environment');
    return { keys: await store.listKeys(environment === undefined ? {} : { environment }) };
  });

  app.post('/api/v1/keys', admin, async (request, reply) => {
    const body = requiredBodyObject(request.body, '{ "type": "sdk", "environment": "production", "name": "checkout service" }');
    onlyFields(body, ['type', 'name', 'environment', 'role']);
    const type = body.type;
    if (type !== 'sdk' && type !== 'client' && type !== 'admin') throw problem('$.type', `must be "sdk", "client" or "admin", got ${describe(type)}`);
    const name = stringField(body, 'name', { required: true });
    let environment: string | undefined;
    let role: Role | undefined;
    if (type === 'admin') {
      if (body.environment !== undefined) throw problem('$.environment', 'admin tokens are not bound to an environment; remove it');
      role = body.role as Role;
      if (role !== 'viewer' && role !== 'editor' && role !== 'admin') throw problem('$.role', `must be "viewer", "editor" or "admin", got ${describe(body.role)}`);
    } else {
      if (body.role !== undefined) throw problem('$.role', 'only admin tokens have a role; remove it');
      environment = stringField(body, 'environment', { required: true, max: 63, pattern: ENV_KEY_PATTERN, rule: ENV_RULE });
    }
    const created = await store.createApiKey(actorOf(keyOf(request)), {
      type: type as KeyType,
      name,
      ...(environment !== undefined ? { environment } : {}),
      ...(role !== undefined ? { role } : {}),
    });
    changed(request, 'key.create', { id: created.key.id, type });
    // The token is shown exactly once: only its hash is stored.
    return reply.code(201).send({ ...created.key, token: created.token });
  });

  app.delete('/api/v1/keys/:id', admin, async (request, reply) => {
    const id = (request.params as Params).id ?? '';
    if (!/^[0-9a-f-]{36}$/.test(id)) throw notFound(`API key "${id.slice(0, 60)}"`);
    await store.revokeApiKey(actorOf(keyOf(request)), id);
    changed(request, 'key.revoke', { id });
    return reply.code(204).send();
  });

  // ---- audit log ----
  app.get('/api/v1/audit', viewer, async (request) => {
    const q = request.query;
    const allowed = ['env', 'environment', 'flag', 'segment', 'resourceType', 'actor', 'action', 'cursor', 'since', 'until', 'limit'];
    for (const name of Object.keys(isPlainObject(q) ? q : {})) {
      if (!allowed.includes(name)) throw badRequest(`Unknown query parameter "${name.slice(0, 40)}"; use ${allowed.join(', ')}`);
    }
    const read = (name: string, max = 200) => {
      const value = queryParam(q, name);
      if (value !== undefined && (value.length === 0 || value.length > max)) throw badRequest(`Query parameter "${name}" must be 1–${max} characters`);
      return value;
    };
    const since = dateParam(q, 'since');
    const until = dateParam(q, 'until');
    const filters = {
      environment: read('env') ?? read('environment'),
      flag: read('flag'),
      segment: read('segment'),
      resourceType: read('resourceType'),
      actor: read('actor'),
      action: read('action'),
      cursor: read('cursor', 20),
    };
    return store.queryAudit({
      ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined)),
      ...(since ? { since } : {}),
      ...(until ? { until } : {}),
      limit: intParam(q, 'limit', 50, 1, 500),
    });
  });
}
