import { createFlagClient, httpSource, type FlagClient } from '@halyard/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HalyardServer } from '../src/index';
import { booleanFlag, call, createKey, createStorage, startServer, type TestStorage } from './helpers';

function changed(client: FlagClient, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (predicate()) return resolve();
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`client state not reached within ${timeoutMs} ms (status ${client.status})`));
    }, timeoutMs);
    const unsubscribe = client.subscribe(() => {
      if (predicate()) {
        clearTimeout(timer);
        unsubscribe();
        resolve();
      }
    });
  });
}

describe('@halyard/core httpSource against the real server', () => {
  let storage: TestStorage;
  let server: HalyardServer;
  let admin: string;
  let sdk: string;
  const clients: FlagClient[] = [];
  const F = '/api/v1/environments/development/flags';

  beforeAll(async () => {
    storage = createStorage('postgres');
    server = await startServer(storage);
    admin = server.bootstrapToken!;
    sdk = await createKey(server.url, admin, { type: 'sdk', environment: 'development', name: 'core client' });
    await call(server.url, 'POST', F, { token: admin, body: { key: 'live', definition: booleanFlag(true) } });
  });

  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });

  afterAll(async () => {
    await server?.close();
    await storage?.drop();
  });

  const client = (options: Partial<Parameters<typeof httpSource>[0]> & { url?: string }) => {
    const c = createFlagClient({
      source: httpSource({ url: `${server.url}/sdk/v1/definitions`, sdkKey: sdk, ...options }),
      logger: false,
    });
    clients.push(c);
    return c;
  };

  it('streams: a toggle reaches the client without polling', async () => {
    // A poll interval far beyond the test's length: only the stream can deliver the change.
    const c = client({ stream: true, pollInterval: 600_000 });
    await c.ready();
    expect(c.isEnabled('live')).toBe(true);
    await call(server.url, 'POST', `${F}/live/toggle`, { token: admin, body: { enabled: false } });
    await changed(c, () => !c.isEnabled('live'));
    await call(server.url, 'POST', `${F}/live/toggle`, { token: admin, body: { enabled: true } });
    await changed(c, () => c.isEnabled('live'));
    expect(c.status).toBe('ready');
  });

  it('polls with ETags when streaming is off', async () => {
    const c = client({ stream: false, pollInterval: 100 });
    await c.ready();
    expect(c.isEnabled('live')).toBe(true);
    await call(server.url, 'POST', `${F}/live/toggle`, { token: admin, body: { enabled: false } });
    await changed(c, () => !c.isEnabled('live'));
    await call(server.url, 'POST', `${F}/live/toggle`, { token: admin, body: { enabled: true } });
    await changed(c, () => c.isEnabled('live'));
  });

  it('falls back to polling when the stream endpoint is unavailable', async () => {
    const c = client({ stream: true, streamUrl: `${server.url}/sdk/v1/no-such-stream`, pollInterval: 100, retry: { base: 50, max: 200 } });
    await c.ready();
    await call(server.url, 'POST', `${F}/live/toggle`, { token: admin, body: { enabled: false } });
    await changed(c, () => !c.isEnabled('live'));
    await call(server.url, 'POST', `${F}/live/toggle`, { token: admin, body: { enabled: true } });
    await changed(c, () => c.isEnabled('live'));
  });

  it('keeps the last good flags (status stale) when the server dies, and recovers from a new one', async () => {
    const own = createStorage('postgres');
    let dying = await startServer(own);
    try {
      const token = dying.bootstrapToken!;
      const key = await createKey(dying.url, token, { type: 'sdk', environment: 'development', name: 'lkg' });
      await call(dying.url, 'POST', F, { token, body: { key: 'survivor', definition: booleanFlag(true) } });
      const port = new URL(dying.url).port;
      const c = createFlagClient({
        source: httpSource({ url: `${dying.url}/sdk/v1/definitions`, sdkKey: key, stream: true, pollInterval: 100, retry: { base: 50, max: 200 } }),
        logger: false,
      });
      clients.push(c);
      await c.ready();
      expect(c.isEnabled('survivor')).toBe(true);
      await dying.close();
      await changed(c, () => c.status === 'stale');
      expect(c.isEnabled('survivor')).toBe(true);
      expect(c.getDetails('survivor', false).reason).not.toBe('ERROR');

      // Same port, same database: the client reconnects on its own.
      dying = await startServer(own, { port: Number(port) });
      await call(dying.url, 'POST', `${F}/survivor/toggle`, { token, body: { enabled: false } });
      await changed(c, () => c.status === 'ready' && !c.isEnabled('survivor'));
    } finally {
      await dying.close();
      await own.drop();
    }
  });
});
