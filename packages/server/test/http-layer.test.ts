import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFastify, registerApi } from '../src/internal/http/app';
import { Authenticator } from '../src/internal/http/authentication';
import { AuthFailureLimiter } from '../src/internal/keys';
import type { HalyardServer } from '../src/index';
import { booleanFlag, call, createKey, createStorage, startServer, type TestStorage } from './helpers';
import { openServiceHarness, type ServiceHarness } from './service-harness';

describe('/openapi.json', () => {
  let harness: ServiceHarness;
  const routes: RouteOptions[] = [];
  let document: any;

  // The real HTTP layer over the real services on PGlite, with an onRoute hook installed first to see every route.
  beforeAll(async () => {
    harness = await openServiceHarness();
    const app = createFastify({ logger: { level: 'silent' }, bodyLimit: 1024 * 1024, trustProxy: false, fastPath: () => undefined });
    app.addHook('onRoute', (route) => {
      routes.push(route);
    });
    await registerApi(app, harness.services, new Authenticator(harness.keys, new AuthFailureLimiter(0)), {
      corsOrigins: '*',
      evaluateBodyLimit: 64 * 1024,
      documentBodyLimit: 16 * 1024 * 1024,
      health: { database: 'pglite', ping: async () => {}, streams: () => 0 },
      onError: () => {},
    });
    const response = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    document = response.json();
    await app.close();
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('is an OpenAPI 3.1 document whose references all resolve', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(Object.keys(document.paths).length).toBeGreaterThan(20);
    const schemes = Object.keys(document.components.securitySchemes);
    const refs = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node !== null && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref' && typeof value === 'string') refs.add(value);
          else walk(value);
        }
      }
    };
    walk(document.paths);
    walk(document.components.schemas);
    expect(refs.size).toBeGreaterThan(5);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(document.components.schemas[ref.slice('#/components/schemas/'.length)], ref).toBeDefined();
    }
    for (const [path, item] of Object.entries<Record<string, any>>(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        expect(operation.responses, `${method} ${path}`).toEqual(expect.any(Object));
        expect(Object.keys(operation.responses).length, `${method} ${path}`).toBeGreaterThan(0);
        for (const requirement of operation.security ?? []) for (const scheme of Object.keys(requirement)) expect(schemes).toContain(scheme);
      }
    }
  });

  it('covers every registered route, with its security and path parameters', () => {
    const declared = routes.filter((route) => route.method !== 'HEAD');
    expect(declared.length).toBeGreaterThan(30);
    for (const route of declared) {
      const path = route.url.replace(/:(\w+)/g, '{$1}');
      for (const method of [route.method].flat()) {
        const operation = document.paths[path]?.[method.toLowerCase()];
        expect(operation, `${method} ${route.url}`).toBeDefined();
        if (route.config?.auth) expect(operation.security, `${method} ${route.url}`).toEqual(expect.any(Array));
        for (const [, name] of route.url.matchAll(/:(\w+)/g)) {
          expect(operation.parameters.some((p: { in: string; name: string }) => p.in === 'path' && p.name === name), `${method} ${route.url} {${name}}`).toBe(true);
        }
      }
    }
    // Admin writes document their role, request body and conditional headers.
    const toggle = document.paths['/api/v1/environments/{env}/flags/{key}/toggle'].post;
    expect(toggle.description).toMatch(/^Role: editor\./);
    expect(toggle.security).toEqual([{ adminToken: [] }]);
    expect(toggle.requestBody.required).toBe(false);
    // Error answers are documented (not compiled into serialisers): the route's own and authentication's.
    expect(Object.keys(toggle.responses)).toEqual(expect.arrayContaining(['200', '401', '403', '404', '409', '412', '429']));
    expect(toggle.responses['412'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
    expect(toggle.parameters.some((p: { in: string; name: string }) => p.in === 'header' && p.name === 'if-match')).toBe(true);
    expect(document.paths['/ofrep/v1/evaluate/flags'].post.security).toEqual([{ clientKey: [] }, { sdkKey: [] }, { apiKeyHeader: [] }]);
    expect(document.paths['/api/v1/environments/{env}/flags'].post.requestBody.required).toBe(true);
  });
});

describe('HTTP layer over a running server', () => {
  let storage: TestStorage;
  let server: HalyardServer;
  let base: string;
  let admin: string;
  let client: string;
  const flags = '/api/v1/environments/development/flags';

  beforeAll(async () => {
    storage = createStorage('postgres');
    server = await startServer(storage, { authFailureLimit: 0 });
    base = server.url;
    admin = server.bootstrapToken!;
    client = await createKey(base, admin, { type: 'client', environment: 'development', name: 'browser' });
    expect((await call(base, 'POST', flags, { token: admin, body: { key: 'layered', definition: booleanFlag() } })).status).toBe(201);
  });

  afterAll(async () => {
    await server?.close();
    await storage?.drop();
  });

  it('answers schema-invalid requests with 400, the field path and the reason', async () => {
    const cases: Array<{ method: string; path: string; body?: unknown; token?: string; problem: { path: string; message: RegExp } }> = [
      { method: 'POST', path: `${flags}/layered/rollout`, body: { percentage: '50' }, problem: { path: '$.percentage', message: /must be a number, got the string "50"/ } },
      { method: 'POST', path: `${flags}/layered/rollout`, body: { percentage: 150 }, problem: { path: '$.percentage', message: /from 0 to 100/ } },
      { method: 'POST', path: `${flags}/layered/rollout`, body: {}, problem: { path: '$.percentage', message: /is required/ } },
      { method: 'POST', path: flags, body: { key: 'a', definition: booleanFlag(), extra: 1 }, problem: { path: '$.extra', message: /unknown field; allowed: key, definition/ } },
      { method: 'POST', path: flags, body: { key: '../etc', definition: booleanFlag() }, problem: { path: '$.key', message: /1–200 characters/ } },
      { method: 'POST', path: flags, body: [1, 2], problem: { path: '$', message: /must be an object like \{"key":"new-checkout"/ } },
      { method: 'POST', path: `${flags}/layered/toggle`, body: { enabled: 'false' }, problem: { path: '$.enabled', message: /must be a boolean, got the string "false"/ } },
      { method: 'POST', path: '/sdk/v1/evaluate', token: client, body: { context: [1] }, problem: { path: '$.context', message: /must be an object, got an array/ } },
      { method: 'POST', path: '/api/v1/keys', body: { type: 'root', name: 'x' }, problem: { path: '$.type', message: /must be one of "sdk", "client", "admin", got the string "root"/ } },
      { method: 'POST', path: '/api/v1/keys', body: { type: 'admin', name: 'x' }, problem: { path: '$.role', message: /is required for admin tokens/ } },
      { method: 'GET', path: '/api/v1/audit?limit=0', problem: { path: 'query.limit', message: /from 1 to 500/ } },
      { method: 'GET', path: '/api/v1/audit?since[]=1', problem: { path: 'query["since[]"]', message: /unknown field/ } },
      { method: 'GET', path: '/api/v1/environments/DEV!/flags', problem: { path: 'params.env', message: /1–63 characters/ } },
    ];
    for (const c of cases) {
      const response = await call(base, c.method, c.path, { token: c.token ?? admin, body: c.body });
      const label = `${c.method} ${c.path} ${JSON.stringify(c.body)} → ${JSON.stringify(response.body)}`;
      expect(response.status, label).toBe(400);
      expect(response.body.error.code, label).toBe('bad_request');
      expect(response.body.error.problems, label).toEqual([{ path: c.problem.path, message: expect.stringMatching(c.problem.message) }]);
      expect(response.body.error.message, label).toBe(`${c.problem.path}: ${response.body.error.problems[0].message}`);
    }
  });

  it('answers audit dates outside years 0001–9999 with 400, not 500 (issue #17, 3)', async () => {
    for (const since of ['0000-01-01', '-271821-04-20T00:00:00Z', '+275760-09-13T00:00:00Z']) {
      const response = await call(base, 'GET', `/api/v1/audit?since=${encodeURIComponent(since)}`, { token: admin });
      expect(response.status, since).toBe(400);
      expect(response.body.error.problems[0].path).toBe('query.since');
    }
    expect((await call(base, 'GET', '/api/v1/audit?since=2020-01-01&until=9999-12-31T00:00:00Z', { token: admin })).status).toBe(200);
  });

  it('says who changed a resource when a conditional write is stale', async () => {
    await call(base, 'POST', `${flags}/layered/toggle`, { token: admin, body: { enabled: false } });
    const stale = await call(base, 'POST', `${flags}/layered/toggle`, { token: admin, headers: { 'if-match': '"1"' }, body: { enabled: true } });
    expect(stale.status).toBe(412);
    expect(stale.body.error).toMatchObject({ code: 'version_conflict', currentVersion: 2, lastChange: { actor: 'bootstrap admin', action: 'flag.toggle', at: expect.any(String) } });
  });
});

describe('authentication before the body (issue #17, 1)', () => {
  let storage: TestStorage;
  let server: HalyardServer;

  beforeAll(async () => {
    storage = createStorage('postgres');
    server = await startServer(storage, { authFailureLimit: 3 });
  });

  afterAll(async () => {
    await server?.close();
    await storage?.drop();
  });

  it('refuses an unauthenticated body before reading it, and counts missing credentials toward the limit', async () => {
    // Before, the body was parsed first: a broken body without credentials got 400 invalid_json, a big one took
    // the event loop for seconds. Now the headers alone decide: 401, the body never parsed.
    const path = '/api/v1/environments/development/document';
    const broken = `{"schemaVersion":1,"flags":{${'"k":{},'.repeat(200_000)}`;
    const refused = await call(server.url, 'PUT', path, { rawBody: broken, headers: { 'content-type': 'application/json' } });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('unauthorized');
    const viewer = await createKey(server.url, server.bootstrapToken!, { type: 'admin', role: 'viewer', name: 'viewer' });
    const forbidden = await call(server.url, 'PUT', path, { token: viewer, rawBody: broken, headers: { 'content-type': 'application/json' } });
    expect(forbidden.status).toBe(403);

    // Two more requests without credentials: the third missing-token failure blocks the address.
    expect((await call(server.url, 'GET', '/api/v1/environments')).status).toBe(401);
    expect((await call(server.url, 'GET', '/sdk/v1/definitions')).status).toBe(401);
    // (The viewer's 403 is not a failed authentication: the key was valid.)
    const limited = await call(server.url, 'GET', '/api/v1/environments', { token: server.bootstrapToken! });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('too_many_failed_attempts');
  });
});
