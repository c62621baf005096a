import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenFeature as ServerOpenFeature } from '@openfeature/server-sdk';
import { OpenFeature as WebOpenFeature, ProviderEvents as WebEvents } from '@openfeature/web-sdk';
import { OFREPProvider } from '@openfeature/ofrep-provider';
import { OFREPWebProvider } from '@openfeature/ofrep-web-provider';
import { createEvaluator, parseDefinitions, type FlagsDocument } from '@halyard/core';
import type { HalyardServer } from '../src/index';
import { call, createKey, createStorage, startServer, type TestStorage } from './helpers';

// OFREP end to end: the official OpenFeature OFREP providers (server and web) against a real Halyard service on
// embedded PGlite. Nothing is mocked; the only wrapper around fetch records response statuses.

const FLAGS: FlagsDocument = {
  schemaVersion: 1,
  flags: {
    'new-checkout': {
      variants: { on: true, off: false },
      enabled: true,
      offVariant: 'off',
      targets: [{ variant: 'on', values: ['beta-user'] }],
      rules: [{ id: 'enterprise', conditions: [{ attribute: 'plan', operator: 'equals', values: ['enterprise'] }], serve: { variant: 'on' } }],
      defaultServe: { variant: 'off' },
    },
    'checkout-theme': {
      variants: { light: 'light', dark: 'dark' },
      enabled: true,
      offVariant: 'light',
      rules: [{ id: 'north-america', conditions: [{ attribute: 'country', operator: 'in', values: ['US', 'CA'] }], serve: { variant: 'dark' } }],
      defaultServe: { variant: 'light' },
    },
    'max-items': {
      variants: { small: 10, large: 50 },
      enabled: true,
      offVariant: 'small',
      defaultServe: { split: [{ variant: 'small', percentage: 50 }, { variant: 'large', percentage: 50 }] },
    },
    'banner-config': {
      variants: { plain: { text: 'Welcome' }, sale: { text: 'Sale!', items: [1, 2] } },
      enabled: false,
      offVariant: 'plain',
      defaultServe: { variant: 'sale' },
    },
  },
};

describe('OFREP', () => {
  let storage: TestStorage;
  let server: HalyardServer;
  let admin: string;
  let sdkKey: string;
  let clientKey: string;
  const statuses: number[] = [];
  const recordingFetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const response = await fetch(input, init);
    statuses.push(response.status);
    return response;
  };

  beforeAll(async () => {
    storage = createStorage('pglite');
    // A small failed-authentication limit, so the 429 answer can be observed at the end of this file.
    server = await startServer(storage, { authFailureLimit: 6 });
    admin = server.bootstrapToken!;
    const put = await call(server.url, 'PUT', '/api/v1/environments/development/document', { token: admin, body: FLAGS });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    sdkKey = await createKey(server.url, admin, { type: 'sdk', environment: 'development', name: 'ofrep server' });
    clientKey = await createKey(server.url, admin, { type: 'client', environment: 'development', name: 'ofrep web' });
  });

  afterAll(async () => {
    await ServerOpenFeature.close();
    await WebOpenFeature.close();
    await server?.close();
    await storage?.drop();
  });

  describe('server provider (@openfeature/ofrep-provider, single-flag endpoint)', () => {
    it('resolves values, variants, reasons and rule metadata on both paths of each flag', async () => {
      await ServerOpenFeature.setProviderAndWait(new OFREPProvider({ baseUrl: server.url, headers: [['Authorization', `Bearer ${sdkKey}`]] }));
      const client = ServerOpenFeature.getClient();

      expect(await client.getBooleanDetails('new-checkout', false, { targetingKey: 'beta-user' })).toMatchObject({
        value: true,
        variant: 'on',
        reason: 'TARGETING_MATCH',
        flagMetadata: { ruleId: 'target' },
      });
      expect(await client.getBooleanDetails('new-checkout', false, { targetingKey: 'someone', plan: 'enterprise' })).toMatchObject({
        value: true,
        reason: 'TARGETING_MATCH',
        flagMetadata: { ruleId: 'enterprise' },
      });
      const off = await client.getBooleanDetails('new-checkout', true, { targetingKey: 'someone', plan: 'free' });
      expect(off).toMatchObject({ value: false, variant: 'off', reason: 'DEFAULT' });
      expect(off.errorCode).toBeUndefined();

      expect(await client.getStringDetails('checkout-theme', 'none', { targetingKey: 'u', country: 'CA' })).toMatchObject({ value: 'dark', reason: 'TARGETING_MATCH' });
      expect(await client.getStringDetails('checkout-theme', 'none', { targetingKey: 'u', country: 'FR' })).toMatchObject({ value: 'light', reason: 'DEFAULT' });

      // A disabled flag serves its off variant.
      expect(await client.getObjectDetails('banner-config', {}, { targetingKey: 'u' })).toMatchObject({ value: { text: 'Welcome' }, variant: 'plain', reason: 'DISABLED' });
    });

    it('splits exactly as a local Halyard evaluator does (targetingKey is the unit)', async () => {
      const client = ServerOpenFeature.getClient();
      const local = createEvaluator(parseDefinitions(FLAGS).definitions!);
      const seen = new Set<number>();
      for (let i = 0; i < 40; i++) {
        const details = await client.getNumberDetails('max-items', 0, { targetingKey: `user-${i}` });
        const expected = local.getDetails('max-items', 0, { userId: `user-${i}` });
        expect(details).toMatchObject({ value: expected.value, variant: expected.variant, reason: 'SPLIT' });
        seen.add(details.value);
      }
      expect(seen).toEqual(new Set([10, 50]));
    });

    it('reports FLAG_NOT_FOUND, TYPE_MISMATCH and INVALID_CONTEXT with the default value', async () => {
      const client = ServerOpenFeature.getClient();
      expect(await client.getBooleanDetails('no-such-flag', true, { targetingKey: 'u' })).toMatchObject({ value: true, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' });
      expect(await client.getStringDetails('new-checkout', 'fallback', { targetingKey: 'beta-user' })).toMatchObject({
        value: 'fallback',
        reason: 'ERROR',
        errorCode: 'TYPE_MISMATCH',
      });
      expect(await client.getBooleanDetails('new-checkout', false, { targetingKey: 42 as unknown as string })).toMatchObject({
        value: false,
        reason: 'ERROR',
        errorCode: 'INVALID_CONTEXT',
      });
    });

    it('follows changes at once (no caching) and accepts the key as X-API-Key', async () => {
      await ServerOpenFeature.setProviderAndWait(new OFREPProvider({ baseUrl: server.url, headers: [['X-API-Key', clientKey]] }));
      const client = ServerOpenFeature.getClient();
      expect(await client.getBooleanValue('new-checkout', false, { targetingKey: 'beta-user' })).toBe(true);
      expect((await call(server.url, 'POST', '/api/v1/environments/development/flags/new-checkout/toggle', { token: admin, body: { enabled: false } })).status).toBe(200);
      expect(await client.getBooleanDetails('new-checkout', true, { targetingKey: 'beta-user' })).toMatchObject({ value: false, reason: 'DISABLED' });
      expect((await call(server.url, 'POST', '/api/v1/environments/development/flags/new-checkout/toggle', { token: admin, body: { enabled: true } })).status).toBe(200);
      expect(await client.getBooleanValue('new-checkout', false, { targetingKey: 'beta-user' })).toBe(true);
    });

    it('an archived flag is not found; restored, it is back', async () => {
      const client = ServerOpenFeature.getClient();
      expect((await call(server.url, 'POST', '/api/v1/environments/development/flags/checkout-theme/archive', { token: admin })).status).toBe(200);
      expect(await client.getStringDetails('checkout-theme', 'none', { targetingKey: 'u', country: 'CA' })).toMatchObject({ value: 'none', errorCode: 'FLAG_NOT_FOUND' });
      expect((await call(server.url, 'POST', '/api/v1/environments/development/flags/checkout-theme/restore', { token: admin })).status).toBe(200);
      expect(await client.getStringValue('checkout-theme', 'none', { targetingKey: 'u', country: 'CA' })).toBe('dark');
    });

    it('a revoked key gets the default with an error', async () => {
      const doomed = await createKey(server.url, admin, { type: 'sdk', environment: 'development', name: 'doomed' });
      await ServerOpenFeature.setProviderAndWait(new OFREPProvider({ baseUrl: server.url, headers: [['Authorization', `Bearer ${doomed}`]] }));
      const client = ServerOpenFeature.getClient();
      expect(await client.getBooleanValue('new-checkout', false, { targetingKey: 'beta-user' })).toBe(true);
      const list = await call(server.url, 'GET', '/api/v1/keys', { token: admin });
      const id = list.body.keys.find((k: { name: string }) => k.name === 'doomed').id;
      expect((await call(server.url, 'DELETE', `/api/v1/keys/${id}`, { token: admin })).status).toBe(204);
      const details = await client.getBooleanDetails('new-checkout', false, { targetingKey: 'beta-user' });
      expect(details).toMatchObject({ value: false, reason: 'ERROR' });
      await ServerOpenFeature.close();
    });
  });

  describe('web provider (@openfeature/ofrep-web-provider, bulk endpoint)', () => {
    it('evaluates the static context, follows context changes and polls with ETags', async () => {
      await WebOpenFeature.setContext({ targetingKey: 'beta-user' });
      await WebOpenFeature.setProviderAndWait(
        new OFREPWebProvider({
          baseUrl: server.url,
          headers: [['Authorization', `Bearer ${clientKey}`]],
          cacheMode: 'disabled',
          pollInterval: 100,
          fetchImplementation: recordingFetch,
        }),
      );
      const client = WebOpenFeature.getClient();
      expect(client.getBooleanDetails('new-checkout', false)).toMatchObject({ value: true, variant: 'on', reason: 'TARGETING_MATCH', flagMetadata: { ruleId: 'target' } });
      expect(client.getObjectDetails('banner-config', {})).toMatchObject({ value: { text: 'Welcome' }, reason: 'DISABLED' });
      expect(client.getBooleanDetails('no-such-flag', true)).toMatchObject({ value: true, errorCode: 'FLAG_NOT_FOUND' });
      expect(client.getNumberDetails('new-checkout', 7)).toMatchObject({ value: 7, errorCode: 'TYPE_MISMATCH' });

      await WebOpenFeature.setContext({ targetingKey: 'someone', country: 'US' });
      expect(client.getBooleanDetails('new-checkout', true)).toMatchObject({ value: false, variant: 'off', reason: 'DEFAULT' });
      expect(client.getStringValue('checkout-theme', 'none')).toBe('dark');

      // Unchanged flags: the polls are answered 304 Not Modified.
      await expect.poll(() => statuses.filter((s) => s === 304).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);

      const changed = new Promise<string[] | undefined>((resolve) => client.addHandler(WebEvents.ConfigurationChanged, (event) => resolve(event?.flagsChanged)));
      expect((await call(server.url, 'POST', '/api/v1/environments/development/flags/checkout-theme/toggle', { token: admin, body: { enabled: false } })).status).toBe(200);
      expect(await changed).toEqual(['checkout-theme']);
      expect(client.getStringDetails('checkout-theme', 'none')).toMatchObject({ value: 'light', reason: 'DISABLED' });
      await WebOpenFeature.close();
    });

    it('accepts X-API-Key, and fails to initialise with a wrong key or an invalid context', async () => {
      await WebOpenFeature.setContext({ targetingKey: 'beta-user' });
      await WebOpenFeature.setProviderAndWait(new OFREPWebProvider({ baseUrl: server.url, headers: [['X-API-Key', sdkKey]], cacheMode: 'disabled' }));
      expect(WebOpenFeature.getClient().getBooleanValue('new-checkout', false)).toBe(true);
      await WebOpenFeature.close();

      await expect(
        WebOpenFeature.setProviderAndWait(new OFREPWebProvider({ baseUrl: server.url, headers: [['Authorization', 'Bearer hy_client_wrong']], cacheMode: 'disabled' })),
      ).rejects.toThrow();
      expect(WebOpenFeature.getClient().getBooleanDetails('new-checkout', false)).toMatchObject({ value: false, reason: 'ERROR' });
      await WebOpenFeature.close();

      await WebOpenFeature.setContext({ targetingKey: 42 as unknown as string });
      await expect(
        WebOpenFeature.setProviderAndWait(new OFREPWebProvider({ baseUrl: server.url, headers: [['Authorization', `Bearer ${clientKey}`]], cacheMode: 'disabled' })),
      ).rejects.toThrow();
      await WebOpenFeature.close();
    });
  });

  describe('protocol details', () => {
    /** `token: null` sends no credentials. */
    const ofrep = (path: string, body: unknown, headers: Record<string, string> = {}, token: string | null = clientKey) =>
      call(server.url, 'POST', `/ofrep/v1/evaluate/flags${path}`, { token: token ?? undefined, body, headers });

    it('answers with the OFREP shapes and status codes', async () => {
      const ok = await ofrep('/new-checkout', { context: { targetingKey: 'beta-user' } });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('content-type')).toMatch(/^application\/json/);
      expect(ok.body).toEqual({ key: 'new-checkout', value: true, reason: 'TARGETING_MATCH', variant: 'on', metadata: { ruleId: 'target' } });

      const missing = await ofrep('/nope', { context: {} });
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ key: 'nope', errorCode: 'FLAG_NOT_FOUND', errorDetails: expect.any(String) });

      const invalid = await ofrep('/new-checkout', { context: 'user-1' });
      expect(invalid.status).toBe(400);
      expect(invalid.body).toMatchObject({ key: 'new-checkout', errorCode: 'INVALID_CONTEXT' });

      const unparsable = await call(server.url, 'POST', '/ofrep/v1/evaluate/flags/new-checkout', {
        token: clientKey,
        rawBody: '{"context":',
        headers: { 'content-type': 'application/json' },
      });
      expect(unparsable.status).toBe(400);
      expect(unparsable.body).toMatchObject({ key: 'new-checkout', errorCode: 'PARSE_ERROR' });

      const bulkInvalid = await ofrep('', { context: [1, 2] });
      expect(bulkInvalid.status).toBe(400);
      expect(bulkInvalid.body).toEqual({ errorCode: 'INVALID_CONTEXT', errorDetails: expect.any(String) });

      const anonymous = await ofrep('/new-checkout', { context: {} }, {}, null);
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.errorDetails).toMatch(/X-API-Key/);
      const adminToken = await ofrep('/new-checkout', { context: {} }, {}, admin);
      expect(adminToken.status).toBe(403);
    });

    it('bulk: every flag, ETag per content, 304 on If-None-Match, CORS for browsers', async () => {
      const first = await ofrep('', { context: { targetingKey: 'beta-user' } }, { origin: 'https://app.example' });
      expect(first.status).toBe(200);
      expect(first.headers.get('access-control-allow-origin')).toBe('*');
      expect(first.body.flags.map((f: { key: string }) => f.key)).toEqual(['banner-config', 'checkout-theme', 'max-items', 'new-checkout']);
      expect(first.body.flags.find((f: { key: string }) => f.key === 'new-checkout')).toEqual({
        key: 'new-checkout',
        value: true,
        reason: 'TARGETING_MATCH',
        variant: 'on',
        metadata: { ruleId: 'target' },
      });
      const etag = first.headers.get('etag')!;
      expect(etag).toMatch(/^"[0-9a-f]+"$/);
      expect((await ofrep('', { context: { targetingKey: 'beta-user' } }, { 'if-none-match': etag })).status).toBe(304);
      // Another context with other values: another ETag, so a stale tag gets the new body.
      const other = await ofrep('', { context: { targetingKey: 'someone' } }, { 'if-none-match': etag });
      expect(other.status).toBe(200);
      expect(other.headers.get('etag')).not.toBe(etag);

      const preflight = await fetch(`${server.url}/ofrep/v1/evaluate/flags`, {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-api-key, if-none-match' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-headers')).toMatch(/X-API-Key/);
      expect(preflight.headers.get('access-control-allow-headers')).toMatch(/If-None-Match/);
    });

    it('429 with Retry-After after repeated failed authentications; the provider reports an error', async () => {
      let limited: Awaited<ReturnType<typeof ofrep>> | undefined;
      for (let i = 0; i < 10 && !limited; i++) {
        const response = await ofrep('/new-checkout', { context: {} }, {}, `hy_client_wrong_${i}`);
        if (response.status === 429) limited = response;
        else expect(response.status).toBe(401);
      }
      expect(limited).toBeDefined();
      expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(limited!.body.errorDetails).toMatch(/Too many failed/);
      await ServerOpenFeature.setProviderAndWait(new OFREPProvider({ baseUrl: server.url, headers: [['Authorization', `Bearer ${sdkKey}`]] }));
      expect(await ServerOpenFeature.getClient().getBooleanDetails('new-checkout', false, { targetingKey: 'beta-user' })).toMatchObject({ value: false, reason: 'ERROR' });
      await ServerOpenFeature.close();
    });
  });
});
