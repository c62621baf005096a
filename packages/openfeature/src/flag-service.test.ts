import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenFeature as ServerOpenFeature, ProviderEvents as ServerEvents } from '@openfeature/server-sdk';
import { OpenFeature as WebOpenFeature } from '@openfeature/web-sdk';
import { httpSource } from '@halyard/core';
import { createServer } from '@halyard/server';
import type { HalyardServer } from '@halyard/server';
import { HalyardProvider } from './index';
import { HalyardWebProvider } from './web';
import { nextCall } from '../test/fixtures';

// End to end against the real Halyard flag service (embedded PGlite storage in a temporary directory).
describe('providers against @halyard/server', () => {
  let dataDir: string;
  let server: HalyardServer;
  let admin: string;

  async function api(method: string, path: string, token: string, body?: unknown) {
    const response = await fetch(server.url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json()) as Record<string, unknown>;
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(json)}`);
    return json;
  }
  const createKey = async (type: 'sdk' | 'client') =>
    (await api('POST', '/api/v1/keys', admin, { type, environment: 'development', name: `openfeature ${type}` })).token as string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'halyard-openfeature-'));
    server = await createServer({ dataDir, port: 0, logger: false });
    admin = server.bootstrapToken!;
    await api('POST', '/api/v1/environments/development/flags', admin, {
      key: 'new-checkout',
      definition: {
        variants: { on: true, off: false },
        enabled: true,
        offVariant: 'off',
        targets: [{ variant: 'on', values: ['beta-user'] }],
        rules: [{ id: 'enterprise', conditions: [{ attribute: 'plan', operator: 'equals', values: ['enterprise'] }], serve: { variant: 'on' } }],
        defaultServe: { variant: 'off' },
      },
    });
    // Migrating a fresh embedded database takes seconds on a busy machine.
  }, 60_000);

  afterAll(async () => {
    await ServerOpenFeature.close();
    await WebOpenFeature.close();
    await server?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('server provider: streams a toggle from the service and reports it as a configuration change', async () => {
    const sdkKey = await createKey('sdk');
    await ServerOpenFeature.setProviderAndWait(
      new HalyardProvider({ source: httpSource({ url: `${server.url}/sdk/v1/definitions`, sdkKey, stream: true }), logger: false }),
    );
    const client = ServerOpenFeature.getClient();
    expect(await client.getBooleanDetails('new-checkout', false, { targetingKey: 'beta-user' })).toMatchObject({ value: true, reason: 'TARGETING_MATCH' });
    expect(await client.getBooleanValue('new-checkout', true, { targetingKey: 'someone' })).toBe(false);

    const changed = nextCall<{ flagsChanged?: string[] } | undefined>((handler) => client.addHandler(ServerEvents.ConfigurationChanged, handler));
    await api('POST', '/api/v1/environments/development/flags/new-checkout/toggle', admin, { enabled: false });
    expect((await changed)?.flagsChanged).toEqual(['new-checkout']);
    expect(await client.getBooleanDetails('new-checkout', true, { targetingKey: 'beta-user' })).toMatchObject({ value: false, reason: 'DISABLED' });

    await api('POST', '/api/v1/environments/development/flags/new-checkout/toggle', admin, { enabled: true });
    await expect.poll(() => client.getBooleanValue('new-checkout', false, { targetingKey: 'beta-user' })).toBe(true);
    await ServerOpenFeature.close();
  });

  it('web provider: reads snapshots from POST /sdk/v1/evaluate with a client key and follows context changes', async () => {
    const clientKey = await createKey('client');
    await WebOpenFeature.setContext({ targetingKey: 'someone', plan: 'free' });
    await WebOpenFeature.setProviderAndWait(
      new HalyardWebProvider({
        endpoint: `${server.url}/sdk/v1/evaluate`,
        headers: { authorization: `Bearer ${clientKey}` },
        isServer: false,
        pollInterval: 0,
      }),
    );
    const client = WebOpenFeature.getClient();
    expect(client.getBooleanDetails('new-checkout', true)).toMatchObject({ value: false, variant: 'off', reason: 'DEFAULT' });

    await WebOpenFeature.setContext({ targetingKey: 'someone', plan: 'enterprise' });
    expect(client.getBooleanDetails('new-checkout', false)).toMatchObject({ value: true, reason: 'TARGETING_MATCH', flagMetadata: { ruleId: 'enterprise' } });

    await WebOpenFeature.setContext({ targetingKey: 'beta-user' });
    expect(client.getBooleanDetails('new-checkout', false)).toMatchObject({ value: true, flagMetadata: { ruleId: 'target' } });
    await WebOpenFeature.close();
  });
});
