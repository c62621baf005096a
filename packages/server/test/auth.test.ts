import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HalyardServer } from '../src/index';
import { BACKENDS, booleanFlag, call, createKey, createStorage, startServer, type TestStorage } from './helpers';

type Principal = 'none' | 'invalid' | 'sdk' | 'client' | 'viewer' | 'editor' | 'admin';
const PRINCIPALS: Principal[] = ['none', 'invalid', 'sdk', 'client', 'viewer', 'editor', 'admin'];
const VIEWER_UP: Principal[] = ['viewer', 'editor', 'admin'];
const EDITOR_UP: Principal[] = ['editor', 'admin'];

interface Endpoint {
  method: string;
  /** Builds the request; may prepare state first with the admin token (runs for every principal). */
  prepare: (ctx: Ctx) => Promise<{ path: string; body?: unknown; headers?: Record<string, string> }>;
  allowed: Principal[];
  stream?: boolean;
  /** OFREP answers errors with `{ errorDetails }` instead of `{ error: { code } }`. */
  ofrep?: boolean;
}

interface Ctx {
  base: string;
  admin: string;
  n: () => number;
}

const F = '/api/v1/environments/development/flags';
const S = '/api/v1/environments/development/segments';

async function seedFlag(ctx: Ctx): Promise<string> {
  const key = `m-flag-${ctx.n()}`;
  const r = await call(ctx.base, 'POST', F, { token: ctx.admin, body: { key, definition: booleanFlag() } });
  if (r.status !== 201) throw new Error(`seed flag: ${r.status}`);
  return key;
}
async function seedSegment(ctx: Ctx): Promise<string> {
  const key = `m-seg-${ctx.n()}`;
  const r = await call(ctx.base, 'POST', S, { token: ctx.admin, body: { key, definition: { included: ['u'] } } });
  if (r.status !== 201) throw new Error(`seed segment: ${r.status}`);
  return key;
}
async function seedEnv(ctx: Ctx): Promise<string> {
  const key = `m-env-${ctx.n()}`;
  const r = await call(ctx.base, 'POST', '/api/v1/environments', { token: ctx.admin, body: { key } });
  if (r.status !== 201) throw new Error(`seed env: ${r.status}`);
  return key;
}

/** Every endpoint of the service with the principals allowed to call it; everyone else gets 401 (no/invalid key) or 403. */
const ENDPOINTS: Record<string, Endpoint> = {
  'GET /sdk/v1/definitions': { method: 'GET', prepare: async () => ({ path: '/sdk/v1/definitions' }), allowed: ['sdk'] },
  'GET /sdk/v1/stream': { method: 'GET', prepare: async () => ({ path: '/sdk/v1/stream' }), allowed: ['sdk'], stream: true },
  'POST /sdk/v1/evaluate': { method: 'POST', prepare: async () => ({ path: '/sdk/v1/evaluate', body: { context: { userId: 'u' } } }), allowed: ['sdk', 'client'] },
  'POST /ofrep/v1/evaluate/flags/:key': {
    method: 'POST',
    prepare: async (c) => ({ path: `/ofrep/v1/evaluate/flags/${await seedFlag(c)}`, body: { context: { targetingKey: 'u' } } }),
    allowed: ['sdk', 'client'],
    ofrep: true,
  },
  'POST /ofrep/v1/evaluate/flags': { method: 'POST', prepare: async () => ({ path: '/ofrep/v1/evaluate/flags', body: { context: {} } }), allowed: ['sdk', 'client'], ofrep: true },
  'GET /api/v1/me': { method: 'GET', prepare: async () => ({ path: '/api/v1/me' }), allowed: VIEWER_UP },
  'GET /api/v1/environments': { method: 'GET', prepare: async () => ({ path: '/api/v1/environments' }), allowed: VIEWER_UP },
  'POST /api/v1/environments': { method: 'POST', prepare: async (c) => ({ path: '/api/v1/environments', body: { key: `m-new-${c.n()}` } }), allowed: ['admin'] },
  'GET /api/v1/environments/:env': { method: 'GET', prepare: async () => ({ path: '/api/v1/environments/development' }), allowed: VIEWER_UP },
  'PATCH /api/v1/environments/:env': {
    method: 'PATCH',
    prepare: async (c) => ({ path: '/api/v1/environments/staging', body: { name: `Staging ${c.n()}` } }),
    allowed: ['admin'],
  },
  'DELETE /api/v1/environments/:env': { method: 'DELETE', prepare: async (c) => ({ path: `/api/v1/environments/${await seedEnv(c)}` }), allowed: ['admin'] },
  'GET /api/v1/environments/:env/document': { method: 'GET', prepare: async () => ({ path: '/api/v1/environments/development/document' }), allowed: VIEWER_UP },
  'GET flags': { method: 'GET', prepare: async () => ({ path: F }), allowed: VIEWER_UP },
  'POST flags': { method: 'POST', prepare: async (c) => ({ path: F, body: { key: `m-new-flag-${c.n()}`, definition: booleanFlag() } }), allowed: EDITOR_UP },
  'GET flag': { method: 'GET', prepare: async (c) => ({ path: `${F}/${await seedFlag(c)}` }), allowed: VIEWER_UP },
  'PUT flag': {
    method: 'PUT',
    prepare: async (c) => ({ path: `${F}/${await seedFlag(c)}`, body: { definition: booleanFlag(false) }, headers: { 'if-match': '"1"' } }),
    allowed: EDITOR_UP,
  },
  'PATCH flag': { method: 'PATCH', prepare: async (c) => ({ path: `${F}/${await seedFlag(c)}`, body: { owner: 'x' } }), allowed: EDITOR_UP },
  'DELETE flag': { method: 'DELETE', prepare: async (c) => ({ path: `${F}/${await seedFlag(c)}` }), allowed: EDITOR_UP },
  'POST flag toggle': { method: 'POST', prepare: async (c) => ({ path: `${F}/${await seedFlag(c)}/toggle`, body: { enabled: false } }), allowed: EDITOR_UP },
  'POST flag rollout': { method: 'POST', prepare: async (c) => ({ path: `${F}/${await seedFlag(c)}/rollout`, body: { percentage: 30 } }), allowed: EDITOR_UP },
  'POST flag archive': { method: 'POST', prepare: async (c) => ({ path: `${F}/${await seedFlag(c)}/archive` }), allowed: EDITOR_UP },
  'POST flag restore': {
    method: 'POST',
    prepare: async (c) => {
      const key = await seedFlag(c);
      const r = await call(c.base, 'POST', `${F}/${key}/archive`, { token: c.admin });
      if (r.status !== 200) throw new Error(`archive: ${r.status}`);
      return { path: `${F}/${key}/restore` };
    },
    allowed: EDITOR_UP,
  },
  'PUT /api/v1/environments/:env/document': {
    method: 'PUT',
    prepare: async (c) => ({
      path: '/api/v1/environments/development/document?mode=merge',
      body: { schemaVersion: 1, flags: { [`m-doc-flag-${c.n()}`]: booleanFlag() } },
    }),
    allowed: EDITOR_UP,
  },
  'GET segments': { method: 'GET', prepare: async () => ({ path: S }), allowed: VIEWER_UP },
  'POST segments': { method: 'POST', prepare: async (c) => ({ path: S, body: { key: `m-new-seg-${c.n()}`, definition: {} } }), allowed: EDITOR_UP },
  'GET segment': { method: 'GET', prepare: async (c) => ({ path: `${S}/${await seedSegment(c)}` }), allowed: VIEWER_UP },
  'PUT segment': {
    method: 'PUT',
    prepare: async (c) => ({ path: `${S}/${await seedSegment(c)}`, body: { definition: { included: ['v'] } }, headers: { 'if-match': '"1"' } }),
    allowed: EDITOR_UP,
  },
  'PATCH segment': { method: 'PATCH', prepare: async (c) => ({ path: `${S}/${await seedSegment(c)}`, body: { excluded: ['w'] } }), allowed: EDITOR_UP },
  'DELETE segment': { method: 'DELETE', prepare: async (c) => ({ path: `${S}/${await seedSegment(c)}` }), allowed: EDITOR_UP },
  'GET /api/v1/keys': { method: 'GET', prepare: async () => ({ path: '/api/v1/keys' }), allowed: ['admin'] },
  'POST /api/v1/keys': {
    method: 'POST',
    prepare: async () => ({ path: '/api/v1/keys', body: { type: 'client', environment: 'development', name: 'matrix' } }),
    allowed: ['admin'],
  },
  'DELETE /api/v1/keys/:id': {
    method: 'DELETE',
    prepare: async (c) => {
      const r = await call(c.base, 'POST', '/api/v1/keys', { token: c.admin, body: { type: 'client', environment: 'development', name: 'doomed' } });
      return { path: `/api/v1/keys/${r.body.id}` };
    },
    allowed: ['admin'],
  },
  'GET /api/v1/audit': { method: 'GET', prepare: async () => ({ path: '/api/v1/audit?limit=5' }), allowed: VIEWER_UP },
};

describe.each(BACKENDS)('authorization matrix on %s', (backend) => {
  let storage: TestStorage;
  let server: HalyardServer;
  const tokens = {} as Record<Principal, string | undefined>;
  let ctx: Ctx;
  let counter = 0;

  beforeAll(async () => {
    storage = createStorage(backend);
    server = await startServer(storage, { authFailureLimit: 0 });
    const admin = server.bootstrapToken!;
    ctx = { base: server.url, admin, n: () => ++counter };
    tokens.none = undefined;
    tokens.invalid = 'hy_admin_this-is-not-a-real-token-000000000000000000';
    tokens.admin = admin;
    tokens.editor = await createKey(server.url, admin, { type: 'admin', role: 'editor', name: 'editor' });
    tokens.viewer = await createKey(server.url, admin, { type: 'admin', role: 'viewer', name: 'viewer' });
    tokens.sdk = await createKey(server.url, admin, { type: 'sdk', environment: 'development', name: 'sdk' });
    tokens.client = await createKey(server.url, admin, { type: 'client', environment: 'development', name: 'client' });
  });

  afterAll(async () => {
    await server?.close();
    await storage?.drop();
  });

  const cases = Object.entries(ENDPOINTS).flatMap(([name, endpoint]) => PRINCIPALS.map((principal) => [name, principal, endpoint] as const));

  it.each(cases)('%s as %s', async (_name, principal, endpoint) => {
    const request = await endpoint.prepare(ctx);
    const expected = endpoint.allowed.includes(principal) ? 'ok' : principal === 'none' || principal === 'invalid' ? 401 : 403;
    let status: number;
    let body: any;
    if (endpoint.stream) {
      const controller = new AbortController();
      const response = await fetch(server.url + request.path, {
        headers: tokens[principal] ? { authorization: `Bearer ${tokens[principal]}` } : {},
        signal: controller.signal,
      });
      status = response.status;
      body = status === 200 ? undefined : await response.json();
      controller.abort();
    } else {
      const response = await call(server.url, endpoint.method, request.path, { token: tokens[principal], body: request.body, headers: request.headers ?? {} });
      status = response.status;
      body = response.body;
    }
    if (expected === 'ok') {
      expect(status, JSON.stringify(body)).toBeGreaterThanOrEqual(200);
      expect(status, JSON.stringify(body)).toBeLessThan(300);
    } else {
      expect(status, JSON.stringify(body)).toBe(expected);
      if (endpoint.ofrep) expect(body.errorDetails).toEqual(expect.any(String));
      else expect(body.error.code).toBe(expected === 401 ? 'unauthorized' : 'forbidden');
    }
  });

  it('writes nothing when a request is refused', async () => {
    const before = (await call(server.url, 'GET', '/api/v1/audit?limit=500', { token: tokens.admin })).body.entries.length;
    for (const principal of ['sdk', 'client', 'viewer'] as const) {
      await call(server.url, 'POST', F, { token: tokens[principal], body: { key: `refused-${principal}`, definition: booleanFlag() } });
      await call(server.url, 'POST', '/api/v1/keys', { token: tokens[principal], body: { type: 'admin', role: 'admin', name: 'escalate' } });
    }
    await call(server.url, 'POST', '/api/v1/keys', { token: tokens.editor, body: { type: 'admin', role: 'admin', name: 'escalate' } });
    const after = (await call(server.url, 'GET', '/api/v1/audit?limit=500', { token: tokens.admin })).body.entries.length;
    expect(after).toBe(before);
  });
});

describe('failed-authentication rate limit', () => {
  let storage: TestStorage;
  let server: HalyardServer;

  beforeAll(async () => {
    storage = createStorage('postgres');
    server = await startServer(storage, { authFailureLimit: 5 });
  });

  afterAll(async () => {
    await server?.close();
    await storage?.drop();
  });

  it('answers 429 with Retry-After after too many failures from one address, even for valid keys', async () => {
    const admin = server.bootstrapToken!;
    for (let i = 0; i < 5; i++) {
      expect((await call(server.url, 'GET', '/api/v1/environments', { token: `hy_admin_wrong-${i}` })).status).toBe(401);
    }
    const limited = await call(server.url, 'GET', '/api/v1/environments', { token: 'hy_admin_wrong-again' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body.error.code).toBe('too_many_failed_attempts');
    expect((await call(server.url, 'GET', '/api/v1/environments', { token: admin })).status).toBe(429);
    // Unauthenticated endpoints keep working.
    expect((await call(server.url, 'GET', '/health')).status).toBe(200);
  });
});
