import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createFlagClient, type FlagsDocument } from '@halyard/core';
import { readAudit, redisSource, writeDocument, connectRedis } from '@halyard/redis';
import type { HalyardServer } from '../src/index';
import { call, createStorage, REDIS_URL, startServer, type TestStorage } from './helpers';
// The throwaway redis-server of @halyard/redis's tests: killed and restarted here, never the shared one.
import { RedisProcess } from '../../redis/test/redis-server';

// The migration from Redis-only flags to the service, without downtime: an application keeps reading the Redis
// key with redisSource the whole time, the service is seeded from that key and then mirrors every change to it.

const boolean = (enabled: boolean) => ({ variants: { on: true, off: false }, enabled, offVariant: 'off', defaultServe: { variant: 'on' } });

async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeout = 20_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('halyard serve --redis-mirror --redis-seed', { timeout: 120_000 }, () => {
  let storage: TestStorage;
  let redis: Redis;
  const servers: HalyardServer[] = [];
  const key = `halyard-test:mirror:${randomBytes(6).toString('hex')}`;

  beforeAll(() => {
    storage = createStorage('postgres');
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    for (const server of servers) await server.close();
    await storage.drop();
    await redis.del(key, `${key}:audit`);
    redis.disconnect();
  });

  it('seeds an empty environment from the key, then mirrors every change to it while applications keep reading Redis', async () => {
    // Before: Redis-only. The CLI (or any tool) wrote the document; the application reads it.
    const writer = connectRedis(REDIS_URL);
    await writeDocument(writer, { schemaVersion: 1, flags: { 'new-checkout': boolean(false), legacy: boolean(true) } }, { key, actor: 'ops' });
    writer.disconnect();
    const app = createFlagClient({ source: redisSource({ url: REDIS_URL, key, pollInterval: 0 }), logger: false });
    await app.ready();
    expect(app.isEnabled('new-checkout')).toBe(false);

    // Step 1: the service starts, seeded from the key, and mirrors it from now on.
    const server = await startServer(storage, { redisMirror: { url: REDIS_URL, key, seed: true } });
    servers.push(server);
    const admin = server.bootstrapToken!;
    const seeded = (await call<FlagsDocument>(server.url, 'GET', '/api/v1/environments/development/document', { token: admin })).body;
    expect(Object.keys(seeded.flags).sort()).toEqual(['legacy', 'new-checkout']);
    const audit = (await call(server.url, 'GET', '/api/v1/audit?limit=10', { token: admin })).body;
    expect(JSON.stringify(audit)).toContain('redis-seed');

    // Step 2: writers move to the service; the application, still on Redis, follows at once.
    const toggled = await call(server.url, 'POST', '/api/v1/environments/development/flags/new-checkout/toggle', { token: admin, body: { enabled: true } });
    expect(toggled.status).toBe(200);
    await waitFor(() => app.isEnabled('new-checkout'), 'the mirrored toggle to reach the application');
    await call(server.url, 'DELETE', '/api/v1/environments/development/flags/legacy', { token: admin });
    await waitFor(() => app.getDetails('legacy', false).errorCode === 'FLAG_NOT_FOUND', 'the mirrored delete');
    expect(app.status).toBe('ready');
    const entries = await readAudit(redis, { key });
    expect(entries[0]).toMatchObject({ action: 'mirror', changes: { flags: { deleted: ['legacy'] } } });
    expect(entries[0]!.actor).toMatch(/^halyard-serve \(development v\d+\)$/);
    app.close();
  });

  it('refuses to start with an unknown environment or a key that cannot seed, naming the fix', async () => {
    const other = createStorage('postgres');
    try {
      await expect(startServer(other, { redisMirror: { url: REDIS_URL, key, environment: 'nope' } })).rejects.toThrow(/--redis-mirror-env "nope" is not an environment/);
      const broken = `${key}:broken`;
      await redis.set(broken, '{"schemaVersion":1,');
      await expect(startServer(other, { redisMirror: { url: REDIS_URL, key: broken, seed: true } })).rejects.toThrow(/cannot seed development from Redis .*not JSON.*start without --redis-seed/);
      await redis.del(broken);
      await expect(startServer(other, { redisMirror: { url: 'redis://127.0.0.1:1', key } })).rejects.toThrow(/--redis-mirror cannot reach Redis/);
    } finally {
      await other.drop();
    }
  });

  it('never seeds an environment that already has flags: the service is the source of truth, and the key follows it', async () => {
    await servers.pop()!.close();
    // Someone writes the key by hand after the move…
    await redis.set(key, JSON.stringify({ schemaVersion: 1, flags: { stray: boolean(true) } }));
    const server = await startServer(storage, { redisMirror: { url: REDIS_URL, key, seed: true } });
    servers.push(server);
    // …the service keeps its flags and puts them back into Redis.
    await waitFor(async () => {
      const document = JSON.parse((await redis.get(key)) ?? '{}') as FlagsDocument;
      return document.flags !== undefined && 'new-checkout' in document.flags && !('stray' in document.flags);
    }, 'the mirror to restore the service’s document');
  });

  it('fills a Redis node that was killed and came back empty, without any change in the service', async () => {
    const node = await RedisProcess.start();
    const other = createStorage('postgres');
    try {
      const server = await startServer(other, { redisMirror: { url: node.url, key, verifyInterval: 200 } });
      servers.push(server);
      const admin = server.bootstrapToken!;
      await call(server.url, 'POST', '/api/v1/environments/development/flags', { token: admin, body: { key: 'kept', definition: boolean(true) } });
      const probe = new Redis(node.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
      probe.on('error', () => {});
      const mirrored = async () => ((await probe.get(key).catch(() => null)) ?? '').includes('"kept"');
      await waitFor(mirrored, 'the first mirror write');
      await node.kill();
      await node.start();
      await waitFor(mirrored, 'the mirror to fill the empty replacement');
      probe.disconnect();
    } finally {
      await servers.pop()?.close();
      await node.kill();
      await other.drop();
    }
  });
});

