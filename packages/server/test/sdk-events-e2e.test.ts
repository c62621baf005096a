import { createFlagClient, httpSource } from '@halyard/core';
import { createEventQueue, createEventSender, createHttpEventSink } from '@halyard/core/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HalyardServer } from '../src/index';
import { booleanFlag, call, createKey, createStorage, startServer, type TestStorage } from './helpers';

// End to end: @halyard/core's event sender against the real service (POST /sdk/v1/events), on real PostgreSQL.

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('@halyard/core events → the flag service', () => {
  let storage: TestStorage;
  let server: HalyardServer;
  let admin: string;
  let sdk: string;
  let browserKey: string;
  const F = '/api/v1/environments/production/flags';
  const metrics = (flag: string) => call(server.url, 'GET', `${F}/${flag}/metrics`, { token: admin });

  beforeAll(async () => {
    storage = createStorage('postgres');
    server = await startServer(storage, { events: { flushMs: 50 } });
    admin = server.bootstrapToken!;
    sdk = await createKey(server.url, admin, { type: 'sdk', environment: 'production', name: 'events e2e' });
    browserKey = await createKey(server.url, admin, { type: 'client', environment: 'production', name: 'events e2e browser' });
    await call(server.url, 'POST', F, { token: admin, body: { key: 'e2e-checkout', definition: booleanFlag(true) } });
  });

  afterAll(async () => {
    await server?.close();
    await storage?.drop();
  });

  it('a client’s exposures, guarded outcomes and metrics are accepted (202) and aggregated per variant', async () => {
    const errors: Error[] = [];
    const client = createFlagClient({
      source: httpSource({ url: `${server.url}/sdk/v1/definitions`, sdkKey: sdk }),
      events: createEventSender({ url: `${server.url}/sdk/v1/events`, sdkKey: sdk, onError: (e) => errors.push(e) }),
      logger: false,
    });
    await client.ready();
    for (const userId of ['u1', 'u2', 'u2']) client.isEnabled('e2e-checkout', { userId });
    await client.guard('e2e-checkout', { userId: 'u1' }, { on: () => 'new', off: () => 'old' });
    await client.guard('e2e-checkout', { userId: 'u2' }, {
      on: () => {
        throw new Error('new path broke');
      },
      off: () => 'old',
    });
    client.track('purchase', { userId: 'u1' }, 49.9);
    await client.close();
    expect(errors).toEqual([]);
    expect(client.events?.stats()).toEqual({ queued: 0, sent: 5, dropped: 0, failed: 0 });
    const read = await eventually(() => metrics('e2e-checkout'), (r) => r.status === 200 && r.body.variants[0]?.errors === 1);
    expect(read.body.variants).toEqual([expect.objectContaining({ variant: 'on', exposures: 2, uniqueUnits: 2, successes: 1, errors: 1 })]);
  });

  it('a browser’s client key works by fetch (Bearer) and by page-hide beacon (?key=, text/plain JSON)', async () => {
    const answers: Promise<Response>[] = [];
    // What navigator.sendBeacon does: a POST without custom headers, a string body as text/plain.
    const sendBeacon = (url: string, body: string) => {
      answers.push(fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8' }, body }));
      return true;
    };
    const url = `${server.url}/sdk/v1/events`;
    const sender = createEventSender({ url, clientKey: browserKey });
    sender.exposure({ flag: 'e2e-beacon', variant: 'on', value: true, unit: 'b1' });
    await sender.close();
    expect(sender.stats()).toMatchObject({ sent: 1, failed: 0 });
    // A page being hidden hands the queue to the beacon (the sender does this on pagehide in browsers).
    const queue = createEventQueue({ transport: createHttpEventSink({ url, clientKey: browserKey, sendBeacon }) });
    queue.push({ kind: 'exposure', flag: 'e2e-beacon', variant: 'on', unit: 'b2', time: Date.now() });
    queue.flushBeacon();
    expect(answers).toHaveLength(1);
    expect((await answers[0]!).status).toBe(202);
    await eventually(() => metrics('e2e-beacon'), (r) => r.status === 200 && r.body.variants[0]?.exposures === 2);
  });
});
