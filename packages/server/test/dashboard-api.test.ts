import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HalyardServer } from '../src/index';
import { BACKENDS, booleanFlag, call, createKey, createStorage, startServer, type TestStorage } from './helpers';
import { ChangeStream, signIn, withCookies } from './dashboard-support';

const DEV = '/api/v1/environments/development';

describe.each(BACKENDS)('dashboard API (%s)', (backend) => {
  let storage: TestStorage;
  let server: HalyardServer;
  let admin: string;
  let viewer: string;
  let editor: string;
  let n = 0;
  const key = (prefix: string) => `${prefix}-${++n}`;
  const streams: ChangeStream[] = [];

  beforeAll(async () => {
    storage = createStorage(backend);
    server = await startServer(storage, { authFailureLimit: 0, heartbeatMs: 200 });
    admin = server.bootstrapToken!;
    viewer = await createKey(server.url, admin, { type: 'admin', role: 'viewer', name: 'viewer' });
    editor = await createKey(server.url, admin, { type: 'admin', role: 'editor', name: 'editor' });
    // development and production exist from the start.
    expect((await call(server.url, 'GET', '/api/v1/environments/production', { token: admin })).status).toBe(200);
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await server?.close();
    await storage?.drop();
  });

  describe('GET /api/v1/stream', () => {
    it('sends one change event per audit entry, to cookie and bearer streams alike, with heartbeats', async () => {
      const { cookies } = await signIn(server.url, viewer);
      const byCookie = await ChangeStream.open(server.url, withCookies(cookies));
      const byToken = await ChangeStream.open(server.url, { authorization: `Bearer ${viewer}` });
      streams.push(byCookie, byToken);
      expect(byCookie.status).toBe(200);
      expect(byCookie.headers?.get('content-type')).toMatch(/^text\/event-stream/);
      const flag = key('live');
      expect((await call(server.url, 'POST', `${DEV}/flags`, { token: editor, body: { key: flag, definition: booleanFlag() } })).status).toBe(201);
      expect((await call(server.url, 'POST', `${DEV}/flags/${flag}/toggle`, { token: editor, body: { enabled: false } })).status).toBe(200);
      for (const stream of [byCookie, byToken]) {
        const created = await stream.waitFor((e) => e.key === flag && e.action === 'flag.create');
        expect(created).toMatchObject({ env: 'development', resource: 'flag', key: flag, action: 'flag.create', actor: 'editor' });
        expect(Date.parse(created.at)).not.toBeNaN();
        expect(created).toHaveProperty('version');
        await stream.waitFor((e) => e.key === flag && e.action === 'flag.toggle');
      }
      expect(byCookie.events.filter((e) => e.data.key === flag)).toHaveLength(2);
      const env = key('env');
      expect((await call(server.url, 'POST', '/api/v1/environments', { token: admin, body: { key: env, name: 'QA' } })).status).toBe(201);
      expect(await byToken.waitFor((e) => e.resource === 'environment' && e.key === env)).toMatchObject({ action: 'environment.create', env });
    });

    it('replays what a reconnecting client missed (Last-Event-ID)', async () => {
      const first = await ChangeStream.open(server.url, { authorization: `Bearer ${viewer}` });
      streams.push(first);
      const flag = key('replay');
      await call(server.url, 'POST', `${DEV}/flags`, { token: editor, body: { key: flag, definition: booleanFlag() } });
      await first.waitFor((e) => e.key === flag);
      const lastId = first.events.at(-1)!.id!;
      first.close();
      await call(server.url, 'POST', `${DEV}/flags/${flag}/toggle`, { token: editor, body: { enabled: false } });
      const again = await ChangeStream.open(server.url, { authorization: `Bearer ${viewer}`, 'last-event-id': lastId });
      streams.push(again);
      expect(await again.waitFor((e) => e.key === flag)).toMatchObject({ action: 'flag.toggle' });
    });

    it('needs an admin token, and ends when that token is revoked', async () => {
      const sdk = await createKey(server.url, admin, { type: 'sdk', environment: 'development', name: 'sdk' });
      expect((await ChangeStream.open(server.url, { authorization: `Bearer ${sdk}` })).status).toBe(403);
      expect((await ChangeStream.open(server.url, {})).status).toBe(401);
      const doomed = await createKey(server.url, admin, { type: 'admin', role: 'viewer', name: 'doomed' });
      const { cookies } = await signIn(server.url, doomed);
      const stream = await ChangeStream.open(server.url, withCookies(cookies));
      streams.push(stream);
      expect(stream.status).toBe(200);
      const me = await call(server.url, 'GET', '/api/v1/me', { token: doomed });
      await call(server.url, 'DELETE', `/api/v1/keys/${me.body.id}`, { token: admin });
      await stream.waitForEnd();
    });

    it('ends a session stream on sign-out', async () => {
      const { cookies } = await signIn(server.url, viewer);
      const stream = await ChangeStream.open(server.url, withCookies(cookies));
      streams.push(stream);
      expect((await call(server.url, 'DELETE', '/api/v1/session', { headers: withCookies(cookies, true) })).status).toBe(204);
      await stream.waitForEnd();
    });
  });

  describe('GET /api/v1/flags', () => {
    it('lists every flag in every environment with status, rollout, lifecycle and version', async () => {
      const flag = key('overview');
      const definition = { ...booleanFlag(), description: 'New checkout', owner: 'team-pay', kind: 'release', tags: ['checkout'] };
      await call(server.url, 'POST', `${DEV}/flags`, { token: editor, body: { key: flag, definition } });
      await call(server.url, 'POST', '/api/v1/environments/production/flags', { token: editor, body: { key: flag, definition: { ...definition, enabled: false } } });
      const only = key('dev-only');
      await call(server.url, 'POST', `${DEV}/flags`, { token: editor, body: { key: only, definition: booleanFlag() } });
      expect((await call(server.url, 'POST', `${DEV}/flags/${only}/rollout`, { token: editor, body: { percentage: 12.5 } })).status).toBe(200);
      const archived = key('archived');
      await call(server.url, 'POST', `${DEV}/flags`, { token: editor, body: { key: archived, definition: booleanFlag() } });
      expect((await call(server.url, 'POST', `${DEV}/flags/${archived}/archive`, { token: editor })).status).toBe(200);

      const overview = await call(server.url, 'GET', '/api/v1/flags', { token: viewer });
      expect(overview.status).toBe(200);
      expect(overview.body.environments).toEqual(expect.arrayContaining(['development', 'production']));
      const byKey = new Map<string, any>(overview.body.flags.map((f: any) => [f.key, f]));
      expect(byKey.get(flag)).toMatchObject({ description: 'New checkout', owner: 'team-pay', kind: 'release', tags: ['checkout'] });
      expect(byKey.get(flag).environments.development).toMatchObject({ status: 'on', enabled: true, lifecycle: 'active', version: 1 });
      expect(byKey.get(flag).environments.production).toMatchObject({ status: 'off', enabled: false });
      expect(byKey.get(only).environments).not.toHaveProperty('production');
      expect(byKey.get(only).environments.development).toMatchObject({ status: 'rolling-out', rollout: 12.5, version: 2 });
      expect(byKey.get(archived).environments.development.status).toBe('archived');
      expect(byKey.get(flag).environments.development).not.toHaveProperty('rollout');
    });
  });

  describe('POST /api/v1/environments/:env/explain', () => {
    it('explains the value, rule, segment and bucket for a context (viewer allowed)', async () => {
      const segment = key('seg');
      await call(server.url, 'POST', `${DEV}/segments`, { token: editor, body: { key: segment, definition: { included: ['vip-1'] } } });
      const flag = key('explain');
      const definition = {
        variants: { blue: 'blue', green: 'green' },
        enabled: true,
        offVariant: 'blue',
        rules: [
          { id: 'vips', conditions: [{ attribute: 'userId', operator: 'inSegment', values: [segment] }], serve: { variant: 'green' } },
          { conditions: [{ attribute: 'plan', operator: 'equals', values: ['pro'] }], serve: { split: [{ variant: 'blue', percentage: 50 }, { variant: 'green', percentage: 50 }], bucketBy: 'accountId' } },
        ],
        defaultServe: { variant: 'blue' },
      };
      expect((await call(server.url, 'POST', `${DEV}/flags`, { token: editor, body: { key: flag, definition } })).status).toBe(201);
      const explain = (context: Record<string, unknown>) => call(server.url, 'POST', `${DEV}/explain`, { token: viewer, body: { context, flags: [flag] } });

      const vip = await explain({ userId: 'vip-1' });
      expect(vip.status).toBe(200);
      expect(vip.body.results[flag]).toMatchObject({ value: 'green', variant: 'green', reason: 'TARGETING_MATCH', ruleIndex: 0, ruleId: 'vips', segment });

      const pro = (await explain({ userId: 'u-2', plan: 'pro', accountId: 'acct-7' })).body.results[flag];
      expect(pro).toMatchObject({ reason: 'SPLIT', ruleIndex: 1, ruleId: 'rule-1', unit: 'acct-7' });
      expect(pro.bucket).toBeGreaterThanOrEqual(0);
      expect(pro.bucket).toBeLessThan(100);
      expect(Math.round(pro.bucket * 1000)).toBe(pro.bucket * 1000);
      // The bucket decides the variant: the first 50 % get blue.
      expect(pro.variant).toBe(pro.bucket < 50 ? 'blue' : 'green');

      expect((await explain({ userId: 'u-3' })).body.results[flag]).toMatchObject({ value: 'blue', reason: 'DEFAULT' });
      const all = await call(server.url, 'POST', `${DEV}/explain`, { token: viewer, body: { context: { userId: 'u-3' } } });
      expect(Object.keys(all.body.results)).toContain(flag);
      const missing = await call(server.url, 'POST', `${DEV}/explain`, { token: viewer, body: { context: {}, flags: ['nope'] } });
      expect(missing.body.results.nope).toMatchObject({ reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND', value: null });
      expect((await call(server.url, 'POST', '/api/v1/environments/nowhere/explain', { token: viewer, body: { context: {} } })).status).toBe(404);
      expect((await call(server.url, 'POST', `${DEV}/explain`, { token: viewer, body: { context: 'x' } })).status).toBe(400);
      // Not audited.
      const audit = await call(server.url, 'GET', '/api/v1/audit?limit=1', { token: admin });
      expect(audit.body.entries[0].action).not.toMatch(/explain/);
    });

    it('names the prerequisite that failed', async () => {
      const parent = key('parent');
      await call(server.url, 'POST', `${DEV}/flags`, { token: editor, body: { key: parent, definition: booleanFlag(false) } });
      const child = key('child');
      await call(server.url, 'POST', `${DEV}/flags`, { token: editor, body: { key: child, definition: { ...booleanFlag(), prerequisites: [{ flag: parent, variants: ['on'] }] } } });
      const result = (await call(server.url, 'POST', `${DEV}/explain`, { token: viewer, body: { context: { userId: 'u' }, flags: [child] } })).body.results[child];
      expect(result).toMatchObject({ reason: 'PREREQUISITE_FAILED', prerequisite: parent, variant: 'off' });
    });
  });

  describe('POST /api/v1/audit/:id/revert', () => {
    const latestEntry = async (flag: string) => (await call(server.url, 'GET', `/api/v1/audit?flag=${flag}&limit=1`, { token: admin })).body.entries[0];

    it('puts the flag back as a new audited change with revertOf (editor, and by cookie with CSRF)', async () => {
      const flag = key('revert');
      await call(server.url, 'POST', `${DEV}/flags`, { token: editor, body: { key: flag, definition: booleanFlag() } });
      await call(server.url, 'POST', `${DEV}/flags/${flag}/toggle`, { token: editor, body: { enabled: false } });
      const toggle = await latestEntry(flag);
      expect(toggle.action).toBe('flag.toggle');

      expect((await call(server.url, 'POST', `/api/v1/audit/${toggle.id}/revert`, { token: viewer })).status).toBe(403);
      const { cookies } = await signIn(server.url, editor);
      expect((await call(server.url, 'POST', `/api/v1/audit/${toggle.id}/revert`, { headers: withCookies(cookies) })).body.error.code).toBe('csrf');
      const reverted = await call(server.url, 'POST', `/api/v1/audit/${toggle.id}/revert`, { headers: withCookies(cookies, true) });
      expect(reverted.status).toBe(201);
      expect(reverted.body).toMatchObject({ action: 'flag.update', resourceKey: flag, environment: 'development', metadata: { revertOf: toggle.id }, actor: { name: 'editor' } });
      expect(reverted.body.diff).toEqual([{ path: '$.enabled', before: false, after: true }]);
      const current = await call(server.url, 'GET', `${DEV}/flags/${flag}`, { token: viewer });
      expect(current.body.definition.enabled).toBe(true);
      expect((await latestEntry(flag)).metadata).toEqual({ revertOf: toggle.id });
    });

    it('answers 409 naming the later change when the resource changed after the entry', async () => {
      const flag = key('conflict');
      await call(server.url, 'POST', `${DEV}/flags`, { token: editor, body: { key: flag, definition: booleanFlag() } });
      await call(server.url, 'POST', `${DEV}/flags/${flag}/toggle`, { token: editor, body: { enabled: false } });
      const first = await latestEntry(flag);
      await call(server.url, 'PATCH', `${DEV}/flags/${flag}`, { token: admin, body: { description: 'later' } });
      const later = await latestEntry(flag);
      const refused = await call(server.url, 'POST', `/api/v1/audit/${first.id}/revert`, { token: editor });
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('conflict');
      expect(refused.body.error.message).toContain(`entry ${later.id}`);
      expect(refused.body.error.message).toContain('bootstrap admin');
      expect((await call(server.url, 'GET', `${DEV}/flags/${flag}`, { token: viewer })).body.definition.enabled).toBe(false);
    });

    it('reverts a create by deleting, a delete by re-creating, an archive by restoring', async () => {
      const flag = key('lifecycle');
      await call(server.url, 'POST', `${DEV}/flags`, { token: editor, body: { key: flag, definition: booleanFlag() } });
      await call(server.url, 'POST', `${DEV}/flags/${flag}/archive`, { token: editor });
      const archive = await latestEntry(flag);
      expect((await call(server.url, 'POST', `/api/v1/audit/${archive.id}/revert`, { token: editor })).body.action).toBe('flag.restore');
      await call(server.url, 'DELETE', `${DEV}/flags/${flag}`, { token: editor });
      const deletion = await latestEntry(flag);
      const recreated = await call(server.url, 'POST', `/api/v1/audit/${deletion.id}/revert`, { token: editor });
      expect(recreated.body.action).toBe('flag.create');
      expect((await call(server.url, 'GET', `${DEV}/flags/${flag}`, { token: viewer })).status).toBe(200);
      const creation = await latestEntry(flag);
      expect((await call(server.url, 'POST', `/api/v1/audit/${creation.id}/revert`, { token: editor })).body.action).toBe('flag.delete');
      expect((await call(server.url, 'GET', `${DEV}/flags/${flag}`, { token: viewer })).status).toBe(404);
    });

    it('refuses what it cannot revert (400), unknown entries (404)', async () => {
      const envEntry = (await call(server.url, 'GET', '/api/v1/audit?resourceType=environment&limit=1', { token: admin })).body.entries[0];
      const refused = await call(server.url, 'POST', `/api/v1/audit/${envEntry.id}/revert`, { token: editor });
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toMatch(/only flag and segment changes/);
      expect((await call(server.url, 'POST', '/api/v1/audit/999999999/revert', { token: editor })).status).toBe(404);
      expect((await call(server.url, 'POST', '/api/v1/audit/abc/revert', { token: editor })).status).toBe(404);
    });
  });

  it('documents the new routes in /openapi.json with their roles', async () => {
    const doc = (await call(server.url, 'GET', '/openapi.json')).body;
    expect(doc.paths['/api/v1/session'].post).toBeDefined();
    expect(doc.paths['/api/v1/stream'].get.description).toMatch(/^Role: viewer/);
    expect(doc.paths['/api/v1/flags'].get).toBeDefined();
    expect(doc.paths['/api/v1/environments/{env}/explain'].post.description).toMatch(/^Role: viewer/);
    expect(doc.paths['/api/v1/audit/{id}/revert'].post.description).toMatch(/^Role: editor/);
    expect(doc.paths['/']).toBeUndefined();
  });
});

describe('the live feed spans instances (postgres)', () => {
  it('a change written on one instance streams from another', async () => {
    const storage = createStorage('postgres');
    const a = await startServer(storage);
    const b = await startServer(storage, { postgresNotify: true });
    try {
      const admin = a.bootstrapToken!;
      const stream = await ChangeStream.open(b.url, { authorization: `Bearer ${admin}` });
      try {
        await call(a.url, 'POST', `${DEV}/flags`, { token: admin, body: { key: 'cross', definition: booleanFlag() } });
        expect(await stream.waitFor((e) => e.key === 'cross')).toMatchObject({ action: 'flag.create', resource: 'flag' });
      } finally {
        stream.close();
      }
    } finally {
      await b.close();
      await a.close();
      await storage.drop();
    }
  });
});
