import { afterEach, describe, expect, it, vi } from 'vitest';
import express from 'express';
import type { FlagSnapshot } from '@halyard/core';
import { flagsHandler } from '@halyard/express';
import { flagsHandlerSuite, drivenClient, userFrom, SUITE_DOCUMENT } from '../../core/test/flags-handler-suite';
import { listen, type Running } from '../test/helpers';

// Everything the endpoint does is core's one handler; the shared suite proves Express serves it unchanged.
flagsHandlerSuite('@halyard/express', async (options) => {
  const app = express();
  app.all('/api/flags', flagsHandler({ ...options, context: (req) => userFrom(req.get('x-user')) }));
  const running = await listen(app);
  return { url: `${running.url}/api/flags`, close: running.close };
});

// What only Express has: body parsers that ran before, other middleware's Vary, a throwing context function.
describe('flagsHandler() in an Express app', () => {
  let running: Running | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });
  async function serve(app: express.Express): Promise<string> {
    running = await listen(app);
    return `${running.url}/api/flags`;
  }
  const post = (url: string, body: string, type = 'application/json') => fetch(url, { method: 'POST', headers: { 'content-type': type }, body });

  it('reads the context from what express.json(), express.text() or express.raw() already parsed', async () => {
    const { client } = drivenClient(SUITE_DOCUMENT);
    for (const parser of [express.json(), express.text({ type: '*/*' }), express.raw({ type: '*/*' })]) {
      const app = express();
      app.use(parser);
      app.all('/api/flags', flagsHandler({ client, context: () => ({}), allowClientContext: ['locale'] }));
      const url = await serve(app);
      const snapshot = (await (await post(url, JSON.stringify({ context: { locale: 'fr' } }))).json()) as FlagSnapshot;
      expect(snapshot.flags.locale?.value).toBe(true);
      expect((await post(url, '{oops')).status).toBe(400);
      await running!.close();
      running = undefined;
    }
  });

  it('keeps the Vary fields other middleware set', async () => {
    const { client } = drivenClient(SUITE_DOCUMENT);
    const app = express();
    app.use((_req, res, next) => {
      res.vary('Origin');
      next();
    });
    app.all('/api/flags', flagsHandler({ client, context: () => ({}) }));
    const response = await fetch(await serve(app));
    expect(response.headers.get('vary')).toBe('Origin, Cookie, Authorization');
  });

  it('still answers when the context function throws (anonymous context, logged)', async () => {
    const { client } = drivenClient(SUITE_DOCUMENT);
    const onError = vi.fn();
    const app = express();
    app.all(
      '/api/flags',
      flagsHandler({
        client,
        onError,
        context: () => {
          throw new Error('no session');
        },
      }),
    );
    const response = await post(await serve(app), '{}');
    expect(response.status).toBe(200);
    expect(((await response.json()) as FlagSnapshot).flags['new-checkout']?.value).toBe(false);
    expect(String(onError.mock.calls[0]?.[0])).toMatch(/no session/);
  });
});
