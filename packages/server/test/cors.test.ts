import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HalyardServer } from '../src/index';
import { call, createKey, createStorage, startServer, type TestStorage } from './helpers';

describe('CORS with a configured origin list', () => {
  let storage: TestStorage;
  let server: HalyardServer;
  let client: string;

  beforeAll(async () => {
    storage = createStorage('postgres');
    server = await startServer(storage, { corsOrigins: ['https://shop.example'] });
    client = await createKey(server.url, server.bootstrapToken!, { type: 'client', environment: 'production', name: 'shop' });
  });

  afterAll(async () => {
    await server?.close();
    await storage?.drop();
  });

  it('allows listed origins only, and varies on Origin', async () => {
    const allowed = await call(server.url, 'POST', '/sdk/v1/evaluate', { token: client, body: {}, headers: { origin: 'https://shop.example' } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(allowed.headers.get('vary')).toMatch(/Origin/);
    const other = await call(server.url, 'POST', '/sdk/v1/evaluate', { token: client, body: {}, headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${server.url}/sdk/v1/evaluate`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('never sends CORS headers on the admin API', async () => {
    const response = await call(server.url, 'GET', '/api/v1/environments', { token: server.bootstrapToken!, headers: { origin: 'https://shop.example' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});
