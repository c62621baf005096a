import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { createFlagClient, DefinitionsError, type FlagClient, type FlagDefinition, type FlagsDocument } from '@halyard/core';
import { connectRedis, readAudit, redisSource, updateFlag, writeDocument } from '../src/index';
import { plainRedis, RedisProcess, SHARED_REDIS_URL, uniqueKey, waitFor } from './redis-server';

// Real Redis throughout: the shared server on 6379 (unique keys per test) for the everyday paths, and a
// throwaway redis-server per test that kills, restarts or reconfigures one.

const flag = (enabled: boolean, extra: Partial<FlagDefinition> = {}): FlagDefinition => ({
  variants: { on: true, off: false },
  enabled,
  offVariant: 'off',
  defaultServe: { variant: 'on' },
  ...extra,
});
const doc = (flags: Record<string, FlagDefinition>): FlagsDocument => ({ schemaVersion: 1, flags });

const quiet = { logger: false as const };
let cleanups: Array<() => unknown> = [];
const track = <T extends { close(): unknown } | Redis>(thing: T): T => {
  cleanups.push(() => ('close' in thing ? thing.close() : thing.disconnect()));
  return thing;
};
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

describe('redisSource (document layout)', () => {
  let raw: Redis;
  let writer: Redis;
  beforeAll(() => {
    raw = plainRedis(SHARED_REDIS_URL);
    writer = connectRedis(SHARED_REDIS_URL);
  });
  afterAll(() => {
    raw.disconnect();
    writer.disconnect();
  });

  it('loads the document and follows writes at once over the change channel', async () => {
    const key = uniqueKey('follow');
    await writeDocument(writer, doc({ 'new-checkout': flag(false) }), { key, actor: 'test' });
    // No poll: only the published change can deliver the update.
    const client = track(createFlagClient({ source: redisSource({ url: SHARED_REDIS_URL, key, pollInterval: 0, keyspaceNotifications: false }), ...quiet }));
    await client.ready();
    expect(client.isEnabled('new-checkout')).toBe(false);
    expect(client.getSnapshot().version).toBe('1');
    await updateFlag(writer, 'new-checkout', (f) => f && { ...f, enabled: true }, { key, actor: 'test', action: 'flag.toggle' });
    await waitFor(() => client.isEnabled('new-checkout'), 'the toggle to arrive');
    expect(client.getSnapshot()).toMatchObject({ status: 'ready', version: '2' });
    await raw.del(key, `${key}:audit`);
  });

  it('keeps the last good flags on invalid JSON written by hand, reports it once, and recovers', async () => {
    const key = uniqueKey('garbage');
    await writeDocument(writer, doc({ a: flag(true) }), { key });
    const errors: Error[] = [];
    const client = track(createFlagClient({ source: redisSource({ url: SHARED_REDIS_URL, key, pollInterval: 25 }), onError: (e) => errors.push(e), ...quiet }));
    await client.ready();
    await raw.set(key, '{"schemaVersion": 1, "flags": {');
    await raw.publish(`${key}:changes`, 'by hand');
    await waitFor(() => client.getSnapshot().status === 'stale', 'status stale');
    expect(client.isEnabled('a')).toBe(true);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(DefinitionsError);
    expect((errors[0] as DefinitionsError).problems[0]).toMatchObject({ path: '$', message: expect.stringContaining('is not valid JSON') });
    // Many polls later, the same bad value has still been reported only once.
    const polls = Date.now();
    await waitFor(() => Date.now() - polls > 300, 'a dozen polls');
    expect(errors).toHaveLength(1);

    await raw.set(key, JSON.stringify(doc({ a: flag(false) })));
    await waitFor(() => client.getSnapshot().status === 'ready' && !client.isEnabled('a'), 'recovery on the next good write');
    await raw.del(key, `${key}:audit`);
  });

  it('reports an invalid document with the path of each problem, and a key of another type', async () => {
    const key = uniqueKey('invalid');
    await writeDocument(writer, doc({ a: flag(true) }), { key });
    const errors: Error[] = [];
    const client = track(createFlagClient({ source: redisSource({ url: SHARED_REDIS_URL, key, pollInterval: 25 }), onError: (e) => errors.push(e), ...quiet }));
    await client.ready();
    await raw.set(key, JSON.stringify({ schemaVersion: 1, flags: { a: { ...flag(true), defaultServe: { variant: 'missing' } } } }));
    await waitFor(() => errors.length === 1, 'the invalid document to be reported');
    const problems = (errors[0] as DefinitionsError).problems;
    expect(problems.map((p) => p.path)).toContain('$.flags["a"].defaultServe.variant');
    expect(client.getSnapshot().status).toBe('stale');
    expect(client.isEnabled('a')).toBe(true);

    await raw.del(key);
    await raw.hset(key, 'not', 'a string');
    await waitFor(() => errors.length === 2, 'the hash to be reported');
    expect(errors[1]!.message).toMatch(/holds a hash, not a string/);
    expect(client.isEnabled('a')).toBe(true);
    await raw.del(key, `${key}:audit`);
  });

  it('catches a SET from a terminal with the poll when keyspace notifications are off', async () => {
    const key = uniqueKey('terminal');
    await raw.set(key, JSON.stringify(doc({ a: flag(false) })));
    const client = track(createFlagClient({ source: redisSource({ url: SHARED_REDIS_URL, key, pollInterval: 50 }), ...quiet }));
    await client.ready();
    await raw.set(key, JSON.stringify(doc({ a: flag(true) })));
    await waitFor(() => client.isEnabled('a'), 'the poll to notice');
    await raw.del(key);
  });

  it('reports a missing key and loads it once it is written', async () => {
    const key = uniqueKey('missing');
    const errors: Error[] = [];
    const client = track(createFlagClient({ source: redisSource({ url: SHARED_REDIS_URL, key, pollInterval: 0 }), onError: (e) => errors.push(e), ...quiet }));
    await expect(client.ready()).rejects.toThrow(/does not exist \(yet\)/);
    await writeDocument(writer, doc({ a: flag(true) }), { key });
    await waitFor(() => client.isEnabled('a'), 'the first write');
    expect(errors).toHaveLength(1);
    await raw.del(key, `${key}:audit`);
  });

  it('works from an ioredis client of the caller (duplicated, never closed) and refuses values over maxSize', async () => {
    const key = uniqueKey('own-client');
    await writeDocument(writer, doc({ a: flag(true) }), { key });
    const errors: Error[] = [];
    const client = track(createFlagClient({ source: redisSource({ redis: raw, key, pollInterval: 0, maxSize: 2_000 }), onError: (e) => errors.push(e), ...quiet }));
    await client.ready();
    expect(client.isEnabled('a')).toBe(true);
    await writeDocument(writer, doc({ a: flag(false, { description: 'x'.repeat(3_000) }) }), { key });
    await waitFor(() => errors.length === 1, 'the oversized value to be refused');
    expect(errors[0]!.message).toMatch(/holds \d+ bytes, over the limit of 2000; raise maxSize/);
    expect(client.isEnabled('a')).toBe(true);
    client.close();
    expect(raw.status).toBe('ready');
    await raw.del(key, `${key}:audit`);
  });

  it('refuses unclear options, naming the fix', () => {
    expect(() => redisSource({ key: 'x' })).toThrow(/needs either \{ url/);
    expect(() => redisSource({ url: SHARED_REDIS_URL, key: 'x', prefix: 'y:' })).toThrow(/either \{ key \}.*or \{ prefix \}/);
  });
});

describe('redisSource (one key per flag)', () => {
  let raw: Redis;
  let writer: Redis;
  beforeAll(() => {
    raw = plainRedis(SHARED_REDIS_URL);
    writer = connectRedis(SHARED_REDIS_URL);
  });
  afterAll(() => {
    raw.disconnect();
    writer.disconnect();
  });
  const cleanup = async (prefix: string) => {
    const keys = await raw.keys(`${prefix}*`);
    if (keys.length) await raw.del(...keys);
  };

  it('reads flag and segment keys under the prefix and follows SET, updateFlag and DEL', async () => {
    const prefix = `${uniqueKey('keys')}:`;
    await raw.set(`${prefix}flag:new-checkout`, JSON.stringify(flag(false)));
    await raw.set(`${prefix}segment:staff`, JSON.stringify({ conditions: [{ attribute: 'email', operator: 'endsWith', values: ['@acme.com'] }] }));
    await raw.set(`${prefix}flag:staff-only`, JSON.stringify(flag(true, { defaultServe: { variant: 'off' }, rules: [{ id: 'staff', conditions: [{ attribute: 'user', operator: 'inSegment', values: ['staff'] }], serve: { variant: 'on' } }] })));
    const client = track(createFlagClient({ source: redisSource({ url: SHARED_REDIS_URL, prefix, pollInterval: 50 }), ...quiet }));
    await client.ready();
    expect(client.isEnabled('new-checkout')).toBe(false);
    expect(client.isEnabled('staff-only', { email: 'ann@acme.com' })).toBe(true);

    await raw.set(`${prefix}flag:new-checkout`, JSON.stringify(flag(true)));
    await waitFor(() => client.isEnabled('new-checkout'), 'a SET of one flag key');

    const result = await updateFlag(writer, 'brand-new', () => flag(true), { prefix, actor: 'test' });
    expect(result).toMatchObject({ changed: true, version: '1' });
    await waitFor(() => client.isEnabled('brand-new'), 'updateFlag in the prefix layout');
    expect(await raw.get(`${prefix}flag:brand-new`)).toBe(JSON.stringify(flag(true)));

    await raw.del(`${prefix}flag:brand-new`);
    await waitFor(() => client.getDetails('brand-new', false).errorCode === 'FLAG_NOT_FOUND', 'a DEL');
    await cleanup(prefix);
  });

  it('stops at maxKeys instead of reading an unbounded keyspace', async () => {
    const prefix = `${uniqueKey('keys-many')}:`;
    for (let i = 0; i < 5; i++) await raw.set(`${prefix}flag:f-${i}`, JSON.stringify(flag(true)));
    const client = track(createFlagClient({ source: redisSource({ url: SHARED_REDIS_URL, prefix, pollInterval: 0, maxKeys: 3 }), ...quiet }));
    await expect(client.ready()).rejects.toThrow(/more than 3 keys under .*raise maxKeys, or keep the flags in one document/);
    await cleanup(prefix);
  });

  it('reports a key that is not JSON with the path it would have, keeping the last good flags', async () => {
    const prefix = `${uniqueKey('keys-garbage')}:`;
    await raw.set(`${prefix}flag:a`, JSON.stringify(flag(true)));
    const errors: Error[] = [];
    const client = track(createFlagClient({ source: redisSource({ url: SHARED_REDIS_URL, prefix, pollInterval: 25 }), onError: (e) => errors.push(e), ...quiet }));
    await client.ready();
    await raw.set(`${prefix}flag:b`, 'on');
    await waitFor(() => errors.length === 1, 'the bad key to be reported');
    expect((errors[0] as DefinitionsError).problems[0]).toMatchObject({ path: '$.flags["b"]', message: expect.stringContaining(`${prefix}flag:b is not valid JSON`) });
    expect(client.isEnabled('a')).toBe(true);
    await cleanup(prefix);
  });
});

describe('redisSource against a Redis that dies', () => {
  let server: RedisProcess;
  beforeAll(async () => {
    server = await RedisProcess.start();
  });
  afterAll(async () => {
    await server.kill();
  });

  it('serves the last good flags (stale) while Redis is killed mid-stream, reports the outage once, and resumes after a restart', async () => {
    const key = uniqueKey('restart');
    const writer = track(connectRedis(server.url, { retry: { base: 20, max: 200 } }));
    writer.on('error', () => {});
    await writeDocument(writer, doc({ a: flag(true) }), { key });
    const errors: Error[] = [];
    const client = track(
      createFlagClient({ source: redisSource({ url: server.url, key, pollInterval: 100, retry: { base: 20, max: 200 } }), onError: (e) => errors.push(e), ...quiet }),
    );
    await client.ready();
    // No poll at all: after the restart only a re-subscribed channel can bring it the next change.
    const pushOnly = track(createFlagClient({ source: redisSource({ url: server.url, key, pollInterval: 0, retry: { base: 20, max: 200 } }), ...quiet }));
    await pushOnly.ready();

    // A stream of changes, with Redis killed in the middle of it.
    for (let i = 0; i < 20; i++) await updateFlag(writer, 'a', (f) => f && { ...f, enabled: i % 2 === 1 }, { key });
    await waitFor(() => client.getSnapshot().version === '21', 'the stream of changes');
    await server.kill();
    await waitFor(() => client.getSnapshot().status === 'stale', 'status stale');
    expect(client.isEnabled('a')).toBe(true);
    // Several reconnect attempts fail meanwhile (the backoff here is 20–200 ms); the outage is one report.
    await new Promise((r) => setTimeout(r, 600));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/lost the connection .*reconnecting with backoff/);
    expect(client.isEnabled('a')).toBe(true);

    // The replacement node comes back empty (no persistence): the source says so and keeps the flags…
    await server.start();
    await waitFor(() => errors.length === 2, 'the empty restarted Redis to be noticed');
    expect(errors[1]!.message).toMatch(/does not exist/);
    expect(client.isEnabled('a')).toBe(true);
    // …until the document is written again (e.g. halyard import … --redis, or serve --redis-mirror).
    await waitFor(() => writer.status === 'ready', 'the writer to reconnect');
    await writeDocument(writer, doc({ a: flag(false) }), { key });
    await waitFor(() => client.getSnapshot().status === 'ready' && !client.isEnabled('a'), 'recovery');
    await waitFor(() => pushOnly.getSnapshot().status === 'ready' && !pushOnly.isEnabled('a'), 'recovery over the re-subscribed channel');
    await updateFlag(writer, 'a', (f) => f && { ...f, enabled: true }, { key });
    await waitFor(() => pushOnly.isEnabled('a'), 'the next change over pub/sub');
  });

  it('follows keyspace notifications when the server has them on, without any poll', async () => {
    const admin = track(plainRedis(server.url));
    await waitFor(async () => (await admin.ping().catch(() => '')) === 'PONG', 'the server');
    await admin.config('SET', 'notify-keyspace-events', 'K$g');
    const key = uniqueKey('keyspace');
    await admin.set(key, JSON.stringify(doc({ a: flag(false) })));
    const client = track(createFlagClient({ source: redisSource({ url: server.url, key, pollInterval: 0 }), ...quiet }));
    await client.ready();
    await admin.set(key, JSON.stringify(doc({ a: flag(true) })));
    await waitFor(() => client.isEnabled('a'), 'the keyspace notification');

    const prefix = `${uniqueKey('keyspace-keys')}:`;
    await admin.set(`${prefix}flag:b`, JSON.stringify(flag(false)));
    const perKey = track(createFlagClient({ source: redisSource({ url: server.url, prefix, pollInterval: 0 }), ...quiet }));
    await perKey.ready();
    await admin.set(`${prefix}flag:b`, JSON.stringify(flag(true)));
    await waitFor(() => perKey.isEnabled('b'), 'the keyspace notification of one flag key');
    await admin.config('SET', 'notify-keyspace-events', '');
  });

  it('close() leaves nothing running: no sockets, no timers, no reconnects', async () => {
    const key = uniqueKey('close');
    const admin = plainRedis(server.url);
    await admin.set(key, JSON.stringify(doc({ a: flag(true) })));
    admin.disconnect();
    await new Promise((r) => setTimeout(r, 50));
    const before = resources();
    const client = createFlagClient({ source: redisSource({ url: server.url, key, pollInterval: 100 }), ...quiet });
    await client.ready();
    expect(resources().TCPSocketWrap ?? 0).toBeGreaterThan(before.TCPSocketWrap ?? 0);
    client.close();
    await waitFor(() => {
      const after = resources();
      return (after.TCPSocketWrap ?? 0) <= (before.TCPSocketWrap ?? 0) && (after.Timeout ?? 0) <= (before.Timeout ?? 0);
    }, 'every socket and timer to go');

    // Also when Redis is down and the source is between reconnect attempts.
    const down = createFlagClient({ source: redisSource({ url: 'redis://127.0.0.1:1', key, retry: { base: 50 } }), ...quiet });
    await expect(down.ready()).rejects.toThrow(/cannot connect to redis\(127\.0\.0\.1:1 .*check the URL/);
    down.close();
    await waitFor(() => {
      const after = resources();
      return (after.TCPSocketWrap ?? 0) <= (before.TCPSocketWrap ?? 0) && (after.Timeout ?? 0) <= (before.Timeout ?? 0);
    }, 'the pending reconnect to be cancelled');
  });
});

/** Open sockets and timers of this process, by kind (TCPSocketWrap, ConnectWrap, Timeout). */
function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of process.getActiveResourcesInfo()) {
    const kind = name === 'ConnectWrap' ? 'TCPSocketWrap' : name;
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

describe('writes', () => {
  it('keep every one of 100 concurrent read-modify-write updates, each with its audit entry', async () => {
    const key = uniqueKey('concurrent');
    const setup = connectRedis(SHARED_REDIS_URL);
    await writeDocument(setup, { schemaVersion: 1, flags: { counter: { variants: { count: 0 }, enabled: true, defaultServe: { variant: 'count' } } } }, { key, actor: 'setup' });
    // 100 writers, each on its own connection (like 100 processes), all incrementing the same value.
    const writers = Array.from({ length: 100 }, () => connectRedis(SHARED_REDIS_URL));
    const results = await Promise.all(
      writers.map((redis, i) =>
        updateFlag(redis, 'counter', (f) => f && { ...f, variants: { count: (f.variants.count as number) + 1 } }, { key, actor: `writer-${i}`, action: 'flag.increment' }),
      ),
    );
    for (const redis of writers) redis.disconnect();
    const final = JSON.parse((await setup.get(key))!) as FlagsDocument;
    expect(final.flags.counter!.variants.count).toBe(100);
    expect(final.version).toBe(101);
    expect(new Set(results.map((r) => r.version)).size).toBe(100);
    const audit = await readAudit(setup, { key, count: 1000 });
    expect(audit).toHaveLength(101);
    expect(new Set(audit.filter((e) => e.action === 'flag.increment').map((e) => e.actor)).size).toBe(100);
    expect(audit.map((e) => Number(e.version))).toEqual(Array.from({ length: 101 }, (_, i) => 101 - i));
    expect(JSON.parse(audit[0]!.after!).variants.count).toBe(100);
    await setup.del(key, `${key}:audit`);
    setup.disconnect();
  });

  it('validate before writing: nothing is written, the error lists the problems', async () => {
    const key = uniqueKey('validate');
    const redis = connectRedis(SHARED_REDIS_URL);
    await writeDocument(redis, doc({ a: flag(true) }), { key });
    const error = await updateFlag(redis, 'a', (f) => f && { ...f, offVariant: 'nope' }, { key }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DefinitionsError);
    expect((error as DefinitionsError).problems.map((p) => p.path)).toContain('$.flags["a"].offVariant');
    expect(JSON.parse((await redis.get(key))!).version).toBe(1);
    expect(await readAudit(redis, { key })).toHaveLength(1);
    // A document broken by hand: a partial change names the current value as the problem; a whole one replaces it.
    await redis.set(key, JSON.stringify({ schemaVersion: 1, version: 1, flags: { a: { ...flag(true), offVariant: 'gone' } } }));
    await expect(updateFlag(redis, 'b', () => flag(true), { key })).rejects.toThrow(/is not a valid flags document; fix it by hand or replace it/);
    await redis.set(key, JSON.stringify({ schemaVersion: 1, flags: 3 }));
    const shapeless = (await updateFlag(redis, 'b', () => flag(true), { key }).catch((e: unknown) => e)) as DefinitionsError;
    expect(shapeless.problems.map((p) => p.path)).toContain('$.flags');
    expect(await redis.get(key)).toBe(JSON.stringify({ schemaVersion: 1, flags: 3 }));
    await writeDocument(redis, doc({ a: flag(true) }), { key });
    expect(JSON.parse((await redis.get(key))!).version).toBe(1);
    // Writing what is already there writes nothing: no version, no audit entry.
    expect(await writeDocument(redis, doc({ a: flag(true) }), { key })).toMatchObject({ changed: false, version: '1' });
    expect(await readAudit(redis, { key })).toHaveLength(2);
    await redis.del(key, `${key}:audit`);
    redis.disconnect();
  });
});
