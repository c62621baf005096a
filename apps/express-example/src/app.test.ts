import { afterEach, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createTestClient } from '@halyard/testing';
import { createApp } from './app';

let server: Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
  server = undefined;
});

async function start(values: Record<string, boolean | string>) {
  const client = createTestClient(values);
  const app = createApp({ client, allowedOrigins: ['http://localhost:5173'] });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { client, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('express example', () => {
  it('renders the new or the old checkout and the chosen button colour', async () => {
    const { client, url } = await start({ 'new-checkout': true, 'button-color': 'green', 'ai-recommendations': true });
    const on = await (await fetch(`${url}/checkout`)).text();
    expect(on).toContain('data-variant="new"');
    expect(on).toContain('data-color="green"');
    expect(on).toContain('data-testid="ai-recommendations"');
    client.set('new-checkout', false);
    client.set('ai-recommendations', false);
    const off = await (await fetch(`${url}/checkout`)).text();
    expect(off).toContain('data-variant="old"');
    expect(off).not.toContain('data-testid="ai-recommendations"');
  });

  it('assigns a stable uid cookie and uses it as the userId', async () => {
    const { url } = await start({ 'new-checkout': true, 'button-color': 'blue', 'ai-recommendations': false });
    const first = await fetch(`${url}/api/checkout`);
    const cookie = first.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^uid=[0-9a-f-]{36}; .*HttpOnly/);
    const uid = /^uid=([^;]+)/.exec(cookie)![1];
    expect(((await first.json()) as { userId: string }).userId).toBe(uid);
    const again = await fetch(`${url}/api/checkout`, { headers: { cookie: `uid=${uid}` } });
    expect(again.headers.get('set-cookie')).toBeNull();
    expect(await again.json()).toEqual({ userId: uid, checkout: 'new', buttonColor: 'blue', recommendations: [] });
  });

  it('serves the flags endpoint with CORS credentials for the allowed origin only', async () => {
    const { url } = await start({ 'new-checkout': true });
    const allowed = await fetch(`${url}/api/flags`, { method: 'POST', headers: { origin: 'http://localhost:5173', 'content-type': 'application/json' }, body: '{}' });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(allowed.headers.get('access-control-expose-headers')).toBe('ETag');
    const preflight = await fetch(`${url}/api/flags`, { method: 'OPTIONS', headers: { origin: 'http://localhost:5173' } });
    expect(preflight.status).toBe(204);
    const other = await fetch(`${url}/api/flags`, { method: 'POST', headers: { origin: 'http://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
