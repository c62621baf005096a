import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HalyardServer } from '../src/index';
import { BACKENDS, booleanFlag, call, createStorage, startServer, type TestStorage } from './helpers';

// Input a hostile or careless client sends: every one is a 400 with the JSON path of the problem, never a 500,
// on both storage engines (PostgreSQL refuses NUL and lone surrogates in text and jsonb).
describe.each(BACKENDS)('hostile input on %s', (backend) => {
  let storage: TestStorage;
  let server: HalyardServer;
  let base: string;
  let admin: string;
  const flags = '/api/v1/environments/development/flags';

  beforeAll(async () => {
    storage = createStorage(backend);
    server = await startServer(storage, { authFailureLimit: 0 });
    base = server.url;
    admin = server.bootstrapToken!;
  });

  afterAll(async () => {
    await server?.close();
    await storage?.drop();
  });

  const expect400 = async (response: Promise<{ status: number; body: any }>, path: string, reason: RegExp) => {
    const { status, body } = await response;
    expect(status, JSON.stringify(body).slice(0, 300)).toBe(400);
    expect(body.error.problems, JSON.stringify(body).slice(0, 300)).toEqual([expect.objectContaining({ path })]);
    expect(`${body.error.message} ${body.error.problems[0].message}`).toMatch(reason);
  };

  describe('NUL and lone surrogates', () => {
    const NUL = /NUL character/;
    const SURROGATE = /lone UTF-16 surrogate/;

    it('refuses them in flag fields, variant values and member names, with the path', async () => {
      await expect400(call(base, 'POST', flags, { token: admin, body: { key: 'nul-description', definition: { ...booleanFlag(), description: 'a\u0000b' } } }), '$.definition.description', NUL);
      await expect400(
        call(base, 'POST', flags, { token: admin, body: { key: 'nul-variant', definition: { ...booleanFlag(), type: 'string', variants: { on: 'a\u0000', off: 'b' } } } }),
        '$.definition.variants.on',
        NUL,
      );
      await expect400(call(base, 'POST', flags, { token: admin, body: { key: 'surrogate', definition: { ...booleanFlag(), owner: 'team \ud800' } } }), '$.definition.owner', SURROGATE);
      await expect400(call(base, 'POST', flags, { token: admin, body: { key: 'low-surrogate', definition: { ...booleanFlag(), tags: ['ok', '\udc00x'] } } }), '$.definition.tags[1]', SURROGATE);
      await expect400(
        call(base, 'POST', flags, { token: admin, body: { key: 'nul-member', definition: { ...booleanFlag(), variants: { on: true, off: false, 'x\u0000': true } } } }),
        '$.definition.variants["x\\u0000"]',
        NUL,
      );
      // A well-formed pair is fine, and stored faithfully.
      const emoji = await call(base, 'POST', flags, { token: admin, body: { key: 'emoji', definition: { ...booleanFlag(), description: 'ship it \ud83d\ude80' } } });
      expect(emoji.status).toBe(201);
      expect((await call(base, 'GET', `${flags}/emoji`, { token: admin })).body.definition.description).toBe('ship it 🚀');
    });

    it('refuses them in patches, segments, environments, keys and whole documents', async () => {
      expect((await call(base, 'POST', flags, { token: admin, body: { key: 'patched', definition: booleanFlag() } })).status).toBe(201);
      await expect400(
        call(base, 'PATCH', `${flags}/patched`, { token: admin, body: { description: '\u0000' }, headers: { 'content-type': 'application/merge-patch+json' } }),
        '$.description',
        NUL,
      );
      await expect400(
        call(base, 'POST', '/api/v1/environments/development/segments', {
          token: admin,
          body: { key: 'beta', definition: { conditions: [{ attribute: 'email', operator: 'endsWith', values: ['@a\u0000.com'] }] } },
        }),
        '$.definition.conditions[0].values[0]',
        NUL,
      );
      await expect400(call(base, 'POST', '/api/v1/environments', { token: admin, body: { key: 'qa', name: 'Q\u0000A' } }), '$.name', NUL);
      await expect400(call(base, 'POST', '/api/v1/keys', { token: admin, body: { type: 'admin', role: 'viewer', name: 'x\ud800' } }), '$.name', SURROGATE);
      await expect400(
        call(base, 'PUT', '/api/v1/environments/development/document?mode=merge', {
          token: admin,
          body: { schemaVersion: 1, flags: { imported: { ...booleanFlag(), rules: [{ id: 'r\u0000', conditions: [], serve: { variant: 'on' } }] } } },
        }),
        '$.flags.imported.rules[0].id',
        NUL,
      );
    });

    it('refuses them in query parameters and path parameters', async () => {
      await expect400(call(base, 'GET', '/api/v1/audit?actor=a%00b', { token: admin }), 'query.actor', NUL);
      await expect400(call(base, 'GET', `${flags}/a%00b`, { token: admin }), 'params.key', NUL);
      expect((await call(base, 'GET', '/health')).status).toBe(200);
    });
  });

  describe('metadata sizes', () => {
    const TOO_LONG = /at most/;

    it('caps description, owner, tags, variant values and the whole flag', async () => {
      const create = (key: string, extra: Record<string, unknown>) => call(base, 'POST', flags, { token: admin, body: { key, definition: { ...booleanFlag(), ...extra } } });
      expect((await create('description-at-limit', { description: 'd'.repeat(2048) })).status).toBe(201);
      await expect400(create('description-long', { description: 'd'.repeat(2049) }), '$.flags["description-long"].description', TOO_LONG);
      await expect400(create('owner-long', { owner: 'o'.repeat(201) }), '$.flags["owner-long"].owner', TOO_LONG);
      await expect400(create('many-tags', { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }), '$.flags["many-tags"].tags', TOO_LONG);
      await expect400(create('rule-description', { rules: [{ description: 'r'.repeat(3000), conditions: [], serve: { variant: 'on' } }] }), '$.flags["rule-description"].rules[0].description', TOO_LONG);
      const big = 'v'.repeat(40 * 1024);
      await expect400(create('variant-big', { type: 'string', variants: { on: big, off: '' } }), '$.flags["variant-big"].variants["on"]', TOO_LONG);
      const third = 'v'.repeat(30 * 1024);
      await expect400(create('flag-big', { type: 'string', variants: { on: third, off: third, other: third } }), '$.flags["flag-big"]', /at most 64 KiB/);
    });

    it('refuses a 10 MB description in a whole-document import', async () => {
      const body = { schemaVersion: 1, flags: { huge: { ...booleanFlag(), description: 'x'.repeat(10 * 1024 * 1024) } } };
      const { status, body: answer } = await call(base, 'PUT', '/api/v1/environments/development/document?mode=merge', { token: admin, body });
      expect(status).toBe(400);
      expect(answer.error.problems).toContainEqual({ path: '$.flags["huge"].description', message: `is ${10 * 1024 * 1024} characters long; at most 2048 are allowed` });
      const served = await call(base, 'GET', '/api/v1/environments/development/document', { token: admin });
      expect(served.body.flags.huge).toBeUndefined();
    });
  });

  describe('numbers and nesting', () => {
    it('refuses integers beyond 2^53 instead of rounding them', async () => {
      const rawBody = `{"key":"big","definition":{"type":"number","variants":{"on":9007199254740993,"off":0},"enabled":true,"offVariant":"off","defaultServe":{"variant":"on"}}}`;
      await expect400(call(base, 'POST', flags, { token: admin, rawBody, headers: { 'content-type': 'application/json' } }), '$.definition.variants.on', /beyond/);
      const safe = rawBody.replace('9007199254740993', '9007199254740991');
      expect((await call(base, 'POST', flags, { token: admin, rawBody: safe, headers: { 'content-type': 'application/json' } })).status).toBe(201);
    });

    it('says a 100k-deep body is nested too deeply', async () => {
      const rawBody = `{"key":"deep","definition":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
      const { status, body } = await call(base, 'POST', flags, { token: admin, rawBody, headers: { 'content-type': 'application/json' } });
      expect(status).toBe(400);
      expect(body.error.message).toMatch(/nested too deeply: at most \d+ levels/);
      expect(body.error.message).not.toMatch(/call stack/);
    });
  });
});
