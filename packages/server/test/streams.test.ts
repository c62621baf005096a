import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HalyardServer } from '../src/index';
import { SseClient, booleanFlag, call, createKey, createStorage, startServer, type TestStorage } from './helpers';

describe('SSE fan-out', () => {
  let storage: TestStorage;
  let server: HalyardServer;
  let admin: string;
  let sdk: string;

  beforeAll(async () => {
    storage = createStorage('postgres');
    server = await startServer(storage);
    admin = server.bootstrapToken!;
    sdk = await createKey(server.url, admin, { type: 'sdk', environment: 'staging', name: 'fan-out' });
    await call(server.url, 'POST', '/api/v1/environments/staging/flags', { token: admin, body: { key: 'fan', definition: booleanFlag(true) } });
  });

  afterAll(async () => {
    await server?.close();
    await storage?.drop();
  });

  it('pushes one change to hundreds of idle streams and counts them in /health', async () => {
    const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
    const count = 300;
    const received: boolean[] = [];
    const requests: http.ClientRequest[] = [];
    const connected: Array<Promise<void>> = [];
    for (let i = 0; i < count; i++) {
      received.push(false);
      connected.push(
        new Promise<void>((resolve, reject) => {
          const req = http.get(`${server.url}/sdk/v1/stream`, { agent, headers: { authorization: `Bearer ${sdk}` } }, (res) => {
            let text = '';
            res.on('data', (chunk: Buffer) => {
              text += chunk.toString();
              if (text.includes('event: update')) resolve();
              if (text.includes('"enabled":false')) received[i] = true;
            });
          });
          req.on('error', reject);
          requests.push(req);
        }),
      );
    }
    await Promise.all(connected);
    expect((await call(server.url, 'GET', '/health')).body.streams).toBe(count);
    await call(server.url, 'POST', '/api/v1/environments/staging/flags/fan/toggle', { token: admin, body: { enabled: false } });
    const deadline = Date.now() + 10_000;
    while (received.some((r) => !r) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(received.filter(Boolean)).toHaveLength(count);
    for (const req of requests) req.destroy();
    const drained = Date.now() + 5000;
    while ((await call(server.url, 'GET', '/health')).body.streams > 0 && Date.now() < drained) await new Promise((r) => setTimeout(r, 20));
    expect((await call(server.url, 'GET', '/health')).body.streams).toBe(0);
  });

  it('ends open streams when the server closes, so close() never hangs', async () => {
    const own = createStorage('postgres');
    const closing = await startServer(own);
    try {
      const key = await createKey(closing.url, closing.bootstrapToken!, { type: 'sdk', environment: 'development', name: 'closing' });
      const streams = await Promise.all([1, 2, 3].map(() => SseClient.connect(`${closing.url}/sdk/v1/stream`, key)));
      await Promise.all(streams.map((s) => s.waitFor(() => true)));
      await closing.close();
      await Promise.all(streams.map((s) => s.done));
    } finally {
      await closing.close();
      await own.drop();
    }
  });

  it('does not open a stream for HEAD requests', async () => {
    const response = await fetch(`${server.url}/sdk/v1/stream`, { method: 'HEAD', headers: { authorization: `Bearer ${sdk}` } });
    expect(response.status).toBe(404);
  });
});
