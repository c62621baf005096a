import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HalyardServer } from '../src/index';
import { IdempotencyService } from '../src/internal/services/idempotency-service';
import { BACKENDS, booleanFlag, call, createKey, createStorage, startServer, type TestStorage } from './helpers';
import { openServiceHarness, type ServiceHarness } from './service-harness';

let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}`;

describe.each(BACKENDS)('Idempotency-Key on admin writes (%s)', (backend) => {
  let storage: TestStorage;
  let server: HalyardServer;
  let admin: string;
  let editor: string;
  const flags = '/api/v1/environments/development/flags';

  const auditCount = async (key: string) =>
    ((await call(server.url, 'GET', `/api/v1/audit?flag=${key}&limit=100`, { token: admin })).body.entries as unknown[]).length;
  const createFlag = async (key: string) => expect((await call(server.url, 'POST', flags, { token: admin, body: { key, definition: booleanFlag(true) } })).status).toBe(201);

  beforeAll(async () => {
    storage = createStorage(backend);
    server = await startServer(storage);
    admin = server.bootstrapToken!;
    editor = await createKey(server.url, admin, { type: 'admin', role: 'editor', name: 'idempotency editor' });
  });

  afterAll(async () => {
    await server?.close();
    await storage?.drop();
  });

  it('replays the first answer to a retry with the same key and body, and writes once', async () => {
    const key = unique('flip');
    await createFlag(key);
    const headers = { 'idempotency-key': unique('k') };
    const first = await call(server.url, 'POST', `${flags}/${key}/toggle`, { token: editor, headers });
    expect(first.status).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const retry = await call(server.url, 'POST', `${flags}/${key}/toggle`, { token: editor, headers });
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(retry.headers.get('content-type')).toMatch(/^application\/json/);
    expect(retry.body).toEqual(first.body);
    // A flip retried is still one flip: one version, one audit entry.
    const now = await call(server.url, 'GET', `${flags}/${key}`, { token: admin });
    expect(now.body).toMatchObject({ version: first.body.version, definition: { enabled: false } });
    expect(await auditCount(key)).toBe(2);
  });

  it('replays creations (201 and Location) and deletions (204)', async () => {
    const key = unique('created');
    const headers = { 'idempotency-key': unique('k') };
    const body = { key, definition: booleanFlag(true) };
    const first = await call(server.url, 'POST', flags, { token: editor, headers, body });
    const retry = await call(server.url, 'POST', flags, { token: editor, headers, body });
    expect([first.status, retry.status]).toEqual([201, 201]);
    expect(retry.headers.get('location')).toBe(first.headers.get('location'));
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    const gone = { 'idempotency-key': unique('k') };
    const deleted = await call(server.url, 'DELETE', `${flags}/${key}`, { token: editor, headers: gone });
    const deletedAgain = await call(server.url, 'DELETE', `${flags}/${key}`, { token: editor, headers: gone });
    expect([deleted.status, deletedAgain.status]).toEqual([204, 204]);
    expect(deletedAgain.headers.get('idempotent-replayed')).toBe('true');
    expect((await call(server.url, 'DELETE', `${flags}/${key}`, { token: editor })).status).toBe(404);
  });

  it('refuses the same key with a different body (422) and writes nothing', async () => {
    const key = unique('reuse');
    await createFlag(key);
    const headers = { 'idempotency-key': unique('k') };
    expect((await call(server.url, 'POST', `${flags}/${key}/toggle`, { token: editor, headers, body: { enabled: false } })).status).toBe(200);
    const other = await call(server.url, 'POST', `${flags}/${key}/toggle`, { token: editor, headers, body: { enabled: true } });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('idempotency_key_reused');
    expect((await call(server.url, 'GET', `${flags}/${key}`, { token: admin })).body.definition.enabled).toBe(false);
  });

  it('scopes keys per token, method and path', async () => {
    const [one, two] = [unique('scope'), unique('scope')];
    await createFlag(one);
    await createFlag(two);
    const headers = { 'idempotency-key': unique('k') };
    expect((await call(server.url, 'POST', `${flags}/${one}/toggle`, { token: editor, headers })).body.definition.enabled).toBe(false);
    // Same key, another path: a different request.
    const otherPath = await call(server.url, 'POST', `${flags}/${two}/toggle`, { token: editor, headers });
    expect(otherPath.headers.get('idempotent-replayed')).toBeNull();
    expect(otherPath.body.definition.enabled).toBe(false);
    // Same key and path, another token: a different client.
    const otherToken = await call(server.url, 'POST', `${flags}/${one}/toggle`, { token: admin, headers });
    expect(otherToken.headers.get('idempotent-replayed')).toBeNull();
    expect(otherToken.body.definition.enabled).toBe(true);
  });

  it('does not use up a key on a failed write: a retry after the failure runs', async () => {
    const key = unique('later');
    const headers = { 'idempotency-key': unique('k') };
    expect((await call(server.url, 'POST', `${flags}/${key}/toggle`, { token: editor, headers, body: { enabled: false } })).status).toBe(404);
    await createFlag(key);
    const retry = await call(server.url, 'POST', `${flags}/${key}/toggle`, { token: editor, headers, body: { enabled: false } });
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(retry.body.definition.enabled).toBe(false);
  });

  it('writes once when two requests with the same key race', async () => {
    const key = unique('race');
    await createFlag(key);
    const headers = { 'idempotency-key': unique('k') };
    const answers = await Promise.all([1, 2, 3].map(() => call(server.url, 'POST', `${flags}/${key}/toggle`, { token: editor, headers })));
    // Each is the first answer or its replay (or, at worst, "still in progress, retry").
    for (const answer of answers) expect([200, 409]).toContain(answer.status);
    expect(answers.filter((a) => a.status === 200 && a.headers.get('idempotent-replayed') === null)).toHaveLength(1);
    expect((await call(server.url, 'GET', `${flags}/${key}`, { token: admin })).body.definition.enabled).toBe(false);
    expect(await auditCount(key)).toBe(2);
  });

  it('refuses a key that is too long or not visible ASCII (400 naming the header), before anything is written', async () => {
    const key = unique('long');
    await createFlag(key);
    for (const bad of ['x'.repeat(256), 'with space']) {
      const answer = await call(server.url, 'POST', `${flags}/${key}/toggle`, { token: editor, headers: { 'idempotency-key': bad } });
      expect(answer.status).toBe(400);
      expect(answer.body.error.problems[0].path).toBe('headers.idempotency-key');
    }
    expect((await call(server.url, 'POST', `${flags}/${key}/toggle`, { token: editor, headers: { 'idempotency-key': 'x'.repeat(255) } })).status).toBe(200);
    expect(await auditCount(key)).toBe(2);
  });

  it('never stores or replays an API token: a retried key creation says which key was made', async () => {
    const headers = { 'idempotency-key': unique('k') };
    const body = { type: 'sdk', environment: 'development', name: unique('sdk') };
    const first = await call(server.url, 'POST', '/api/v1/keys', { token: admin, headers, body });
    expect(first.status).toBe(201);
    const retry = await call(server.url, 'POST', '/api/v1/keys', { token: admin, headers, body });
    expect(retry.status).toBe(409);
    expect(retry.body.error.code).toBe('idempotency_token_not_replayed');
    expect(retry.body.error.key.id).toBe(first.body.id);
    expect(JSON.stringify(retry.body)).not.toContain(first.body.token);
    const keys = (await call(server.url, 'GET', '/api/v1/keys', { token: admin })).body.keys as Array<{ name: string }>;
    expect(keys.filter((k) => k.name === body.name)).toHaveLength(1);
  });

  it('leaves reads and writes without the header as they were', async () => {
    const key = unique('plain');
    await createFlag(key);
    expect((await call(server.url, 'POST', `${flags}/${key}/toggle`, { token: editor })).body.definition.enabled).toBe(false);
    expect((await call(server.url, 'POST', `${flags}/${key}/toggle`, { token: editor })).body.definition.enabled).toBe(true);
    const read = await call(server.url, 'GET', `${flags}/${key}`, { token: admin, headers: { 'idempotency-key': unique('k') } });
    expect(read.status).toBe(200);
    expect(read.headers.get('idempotent-replayed')).toBeNull();
  });
});

describe('IdempotencyService expiry', () => {
  let h: ServiceHarness;
  beforeAll(async () => {
    h = await openServiceHarness();
  });
  afterAll(() => h?.close());

  it('forgets a key after its time to live: the same key is then a new request', async () => {
    const service = new IdempotencyService(h.store, 50);
    const scope = { tokenId: 'token', method: 'POST', path: '/api/v1/x', key: unique('k') };
    const first = await service.begin(scope, 'hash');
    if ('replay' in first) throw new Error('expected a first request');
    await first.complete({ status: 200, headers: {}, body: '{}' });
    await first.unit.commit();
    expect(await service.begin(scope, 'hash')).toEqual({ replay: { status: 200, headers: {}, body: '{}' } });
    await new Promise((resolve) => setTimeout(resolve, 80));
    const again = await service.begin(scope, 'other hash');
    expect('unit' in again).toBe(true);
    if ('unit' in again) await again.unit.rollback();
    expect(await h.store.idempotency.sweep(100)).toBe(1);
  });
});
