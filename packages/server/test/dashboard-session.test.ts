import { createHash } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HalyardServer } from '../src/index';
import { BACKENDS, POSTGRES_URL, booleanFlag, call, createKey, createStorage, startServer, type TestStorage } from './helpers';
import { signIn, withCookies } from './dashboard-support';

const FLAGS = '/api/v1/environments/development/flags';

describe.each(BACKENDS)('dashboard sessions (%s)', (backend) => {
  let storage: TestStorage;
  let server: HalyardServer;
  let admin: string;
  let n = 0;
  const flagKey = () => `s-flag-${++n}`;

  beforeAll(async () => {
    storage = createStorage(backend);
    server = await startServer(storage, { authFailureLimit: 0 });
    admin = server.bootstrapToken!;
  });
  afterAll(async () => {
    await server?.close();
    await storage?.drop();
  });

  it('signs in with an admin token: HttpOnly SameSite=Strict session cookie, a readable CSRF cookie, the role', async () => {
    const { response, cookies } = await signIn(server.url, admin);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ name: 'bootstrap admin', role: 'admin' });
    expect(Date.parse(response.body.expiresAt)).toBeGreaterThan(Date.now() + 11 * 3600_000);
    const session = cookies.setCookie.find((c) => c.startsWith('halyard_session='))!;
    const csrf = cookies.setCookie.find((c) => c.startsWith('halyard_csrf='))!;
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Strict/i);
    expect(session).toMatch(/Path=\//);
    // Plain http here: a Secure cookie would never come back.
    expect(session).not.toMatch(/Secure/i);
    expect(csrf).not.toMatch(/HttpOnly/i);
    expect(csrf).toMatch(/SameSite=Strict/i);
    expect(cookies.session).not.toContain(admin);
    const me = await call(server.url, 'GET', '/api/v1/me', { headers: withCookies(cookies) });
    expect(me.status).toBe(200);
    expect(me.body.name).toBe('bootstrap admin');
  });

  it('refuses bad tokens (401) and keys that are not admin tokens (403)', async () => {
    expect((await signIn(server.url, 'hy_admin_nope')).response.status).toBe(401);
    const sdk = await createKey(server.url, admin, { type: 'sdk', environment: 'development', name: 'sdk' });
    const refused = await signIn(server.url, sdk);
    expect(refused.response.status).toBe(403);
    expect(refused.cookies.setCookie).toEqual([]);
    expect((await call(server.url, 'POST', '/api/v1/session', { body: { token: admin, extra: 1 } })).status).toBe(400);
  });

  it('cookie writes need the CSRF header, equal to the cookie; a foreign Origin or cross-site fetch is refused', async () => {
    const { cookies } = await signIn(server.url, admin);
    const body = () => ({ key: flagKey(), definition: booleanFlag() });
    const noHeader = await call(server.url, 'POST', FLAGS, { body: body(), headers: withCookies(cookies) });
    expect(noHeader.status).toBe(403);
    expect(noHeader.body.error.code).toBe('csrf');
    const wrong = await call(server.url, 'POST', FLAGS, { body: body(), headers: { ...withCookies(cookies), 'x-halyard-csrf': 'x'.repeat(43) } });
    expect(wrong.body.error.code).toBe('csrf');
    // A header that matches a cookie the attacker planted, but not the session, is refused too.
    const planted = await call(server.url, 'POST', FLAGS, { body: body(), headers: { cookie: `halyard_session=${cookies.session}; halyard_csrf=evil`, 'x-halyard-csrf': 'evil' } });
    expect(planted.body.error.code).toBe('csrf');
    const foreign = await call(server.url, 'POST', FLAGS, { body: body(), headers: withCookies(cookies, true, { origin: 'https://evil.example' }) });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.code).toBe('csrf');
    const crossSite = await call(server.url, 'POST', FLAGS, { body: body(), headers: withCookies(cookies, true, { 'sec-fetch-site': 'cross-site' }) });
    expect(crossSite.body.error.code).toBe('csrf');
    const own = await call(server.url, 'POST', FLAGS, { body: body(), headers: withCookies(cookies, true, { origin: server.url, 'sec-fetch-site': 'same-origin' }) });
    expect(own.status).toBe(201);
    // The audit entry names the token the session was created from.
    const audit = await call(server.url, 'GET', `/api/v1/audit?flag=${own.body.key}`, { token: admin });
    expect(audit.body.entries[0].actor.name).toBe('bootstrap admin');
    // Reads need no header; bearer requests are unchanged.
    expect((await call(server.url, 'GET', FLAGS, { headers: withCookies(cookies) })).status).toBe(200);
    expect((await call(server.url, 'POST', FLAGS, { token: admin, body: body() })).status).toBe(201);
  });

  it('a session has its token role: a viewer session reads and cannot write', async () => {
    const viewer = await createKey(server.url, admin, { type: 'admin', role: 'viewer', name: 'viewer' });
    const { response, cookies } = await signIn(server.url, viewer);
    expect(response.body.role).toBe('viewer');
    expect((await call(server.url, 'GET', FLAGS, { headers: withCookies(cookies) })).status).toBe(200);
    const write = await call(server.url, 'POST', FLAGS, { body: { key: flagKey(), definition: booleanFlag() }, headers: withCookies(cookies, true) });
    expect(write.status).toBe(403);
    expect(write.body.error.code).toBe('forbidden');
    expect((await call(server.url, 'GET', '/api/v1/keys', { headers: withCookies(cookies) })).status).toBe(403);
  });

  it('authenticates the cookie before reading the body: a dead session with an oversized body gets 401', async () => {
    const { cookies } = await signIn(server.url, admin);
    await call(server.url, 'DELETE', '/api/v1/session', { headers: withCookies(cookies, true) });
    const huge = await call(server.url, 'POST', FLAGS, { rawBody: 'x'.repeat(2 * 1024 * 1024), headers: { ...withCookies(cookies, true), 'content-type': 'application/json' } });
    expect(huge.status).toBe(401);
  });

  it('revoking the token ends its sessions', async () => {
    const editor = await createKey(server.url, admin, { type: 'admin', role: 'editor', name: 'editor' });
    const { cookies } = await signIn(server.url, editor);
    expect((await call(server.url, 'GET', '/api/v1/me', { headers: withCookies(cookies) })).status).toBe(200);
    const me = await call(server.url, 'GET', '/api/v1/me', { token: editor });
    expect((await call(server.url, 'DELETE', `/api/v1/keys/${me.body.id}`, { token: admin })).status).toBe(204);
    const after = await call(server.url, 'GET', '/api/v1/me', { headers: withCookies(cookies) });
    expect(after.status).toBe(401);
  });

  it('signs out: 204, both cookies cleared, the session gone; not without the CSRF header', async () => {
    const { cookies } = await signIn(server.url, admin);
    const forged = await call(server.url, 'DELETE', '/api/v1/session', { headers: withCookies(cookies) });
    expect(forged.status).toBe(403);
    expect((await call(server.url, 'GET', '/api/v1/me', { headers: withCookies(cookies) })).status).toBe(200);
    const out = await call(server.url, 'DELETE', '/api/v1/session', { headers: withCookies(cookies, true) });
    expect(out.status).toBe(204);
    const cleared = out.headers.getSetCookie();
    expect(cleared.some((c) => c.startsWith('halyard_session=;') && /Max-Age=0/.test(c))).toBe(true);
    expect(cleared.some((c) => c.startsWith('halyard_csrf=;') && /Max-Age=0/.test(c))).toBe(true);
    expect((await call(server.url, 'GET', '/api/v1/me', { headers: withCookies(cookies) })).status).toBe(401);
    // A stale cookie can always be cleared.
    expect((await call(server.url, 'DELETE', '/api/v1/session', { headers: withCookies(cookies, true) })).status).toBe(204);
  });

  it('refuses a cross-origin sign-in (login CSRF)', async () => {
    const { response } = await signIn(server.url, admin, { origin: 'https://evil.example' });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('csrf');
  });
});

describe.each(BACKENDS)('dashboard session expiry (%s)', (backend) => {
  let storage: TestStorage;
  let server: HalyardServer;

  beforeAll(async () => {
    storage = createStorage(backend);
    server = await startServer(storage, { sessionTtlMs: 1200, authFailureLimit: 3 });
  });
  afterAll(async () => {
    await server?.close();
    await storage?.drop();
  });

  it('expires after the idle time, and use slides the expiry', async () => {
    const { cookies } = await signIn(server.url, server.bootstrapToken!);
    // Used every 400 ms for 2 s: longer than the 1.2 s lifetime, alive because each use slides it.
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 400));
      expect((await call(server.url, 'GET', '/api/v1/me', { headers: withCookies(cookies) })).status).toBe(200);
    }
    await new Promise((r) => setTimeout(r, 1500));
    expect((await call(server.url, 'GET', '/api/v1/me', { headers: withCookies(cookies) })).status).toBe(401);
  });

});

describe.each(BACKENDS)('dashboard sign-in and the failed-authentication limit (%s)', (backend) => {
  let storage: TestStorage;
  let server: HalyardServer;

  beforeAll(async () => {
    storage = createStorage(backend);
    server = await startServer(storage, { authFailureLimit: 3 });
  });
  afterAll(async () => {
    await server?.close();
    await storage?.drop();
  });

  it('failed sign-ins count toward the failed-authentication limit', async () => {
    for (let i = 0; i < 3; i++) expect((await signIn(server.url, `hy_admin_wrong${i}`)).response.status).toBe(401);
    const blocked = await signIn(server.url, server.bootstrapToken!);
    expect(blocked.response.status).toBe(429);
    expect(blocked.response.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});

describe('dashboard sessions are stored hashed (postgres)', () => {
  it('keeps only the SHA-256 of the session token', async () => {
    const storage = createStorage('postgres');
    const server = await startServer(storage);
    try {
      const { cookies } = await signIn(server.url, server.bootstrapToken!);
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        const rows = (await client.query(`select * from "${storage.options.schema}".admin_sessions`)).rows;
        expect(rows).toHaveLength(1);
        expect(JSON.stringify(rows)).not.toContain(cookies.session);
        expect(rows[0].hash).toBe(createHash('sha256').update(cookies.session).digest('hex'));
      } finally {
        await client.end();
      }
    } finally {
      await server.close();
      await storage.drop();
    }
  });
});
