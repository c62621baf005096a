import { afterEach, describe, expect, it, vi } from 'vitest';
import express from 'express';
import type { FlagSnapshot } from '@halyard/core';
import { createOverrideToken, flagsHandler, halyard } from '@halyard/express';
import { DOCUMENT, controlledClient, listen, type Running } from '../test/helpers';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';

let running: Running | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  await running?.close();
  running = undefined;
});

async function start(overrides: Parameters<typeof halyard>[0]['overrides'], onError = vi.fn()) {
  const { client } = controlledClient(DOCUMENT);
  const options = { client, context: (req: express.Request) => ({ userId: req.get('x-user') }), overrides, onError };
  const app = express();
  app.use(halyard(options));
  app.all('/api/flags', flagsHandler(options));
  app.get('/', (req, res) => {
    res.json({ checkout: req.flags.isEnabled('new-checkout'), color: req.flags.getValue('button-color', 'none'), details: req.flags.getDetails('button-color') });
  });
  running = await listen(app);
  return { url: running.url, onError };
}

async function read(url: string, headers: Record<string, string>) {
  return (await (await fetch(url, { headers: { 'x-user': 'bob', ...headers } })).json()) as {
    checkout: boolean;
    color: string;
    details: { variant?: string; reason: string; ruleId?: string };
  };
}

describe('signed overrides', () => {
  it('force values through the header or the cookie, in req.flags and in the flags endpoint', async () => {
    const { url } = await start({ secret: SECRET });
    expect(await read(url, {})).toMatchObject({ checkout: false, color: 'blue' });

    const token = createOverrideToken({ 'new-checkout': true, 'button-color': 'green' }, SECRET);
    expect(await read(url, { 'x-halyard-override': token })).toEqual({
      checkout: true,
      color: 'green',
      details: { value: 'green', variant: 'green', reason: 'STATIC', ruleId: 'override' },
    });
    expect(await read(url, { cookie: `theme=dark; halyard-override=${encodeURIComponent(token)}` })).toMatchObject({ checkout: true, color: 'green' });

    const snapshot = (await (await fetch(`${url}/api/flags`, { method: 'POST', headers: { 'x-user': 'bob', 'x-halyard-override': token } })).json()) as FlagSnapshot;
    expect(snapshot.flags['new-checkout']).toEqual({ value: true, variant: 'on', reason: 'STATIC', ruleId: 'override' });
    const plain = (await (await fetch(`${url}/api/flags`, { method: 'POST', headers: { 'x-user': 'bob' } })).json()) as FlagSnapshot;
    // Different content, different version: ETags stay truthful.
    expect(snapshot.version).not.toBe(plain.version);
    expect(plain.flags['new-checkout']?.value).toBe(false);
  });

  it('ignore tampered, foreign, expired and malformed tokens (serving real values, logging why)', async () => {
    const { url, onError } = await start({ secret: SECRET });
    const good = createOverrideToken({ 'new-checkout': true }, SECRET);
    const [prefix, payload, signature] = good.split('.');
    const forged = Buffer.from(JSON.stringify({ flags: { 'new-checkout': true, 'button-color': 'green' }, exp: Date.now() + 60_000 })).toString('base64url');
    const tokens = [
      `${prefix}.${forged}.${signature}`,
      createOverrideToken({ 'new-checkout': true }, 'another-secret-that-is-also-long-enough-xx'),
      createOverrideToken({ 'new-checkout': true }, SECRET, { ttlMs: -1 }),
      'garbage',
      `${prefix}.${payload}`,
    ];
    for (const token of tokens) {
      expect(await read(url, { 'x-halyard-override': token })).toMatchObject({ checkout: false, color: 'blue' });
    }
    const reasons = onError.mock.calls.map(([error]) => (error as Error).message).join('\n');
    expect(reasons).toMatch(/signature does not match/);
    expect(reasons).toMatch(/expired/);
    expect(reasons).toMatch(/not of the form/);
  });

  it('are off unless configured: the header does nothing without the option', async () => {
    const { url } = await start(undefined);
    const token = createOverrideToken({ 'new-checkout': true }, SECRET);
    expect(await read(url, { 'x-halyard-override': token })).toMatchObject({ checkout: false });
  });

  it('refuse to start with a short or empty secret', () => {
    const { client } = controlledClient(DOCUMENT);
    for (const secret of ['', 'short', 'x'.repeat(31), undefined]) {
      expect(() => halyard({ client, context: () => ({}), overrides: { secret: secret as string } })).toThrow(/at least 32 characters/);
      expect(() => flagsHandler({ client, context: () => ({}), overrides: { secret: secret as string } })).toThrow(/at least 32 characters/);
    }
    expect(() => createOverrideToken({ a: true }, 'short')).toThrow(/at least 32 characters/);
  });

  it('refuse to start in production unless allowInProduction is set', async () => {
    vi.stubEnv('NODE_ENV', 'production');
    const { client } = controlledClient(DOCUMENT);
    expect(() => halyard({ client, context: () => ({}), overrides: { secret: SECRET } })).toThrow(/refuses to enable flag overrides when NODE_ENV is "production"/);
    const { url } = await start({ secret: SECRET, allowInProduction: true });
    expect(await read(url, { 'x-halyard-override': createOverrideToken({ 'new-checkout': true }, SECRET) })).toMatchObject({ checkout: true });
  });

  it('support custom header and cookie names', async () => {
    const { url } = await start({ secret: SECRET, header: 'X-Test-Flags', cookie: 'tf' });
    const token = createOverrideToken({ 'new-checkout': true }, SECRET);
    expect(await read(url, { 'x-test-flags': token })).toMatchObject({ checkout: true });
    expect(await read(url, { cookie: `tf=${token}` })).toMatchObject({ checkout: true });
    expect(await read(url, { 'x-halyard-override': token })).toMatchObject({ checkout: false });
  });
});
