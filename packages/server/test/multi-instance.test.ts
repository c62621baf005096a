import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type HalyardServer } from '../src/index';
import { REDIS_URL, SseClient, booleanFlag, call, createKey, createStorage, startServer, uniqueName, type TestStorage } from './helpers';

async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('two instances on one PostgreSQL database', () => {
  let storage: TestStorage;
  let a: HalyardServer;
  let b: HalyardServer;
  let admin: string;
  let sdk: string;
  const F = '/api/v1/environments/production/flags';

  beforeAll(async () => {
    storage = createStorage('postgres');
    // Started together: migrations and the bootstrap token are serialised by the advisory lock.
    [a, b] = await Promise.all([startServer(storage), startServer(storage)]);
    const tokens = [a.bootstrapToken, b.bootstrapToken].filter(Boolean);
    expect(tokens).toHaveLength(1);
    admin = tokens[0]!;
    sdk = await createKey(a.url, admin, { type: 'sdk', environment: 'production', name: 'fleet' });
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await storage?.drop();
  });

  it('accepts a key created on the other instance right away, with identical answers from both serving paths', async () => {
    // First request: B does not know the key yet (database lookup, full Fastify route). Second: B's in-memory fast path.
    const slow = await call(b.url, 'GET', '/sdk/v1/definitions', { token: sdk });
    const fast = await call(b.url, 'GET', '/sdk/v1/definitions', { token: sdk });
    expect(slow.status).toBe(200);
    expect(fast.status).toBe(200);
    expect(fast.body).toEqual(slow.body);
    for (const header of ['etag', 'content-type', 'cache-control', 'vary', 'content-encoding']) {
      expect(fast.headers.get(header), header).toBe(slow.headers.get(header));
    }
  });

  it('delivers a toggle made through A to a streaming client of B within a second', async () => {
    await call(a.url, 'POST', F, { token: admin, body: { key: 'checkout', definition: booleanFlag(true) } });
    const stream = await SseClient.connect(`${b.url}/sdk/v1/stream`, sdk);
    await stream.waitFor((doc) => doc.flags.checkout?.enabled === true);
    const latencies: number[] = [];
    for (const enabled of [false, true, false]) {
      const from = stream.events.length;
      const started = Date.now();
      const response = await call(a.url, 'POST', `${F}/checkout/toggle`, { token: admin, body: { enabled } });
      expect(response.status).toBe(200);
      const event = await stream.waitFor((doc) => doc.flags.checkout?.enabled === enabled, 10_000, from);
      latencies.push(event.at - started);
      // B installs the version before streaming it, so its definitions endpoint agrees.
      const doc = await call(b.url, 'GET', '/sdk/v1/definitions', { token: sdk });
      expect(doc.body.flags.checkout.enabled).toBe(enabled);
      expect(doc.body.version).toBe(Number(event.id));
    }
    stream.close();
    // The requirement: a kill switch reaches every instance's streams in under a second.
    expect(Math.max(...latencies)).toBeLessThan(1000);
  });

  it('never lets concurrent editors on different instances overwrite each other', async () => {
    await call(a.url, 'POST', F, { token: admin, body: { key: 'contended', definition: booleanFlag() } });
    const [ra, rb] = await Promise.all(
      [a, b].map((s, i) =>
        call(s.url, 'PUT', `${F}/contended`, { token: admin, headers: { 'if-match': '"1"' }, body: { definition: { ...booleanFlag(), owner: `team-${i}` } } }),
      ),
    );
    expect([ra!.status, rb!.status].sort()).toEqual([200, 412]);
    const audit = await call(a.url, 'GET', '/api/v1/audit?flag=contended', { token: admin });
    expect(audit.body.entries.map((e: { action: string }) => e.action)).toEqual(['flag.update', 'flag.create']);
  });

  it('propagates key revocation and new environments to the other instance', async () => {
    const key = await call(a.url, 'POST', '/api/v1/keys', { token: admin, body: { type: 'sdk', environment: 'production', name: 'short-lived' } });
    expect((await call(b.url, 'GET', '/sdk/v1/definitions', { token: key.body.token })).status).toBe(200);
    await call(a.url, 'DELETE', `/api/v1/keys/${key.body.id}`, { token: admin });
    await eventually(async () => (await call(b.url, 'GET', '/sdk/v1/definitions', { token: key.body.token })).status === 401);

    await call(b.url, 'POST', '/api/v1/environments', { token: admin, body: { key: 'eu', copyFrom: 'production' } });
    const euKey = await createKey(b.url, admin, { type: 'sdk', environment: 'eu', name: 'eu' });
    const stream = await SseClient.connect(`${a.url}/sdk/v1/stream`, euKey);
    await stream.waitFor((doc) => doc.flags.checkout !== undefined);
    await call(b.url, 'POST', '/api/v1/environments/eu/flags/checkout/toggle', { token: admin, body: { enabled: true } });
    await stream.waitFor((doc) => doc.flags.checkout.enabled === true);
    await call(b.url, 'DELETE', '/api/v1/environments/eu', { token: admin });
    await stream.done;
    expect((await call(a.url, 'GET', '/sdk/v1/definitions', { token: euKey })).status).toBe(401);
  });
});

describe('Redis pub/sub propagation (REDIS_URL)', () => {
  let storage: TestStorage;
  let withRedis: HalyardServer[] = [];
  let withoutAnything: HalyardServer | undefined;

  beforeAll(async () => {
    storage = createStorage('postgres');
    // Postgres NOTIFY off: Redis is the only way changes travel between these instances.
    const redisChannel = uniqueName('halyard-test');
    const first = await startServer(storage, { postgresNotify: false, redisUrl: REDIS_URL, redisChannel });
    withRedis = [first, await startServer(storage, { postgresNotify: false, redisUrl: REDIS_URL, redisChannel })];
    // Its periodic re-check (30 s by default) would hear the change too, by design: on a slow machine the test can
    // reach its "must not hear" window that late, so the re-check is moved out of the test's reach.
    withoutAnything = await startServer(storage, { postgresNotify: false, resyncMs: 3_600_000 });
  });

  afterAll(async () => {
    await Promise.all([...withRedis, withoutAnything].map((s) => s?.close()));
    await storage?.drop();
  });

  it('delivers a change through Redis, and an instance with neither NOTIFY nor Redis does not hear it', async () => {
    const [a, b] = withRedis as [HalyardServer, HalyardServer];
    const admin = a.bootstrapToken!;
    const sdk = await createKey(a.url, admin, { type: 'sdk', environment: 'staging', name: 'redis' });
    await call(a.url, 'POST', '/api/v1/environments/staging/flags', { token: admin, body: { key: 'via-redis', definition: booleanFlag(true) } });
    const onB = await SseClient.connect(`${b.url}/sdk/v1/stream`, sdk);
    const deaf = await SseClient.connect(`${withoutAnything!.url}/sdk/v1/stream`, sdk);
    await onB.waitFor((doc) => doc.flags['via-redis']?.enabled === true);
    await deaf.waitFor((doc) => doc.flags['via-redis']?.enabled === true);
    await call(a.url, 'POST', '/api/v1/environments/staging/flags/via-redis/toggle', { token: admin, body: { enabled: false } });
    await onB.waitFor((doc) => doc.flags['via-redis'].enabled === false);
    await new Promise((r) => setTimeout(r, 300));
    expect(deaf.events.some((e) => e.data.flags['via-redis'].enabled === false)).toBe(false);
    onB.close();
    deaf.close();
  });

  it('catches up on a lost notification at the periodic re-check', async () => {
    const [a] = withRedis as [HalyardServer];
    const admin = a.bootstrapToken!;
    const resyncing = await startServer(storage, { postgresNotify: false, resyncMs: 200 });
    try {
      const sdk = await createKey(a.url, admin, { type: 'sdk', environment: 'staging', name: 'resync' });
      await call(a.url, 'POST', '/api/v1/environments/staging/flags', { token: admin, body: { key: 'resynced', definition: booleanFlag(true) } });
      const stream = await SseClient.connect(`${resyncing.url}/sdk/v1/stream`, sdk);
      await stream.waitFor((doc) => doc.flags.resynced?.enabled === true);
      await call(a.url, 'POST', '/api/v1/environments/staging/flags/resynced/toggle', { token: admin, body: { enabled: false } });
      await stream.waitFor((doc) => doc.flags.resynced.enabled === false);
      stream.close();
    } finally {
      await resyncing.close();
    }
  });

  it('fails to start with a clear message when REDIS_URL is unreachable', async () => {
    const other = createStorage('postgres');
    try {
      await expect(createServer({ ...other.options, port: 0, logger: false, redisUrl: 'redis://127.0.0.1:1' })).rejects.toThrow(/REDIS_URL/);
    } finally {
      await other.drop();
    }
  });
});
