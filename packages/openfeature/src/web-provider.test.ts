import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, OpenFeature, ProviderEvents, ProviderStatus } from '@openfeature/web-sdk';
import type { Hook } from '@openfeature/web-sdk';
import { createEvaluator, createSnapshotStore } from '@halyard/core';
import type { ExposureEvent } from '@halyard/core';
import { HalyardWebProvider } from './web';
import { definitionsOf, flagsDocument, nextCall, startSnapshotServer } from '../test/fixtures';

let server: Awaited<ReturnType<typeof startSnapshotServer>>;

beforeEach(async () => {
  server = await startSnapshotServer(flagsDocument('1'));
});

afterEach(async () => {
  OpenFeature.setLogger(console);
  OpenFeature.clearHooks();
  OpenFeature.clearHandlers();
  await OpenFeature.clearProviders();
  await OpenFeature.clearContexts();
  await server.close();
});

// Node has no `window`, so the store would treat it as a server; this is a browser-like client.
const browserLike = { isServer: false, pollInterval: 0 } as const;

describe('HalyardWebProvider', () => {
  it('fetches the snapshot for the initial context and resolves every type synchronously', async () => {
    await OpenFeature.setContext({ targetingKey: 'beta-user', country: 'GB', email: 'ann@example.com' });
    await OpenFeature.setProviderAndWait(new HalyardWebProvider({ endpoint: server.endpoint, ...browserLike }));
    const client = OpenFeature.getClient();

    // targetingKey was sent as userId too, so Halyard's targets matched on the server.
    expect(server.contexts[0]).toEqual({ targetingKey: 'beta-user', userId: 'beta-user', country: 'GB', email: 'ann@example.com' });

    expect(client.getBooleanDetails('new-checkout', false)).toMatchObject({
      flagKey: 'new-checkout',
      value: true,
      variant: 'on',
      reason: 'TARGETING_MATCH',
      flagMetadata: { ruleId: 'target' },
    });
    expect(client.getStringDetails('checkout-theme', 'none')).toMatchObject({ value: 'light', variant: 'light', reason: 'DEFAULT' });
    expect(client.getNumberDetails('max-items', 0)).toMatchObject({ value: 50, variant: 'large', reason: 'TARGETING_MATCH' });
    expect(client.getObjectValue('banner-config', {})).toEqual({ text: 'Sale!', color: 'red', items: [1, 2] });
    expect(client.getBooleanDetails('killed-feature', true)).toMatchObject({ value: false, reason: 'DISABLED' });
    expect(client.getStringDetails('ab-test', 'none').reason).toBe('SPLIT');
  });

  it('refetches on context change and serves the new values', async () => {
    await OpenFeature.setContext({ targetingKey: 'someone', country: 'FR' });
    await OpenFeature.setProviderAndWait(new HalyardWebProvider({ endpoint: server.endpoint, ...browserLike }));
    const client = OpenFeature.getClient();
    expect(client.getBooleanValue('new-checkout', true)).toBe(false);
    expect(client.getStringValue('checkout-theme', 'none')).toBe('light');

    const configurationChanges: unknown[] = [];
    client.addHandler(ProviderEvents.ConfigurationChanged, (details) => void configurationChanges.push(details));
    const contextChanged = nextCall((handler) => client.addHandler(ProviderEvents.ContextChanged, handler));
    const setting = OpenFeature.setContext({ targetingKey: 'beta-user', country: 'US' });
    expect(client.providerStatus).toBe(ProviderStatus.RECONCILING);
    // The previous context's values stay readable meanwhile: no flash of defaults.
    expect(client.getBooleanValue('new-checkout', true)).toBe(false);
    await setting;
    await contextChanged;

    expect(client.providerStatus).toBe(ProviderStatus.READY);
    expect(server.contexts.at(-1)).toEqual({ targetingKey: 'beta-user', userId: 'beta-user', country: 'US' });
    expect(client.getBooleanValue('new-checkout', false)).toBe(true);
    expect(client.getStringDetails('checkout-theme', 'none')).toMatchObject({ value: 'dark', flagMetadata: { ruleId: 'north-america' } });
    // The context change is announced as such, not as a configuration change.
    expect(configurationChanges).toEqual([]);
  });

  it('emits CONFIGURATION_CHANGED with the changed keys when a refresh brings new values', async () => {
    await OpenFeature.setContext({ targetingKey: 'someone' });
    const provider = new HalyardWebProvider({ endpoint: server.endpoint, ...browserLike });
    await OpenFeature.setProviderAndWait(provider);
    const client = OpenFeature.getClient();
    expect(client.getStringValue('checkout-theme', 'none')).toBe('light');

    const changed = nextCall<{ flagsChanged?: string[] } | undefined>((handler) => client.addHandler(ProviderEvents.ConfigurationChanged, handler));
    const next = flagsDocument('2');
    next.flags['checkout-theme']!.defaultServe = { variant: 'dark' };
    server.publish(next);
    await provider.store.refresh();

    expect((await changed)?.flagsChanged).toEqual(['checkout-theme']);
    expect(client.getStringValue('checkout-theme', 'none')).toBe('dark');
  });

  it('maps missing flags and wrong types to OpenFeature errors with the default value', async () => {
    await OpenFeature.setProviderAndWait(new HalyardWebProvider({ endpoint: server.endpoint, ...browserLike }));
    const client = OpenFeature.getClient();
    const errors: unknown[] = [];
    const hook: Hook = { error: (_context, error) => void errors.push(error) };
    client.addHooks(hook);

    expect(client.getBooleanDetails('no-such-flag', true)).toMatchObject({ value: true, reason: 'ERROR', errorCode: ErrorCode.FLAG_NOT_FOUND });
    expect(client.getBooleanDetails('constructor', true)).toMatchObject({ value: true, errorCode: ErrorCode.FLAG_NOT_FOUND });
    const mismatch = client.getNumberDetails('checkout-theme', 3);
    expect(mismatch).toMatchObject({ value: 3, reason: 'ERROR', errorCode: ErrorCode.TYPE_MISMATCH });
    expect(mismatch.errorMessage).toContain('getStringValue');
    expect(client.getObjectDetails('new-checkout', { a: 1 })).toMatchObject({ value: { a: 1 }, errorCode: ErrorCode.TYPE_MISMATCH });
    expect(errors).toHaveLength(4);
    expect(errors[0]).toMatchObject({ code: ErrorCode.FLAG_NOT_FOUND });
  });

  it('goes STALE when the endpoint fails (keeping its values) and READY when it recovers', async () => {
    await OpenFeature.setContext({ targetingKey: 'beta-user' });
    const provider = new HalyardWebProvider({ endpoint: server.endpoint, ...browserLike });
    await OpenFeature.setProviderAndWait(provider);
    const client = OpenFeature.getClient();

    server.setFailing(true);
    const stale = nextCall<{ message?: string } | undefined>((handler) => client.addHandler(ProviderEvents.Stale, handler));
    await provider.store.refresh();
    expect((await stale)?.message).toContain('503');
    expect(client.providerStatus).toBe(ProviderStatus.STALE);
    expect(client.getBooleanValue('new-checkout', false)).toBe(true);

    server.setFailing(false);
    const ready = nextCall((handler) => client.addHandler(ProviderEvents.Ready, handler));
    await provider.store.refresh();
    await ready;
    expect(client.providerStatus).toBe(ProviderStatus.READY);
  });

  it('reports PROVIDER_ERROR when the new context cannot be fetched, and READY once its snapshot arrives', async () => {
    await OpenFeature.setContext({ targetingKey: 'someone' });
    const provider = new HalyardWebProvider({ endpoint: server.endpoint, ...browserLike });
    await OpenFeature.setProviderAndWait(provider);
    const client = OpenFeature.getClient();

    // The SDK logs the failed context change; the assertions below check it instead.
    OpenFeature.setLogger({ error() {}, warn() {}, info() {}, debug() {} });
    server.setFailing(true);
    const failed = nextCall<{ message?: string } | undefined>((handler) => client.addHandler(ProviderEvents.Error, handler));
    await OpenFeature.setContext({ targetingKey: 'beta-user' });
    expect((await failed)?.message).toMatch(/new context.*503/);
    expect(client.providerStatus).toBe(ProviderStatus.ERROR);

    server.setFailing(false);
    const ready = nextCall((handler) => client.addHandler(ProviderEvents.Ready, handler));
    await provider.store.refresh();
    await ready;
    expect(client.providerStatus).toBe(ProviderStatus.READY);
    expect(server.contexts.at(-1)).toMatchObject({ userId: 'beta-user' });
    expect(client.getBooleanValue('new-checkout', false)).toBe(true);
  });

  it('starts from a bootstrap snapshot when the endpoint is down, then reports STALE', async () => {
    const snapshot = createEvaluator(definitionsOf(flagsDocument())).evaluateAll({ userId: 'beta-user' });
    server.setFailing(true);
    await OpenFeature.setContext({ targetingKey: 'beta-user' });
    const provider = new HalyardWebProvider({ endpoint: server.endpoint, snapshot, ...browserLike });
    const client = OpenFeature.getClient();
    const stale = nextCall<{ message?: string } | undefined>((handler) => client.addHandler(ProviderEvents.Stale, handler));
    await OpenFeature.setProviderAndWait(provider);
    expect(client.getBooleanValue('new-checkout', false)).toBe(true);
    expect((await stale)?.message).toContain('503');
    expect(client.providerStatus).toBe(ProviderStatus.STALE);
  });

  it('fails initialization when the first snapshot cannot be loaded', async () => {
    server.setFailing(true);
    await expect(
      OpenFeature.setProviderAndWait(new HalyardWebProvider({ endpoint: server.endpoint, ...browserLike })),
    ).rejects.toThrow(/could not load the flag snapshot.*503/);
    expect(OpenFeature.getClient().providerStatus).toBe(ProviderStatus.ERROR);
  });

  it('serves a bootstrap snapshot from an existing store and records exposures on reads', async () => {
    const exposures: ExposureEvent[] = [];
    const snapshot = createEvaluator(definitionsOf(flagsDocument())).evaluateAll({ userId: 'beta-user' });
    // No endpoint: everything comes from the server-rendered snapshot.
    const store = createSnapshotStore({ snapshot, context: { userId: 'beta-user' }, onExposure: (event) => void exposures.push(event) });
    await OpenFeature.setContext({ targetingKey: 'beta-user' });
    const provider = new HalyardWebProvider({ store });
    await OpenFeature.setProviderAndWait(provider);
    const client = OpenFeature.getClient();

    expect(client.getBooleanValue('new-checkout', false)).toBe(true);
    expect(client.getBooleanValue('new-checkout', false)).toBe(true);
    expect(client.getBooleanValue('no-such-flag', false)).toBe(false);
    expect(exposures).toMatchObject([{ flag: 'new-checkout', variant: 'on', value: true, unit: 'beta-user' }]);

    // A store passed in belongs to the caller: closing the provider leaves it usable.
    await OpenFeature.clearProviders();
    expect(store.getSnapshot().snapshot.flags['new-checkout']?.value).toBe(true);
    store.close();
  });
});
