import { afterEach, describe, expect, it } from 'vitest';
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { FlagSnapshot } from '@halyard/core';
import { flagsHandler, halyard } from '@halyard/express';
import { createTestClient } from '@halyard/testing';
import { forceFlags, overrideCookie, overrideHeaders } from '@halyard/testing/express';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

async function listen(app: express.Express): Promise<string> {
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function checkoutApp(client: Parameters<typeof halyard>[0]['client'], extra?: (app: express.Express) => void, secret?: string) {
  const app = express();
  const options = { client, context: () => ({ userId: 'u1' }), overrides: secret ? { secret } : undefined };
  app.use(halyard(options));
  extra?.(app);
  app.get('/checkout', (req, res) => {
    res.json({ checkout: req.flags.isEnabled('new-checkout') ? 'new' : 'old', color: req.flags.getValue('button-color', 'blue'), variant: req.flags.variant('button-color') });
  });
  app.all('/api/flags', flagsHandler(options));
  return app;
}

describe('@halyard/testing/express', () => {
  it('createTestClient (from @halyard/testing) drives an app through halyard(), both sides', async () => {
    const client = createTestClient({ 'new-checkout': true, 'button-color': 'green' });
    const url = await listen(checkoutApp(client));
    expect(await (await fetch(`${url}/checkout`)).json()).toEqual({ checkout: 'new', color: 'green', variant: 'green' });
    client.set('new-checkout', false);
    client.set('button-color', undefined);
    expect(await (await fetch(`${url}/checkout`)).json()).toEqual({ checkout: 'old', color: 'blue' });
    const snapshot = (await (await fetch(`${url}/api/flags`)).json()) as FlagSnapshot;
    expect(Object.keys(snapshot.flags)).toEqual(['new-checkout']);
  });

  it('forceFlags pins some flags over a real client and leaves the others alone', async () => {
    const client = createTestClient({ 'new-checkout': false, 'button-color': 'green' });
    const url = await listen(checkoutApp(client, (app) => app.use(forceFlags({ 'new-checkout': true }))));
    expect(await (await fetch(`${url}/checkout`)).json()).toEqual({ checkout: 'new', color: 'green', variant: 'green' });
  });

  it('forceFlags mounted without halyard() fails loudly with the fix', async () => {
    const app = express();
    app.use(forceFlags({ a: true }));
    app.get('/', (_req, res) => res.send('unreachable'));
    app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => res.status(500).send(error.message));
    const url = await listen(app);
    expect(await (await fetch(url)).text()).toMatch(/must be mounted after halyard\(\)/);
  });

  it('overrideHeaders / overrideCookie drive a server that enabled signed overrides', async () => {
    const secret = 's'.repeat(40);
    const client = createTestClient({ 'new-checkout': false, 'button-color': 'blue' });
    const url = await listen(checkoutApp(client, undefined, secret));
    const headers = overrideHeaders({ 'new-checkout': true }, secret);
    expect(await (await fetch(`${url}/checkout`, { headers })).json()).toMatchObject({ checkout: 'new' });
    const cookie = overrideCookie({ 'button-color': 'green' }, secret, url);
    expect(cookie.url).toBe(url);
    expect(await (await fetch(`${url}/checkout`, { headers: { cookie: `${cookie.name}=${cookie.value}` } })).json()).toMatchObject({ checkout: 'old', color: 'green' });
    expect(await (await fetch(`${url}/checkout`)).json()).toMatchObject({ checkout: 'old', color: 'blue' });
  });
});
