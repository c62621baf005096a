import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HalyardServer } from '../src/index';
import { BACKENDS, SseClient, booleanFlag, call, createKey, createStorage, startServer, type TestStorage } from './helpers';

describe.each(BACKENDS)('flag service on %s', (backend) => {
  let storage: TestStorage;
  let server: HalyardServer;
  let base: string;
  let admin: string;
  let editor: string;
  let viewer: string;
  let sdk: string;
  let client: string;
  let counter = 0;
  const unique = (prefix: string) => `${prefix}-${++counter}`;

  beforeAll(async () => {
    storage = createStorage(backend);
    // authFailureLimit 0: this file sends many deliberately bad credentials from one address.
    server = await startServer(storage, { authFailureLimit: 0, heartbeatMs: 200 });
    base = server.url;
    expect(server.bootstrapToken).toMatch(/^hy_admin_/);
    admin = server.bootstrapToken!;
    editor = await createKey(base, admin, { type: 'admin', role: 'editor', name: 'editor' });
    viewer = await createKey(base, admin, { type: 'admin', role: 'viewer', name: 'viewer' });
    sdk = await createKey(base, admin, { type: 'sdk', environment: 'development', name: 'sdk' });
    client = await createKey(base, admin, { type: 'client', environment: 'development', name: 'browser' });
  });

  afterAll(async () => {
    await server?.close();
    await storage?.drop();
  });

  const flags = '/api/v1/environments/development/flags';
  const createFlag = async (key: string, definition: unknown = booleanFlag(), token = editor) =>
    call(base, 'POST', flags, { token, body: { key, definition } });
  const auditCount = async () => {
    let count = 0;
    let cursor: string | null = null;
    do {
      const page: { body: { entries: unknown[]; nextCursor: string | null } } = await call(base, 'GET', `/api/v1/audit?limit=500${cursor ? `&cursor=${cursor}` : ''}`, { token: viewer });
      count += page.body.entries.length;
      cursor = page.body.nextCursor;
    } while (cursor);
    return count;
  };

  describe('basics', () => {
    it('answers /health and serves the OpenAPI document', async () => {
      const health = await call(base, 'GET', '/health');
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ status: 'ok', database: backend });
      const openapi = await call(base, 'GET', '/openapi.json');
      expect(openapi.status).toBe(200);
      expect(openapi.body.openapi).toBe('3.1.0');
      expect(Object.keys(openapi.body.paths)).toEqual(
        expect.arrayContaining([
          '/sdk/v1/definitions',
          '/sdk/v1/stream',
          '/sdk/v1/evaluate',
          '/ofrep/v1/evaluate/flags/{key}',
          '/ofrep/v1/evaluate/flags',
          '/api/v1/environments/{env}/flags/{key}/toggle',
          '/api/v1/environments/{env}/flags/{key}/archive',
          '/api/v1/environments/{env}/document',
          '/api/v1/audit',
        ]),
      );
    });

    it('creates development, staging and production by default', async () => {
      const response = await call(base, 'GET', '/api/v1/environments', { token: viewer });
      expect(response.status).toBe(200);
      expect(response.body.environments.map((e: { key: string }) => e.key)).toEqual(['development', 'staging', 'production']);
    });

    it('reports who is calling', async () => {
      const me = await call(base, 'GET', '/api/v1/me', { token: editor });
      expect(me.body).toMatchObject({ type: 'admin', role: 'editor', name: 'editor' });
      expect(me.body.token).toBeUndefined();
    });
  });

  describe('flags', () => {
    it('creates, reads, replaces, patches and deletes a flag with versions as ETags', async () => {
      const key = unique('crud');
      const created = await createFlag(key);
      expect(created.status).toBe(201);
      expect(created.headers.get('etag')).toBe('"1"');
      expect(created.headers.get('location')).toBe(`${flags}/${key}`);
      expect(created.body).toMatchObject({ key, environment: 'development', version: 1, definition: booleanFlag() });

      const read = await call(base, 'GET', `${flags}/${key}`, { token: viewer });
      expect(read.status).toBe(200);
      expect(read.headers.get('etag')).toBe('"1"');
      expect(read.body.definition).toEqual(booleanFlag());

      const list = await call(base, 'GET', flags, { token: viewer });
      expect(list.body.flags.map((f: { key: string }) => f.key)).toContain(key);

      expect((await createFlag(key)).status).toBe(409);

      const replaced = await call(base, 'PUT', `${flags}/${key}`, {
        token: editor,
        headers: { 'if-match': '"1"' },
        body: { ...read.body, definition: { ...booleanFlag(), description: 'replaced' } },
      });
      expect(replaced.status).toBe(200);
      expect(replaced.body.version).toBe(2);
      expect(replaced.headers.get('etag')).toBe('"2"');

      const patched = await call(base, 'PATCH', `${flags}/${key}`, {
        token: editor,
        headers: { 'content-type': 'application/merge-patch+json' },
        body: { description: null, owner: 'team-a' },
      });
      expect(patched.status).toBe(200);
      expect(patched.body.version).toBe(3);
      expect(patched.body.definition.description).toBeUndefined();
      expect(patched.body.definition.owner).toBe('team-a');

      const deleted = await call(base, 'DELETE', `${flags}/${key}`, { token: editor, headers: { 'if-match': '"3"' } });
      expect(deleted.status).toBe(204);
      expect((await call(base, 'GET', `${flags}/${key}`, { token: viewer })).status).toBe(404);
      expect((await call(base, 'DELETE', `${flags}/${key}`, { token: editor })).status).toBe(404);
    });

    it('creates with PUT when the flag does not exist, and If-None-Match: * refuses to overwrite', async () => {
      const key = unique('put-create');
      const created = await call(base, 'PUT', `${flags}/${key}`, { token: editor, headers: { 'if-none-match': '*' }, body: { definition: booleanFlag() } });
      expect(created.status).toBe(201);
      const again = await call(base, 'PUT', `${flags}/${key}`, { token: editor, headers: { 'if-none-match': '*' }, body: { definition: booleanFlag(false) } });
      expect(again.status).toBe(412);
      expect(again.body.error.currentVersion).toBe(1);
    });

    it('refuses stale writes with 412 and the current version, and PUT without If-Match with 428', async () => {
      const key = unique('stale');
      await createFlag(key);
      await call(base, 'POST', `${flags}/${key}/toggle`, { token: editor, body: { enabled: false } });

      const blind = await call(base, 'PUT', `${flags}/${key}`, { token: editor, body: { definition: booleanFlag(true) } });
      expect(blind.status).toBe(428);
      expect(blind.body.error).toMatchObject({ code: 'precondition_required', currentVersion: 2 });

      for (const [method, suffix, body] of [
        ['PUT', '', { definition: booleanFlag(true) }],
        ['PATCH', '', { owner: 'x' }],
        ['DELETE', '', undefined],
        ['POST', '/toggle', { enabled: true }],
        ['POST', '/rollout', { percentage: 10 }],
      ] as const) {
        const stale = await call(base, method, `${flags}/${key}${suffix}`, { token: editor, headers: { 'if-match': '"1"' }, body });
        expect(stale.status, `${method} ${suffix}`).toBe(412);
        expect(stale.body.error).toMatchObject({ code: 'version_conflict', currentVersion: 2 });
        expect(stale.headers.get('etag')).toBe('"2"');
      }
      const current = await call(base, 'GET', `${flags}/${key}`, { token: viewer });
      expect(current.body).toMatchObject({ version: 2, definition: booleanFlag(false) });
    });

    it('lets exactly one of two concurrent editors with the same version win', async () => {
      const key = unique('race');
      await createFlag(key);
      const results = await Promise.all(
        ['alice', 'bob'].map((owner) =>
          call(base, 'PUT', `${flags}/${key}`, { token: editor, headers: { 'if-match': '"1"' }, body: { definition: { ...booleanFlag(), owner } } }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([200, 412]);
      const winner = results.find((r) => r.status === 200)!;
      const current = await call(base, 'GET', `${flags}/${key}`, { token: viewer });
      expect(current.body.version).toBe(2);
      expect(current.body.definition.owner).toBe(winner.body.definition.owner);
    });

    it('rejects an invalid definition with every problem and its JSON path, writing nothing', async () => {
      const before = await call(base, 'GET', '/api/v1/environments/development', { token: viewer });
      const audits = await auditCount();
      const key = unique('invalid');
      const response = await createFlag(key, { variants: { on: true, off: 'no' }, enabled: 'yes', offVariant: 'missing', defaultServe: { variant: 'nope' } });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('invalid_definitions');
      const paths = response.body.error.problems.map((p: { path: string }) => p.path);
      expect(paths).toEqual(
        expect.arrayContaining([
          `$.flags["${key}"].variants["off"]`,
          `$.flags["${key}"].enabled`,
          `$.flags["${key}"].offVariant`,
          `$.flags["${key}"].defaultServe.variant`,
        ]),
      );
      for (const problem of response.body.error.problems) expect(problem.message.length).toBeGreaterThan(5);
      expect((await call(base, 'GET', `${flags}/${key}`, { token: viewer })).status).toBe(404);
      expect((await call(base, 'GET', '/api/v1/environments/development', { token: viewer })).body.version).toBe(before.body.version);
      expect(await auditCount()).toBe(audits);
    });

    it('validates the whole environment: a flag cannot be deleted while another flag requires it', async () => {
      const parent = unique('parent');
      const child = unique('child');
      await createFlag(parent);
      expect((await createFlag(child, { ...booleanFlag(), prerequisites: [{ flag: parent, variants: ['on'] }] })).status).toBe(201);
      const refused = await call(base, 'DELETE', `${flags}/${parent}`, { token: editor });
      expect(refused.status).toBe(400);
      expect(refused.body.error.problems[0].path).toContain(`$.flags["${child}"].prerequisites[0]`);
      expect((await call(base, 'GET', `${flags}/${parent}`, { token: viewer })).status).toBe(200);
    });

    it('toggles with one call: sets, flips, and writes nothing when already in that state', async () => {
      const key = unique('toggle');
      await createFlag(key);
      const off = await call(base, 'POST', `${flags}/${key}/toggle`, { token: editor, body: { enabled: false } });
      expect(off.status).toBe(200);
      expect(off.body).toMatchObject({ version: 2, definition: { enabled: false } });
      const audits = await auditCount();
      const again = await call(base, 'POST', `${flags}/${key}/toggle`, { token: editor, body: { enabled: false } });
      expect(again.body.version).toBe(2);
      expect(await auditCount()).toBe(audits);
      // No body at all (and an empty JSON body) flips.
      const flipped = await call(base, 'POST', `${flags}/${key}/toggle`, { token: editor });
      expect(flipped.body).toMatchObject({ version: 3, definition: { enabled: true } });
      const flippedBack = await call(base, 'POST', `${flags}/${key}/toggle`, { token: editor, rawBody: '', headers: { 'content-type': 'application/json' } });
      expect(flippedBack.body).toMatchObject({ version: 4, definition: { enabled: false } });
      const bad = await call(base, 'POST', `${flags}/${key}/toggle`, { token: editor, body: { enabled: 'false' } });
      expect(bad.status).toBe(400);
      expect(bad.body.error.problems[0].path).toBe('$.enabled');
    });

    it('sets a percentage rollout with one call and keeps the split salt when ramping', async () => {
      const key = unique('rollout');
      await createFlag(key, { ...booleanFlag(), defaultServe: { split: [{ variant: 'on', percentage: 5 }, { variant: 'off', percentage: 95 }], salt: 'fixed', bucketBy: 'accountId' } });
      const rolled = await call(base, 'POST', `${flags}/${key}/rollout`, { token: editor, body: { percentage: 25.5 } });
      expect(rolled.status).toBe(200);
      expect(rolled.body.definition.defaultServe).toEqual({
        split: [
          { variant: 'on', percentage: 25.5 },
          { variant: 'off', percentage: 74.5 },
        ],
        salt: 'fixed',
        bucketBy: 'accountId',
      });
      const multi = unique('rollout-multi');
      await createFlag(multi, { variants: { a: 'A', b: 'B', c: 'C' }, enabled: true, offVariant: 'a', defaultServe: { variant: 'a' } });
      const needsVariant = await call(base, 'POST', `${flags}/${multi}/rollout`, { token: editor, body: { percentage: 10 } });
      expect(needsVariant.status).toBe(400);
      expect(needsVariant.body.error.problems[0].path).toBe('$.variant');
      const explicit = await call(base, 'POST', `${flags}/${multi}/rollout`, { token: editor, body: { percentage: 10, variant: 'c' } });
      expect(explicit.body.definition.defaultServe.split).toEqual([
        { variant: 'c', percentage: 10 },
        { variant: 'a', percentage: 90 },
      ]);
      for (const percentage of [-1, 101, '50', 1.0001, null]) {
        const bad = await call(base, 'POST', `${flags}/${key}/rollout`, { token: editor, body: { percentage } });
        expect(bad.status, String(percentage)).toBe(400);
      }
      const unknownVariant = await call(base, 'POST', `${flags}/${key}/rollout`, { token: editor, body: { percentage: 10, variant: 'ghost' } });
      expect(unknownVariant.status).toBe(400);
      expect(unknownVariant.body.error.code).toBe('invalid_definitions');
    });
  });

  describe('segments and environments', () => {
    it('manages segments that flags reference, and refuses to delete one in use', async () => {
      const segments = '/api/v1/environments/development/segments';
      const seg = unique('beta');
      const created = await call(base, 'POST', segments, { token: editor, body: { key: seg, definition: { included: ['u-1'] } } });
      expect(created.status).toBe(201);
      const flag = unique('seg-flag');
      const rule = { conditions: [{ attribute: 'userId', operator: 'inSegment', values: [seg] }], serve: { variant: 'on' } };
      expect((await createFlag(flag, { ...booleanFlag(), defaultServe: { variant: 'off' }, rules: [rule] })).status).toBe(201);
      const patched = await call(base, 'PATCH', `${segments}/${seg}`, { token: editor, body: { included: ['u-1', 'u-2'] } });
      expect(patched.body).toMatchObject({ version: 2, definition: { included: ['u-1', 'u-2'] } });
      const inUse = await call(base, 'DELETE', `${segments}/${seg}`, { token: editor });
      expect(inUse.status).toBe(400);
      expect(inUse.body.error.code).toBe('invalid_definitions');
      expect((await call(base, 'DELETE', `${flags}/${flag}`, { token: editor })).status).toBe(204);
      expect((await call(base, 'DELETE', `${segments}/${seg}`, { token: editor })).status).toBe(204);
      const invalid = await call(base, 'POST', segments, { token: editor, body: { key: unique('bad-seg'), definition: { included: 'u-1' } } });
      expect(invalid.status).toBe(400);
      expect(invalid.body.error.problems[0].path).toMatch(/^\$\.segments\["bad-seg-\d+"\]\.included/);
    });

    it('creates (optionally copying), renames and deletes environments; keys of a deleted environment stop working', async () => {
      const source = unique('copied');
      await createFlag(source);
      const env = unique('qa');
      const created = await call(base, 'POST', '/api/v1/environments', { token: admin, body: { key: env, name: 'QA', copyFrom: 'development' } });
      expect(created.status).toBe(201);
      expect((await call(base, 'GET', `/api/v1/environments/${env}/flags/${source}`, { token: viewer })).body).toMatchObject({ version: 1, definition: booleanFlag() });
      expect((await call(base, 'POST', '/api/v1/environments', { token: admin, body: { key: env } })).status).toBe(409);
      const renamed = await call(base, 'PATCH', `/api/v1/environments/${env}`, { token: admin, body: { name: 'Quality' } });
      expect(renamed.body.name).toBe('Quality');
      const envKey = await createKey(base, admin, { type: 'sdk', environment: env, name: 'qa sdk' });
      const doc = await call(base, 'GET', '/sdk/v1/definitions', { token: envKey });
      expect(Object.keys(doc.body.flags)).toContain(source);
      expect((await call(base, 'DELETE', `/api/v1/environments/${env}`, { token: admin })).status).toBe(204);
      expect((await call(base, 'GET', `/api/v1/environments/${env}`, { token: viewer })).status).toBe(404);
      expect((await call(base, 'GET', '/sdk/v1/definitions', { token: envKey })).status).toBe(401);
      const badKey = await call(base, 'POST', '/api/v1/environments', { token: admin, body: { key: 'Not Valid' } });
      expect(badKey.status).toBe(400);
      expect(badKey.body.error.problems[0].path).toBe('$.key');
    });
  });

  describe('API keys', () => {
    it('shows a token once, lists only metadata, and a revoked key stops working', async () => {
      const created = await call(base, 'POST', '/api/v1/keys', { token: admin, body: { type: 'client', environment: 'development', name: 'temp' } });
      expect(created.status).toBe(201);
      expect(created.body.token).toMatch(/^hy_client_[A-Za-z0-9_-]{43}$/);
      const list = await call(base, 'GET', '/api/v1/keys', { token: admin });
      const listed = list.body.keys.find((k: { id: string }) => k.id === created.body.id);
      expect(listed).toMatchObject({ type: 'client', environment: 'development', name: 'temp', prefix: created.body.token.slice(0, 16) });
      expect(JSON.stringify(list.body)).not.toContain(created.body.token);
      expect(JSON.stringify(list.body)).not.toMatch(/"hash"/);
      expect((await call(base, 'POST', '/sdk/v1/evaluate', { token: created.body.token, body: {} })).status).toBe(200);
      expect((await call(base, 'DELETE', `/api/v1/keys/${created.body.id}`, { token: admin })).status).toBe(204);
      expect((await call(base, 'POST', '/sdk/v1/evaluate', { token: created.body.token, body: {} })).status).toBe(401);
      expect((await call(base, 'DELETE', `/api/v1/keys/${created.body.id}`, { token: admin })).status).toBe(404);
    });

    it('validates key requests', async () => {
      for (const body of [
        { type: 'root', name: 'x' },
        { type: 'sdk', name: 'x' },
        { type: 'sdk', name: 'x', environment: 'nowhere' },
        { type: 'admin', name: 'x' },
        { type: 'admin', name: 'x', role: 'viewer', environment: 'development' },
        { type: 'client', name: '', environment: 'development' },
      ]) {
        const response = await call(base, 'POST', '/api/v1/keys', { token: admin, body });
        expect([400, 404], JSON.stringify(body)).toContain(response.status);
      }
    });

    it('ends an open stream when its key is revoked', async () => {
      const created = await call(base, 'POST', '/api/v1/keys', { token: admin, body: { type: 'sdk', environment: 'development', name: 'revoked-stream' } });
      const stream = await SseClient.connect(`${base}/sdk/v1/stream`, created.body.token);
      await stream.waitFor(() => true);
      await call(base, 'DELETE', `/api/v1/keys/${created.body.id}`, { token: admin });
      await stream.done;
    });
  });

  describe('audit log', () => {
    it('records exactly one entry per write, in the same transaction, with the right before and after', async () => {
      const key = unique('audited');
      const seg = unique('audited-seg');
      const writes: Array<{ run: () => Promise<{ status: number }>; action: string; resourceKey: string; before: unknown; after: unknown }> = [
        { run: () => createFlag(key), action: 'flag.create', resourceKey: key, before: null, after: booleanFlag() },
        {
          run: () => call(base, 'POST', `${flags}/${key}/toggle`, { token: editor, body: { enabled: false } }),
          action: 'flag.toggle',
          resourceKey: key,
          before: booleanFlag(),
          after: booleanFlag(false),
        },
        {
          run: () => call(base, 'PATCH', `${flags}/${key}`, { token: editor, body: { owner: 'ops' } }),
          action: 'flag.update',
          resourceKey: key,
          before: booleanFlag(false),
          after: { ...booleanFlag(false), owner: 'ops' },
        },
        {
          run: () => call(base, 'POST', `${flags}/${key}/rollout`, { token: editor, body: { percentage: 50 } }),
          action: 'flag.rollout',
          resourceKey: key,
          before: { ...booleanFlag(false), owner: 'ops' },
          after: { ...booleanFlag(false), owner: 'ops', defaultServe: { split: [{ variant: 'on', percentage: 50 }, { variant: 'off', percentage: 50 }] } },
        },
        {
          run: () => call(base, 'POST', '/api/v1/environments/development/segments', { token: editor, body: { key: seg, definition: { included: ['a'] } } }),
          action: 'segment.create',
          resourceKey: seg,
          before: null,
          after: { included: ['a'] },
        },
        {
          run: () => call(base, 'DELETE', `/api/v1/environments/development/segments/${seg}`, { token: editor }),
          action: 'segment.delete',
          resourceKey: seg,
          before: { included: ['a'] },
          after: null,
        },
        {
          run: () => call(base, 'DELETE', `${flags}/${key}`, { token: admin }),
          action: 'flag.delete',
          resourceKey: key,
          before: { ...booleanFlag(false), owner: 'ops', defaultServe: { split: [{ variant: 'on', percentage: 50 }, { variant: 'off', percentage: 50 }] } },
          after: null,
        },
      ];
      for (const write of writes) {
        const count = await auditCount();
        const response = await write.run();
        expect(response.status, write.action).toBeLessThan(300);
        expect(await auditCount(), write.action).toBe(count + 1);
        const latest = (await call(base, 'GET', '/api/v1/audit?limit=1', { token: viewer })).body.entries[0];
        expect(latest).toMatchObject({ action: write.action, resourceKey: write.resourceKey, environment: 'development', before: write.before, after: write.after });
        expect(latest.actor.name).toBe(write.action === 'flag.delete' ? 'bootstrap admin' : 'editor');
        expect(latest.diff.length).toBeGreaterThan(0);
      }
      // Refused writes leave no trace.
      const count = await auditCount();
      expect((await createFlag(unique('x'), { enabled: true })).status).toBe(400);
      expect((await call(base, 'PUT', `${flags}/${unique('y')}`, { token: editor, headers: { 'if-match': '"9"' }, body: { definition: booleanFlag() } })).status).toBe(412);
      expect((await createFlag(unique('z'), booleanFlag(), viewer)).status).toBe(403);
      expect(await auditCount()).toBe(count);
    });

    it('filters by environment, flag, actor, action and time, and pages with a cursor', async () => {
      const key = unique('filtered');
      const start = new Date(Date.now() - 1000).toISOString();
      await createFlag(key);
      for (let i = 0; i < 4; i++) await call(base, 'POST', `${flags}/${key}/toggle`, { token: admin });
      const byFlag = await call(base, 'GET', `/api/v1/audit?flag=${key}`, { token: viewer });
      expect(byFlag.body.entries.map((e: { action: string }) => e.action)).toEqual(['flag.toggle', 'flag.toggle', 'flag.toggle', 'flag.toggle', 'flag.create']);
      const byActor = await call(base, 'GET', `/api/v1/audit?flag=${key}&actor=bootstrap%20admin`, { token: viewer });
      expect(byActor.body.entries).toHaveLength(4);
      const byAction = await call(base, 'GET', `/api/v1/audit?flag=${key}&action=flag.create`, { token: viewer });
      expect(byAction.body.entries).toHaveLength(1);
      const byPrefix = await call(base, 'GET', `/api/v1/audit?flag=${key}&action=flag.*&env=development&since=${start}`, { token: viewer });
      expect(byPrefix.body.entries).toHaveLength(5);
      const otherEnv = await call(base, 'GET', `/api/v1/audit?flag=${key}&env=production`, { token: viewer });
      expect(otherEnv.body.entries).toHaveLength(0);
      const past = await call(base, 'GET', `/api/v1/audit?flag=${key}&until=${start}`, { token: viewer });
      expect(past.body.entries).toHaveLength(0);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: any = await call(base, 'GET', `/api/v1/audit?flag=${key}&limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: viewer });
        expect(page.body.entries.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.entries.map((e: { id: string }) => e.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(byFlag.body.entries.map((e: { id: string }) => e.id));
      for (const bad of ['limit=0', 'limit=abc', 'since=yesterday', 'cursor=abc', 'limit=1&limit=2']) {
        expect((await call(base, 'GET', `/api/v1/audit?${bad}`, { token: viewer })).status, bad).toBe(400);
      }
    });
  });

  describe('SDK endpoints', () => {
    it('serves the document with a strong ETag, 304 on match, gzip when accepted', async () => {
      const key = unique('sdk-doc');
      await createFlag(key);
      const first = await fetch(`${base}/sdk/v1/definitions`, { headers: { authorization: `Bearer ${sdk}`, 'accept-encoding': 'identity' } });
      expect(first.status).toBe(200);
      const etag = first.headers.get('etag')!;
      expect(etag).toMatch(/^"\d+"$/);
      const document = await first.json();
      expect(document).toMatchObject({ schemaVersion: 1, version: Number(etag.slice(1, -1)) });
      expect(document.flags[key]).toEqual(booleanFlag());

      const notModified = await fetch(`${base}/sdk/v1/definitions`, { headers: { authorization: `Bearer ${sdk}`, 'if-none-match': etag } });
      expect(notModified.status).toBe(304);

      // Raw gzip bytes: node:http instead of fetch, which would decode them.
      const { request } = await import('node:http');
      const raw = await new Promise<{ status: number; encoding: string | undefined; etag: string | undefined; body: Buffer }>((resolve, reject) => {
        const req = request(`${base}/sdk/v1/definitions`, { headers: { authorization: `Bearer ${sdk}`, 'accept-encoding': 'gzip, br' } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode!, encoding: res.headers['content-encoding'], etag: res.headers.etag, body: Buffer.concat(chunks) }));
        });
        req.on('error', reject);
        req.end();
      });
      expect(raw.status).toBe(200);
      expect(raw.encoding).toBe('gzip');
      expect(raw.etag).toBe(`${etag.slice(0, -1)}-gzip"`);
      expect(JSON.parse(gunzipSync(raw.body).toString())).toEqual(document);

      await call(base, 'POST', `${flags}/${key}/toggle`, { token: editor });
      const changed = await fetch(`${base}/sdk/v1/definitions`, { headers: { authorization: `Bearer ${sdk}`, 'if-none-match': etag } });
      expect(changed.status).toBe(200);
      expect(changed.headers.get('etag')).not.toBe(etag);
      expect((await changed.json()).flags[key].enabled).toBe(false);
    });

    it('evaluates for a client key without exposing rules, with ETag/304 and CORS', async () => {
      const key = unique('eval');
      await createFlag(key, {
        ...booleanFlag(),
        defaultServe: { variant: 'off' },
        targets: [{ variant: 'on', values: ['vip-user'] }],
      });
      const vip = await call(base, 'POST', '/sdk/v1/evaluate', { token: client, body: { context: { userId: 'vip-user' } }, headers: { origin: 'https://app.example' } });
      expect(vip.status).toBe(200);
      expect(vip.body.flags[key]).toMatchObject({ value: true, variant: 'on', reason: 'TARGETING_MATCH' });
      expect(JSON.stringify(vip.body)).not.toContain('vip-user');
      expect(vip.headers.get('access-control-allow-origin')).toBe('*');
      const etag = vip.headers.get('etag')!;
      const again = await call(base, 'POST', '/sdk/v1/evaluate', { token: client, body: { context: { userId: 'vip-user' } }, headers: { 'if-none-match': etag } });
      expect(again.status).toBe(304);
      const other = await call(base, 'POST', '/sdk/v1/evaluate', { token: client, body: { context: { userId: 'someone' } }, headers: { 'if-none-match': etag } });
      expect(other.status).toBe(200);
      expect(other.body.flags[key]).toMatchObject({ value: false, variant: 'off' });

      const preflight = await fetch(`${base}/sdk/v1/evaluate`, {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
      const unauthorized = await call(base, 'POST', '/sdk/v1/evaluate', { body: {}, headers: { origin: 'https://app.example' } });
      expect(unauthorized.status).toBe(401);
      expect(unauthorized.headers.get('access-control-allow-origin')).toBe('*');

      expect((await call(base, 'GET', '/sdk/v1/definitions', { token: client })).status).toBe(403);
      for (const body of [{ context: 'u-1' }, { context: [1] }, { user: {} }, [1, 2]]) {
        expect((await call(base, 'POST', '/sdk/v1/evaluate', { token: client, body })).status, JSON.stringify(body)).toBe(400);
      }
    });

    it('streams the current document, every new version, and heartbeats; Last-Event-ID skips a current resend', async () => {
      const stream = await SseClient.connect(`${base}/sdk/v1/stream`, sdk);
      expect(stream.status).toBe(200);
      const initial = await stream.waitFor(() => true);
      expect(initial.id).toBe(String(initial.data.version));
      const key = unique('streamed');
      await createFlag(key);
      const created = await stream.waitFor((doc) => doc.flags[key] !== undefined);
      await call(base, 'POST', `${flags}/${key}/toggle`, { token: editor, body: { enabled: false } });
      const toggled = await stream.waitFor((doc) => doc.flags[key]?.enabled === false);
      expect(Number(toggled.id)).toBeGreaterThan(Number(created.id));
      await stream.waitForComments(3);

      // Resume with the current version: no resend, but the next change arrives.
      const resumed = await SseClient.connect(`${base}/sdk/v1/stream`, sdk, { 'last-event-id': toggled.id! });
      await resumed.waitForComments(2);
      expect(resumed.events).toHaveLength(0);
      await call(base, 'POST', `${flags}/${key}/toggle`, { token: editor, body: { enabled: true } });
      const next = await resumed.waitFor((doc) => doc.flags[key]?.enabled === true);
      expect(resumed.events[0]).toBe(next);
      // Resume with an old version: the current document is sent at once.
      const behind = await SseClient.connect(`${base}/sdk/v1/stream`, sdk, { 'last-event-id': created.id! });
      expect((await behind.waitFor(() => true)).data.flags[key].enabled).toBe(true);
      // fetch accepts gzip: one pre-compressed gzip member per event. Without gzip the same events come as text.
      expect(stream.contentEncoding).toBe('gzip');
      const plain = await SseClient.connect(`${base}/sdk/v1/stream`, sdk, { 'accept-encoding': 'identity' });
      expect(plain.contentEncoding).toBeNull();
      expect((await plain.waitFor(() => true)).data).toEqual(next.data);
      await call(base, 'POST', `${flags}/${key}/toggle`, { token: editor, body: { enabled: false } });
      const [viaGzip, viaText] = await Promise.all([
        stream.waitFor((doc) => doc.flags[key]?.enabled === false && Number(doc.version) > Number(toggled.id)),
        plain.waitFor((doc) => doc.flags[key]?.enabled === false),
      ]);
      expect(viaText.id).toBe(viaGzip.id);
      expect(viaText.data).toEqual(viaGzip.data);
      for (const s of [stream, resumed, behind, plain]) s.close();
    });
  });

  describe('archived flags', () => {
    it('leaves the served document but keeps the flag, its versions and its history until restored', async () => {
      const key = unique('archive');
      expect((await createFlag(key)).status).toBe(201);
      const archived = await call(base, 'POST', `${flags}/${key}/archive`, { token: editor });
      expect(archived.status).toBe(200);
      expect(archived.body).toMatchObject({ key, version: 2, archivedAt: expect.any(String) });
      expect(archived.headers.get('etag')).toBe('"2"');
      // Archiving again changes nothing.
      expect((await call(base, 'POST', `${flags}/${key}/archive`, { token: editor })).body.version).toBe(2);

      const served = await call(base, 'GET', '/sdk/v1/definitions', { token: sdk });
      expect(served.body.flags[key]).toBeUndefined();
      expect((await call(base, 'GET', flags, { token: viewer })).body.flags.map((f: { key: string }) => f.key)).not.toContain(key);
      const withArchived = await call(base, 'GET', `${flags}?archived=true`, { token: viewer });
      expect(withArchived.body.flags.find((f: { key: string }) => f.key === key)).toMatchObject({ archivedAt: expect.any(String) });
      expect((await call(base, 'GET', `${flags}?archived=only`, { token: viewer })).body.flags.every((f: { archivedAt?: string }) => f.archivedAt)).toBe(true);
      expect((await call(base, 'GET', `${flags}?archived=maybe`, { token: viewer })).status).toBe(400);
      expect((await call(base, 'GET', `${flags}/${key}`, { token: viewer })).body.archivedAt).toEqual(expect.any(String));

      // Changes and re-creation are refused while archived.
      const toggle = await call(base, 'POST', `${flags}/${key}/toggle`, { token: editor, body: { enabled: false } });
      expect(toggle.status).toBe(409);
      expect(toggle.body.error.code).toBe('archived');
      expect((await createFlag(key)).status).toBe(409);

      const restored = await call(base, 'POST', `${flags}/${key}/restore`, { token: editor });
      expect(restored.status).toBe(200);
      expect(restored.body.version).toBe(3);
      expect(restored.body.archivedAt).toBeUndefined();
      expect((await call(base, 'GET', '/sdk/v1/definitions', { token: sdk })).body.flags[key]).toEqual(booleanFlag());

      const history = await call(base, 'GET', `/api/v1/audit?flag=${key}`, { token: viewer });
      expect(history.body.entries.map((e: { action: string }) => e.action)).toEqual(['flag.restore', 'flag.archive', 'flag.create']);
      expect(history.body.entries[1].diff).toEqual([{ path: '$.archivedAt', after: expect.any(String) }]);
    });

    it('refuses to archive a flag that others depend on; deletes an archived flag for good', async () => {
      const parent = unique('parent');
      const child = unique('child');
      await createFlag(parent);
      await createFlag(child, { ...booleanFlag(), prerequisites: [{ flag: parent, variants: ['on'] }] });
      const refused = await call(base, 'POST', `${flags}/${parent}/archive`, { token: editor });
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('invalid_definitions');
      expect((await call(base, 'POST', `${flags}/${child}/archive`, { token: editor })).status).toBe(200);
      expect((await call(base, 'DELETE', `${flags}/${child}`, { token: editor })).status).toBe(204);
      expect((await call(base, 'GET', `${flags}/${child}`, { token: viewer })).status).toBe(404);
      expect((await call(base, 'POST', `${flags}/missing-flag/archive`, { token: editor })).status).toBe(404);
    });
  });

  describe('whole documents (PUT …/document)', () => {
    const doc = (flagDefs: Record<string, unknown>, segments: Record<string, unknown> = {}) => ({ schemaVersion: 1, flags: flagDefs, segments });
    let env: string;
    let path: string;
    beforeAll(async () => {
      env = `docs-${backend}`;
      expect((await call(base, 'POST', '/api/v1/environments', { token: admin, body: { key: env } })).status).toBe(201);
      path = `/api/v1/environments/${env}/document`;
    });

    it('replaces an environment in one version with one audit entry per changed resource', async () => {
      const first = doc({ a: booleanFlag(), b: booleanFlag(false) }, { staff: { included: ['u1'] } });
      const before = (await call(base, 'GET', path, { token: viewer })).body.version;
      const dry = await call(base, 'PUT', `${path}?dryRun=true`, { token: editor, body: first });
      expect(dry.status).toBe(200);
      expect(dry.body).toMatchObject({ version: before, changed: true, dryRun: true, flags: { created: ['a', 'b'] }, segments: { created: ['staff'] } });
      expect((await call(base, 'GET', path, { token: viewer })).body.version).toBe(before);

      const applied = await call(base, 'PUT', path, { token: editor, body: first });
      expect(applied.status).toBe(200);
      expect(applied.body.version).toBeGreaterThan(before);
      expect(applied.headers.get('etag')).toBe(`"${applied.body.version}"`);
      const served = await call(base, 'GET', path, { token: viewer });
      expect(served.body).toEqual({ ...first, version: applied.body.version });

      const second = doc({ a: booleanFlag(false), c: { ...booleanFlag(), rules: [{ conditions: [{ attribute: 'x', operator: 'inSegment', values: ['staff'] }], serve: { variant: 'off' } }] } }, { staff: { included: ['u1'] } });
      const changed = await call(base, 'PUT', path, { token: editor, body: second });
      expect(changed.body).toMatchObject({ changed: true, flags: { created: ['c'], updated: ['a'], deleted: ['b'], unchanged: 0 }, segments: { unchanged: 1 } });
      const audit = await call(base, 'GET', `/api/v1/audit?env=${env}&limit=3`, { token: viewer });
      expect(audit.body.entries.map((e: { action: string; resourceKey: string }) => `${e.action} ${e.resourceKey}`).sort()).toEqual(['flag.create c', 'flag.delete b', 'flag.update a']);
      expect(audit.body.entries.find((e: { resourceKey: string }) => e.resourceKey === 'a').diff).toEqual([{ path: '$.enabled', before: true, after: false }]);
      expect((await call(base, 'GET', `${path.replace('/document', '')}/flags/a`, { token: viewer })).body.version).toBe(2);

      // The same document again writes nothing.
      const again = await call(base, 'PUT', path, { token: editor, body: second });
      expect(again.body).toMatchObject({ changed: false, version: changed.body.version, flags: { unchanged: 2 } });
    });

    it('merges, checks If-Match and refuses invalid documents without writing anything', async () => {
      const current = await call(base, 'GET', path, { token: viewer });
      const merged = await call(base, 'PUT', `${path}?mode=merge`, { token: editor, body: doc({ d: booleanFlag() }) });
      expect(merged.body.flags).toEqual({ created: ['d'], updated: [], deleted: [], unchanged: 0 });
      expect(Object.keys((await call(base, 'GET', path, { token: viewer })).body.flags)).toEqual([...Object.keys(current.body.flags), 'd'].sort());

      const stale = await call(base, 'PUT', path, { token: editor, body: doc({}), headers: { 'if-match': `"${current.body.version}"` } });
      expect(stale.status).toBe(412);
      expect(stale.body.error.currentVersion).toBe(merged.body.version);

      const invalid = await call(base, 'PUT', path, { token: editor, body: { ...doc({ e: { ...booleanFlag(), offVariant: 'nope' } }), extra: true } });
      expect(invalid.status).toBe(400);
      expect(invalid.body.error.problems.map((p: { path: string }) => p.path)).toEqual(expect.arrayContaining(['$.extra', '$.flags["e"].offVariant']));
      const dangling = await call(base, 'PUT', `${path}?mode=merge`, { token: editor, body: doc({ f: { ...booleanFlag(), prerequisites: [{ flag: 'missing', variants: ['on'] }] } }) });
      expect(dangling.status).toBe(400);
      expect((await call(base, 'GET', path, { token: viewer })).body.version).toBe(merged.body.version);

      expect((await call(base, 'POST', `/api/v1/environments/${env}/flags/d/archive`, { token: editor })).status).toBe(200);
      const archived = await call(base, 'PUT', `${path}?mode=merge`, { token: editor, body: doc({ d: booleanFlag(false) }) });
      expect(archived.status).toBe(409);
      expect(archived.body.error.problems[0].path).toBe('$.flags["d"]');
      expect((await call(base, 'PUT', `${path}?mode=sideways`, { token: editor, body: doc({}) })).status).toBe(400);
      expect((await call(base, 'PUT', '/api/v1/environments/no-such-env/document', { token: editor, body: doc({}) })).status).toBe(404);
    });
  });

  describe('hostile input', () => {
    it('answers malformed requests with 4xx JSON errors and stays healthy', async () => {
      // `token`: the key sent (default the admin token); credentials are checked before a body is read.
      const cases: Array<{ method: string; path: string; rawBody?: string; body?: unknown; headers?: Record<string, string>; token?: string; status: number[] }> = [
        { method: 'POST', path: flags, rawBody: '{"key": "a", ', headers: { 'content-type': 'application/json' }, status: [400] },
        { method: 'POST', path: flags, rawBody: 'key=a', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: [415] },
        { method: 'POST', path: flags, rawBody: 'plain', headers: { 'content-type': 'text/plain' }, status: [415] },
        { method: 'POST', path: flags, rawBody: `{"key":"${'x'.repeat(2 * 1024 * 1024)}"}`, headers: { 'content-type': 'application/json' }, status: [413] },
        { method: 'POST', path: '/sdk/v1/evaluate', rawBody: `{"context":{"a":"${'x'.repeat(100_000)}"}}`, headers: { 'content-type': 'application/json' }, token: client, status: [413] },
        { method: 'POST', path: flags, rawBody: '{"__proto__":{"admin":true}}', headers: { 'content-type': 'application/json' }, status: [400] },
        { method: 'POST', path: flags, body: [1, 2, 3], status: [400] },
        { method: 'POST', path: flags, body: 'just a string', status: [400] },
        { method: 'POST', path: flags, body: { key: 42, definition: {} }, status: [400] },
        { method: 'POST', path: flags, body: { key: '../etc', definition: booleanFlag() }, status: [400] },
        { method: 'POST', path: flags, body: { key: 'a', definition: booleanFlag(), extra: 1 }, status: [400] },
        { method: 'GET', path: `${flags}/%E0%A4%A`, status: [400] },
        { method: 'GET', path: `${flags}/${'k'.repeat(600)}`, status: [400, 404, 414] },
        { method: 'GET', path: '/api/v1/environments/%00/flags', status: [400] },
        { method: 'GET', path: '/api/v1/environments/DEV!/flags', status: [400] },
        { method: 'GET', path: '/api/v1/nothing-here', status: [404] },
        { method: 'PATCH', path: `${flags}/missing-flag`, body: { enabled: true }, status: [404] },
        { method: 'PUT', path: `${flags}/x`, body: { definition: null }, status: [400] },
        { method: 'POST', path: `${flags}/x/toggle`, body: { enabled: null }, status: [400] },
        { method: 'GET', path: '/api/v1/audit?since[]=1', status: [400] },
        { method: 'POST', path: '/api/v1/environments/development/flags/x/rollout', body: { percentage: 1e309 }, status: [400] },
      ];
      for (const c of cases) {
        const response = await call(base, c.method, c.path, { token: c.token ?? admin, ...(c.rawBody !== undefined ? { rawBody: c.rawBody } : {}), body: c.body, headers: c.headers ?? {} });
        expect(c.status, `${c.method} ${c.path.slice(0, 80)} → ${response.status} ${JSON.stringify(response.body).slice(0, 200)}`).toContain(response.status);
        expect(response.body.error?.code, `${c.method} ${c.path.slice(0, 80)}`).toEqual(expect.any(String));
      }
      const garbageAuth = await call(base, 'GET', '/sdk/v1/definitions', { headers: { authorization: 'Bearer ' + 'x'.repeat(5000) } });
      expect(garbageAuth.status).toBe(401);
      expect((await call(base, 'GET', '/health')).status).toBe(200);
    });
  });
});
