import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HalyardServer } from '../src/index';
import { call, createKey, createStorage, startServer, type TestStorage } from './helpers';

// POST /sdk/v1/events and the metrics endpoint over HTTP, on real PostgreSQL.

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Sends raw bytes and returns the first response's status line and headers (the body may never be sent). */
function rawRequest(url: string, head: string, body = ''): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(head + body));
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
      if (data.includes('\r\n\r\n')) {
        socket.destroy();
        resolve(data);
      }
    });
    socket.on('error', reject);
    socket.setTimeout(10_000, () => reject(new Error('no answer')));
  });
}

const now = () => Date.now();
const exposure = (flag: string, variant: string, unit?: string) => ({ kind: 'exposure', flag, variant, ...(unit === undefined ? {} : { unit }), time: now() });

describe('POST /sdk/v1/events', () => {
  let storage: TestStorage;
  let server: HalyardServer;
  let admin: string;
  let sdk: string;
  let client: string;

  const metrics = (flag: string) => call(server.url, 'GET', `/api/v1/environments/production/flags/${flag}/metrics`, { token: admin });
  const send = (body: unknown, token = sdk) => call(server.url, 'POST', '/sdk/v1/events', { token, body });

  beforeAll(async () => {
    storage = createStorage('postgres');
    server = await startServer(storage, { events: { flushMs: 50 } });
    admin = server.bootstrapToken!;
    sdk = await createKey(server.url, admin, { type: 'sdk', environment: 'production', name: 'events sdk' });
    client = await createKey(server.url, admin, { type: 'client', environment: 'production', name: 'events browser' });
  });

  afterAll(async () => {
    await server?.close();
    await storage?.drop();
  });

  it('accepts a batch (202) and serves per-variant aggregates from the metrics endpoint', async () => {
    const events = [
      exposure('checkout', 'on', 'u1'),
      exposure('checkout', 'on', 'u2'),
      exposure('checkout', 'off', 'u3'),
      exposure('checkout', 'off'),
      ...Array.from({ length: 100 }, (_, i) => ({ kind: 'outcome', flag: 'checkout', variant: 'on', ok: i >= 10, durationMs: i + 1, time: now() })),
      { kind: 'metric', name: 'purchase', unit: 'u1', value: 9.5, time: now(), extra: 'ignored' },
    ];
    const response = await send({ sdk: { name: '@halyard/core', version: '0.3.0' }, events });
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ accepted: events.length });
    const read = await eventually(() => metrics('checkout'), (r) => r.status === 200 && r.body.variants.length === 2 && r.body.variants[1].successes === 90);
    const [off, on] = read.body.variants;
    expect(off).toMatchObject({ variant: 'off', exposures: 2, uniqueUnits: 1, successes: 0, errors: 0, errorRate: null });
    expect(on).toMatchObject({ variant: 'on', exposures: 2, uniqueUnits: 2, successes: 90, errors: 10, errorRate: 0.1 });
    expect(on.latency).toMatchObject({ count: 100, min: 1, max: 100, mean: 50.5 });
    // p50 of 1…100 is 50 (rank 49.5); the sketch is within 1 %.
    expect(Math.abs(on.latency.p50 - 50)).toBeLessThanOrEqual(50 * 0.01 + 0.5);
    expect(Math.abs(on.latency.p99 - 99)).toBeLessThanOrEqual(99 * 0.01 + 1);
  });

  it('refuses a request without a key (401) before reading its body', async () => {
    // 100 MB announced, 10 bytes sent: the answer comes without the rest.
    const answer = await rawRequest(server.url, 'POST /sdk/v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n', '{"events":');
    expect(answer).toMatch(/^HTTP\/1.1 401/);
  });

  it('refuses a body over 512 KiB with 413', async () => {
    const big = { events: [{ kind: 'metric', name: 'x', time: now(), padding: 'x'.repeat(600 * 1024) }] };
    expect((await send(big)).status).toBe(413);
  });

  it('takes a client key as ?key= with text/plain JSON (sendBeacon), but never an SDK key', async () => {
    const body = JSON.stringify({ events: [exposure('beacon', 'on', 'b1')] });
    const ok = await call(server.url, 'POST', `/sdk/v1/events?key=${client}`, { rawBody: body, headers: { 'content-type': 'text/plain;charset=UTF-8' } });
    expect(ok.status).toBe(202);
    const secret = await call(server.url, 'POST', `/sdk/v1/events?key=${sdk}`, { rawBody: body, headers: { 'content-type': 'text/plain' } });
    expect(secret.status).toBe(401);
    const bearer = await call(server.url, 'POST', '/sdk/v1/events', { token: client, body: JSON.parse(body) });
    expect(bearer.status).toBe(202);
    await eventually(() => metrics('beacon'), (r) => r.body.variants[0]?.exposures === 2);
  });

  it('refuses an invalid batch whole, naming the first invalid field', async () => {
    const events = [exposure('half', 'on', 'h1'), exposure('half', 'on', 'h2'), exposure('half', 'on', 'h3'), { kind: 'outcome', flag: 'half', variant: 'on', ok: true, durationMs: 'slow', time: now() }];
    const response = await send({ events });
    expect(response.status).toBe(400);
    expect(response.body.error.problems).toEqual([{ path: '$.events[3].durationMs', message: expect.any(String) }]);

    const cases: Array<[unknown, string]> = [
      [{ events: [{ kind: 'click', time: 1 }] }, '$.events[0].kind'],
      [{ events: [{ kind: 'exposure', variant: 'on', time: 1 }] }, '$.events[0].flag'],
      [{ events: [{ kind: 'metric', name: 'has space', time: 1 }] }, '$.events[0].name'],
      [{ events: [{ kind: 'outcome', flag: 'f', variant: 'v', ok: true, durationMs: -1, time: 1 }] }, '$.events[0].durationMs'],
      [{ events: [{ kind: 'exposure', flag: 'f'.repeat(257), variant: 'v', time: 1 }] }, '$.events[0].flag'],
      [{ events: Array.from({ length: 1001 }, () => exposure('f', 'v')) }, '$.events'],
      [{ events: 'none' }, '$.events'],
    ];
    for (const [body, path] of cases) {
      const answer = await send(body);
      expect(answer.status, JSON.stringify(answer.body)).toBe(400);
      expect(answer.body.error.problems[0].path).toBe(path);
    }
    expect((await call(server.url, 'POST', '/sdk/v1/events', { token: sdk, rawBody: '{"events": [', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    // A later valid batch is aggregated; the refused one left nothing behind.
    await send({ events: [exposure('half-check', 'on')] });
    await eventually(() => metrics('half-check'), (r) => r.body.variants.length === 1);
    expect((await metrics('half')).body.variants).toEqual([]);
  });

  it('is in /openapi.json with its schemas', async () => {
    const { body } = await call(server.url, 'GET', '/openapi.json');
    expect(body.paths['/sdk/v1/events'].post.requestBody).toBeDefined();
    expect(Object.keys(body.paths['/sdk/v1/events'].post.responses)).toEqual(expect.arrayContaining(['202', '400', '401', '413', '429', '503']));
    expect(body.paths['/api/v1/environments/{env}/flags/{key}/metrics'].get.responses['200']).toBeDefined();
  });

  it('answers 404 for an unknown environment and 400 for a bad window on the metrics endpoint', async () => {
    expect((await call(server.url, 'GET', '/api/v1/environments/nope/flags/f/metrics', { token: admin })).status).toBe(404);
    const since = new Date(Date.now() - 8 * 24 * 60 * 60_000).toISOString();
    const wide = await call(server.url, 'GET', `/api/v1/environments/production/flags/f/metrics?since=${since}`, { token: admin });
    expect(wide.status).toBe(400);
    expect((await call(server.url, 'GET', '/api/v1/environments/production/flags/f/metrics', { token: sdk })).status).toBe(403);
  });
});

describe('events limits and shutdown', () => {
  const storages: TestStorage[] = [];
  const fresh = () => {
    const storage = createStorage('postgres');
    storages.push(storage);
    return storage;
  };

  afterAll(async () => {
    await Promise.all(storages.map((storage) => storage.drop()));
  });

  it('answers 429 with Retry-After per key, and 503 with Retry-After when the buffer is full', async () => {
    const server = await startServer(fresh(), { events: { flushMs: 60_000, rateLimit: 10, maxPendingKeys: 2 } });
    try {
      const admin = server.bootstrapToken!;
      const one = await createKey(server.url, admin, { type: 'sdk', environment: 'production', name: 'one' });
      const two = await createKey(server.url, admin, { type: 'sdk', environment: 'production', name: 'two' });
      const batch = (n: number, flag = 'f') => ({ events: Array.from({ length: n }, (_, i) => exposure(flag, 'on', `u${i}`)) });
      // Burst = 2 s × 10 events/s: one batch of 20 passes, the next is limited.
      expect((await call(server.url, 'POST', '/sdk/v1/events', { token: one, body: batch(1) })).status).toBe(202);
      const limited = await call(server.url, 'POST', '/sdk/v1/events', { token: one, body: batch(20) });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(limited.body.error.code).toBe('rate_limited');
      // The buffer now holds 2 keys (a minute row and a unit): full, for every key.
      const full = await call(server.url, 'POST', '/sdk/v1/events', { token: two, body: batch(1, 'g') });
      expect(full.status).toBe(503);
      expect(full.headers.get('retry-after')).toBe('60');
      expect(full.body.error.code).toBe('queue_full');
    } finally {
      await server.close();
    }
  });

  it('limits a client key per address too, so one page cannot spend the whole key', async () => {
    const server = await startServer(fresh(), { events: { flushMs: 60_000, addressRateLimit: 5 } });
    try {
      const admin = server.bootstrapToken!;
      const browser = await createKey(server.url, admin, { type: 'client', environment: 'production', name: 'pages' });
      const sdk = await createKey(server.url, admin, { type: 'sdk', environment: 'production', name: 'backend' });
      const batch = { events: Array.from({ length: 10 }, (_, i) => exposure('page', 'on', `p${i}`)) };
      // Burst = 2 s × 5 events/s.
      expect((await call(server.url, 'POST', '/sdk/v1/events', { token: browser, body: batch })).status).toBe(202);
      const limited = await call(server.url, 'POST', '/sdk/v1/events', { token: browser, body: batch });
      expect(limited.status).toBe(429);
      expect(limited.body.error.message).toMatch(/address/);
      // Server SDK keys have no per-address limit.
      for (let i = 0; i < 3; i++) expect((await call(server.url, 'POST', '/sdk/v1/events', { token: sdk, body: batch })).status).toBe(202);
    } finally {
      await server.close();
    }
  });

  it('writes buffered aggregates on close (graceful shutdown)', async () => {
    const storage = fresh();
    const first = await startServer(storage, { events: { flushMs: 60_000 } });
    const admin = first.bootstrapToken!;
    const sdk = await createKey(first.url, admin, { type: 'sdk', environment: 'production', name: 'shutdown' });
    expect((await call(first.url, 'POST', '/sdk/v1/events', { token: sdk, body: { events: [exposure('drain', 'on', 'd1'), exposure('drain', 'on', 'd2')] } })).status).toBe(202);
    await first.close();
    const second = await startServer(storage, { events: { flushMs: 60_000 } });
    try {
      const read = await call(second.url, 'GET', '/api/v1/environments/production/flags/drain/metrics', { token: admin });
      expect(read.body.variants).toMatchObject([{ variant: 'on', exposures: 2, uniqueUnits: 2 }]);
    } finally {
      await second.close();
    }
  });
});


describe('events on PGlite (the default storage)', () => {
  it('aggregates and reads back the same way', async () => {
    const storage = createStorage('pglite');
    const server = await startServer(storage, { events: { flushMs: 50 } });
    try {
      const admin = server.bootstrapToken!;
      const sdk = await createKey(server.url, admin, { type: 'sdk', environment: 'production', name: 'pglite' });
      const events = [exposure('lite', 'on', 'a'), exposure('lite', 'off', 'b'), { kind: 'outcome', flag: 'lite', variant: 'on', ok: false, durationMs: 3, time: now() }];
      expect((await call(server.url, 'POST', '/sdk/v1/events', { token: sdk, body: { events } })).status).toBe(202);
      const read = await eventually(
        () => call(server.url, 'GET', '/api/v1/environments/production/flags/lite/metrics', { token: admin }),
        (r) => r.body.variants?.length === 2 && r.body.variants[1].errors === 1,
      );
      expect(read.body.variants).toMatchObject([
        { variant: 'off', exposures: 1, uniqueUnits: 1 },
        { variant: 'on', exposures: 1, uniqueUnits: 1, errors: 1, errorRate: 1, latency: { count: 1, min: 3, max: 3 } },
      ]);
    } finally {
      await server.close();
      await storage.drop();
    }
  });
});
