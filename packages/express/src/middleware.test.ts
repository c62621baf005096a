import { afterEach, describe, expect, it, vi } from 'vitest';
import express from 'express';
import type { ExposureEvent, FlagClient } from '@halyard/core';
import { createFlagClient } from '@halyard/core';
import { forceRequestFlags, halyard } from '@halyard/express';
import { DOCUMENT, controlledClient, instrument, listen, type Running } from '../test/helpers';

let running: Running | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

function userFromHeader(req: express.Request) {
  return { userId: req.get('x-user') };
}

async function start(client: FlagClient, setup: (app: express.Express) => void, extra: Partial<Parameters<typeof halyard>[0]> = {}) {
  const app = express();
  app.use(halyard({ client, context: userFromHeader, ...extra }));
  setup(app);
  running = await listen(app);
  return running.url;
}

async function get(url: string, user?: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { headers: user === undefined ? {} : { 'x-user': user } });
  const text = await response.text();
  const json = (response.headers.get('content-type') ?? '').includes('json');
  return { status: response.status, body: json ? JSON.parse(text) : text };
}

describe('halyard() middleware', () => {
  it('serves each user their own values through req.flags (both sides of a targeting rule)', async () => {
    const { client } = controlledClient(DOCUMENT);
    const url = await start(client, (app) => {
      app.get('/checkout', (req, res) => {
        res.json({
          newCheckout: req.flags.isEnabled('new-checkout'),
          color: req.flags.getValue('button-color', 'red'),
          variant: req.flags.variant('button-color'),
          details: req.flags.getDetails('new-checkout', false),
          ai: req.flags.isEnabled('ai-recommendations'),
          limits: req.flags.getValue('limits', { max: 0 }),
        });
      });
    });
    expect((await get(`${url}/checkout`, 'alice')).body).toEqual({
      newCheckout: true,
      color: 'green',
      variant: 'green',
      details: { value: true, variant: 'on', reason: 'TARGETING_MATCH', ruleId: 'target' },
      ai: false,
      limits: { max: 10 },
    });
    expect((await get(`${url}/checkout`, 'bob')).body).toEqual({
      newCheckout: false,
      color: 'blue',
      variant: 'blue',
      details: { value: false, variant: 'off', reason: 'DEFAULT' },
      ai: false,
      limits: { max: 10 },
    });
  });

  it('is lazy: no flag read means no context call and no evaluation', async () => {
    const { client: base } = controlledClient(DOCUMENT);
    const { client, counts } = instrument(base);
    const context = vi.fn(userFromHeader);
    const url = await start(client, (app) => app.get('/', (_req, res) => res.send('ok')), { context });
    expect((await get(url, 'alice')).body).toBe('ok');
    expect(context).not.toHaveBeenCalled();
    expect(counts.getDetails).toBe(0);
    expect(counts.evaluateAll).toBe(0);
  });

  it('computes the context once and evaluates each flag once per request', async () => {
    const { client: base } = controlledClient(DOCUMENT);
    const { client, counts } = instrument(base);
    const context = vi.fn(userFromHeader);
    const url = await start(
      client,
      (app) =>
        app.get('/', (req, res) => {
          const reads = [
            req.flags.isEnabled('new-checkout'),
            req.flags.isEnabled('new-checkout'),
            req.flags.getValue('new-checkout', true),
            req.flags.getValue('button-color', 'x'),
            req.flags.variant('button-color'),
            req.flags.getValue('button-color', 'y'),
          ];
          res.json(reads);
        }),
      { context },
    );
    expect((await get(url, 'alice')).body).toEqual([true, true, true, 'green', 'green', 'green']);
    expect(context).toHaveBeenCalledTimes(1);
    // boolean read of new-checkout, string read of button-color, untyped (variant) read of button-color
    expect(counts.getDetails).toBe(3);
    await get(url, 'bob');
    expect(context).toHaveBeenCalledTimes(2);
  });

  it('records exposures only for the flags a request actually read', async () => {
    const exposures: ExposureEvent[] = [];
    const { client } = controlledClient(DOCUMENT, (event) => exposures.push(event));
    const url = await start(client, (app) => {
      app.get('/none', (_req, res) => res.send('ok'));
      app.get('/one', (req, res) => res.send(String(req.flags.isEnabled('new-checkout'))));
      app.get('/snapshot', (req, res) => res.json(req.flags.snapshot()));
    });
    await get(`${url}/none`, 'alice');
    await get(`${url}/snapshot`, 'alice');
    expect(exposures).toEqual([]);
    await get(`${url}/one`, 'alice');
    expect(exposures.map((e) => [e.flag, e.variant, e.unit])).toEqual([['new-checkout', 'on', 'alice']]);
  });

  it('attributes exposures to the split’s bucketBy value: accountId for a split by account', async () => {
    const exposures: ExposureEvent[] = [];
    const split = { variants: { a: 'a', b: 'b' }, enabled: true, offVariant: 'a', defaultServe: { split: [{ variant: 'a', weight: 1 }, { variant: 'b', weight: 1 }] } };
    const document = { ...DOCUMENT, flags: { ...DOCUMENT.flags, 'team-plan': { ...split, defaultServe: { ...split.defaultServe, bucketBy: 'accountId' } }, 'user-plan': split } };
    const { client } = controlledClient(document, (event) => exposures.push(event));
    const app = express();
    app.use(halyard({ client, context: (req) => ({ userId: req.get('x-user'), accountId: 'acct-7' }) }));
    app.get('/', (req, res) => res.json([req.flags.getValue('team-plan', 'a'), req.flags.getValue('user-plan', 'a'), req.flags.snapshot().flags['team-plan']?.unitBy]));
    running = await listen(app);
    expect(((await get(running.url, 'alice')).body as unknown[])[2]).toBe('accountId');
    expect(exposures.map((e) => [e.flag, e.unit])).toEqual([
      ['team-plan', 'acct-7'],
      ['user-plan', 'alice'],
    ]);
  });

  it('forceRequestFlags() forces values for one request through the same reader', async () => {
    const { client } = controlledClient(DOCUMENT);
    const app = express();
    app.get('/bare', (req, res) => res.json(forceRequestFlags(req, { 'new-checkout': true })));
    app.use(halyard({ client, context: userFromHeader, onError: () => {} }));
    app.use((req, _res, next) => {
      if (req.path === '/forced') forceRequestFlags(req, { 'new-checkout': true, 'button-color': 'green' });
      next();
    });
    app.get(['/forced', '/plain'], (req, res) =>
      res.json({
        on: req.flags.isEnabled('new-checkout'),
        color: req.flags.getDetails('button-color', 'blue'),
        mismatch: req.flags.getDetails('button-color', 1).errorCode,
        snapshot: req.flags.snapshot().flags['new-checkout'],
      }),
    );
    running = await listen(app);
    expect((await get(`${running.url}/bare`, 'bob')).body).toBe(false);
    expect((await get(`${running.url}/forced`, 'bob')).body).toEqual({
      on: true,
      color: { value: 'green', variant: 'green', reason: 'STATIC', ruleId: 'override' },
      mismatch: 'TYPE_MISMATCH',
      snapshot: { value: true, variant: 'on', reason: 'STATIC', ruleId: 'override' },
    });
    expect((await get(`${running.url}/plain`, 'bob')).body).toMatchObject({ on: false, color: { value: 'blue' } });
  });

  it('snapshot() is the client evaluation for this request context', async () => {
    const { client } = controlledClient(DOCUMENT);
    const url = await start(client, (app) => app.get('/', (req, res) => res.json(req.flags.snapshot())));
    const { body } = await get(url, 'alice');
    expect(body).toEqual(client.evaluateAll({ userId: 'alice' }));
    expect(body).not.toEqual(client.evaluateAll({ userId: 'bob' }));
  });

  it('returns defaults and logs once when a flag is missing or read with the wrong type', async () => {
    const { client } = controlledClient(DOCUMENT);
    const onError = vi.fn();
    const url = await start(
      client,
      (app) =>
        app.get('/', (req, res) => {
          res.json({
            missing: req.flags.getValue('nope', 'fallback'),
            missingEnabled: req.flags.isEnabled('nope'),
            wrongType: req.flags.getValue('button-color', 42),
            details: req.flags.getDetails('nope', 7),
            variant: req.flags.variant('nope'),
          });
        }),
      { onError },
    );
    const first = await get(url, 'alice');
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      missing: 'fallback',
      missingEnabled: false,
      wrongType: 42,
      details: expect.objectContaining({ value: 7, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' }),
    });
    const messages = onError.mock.calls.map(([error]) => (error as Error).message);
    expect(messages.some((m) => m.includes('"nope" is not defined'))).toBe(true);
    expect(messages.some((m) => m.includes('default value is a number'))).toBe(true);
    const count = onError.mock.calls.length;
    await get(url, 'alice');
    expect(onError.mock.calls.length).toBe(count);
  });

  it('never fails a request when the context function throws', async () => {
    const { client } = controlledClient(DOCUMENT);
    const onError = vi.fn();
    const url = await start(client, (app) => app.get('/', (req, res) => res.json([req.flags.isEnabled('new-checkout'), req.flags.context()])), {
      onError,
      context: () => {
        throw new Error('session store down');
      },
    });
    const { status, body } = await get(url, 'alice');
    expect(status).toBe(200);
    expect(body).toEqual([false, {}]);
    expect(String(onError.mock.calls[0]?.[0])).toContain('session store down');
  });

  it('never fails a request when the client throws or has no flags yet', async () => {
    const loading = controlledClient(undefined).client;
    const broken: FlagClient = {
      ...loading,
      getDetails: () => {
        throw new Error('boom');
      },
      evaluateAll: () => {
        throw new Error('boom');
      },
    };
    const onError = vi.fn();
    const app = express();
    app.use('/loading', halyard({ client: loading, context: userFromHeader, onError }));
    app.use('/broken', halyard({ client: broken, context: userFromHeader, onError }));
    const route = (req: express.Request, res: express.Response) =>
      res.json({ on: req.flags.isEnabled('new-checkout'), color: req.flags.getValue('button-color', 'blue'), snapshot: req.flags.snapshot() });
    app.get('/loading', route);
    app.get('/broken', route);
    running = await listen(app);
    for (const path of ['/loading', '/broken']) {
      const { status, body } = await get(`${running.url}${path}`, 'alice');
      expect(status).toBe(200);
      expect(body).toEqual({ on: false, color: 'blue', snapshot: { version: '', flags: {} } });
    }
    expect(onError.mock.calls.map(([e]) => String(e)).join('\n')).toMatch(/not loaded yet[\s\S]*boom/);
  });

  it('a throwing onError handler does not fail the request either', async () => {
    const { client } = controlledClient(DOCUMENT);
    const url = await start(client, (app) => app.get('/', (req, res) => res.json(req.flags.getValue('nope', 1))), {
      onError: () => {
        throw new Error('logger down');
      },
    });
    expect(await get(url, 'a')).toEqual({ status: 200, body: 1 });
  });

  it('sees new definitions on the next request', async () => {
    const { client, publish } = controlledClient(DOCUMENT);
    const url = await start(client, (app) => app.get('/', (req, res) => res.json(req.flags.isEnabled('ai-recommendations'))));
    expect((await get(url, 'bob')).body).toBe(false);
    publish({ ...DOCUMENT, version: 2, flags: { ...DOCUMENT.flags, 'ai-recommendations': { ...DOCUMENT.flags['ai-recommendations']!, enabled: true } } });
    expect((await get(url, 'bob')).body).toBe(true);
  });

  it('rejects missing options with a message naming the fix', () => {
    const client = createFlagClient({ source: { name: 'x', start: () => () => {} }, logger: false });
    expect(() => halyard({ client, context: undefined as never })).toThrow(/@halyard\/express: halyard\(\) needs \{ context/);
    expect(() => halyard({ client: undefined as never, context: () => ({}) })).toThrow(/needs \{ client \}/);
  });
});
