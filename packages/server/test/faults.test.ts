import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HalyardServer } from '../src/index';
import { describeStartupError, isDatabaseStartupError } from '../src/internal/cli/startup-error';
import { FaultProxy } from './fault-proxy';
import { POSTGRES_URL, REDIS_URL, booleanFlag, call, createKey, createStorage, startServer, type TestStorage } from './helpers';

// Fault injection with real PostgreSQL and Redis behind a TCP proxy on loopback (PGlite cannot be proxied). Short
// timeouts keep the file bounded; the assertions are about outcomes (503, committed or not), and the only time
// bound checked is a generous "answered at all" one: before the timeouts existed these requests never answered.
const TIMEOUTS = { connectTimeoutMs: 1000, statementTimeoutMs: 800, queryTimeoutMs: 1600 } as const;
/** "Answered, not hung": far above the timeouts, far below forever. */
const ANSWER_BOUND_MS = 8000;

const target = (url: string) => {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port) };
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await fn();
  return { value, ms: Date.now() - started };
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(100);
  }
}

describe('PostgreSQL faults, through a TCP proxy', () => {
  let proxy: FaultProxy;
  let storage: TestStorage;
  let server: HalyardServer;
  let admin: string;
  let sdk: string;
  /** Reads the truth straight from PostgreSQL, around the proxy. */
  let direct: pg.Client;
  const flagPath = '/api/v1/environments/development/flags/kill';

  const truth = async () => {
    const flag = await direct.query<{ enabled: boolean; version: number }>(
      `select (definition->>'enabled')::boolean as enabled, version from flags where env = 'development' and key = 'kill'`,
    );
    const audit = await direct.query<{ n: string }>(`select count(*) as n from audit_log where resource_type = 'flag' and resource_key = 'kill'`);
    return { enabled: flag.rows[0]!.enabled, version: Number(flag.rows[0]!.version), audit: Number(audit.rows[0]!.n) };
  };
  const flip = (headers: Record<string, string> = {}) => call(server.url, 'POST', `${flagPath}/toggle`, { token: admin, headers });

  beforeAll(async () => {
    proxy = await FaultProxy.start(target(POSTGRES_URL));
    storage = createStorage('postgres');
    server = await startServer(storage, { databaseUrl: proxy.url(POSTGRES_URL), ...TIMEOUTS, resyncMs: 60_000 });
    admin = server.bootstrapToken!;
    expect((await call(server.url, 'POST', '/api/v1/environments/development/flags', { token: admin, body: { key: 'kill', definition: booleanFlag(true) } })).status).toBe(201);
    sdk = await createKey(server.url, admin, { type: 'sdk', environment: 'development', name: 'faults' });
    direct = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${storage.options.schema}` });
    await direct.connect();
  });

  afterEach(async () => {
    proxy.heal();
    // Every fault leaves the service able to write again (pool connections replaced on their own).
    await eventually(async () => (await call(server.url, 'GET', flagPath, { token: admin })).status === 200);
  });

  afterAll(async () => {
    await server?.close();
    await proxy?.close();
    await direct?.end();
    await storage?.drop();
  });

  it('does not start on a database that is down or black-holed: one clear error within the connect timeout', async () => {
    const dead = await FaultProxy.start(target(POSTGRES_URL));
    try {
      for (const fault of ['down', 'black-hole'] as const) {
        if (fault === 'down') dead.down();
        else dead.blackHole();
        const databaseUrl = dead.url(POSTGRES_URL);
        const { value: error, ms } = await timed(() => startServer(storage, { databaseUrl, ...TIMEOUTS }).then(
          () => undefined,
          (e: unknown) => e,
        ));
        expect(error, fault).toBeDefined();
        expect(ms, fault).toBeLessThan(ANSWER_BOUND_MS);
        expect(isDatabaseStartupError(error), fault).toBe(true);
        const line = describeStartupError(error, { databaseUrl });
        expect(line.split('\n')).toHaveLength(1);
        expect(line).toMatch(new RegExp(`^cannot open PostgreSQL at postgres://postgres@127\\.0\\.0\\.1:${dead.port}/test: .+; check --database-url / DATABASE_URL$`));
      }
    } finally {
      await dead.close();
    }
  });

  it('answers 503 with Retry-After within the bound while the database is black-holed; SDKs keep being served', async () => {
    const before = await truth();
    proxy.blackHole();
    const write = await timed(() => flip());
    expect(write.value.status).toBe(503);
    expect(write.value.headers.get('retry-after')).toBe('1');
    expect(write.value.body.error.code).toBe('unavailable');
    expect(write.ms).toBeLessThan(ANSWER_BOUND_MS);
    const read = await timed(() => call(server.url, 'GET', flagPath, { token: admin }));
    expect(read.value.status).toBe(503);
    expect(read.ms).toBeLessThan(ANSWER_BOUND_MS);
    // The SDK path is served from memory: the database is not on it.
    const definitions = await call(server.url, 'GET', '/sdk/v1/definitions', { token: sdk });
    expect(definitions.status).toBe(200);
    expect(definitions.body.flags.kill.enabled).toBe(before.enabled);
    const evaluated = await call(server.url, 'POST', '/sdk/v1/evaluate', { token: sdk, body: { context: { userId: 'u-1' } } });
    expect(evaluated.status).toBe(200);
    expect((await call(server.url, 'GET', '/health')).status).toBe(503);

    // The path comes back and delivers what was sent into it: the abandoned write must still not commit.
    proxy.heal();
    await sleep(TIMEOUTS.statementTimeoutMs);
    expect(await truth()).toEqual(before);
  });

  it('never commits a write whose COMMIT was lost in a black hole after the client got 503; a retried flip toggles once', async () => {
    const before = await truth();
    const fired = proxy.when('commit\0', 'black-hole-before');
    const write = await timed(() => flip());
    await fired;
    expect(write.value.status).toBe(503);
    expect(write.ms).toBeLessThan(ANSWER_BOUND_MS);
    // The server rolled the transaction back (idle_in_transaction_session_timeout < query timeout) before the
    // client gave up, so the COMMIT delivered now reaches a session that is gone.
    proxy.heal();
    await sleep(300);
    expect(await truth()).toEqual(before);

    const retry = await flip();
    expect(retry.status).toBe(200);
    expect(retry.body.definition.enabled).toBe(!before.enabled);
    expect(await truth()).toEqual({ enabled: !before.enabled, version: before.version + 1, audit: before.audit + 1 });
  });

  it('replays the first answer when the answer to a committed write was lost and the client retries with its Idempotency-Key', async () => {
    const before = await truth();
    const headers = { 'idempotency-key': `faults-${Date.now()}` };
    const fired = proxy.when('commit\0', 'black-hole-after');
    const write = await flip(headers);
    await fired;
    // Committed, but the service never heard so: it cannot claim success.
    expect(write.status).toBe(503);
    proxy.heal();
    await eventually(async () => (await truth()).version === before.version + 1);

    const retry = await flip(headers);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.definition.enabled).toBe(!before.enabled);
    expect(retry.headers.get('etag')).toBe(`"${before.version + 1}"`);
    // Toggled once, audited once.
    expect(await truth()).toEqual({ enabled: !before.enabled, version: before.version + 1, audit: before.audit + 1 });
  });

  it('commits a write cut mid-way fully or not at all (version and audit log agree)', async () => {
    for (const action of ['cut-before', 'cut-after'] as const) {
      const before = await truth();
      const fired = proxy.when('commit\0', action);
      const write = await timed(() => flip());
      await fired;
      expect(write.value.status, action).toBe(503);
      expect(write.ms).toBeLessThan(ANSWER_BOUND_MS);
      await sleep(200);
      const after = await truth();
      const committed = after.version !== before.version;
      if (action === 'cut-before') expect(committed, 'the COMMIT never reached the server').toBe(false);
      expect(after).toEqual(committed ? { enabled: !before.enabled, version: before.version + 1, audit: before.audit + 1 } : before);
      await eventually(async () => (await call(server.url, 'GET', flagPath, { token: admin })).status === 200);
    }
  });

  it('answers 503 at once while the database is down, and writes again once it is back', async () => {
    proxy.down();
    const write = await timed(() => call(server.url, 'POST', `${flagPath}/toggle`, { token: admin, body: { enabled: true } }));
    expect(write.value.status).toBe(503);
    expect(write.ms).toBeLessThan(ANSWER_BOUND_MS);
    proxy.heal();
    await eventually(async () => (await call(server.url, 'POST', `${flagPath}/toggle`, { token: admin, body: { enabled: true } })).status === 200);
    expect((await truth()).enabled).toBe(true);
  });
});

describe('Redis fan-out faults, through a TCP proxy', () => {
  let proxy: FaultProxy;
  let storage: TestStorage;
  let a: HalyardServer;
  let b: HalyardServer;
  let admin: string;
  let sdk: string;
  const flagPath = '/api/v1/environments/development/flags/fan';

  // Redis is the only path between the two instances: no NOTIFY, and a periodic re-read too rare to matter here.
  const options = () => ({ redisUrl: proxy.url(REDIS_URL), redisChannel: `halyard:faults:${storage.options.schema}`, postgresNotify: false, resyncMs: 120_000, ...TIMEOUTS });
  const seenByB = async (enabled: boolean) => (await call(b.url, 'GET', '/sdk/v1/definitions', { token: sdk })).body.flags?.fan?.enabled === enabled;

  beforeAll(async () => {
    proxy = await FaultProxy.start(target(REDIS_URL));
    storage = createStorage('postgres');
    a = await startServer(storage, options());
    b = await startServer(storage, options());
    admin = a.bootstrapToken!;
    expect((await call(a.url, 'POST', '/api/v1/environments/development/flags', { token: admin, body: { key: 'fan', definition: booleanFlag(true) } })).status).toBe(201);
    sdk = await createKey(a.url, admin, { type: 'sdk', environment: 'development', name: 'fan-out' });
    await eventually(() => seenByB(true));
  });

  afterEach(() => proxy.heal());

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await proxy?.close();
    await storage?.drop();
  });

  it('does not start while Redis is black-holed: one clear error within the bound', async () => {
    const dead = await FaultProxy.start(target(REDIS_URL));
    try {
      dead.blackHole();
      const { value: error, ms } = await timed(() => startServer(storage, { ...options(), redisUrl: dead.url(REDIS_URL) }).then(
        () => undefined,
        (e: unknown) => e,
      ));
      expect(String(error)).toMatch(/cannot connect to Redis at REDIS_URL \(.+\); check the URL or unset REDIS_URL/);
      expect(ms).toBeLessThan(ANSWER_BOUND_MS);
    } finally {
      await dead.close();
    }
  });

  for (const fault of ['black-hole', 'cut'] as const) {
    it(`writes while Redis is ${fault === 'cut' ? 'cut' : 'black-holed'} (committed in PostgreSQL), and the instances converge after it heals`, async () => {
      const current = (await call(a.url, 'GET', flagPath, { token: admin })).body.definition.enabled as boolean;
      if (fault === 'cut') proxy.down();
      else proxy.blackHole();
      const write = await timed(() => call(a.url, 'POST', `${flagPath}/toggle`, { token: admin, body: { enabled: !current } }));
      expect(write.value.status).toBe(200);
      expect(write.ms).toBeLessThan(ANSWER_BOUND_MS);
      // The writing instance serves its own write at once.
      expect((await call(a.url, 'GET', '/sdk/v1/definitions', { token: sdk })).body.flags.fan.enabled).toBe(!current);
      proxy.heal();
      await eventually(() => seenByB(!current), 15_000);
    });
  }
});
