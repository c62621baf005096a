import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import express from 'express';
import { halyard } from '@halyard/express';
import type { ServerFlags } from '@halyard/core';
import { DOCUMENT, controlledClient, listen, type Running } from '../test/helpers';

// req.flags is served by an accessor on Express's base request plus a WeakMap (see src/internal/attach.ts), not by
// an own property. These tests pin down that it still behaves like one everywhere a user would look.

const running: Running[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});

async function serve(app: express.Express): Promise<string> {
  const r = await listen(app);
  running.push(r);
  return r.url;
}

const user = (req: express.Request) => ({ userId: req.get('x-user') });
const get = async (url: string, who = 'alice') => (await fetch(url, { headers: { 'x-user': who } })).json();

describe('req.flags across the Express request lifecycle', () => {
  it('adds no own property to the request, and reads work on both sides of a rule', async () => {
    const { client } = controlledClient(DOCUMENT);
    const app = express();
    app.use(halyard({ client, context: user }));
    app.get('/', (req, res) => {
      res.json({ own: Object.prototype.hasOwnProperty.call(req, 'flags'), on: req.flags.isEnabled('new-checkout') });
    });
    const url = await serve(app);
    expect(await get(url, 'alice')).toEqual({ own: false, on: true });
    expect(await get(url, 'bob')).toEqual({ own: false, on: false });
  });

  it('reaches handlers of a mounted sub-app and of a Router', async () => {
    const { client } = controlledClient(DOCUMENT);
    const app = express();
    app.use(halyard({ client, context: user }));
    const sub = express();
    sub.get('/color', (req, res) => {
      res.json({ color: req.flags.getValue('button-color', 'red') });
    });
    const router = express.Router();
    router.get('/color', (req, res) => {
      res.json({ color: req.flags.getValue('button-color', 'red') });
    });
    app.use('/sub', sub);
    app.use('/router', router);
    app.get('/after', (req, res) => {
      res.json({ color: req.flags.getValue('button-color', 'red') });
    });
    const url = await serve(app);
    expect(await get(`${url}/sub/color`)).toEqual({ color: 'green' });
    expect(await get(`${url}/router/color`, 'bob')).toEqual({ color: 'blue' });
    expect(await get(`${url}/after`)).toEqual({ color: 'green' });
  });

  it('keeps one context and one answer per flag for the whole request, across awaits and other requests', async () => {
    const { client, publish } = controlledClient(DOCUMENT);
    const context = vi.fn(user);
    const app = express();
    app.use(halyard({ client, context }));
    let firstRead!: () => void;
    const readOnce = new Promise<void>((resolve) => (firstRead = resolve));
    app.get('/slow', async (req, res) => {
      const before = req.flags.isEnabled('new-checkout');
      firstRead();
      await sleep(50);
      res.json({ before, after: req.flags.isEnabled('new-checkout') });
    });
    app.get('/fast', (req, res) => {
      res.json({ on: req.flags.isEnabled('new-checkout') });
    });
    const url = await serve(app);
    const slow = get(`${url}/slow`, 'alice');
    await readOnce;
    // Turn the flag off for everyone while /slow is between its two reads; other requests interleave.
    publish({ ...DOCUMENT, version: 2, flags: { ...DOCUMENT.flags, 'new-checkout': { ...DOCUMENT.flags['new-checkout']!, enabled: false } } });
    expect(await get(`${url}/fast`, 'alice')).toEqual({ on: false });
    expect(await slow).toEqual({ before: true, after: true });
    expect(context).toHaveBeenCalledTimes(2);
  });

  it('is undefined in apps without halyard(), even in the same process', async () => {
    const { client } = controlledClient(DOCUMENT);
    const withFlags = express();
    withFlags.use(halyard({ client, context: user }));
    withFlags.get('/', (req, res) => res.json({ on: req.flags.isEnabled('new-checkout') }));
    const without = express();
    without.get('/', (req, res) => res.json({ type: typeof (req as { flags?: unknown }).flags }));
    const a = await serve(withFlags);
    const b = await serve(without);
    expect(await get(a)).toEqual({ on: true });
    expect(await get(b)).toEqual({ type: 'undefined' });
  });

  it('gives each app its own client when two apps share the process', async () => {
    const one = controlledClient(DOCUMENT).client;
    const two = controlledClient({ ...DOCUMENT, flags: { ...DOCUMENT.flags, 'new-checkout': { ...DOCUMENT.flags['new-checkout']!, enabled: false } } }).client;
    const make = (client: typeof one) => {
      const app = express();
      app.use(halyard({ client, context: user }));
      app.get('/', (req, res) => res.json({ on: req.flags.isEnabled('new-checkout') }));
      return app;
    };
    const [a, b] = await Promise.all([serve(make(one)), serve(make(two))]);
    expect(await get(a)).toEqual({ on: true });
    expect(await get(b)).toEqual({ on: false });
  });

  it('can be replaced by assignment in a later middleware', async () => {
    const { client } = controlledClient(DOCUMENT);
    const app = express();
    app.use(halyard({ client, context: user }));
    app.use((req, _res, next) => {
      const inner = req.flags;
      req.flags = { ...inner, isEnabled: (key: string) => key === 'ai-recommendations' || inner.isEnabled(key) } as ServerFlags;
      next();
    });
    app.get('/', (req, res) => res.json({ ai: req.flags.isEnabled('ai-recommendations'), checkout: req.flags.isEnabled('new-checkout') }));
    const url = await serve(app);
    expect(await get(url, 'bob')).toEqual({ ai: true, checkout: false });
  });

  it('works as plain connect-style middleware on a bare Node server (own property there)', async () => {
    const { client } = controlledClient(DOCUMENT);
    const middleware = halyard({ client, context: (req) => ({ userId: req.headers['x-user'] as string }) });
    const server = createServer((req, res) => {
      middleware(req as express.Request, res as express.Response, () => {
        const flags = (req as express.Request).flags;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ on: flags.isEnabled('new-checkout'), own: Object.prototype.hasOwnProperty.call(req, 'flags') }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    running.push({ url: '', close: () => new Promise((resolve) => server.close(() => resolve())) });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect(await get(url, 'alice')).toEqual({ on: true, own: true });
    expect(await get(url, 'bob')).toEqual({ on: false, own: true });
  });
});
