import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, OpenFeature, ProviderEvents, ProviderStatus, StandardResolutionReasons } from '@openfeature/server-sdk';
import type { EvaluationDetails, FlagValue, Hook } from '@openfeature/server-sdk';
import { createFlagClient, httpSource, staticSource } from '@halyard/core';
import { HalyardProvider } from './index';
import { controlledSource, flagsDocument, nextCall, startDefinitionsServer } from '../test/fixtures';

afterEach(async () => {
  OpenFeature.clearHooks();
  OpenFeature.clearHandlers();
  await OpenFeature.clearProviders();
});

async function ready(provider: HalyardProvider) {
  await OpenFeature.setProviderAndWait(provider);
  return OpenFeature.getClient();
}

const quiet = { logger: false } as const;

describe('HalyardProvider: resolution through the OpenFeature server SDK', () => {
  it('resolves boolean flags on both paths, mapping targetingKey to userId', async () => {
    const client = await ready(new HalyardProvider({ source: staticSource(flagsDocument()) }));

    const targeted = await client.getBooleanDetails('new-checkout', false, { targetingKey: 'beta-user' });
    expect(targeted).toMatchObject({ flagKey: 'new-checkout', value: true, variant: 'on', reason: 'TARGETING_MATCH' });
    expect(targeted.flagMetadata).toEqual({ ruleId: 'target' });
    expect(targeted.errorCode).toBeUndefined();

    const byRule = await client.getBooleanDetails('new-checkout', false, { targetingKey: 'someone', plan: 'enterprise' });
    expect(byRule).toMatchObject({ value: true, variant: 'on', reason: 'TARGETING_MATCH', flagMetadata: { ruleId: 'enterprise' } });

    const fallthrough = await client.getBooleanDetails('new-checkout', true, { targetingKey: 'someone', plan: 'free' });
    expect(fallthrough).toMatchObject({ value: false, variant: 'off', reason: StandardResolutionReasons.DEFAULT, flagMetadata: {} });

    expect(await client.getBooleanValue('new-checkout', false, { targetingKey: 'beta-user' })).toBe(true);
    expect(await client.getBooleanValue('new-checkout', true)).toBe(false);
  });

  it('lets an explicit userId win over targetingKey', async () => {
    const client = await ready(new HalyardProvider({ source: staticSource(flagsDocument()) }));
    expect(await client.getBooleanValue('new-checkout', false, { targetingKey: 'beta-user', userId: 'someone-else' })).toBe(false);
    expect(await client.getBooleanValue('new-checkout', false, { targetingKey: 'someone-else', userId: 'beta-user' })).toBe(true);
  });

  it('resolves string, number and object flags on both paths', async () => {
    const client = await ready(new HalyardProvider({ source: staticSource(flagsDocument()) }));

    expect(await client.getStringDetails('checkout-theme', 'none', { country: 'US' })).toMatchObject({
      value: 'dark',
      variant: 'dark',
      reason: 'TARGETING_MATCH',
      flagMetadata: { ruleId: 'north-america' },
    });
    expect(await client.getStringDetails('checkout-theme', 'none', { country: 'FR' })).toMatchObject({ value: 'light', variant: 'light', reason: 'DEFAULT' });

    expect(await client.getNumberDetails('max-items', 0, { email: 'ann@example.com' })).toMatchObject({ value: 50, variant: 'large', reason: 'TARGETING_MATCH' });
    expect(await client.getNumberDetails('max-items', 0, { email: 'bob@elsewhere.org' })).toMatchObject({ value: 10, variant: 'small', reason: 'DEFAULT' });

    expect(await client.getObjectDetails('banner-config', {}, { country: 'GB' })).toMatchObject({
      value: { text: 'Sale!', color: 'red', items: [1, 2] },
      variant: 'sale',
      reason: 'TARGETING_MATCH',
    });
    expect(await client.getObjectValue('banner-config', {}, { country: 'DE' })).toEqual({ text: 'Welcome', color: 'grey' });
  });

  it('reports DISABLED, SPLIT and the prerequisite reason', async () => {
    const client = await ready(new HalyardProvider({ source: staticSource(flagsDocument()) }));

    expect(await client.getBooleanDetails('killed-feature', true)).toMatchObject({ value: false, variant: 'off', reason: 'DISABLED' });

    const variants = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const details = await client.getStringDetails('ab-test', 'none', { targetingKey: `user-${i}` });
      expect(details.reason).toBe(StandardResolutionReasons.SPLIT);
      expect(details.value).toBe(details.variant);
      variants.add(details.value);
    }
    expect(variants).toEqual(new Set(['control', 'treatment']));
    // Deterministic per unit.
    const first = await client.getStringValue('ab-test', 'none', { targetingKey: 'user-7' });
    expect(await client.getStringValue('ab-test', 'none', { targetingKey: 'user-7' })).toBe(first);

    expect(await client.getBooleanDetails('needs-checkout', true, { targetingKey: 'nobody' })).toMatchObject({
      value: false,
      variant: 'off',
      reason: 'PREREQUISITE_FAILED',
    });
    expect(await client.getBooleanDetails('needs-checkout', false, { targetingKey: 'beta-user' })).toMatchObject({ value: true, reason: 'DEFAULT' });
  });

  it('maps unknown flags to FLAG_NOT_FOUND and wrong types to TYPE_MISMATCH, returning the default', async () => {
    const client = await ready(new HalyardProvider({ source: staticSource(flagsDocument()) }));

    const missing = await client.getBooleanDetails('no-such-flag', true);
    expect(missing).toMatchObject({ value: true, reason: 'ERROR', errorCode: ErrorCode.FLAG_NOT_FOUND });
    expect(missing.errorMessage).toContain('no-such-flag');
    expect(await client.getBooleanDetails('constructor', true)).toMatchObject({ value: true, errorCode: ErrorCode.FLAG_NOT_FOUND });

    const asString = await client.getStringDetails('new-checkout', 'fallback');
    expect(asString).toMatchObject({ value: 'fallback', reason: 'ERROR', errorCode: ErrorCode.TYPE_MISMATCH });
    expect(asString.variant).toBeUndefined();

    expect(await client.getNumberDetails('checkout-theme', 7)).toMatchObject({ value: 7, errorCode: ErrorCode.TYPE_MISMATCH });
    expect(await client.getObjectDetails('max-items', { a: 1 })).toMatchObject({ value: { a: 1 }, errorCode: ErrorCode.TYPE_MISMATCH });
    expect(await client.getBooleanDetails('banner-config', false)).toMatchObject({ value: false, errorCode: ErrorCode.TYPE_MISMATCH });
  });

  it('runs API, client and invocation hooks around Halyard evaluations', async () => {
    const client = await ready(new HalyardProvider({ source: staticSource(flagsDocument()) }));
    const seen: string[] = [];
    const afterDetails: EvaluationDetails<FlagValue>[] = [];
    const errors: unknown[] = [];
    OpenFeature.addHooks({
      // A before hook that adds targeting attributes must change what Halyard evaluates.
      before: () => ({ plan: 'enterprise' }),
    });
    const recorder: Hook = {
      before: () => void seen.push('before'),
      after: (_context, details) => {
        seen.push('after');
        afterDetails.push(details);
      },
      error: (_context, error) => {
        seen.push('error');
        errors.push(error);
      },
      finally: () => void seen.push('finally'),
    };
    client.addHooks(recorder);

    expect(await client.getBooleanValue('new-checkout', false, { targetingKey: 'someone' })).toBe(true);
    expect(seen).toEqual(['before', 'after', 'finally']);
    expect(afterDetails[0]).toMatchObject({ flagKey: 'new-checkout', value: true, reason: 'TARGETING_MATCH', flagMetadata: { ruleId: 'enterprise' } });

    seen.length = 0;
    const invocationHook: Hook = { before: () => ({ plan: 'free' }) };
    expect(await client.getBooleanValue('new-checkout', true, { targetingKey: 'someone' }, { hooks: [invocationHook] })).toBe(false);

    seen.length = 0;
    expect(await client.getBooleanValue('no-such-flag', true)).toBe(true);
    expect(seen).toEqual(['before', 'error', 'finally']);
    expect(errors[0]).toMatchObject({ code: ErrorCode.FLAG_NOT_FOUND });
  });
});

describe('HalyardProvider: provider contract', () => {
  it('returns plain (non-Promise) resolutions, shared for static outcomes', async () => {
    const provider = new HalyardProvider({ source: staticSource(flagsDocument()) });
    await provider.initialize();

    const a = provider.resolveBooleanEvaluation('new-checkout', false, { targetingKey: 'x' });
    expect(a).not.toBeInstanceOf(Promise);
    expect(a).toMatchObject({ value: false, variant: 'off', reason: 'DEFAULT' });
    // Static outcomes are the core's frozen objects (or a cached mapping of them): nothing is allocated per call.
    expect(provider.resolveBooleanEvaluation('new-checkout', false, { targetingKey: 'y' })).toBe(a);
    const targeted = provider.resolveBooleanEvaluation('new-checkout', false, { targetingKey: 'beta-user' });
    expect(targeted).toEqual({ value: true, variant: 'on', reason: 'TARGETING_MATCH', flagMetadata: { ruleId: 'target' } });
    expect(provider.resolveBooleanEvaluation('new-checkout', false, { targetingKey: 'beta-user' })).toBe(targeted);
    expect(Object.isFrozen(targeted)).toBe(true);

    // Splits carry a per-unit bucket in the core, so their resolution is built per call — without Halyard-only fields.
    const split = provider.resolveStringEvaluation('ab-test', 'none', { targetingKey: 'u1' });
    expect(Object.keys(split).sort()).toEqual(['reason', 'value', 'variant']);
    await provider.onClose();
  });

  it('answers PROVIDER_NOT_READY before the first definitions when called directly', () => {
    const { source } = controlledSource();
    const provider = new HalyardProvider({ source, ...quiet });
    expect(provider.resolveBooleanEvaluation('new-checkout', true, {})).toMatchObject({ value: true, reason: 'ERROR', errorCode: ErrorCode.PROVIDER_NOT_READY });
    void provider.onClose();
  });

  it('rejects construction without a client or a source', () => {
    expect(() => new HalyardProvider({} as never)).toThrow(/@halyard\/openfeature: .*\{ client \}.*\{ source \}/);
  });

  it('closes a client it created, and leaves a client it was given open', async () => {
    const owned = controlledSource(flagsDocument());
    await OpenFeature.setProviderAndWait(new HalyardProvider({ source: owned.source }));
    await OpenFeature.close();
    expect(owned.state.stopped).toBe(1);

    const shared = controlledSource(flagsDocument());
    const flags = createFlagClient({ source: shared.source });
    await OpenFeature.setProviderAndWait(new HalyardProvider({ client: flags }));
    expect(await OpenFeature.getClient().getBooleanValue('new-checkout', false, { targetingKey: 'beta-user' })).toBe(true);
    await OpenFeature.close();
    expect(shared.state.stopped).toBe(0);
    expect(flags.isEnabled('new-checkout', { userId: 'beta-user' })).toBe(true);
    flags.close();
    expect(shared.state.stopped).toBe(1);
  });
});

describe('HalyardProvider: events', () => {
  it('emits CONFIGURATION_CHANGED with the changed flag keys when definitions change', async () => {
    const control = controlledSource(flagsDocument('1'));
    const client = await ready(new HalyardProvider({ source: control.source }));
    expect(await client.getStringValue('checkout-theme', 'none')).toBe('light');

    const changed = nextCall<{ flagsChanged?: string[] } | undefined>((handler) => client.addHandler(ProviderEvents.ConfigurationChanged, handler));
    const next = flagsDocument('2');
    next.flags['checkout-theme']!.defaultServe = { variant: 'dark' };
    control.publish(next);

    const event = await changed;
    // `needs-checkout` did not change and does not depend on `checkout-theme`.
    expect(event?.flagsChanged).toEqual(['checkout-theme']);
    expect(await client.getStringValue('checkout-theme', 'none')).toBe('dark');
  });

  it('includes flags whose segment or prerequisite changed, and stays silent when nothing did', async () => {
    const control = controlledSource(flagsDocument('1'));
    const client = await ready(new HalyardProvider({ source: control.source }));
    const events: Array<string[] | undefined> = [];
    client.addHandler(ProviderEvents.ConfigurationChanged, (details) => void events.push(details?.flagsChanged));

    // Same content under a new version: the evaluation cannot differ, so no event.
    control.publish(flagsDocument('2'));
    await Promise.resolve();
    expect(events).toEqual([]);

    const next = flagsDocument('3');
    next.segments!.internal = { conditions: [{ attribute: 'email', operator: 'endsWith', values: ['@example.org'] }] };
    next.flags['new-checkout']!.targets = [{ variant: 'on', values: ['other-beta-user'] }];
    control.publish(next);
    await expect.poll(() => events.length).toBe(1);
    expect([...(events[0] ?? [])].sort()).toEqual(['max-items', 'needs-checkout', 'new-checkout']);
    expect(await client.getNumberValue('max-items', 0, { email: 'ann@example.org' })).toBe(50);
  });

  it('goes STALE when the source fails after loading (serving the last flags) and READY when it recovers', async () => {
    const control = controlledSource(flagsDocument('1'));
    const client = await ready(new HalyardProvider({ source: control.source, ...quiet }));

    const stale = nextCall<{ message?: string } | undefined>((handler) => client.addHandler(ProviderEvents.Stale, handler));
    control.fail('connection reset');
    expect((await stale)?.message).toContain('connection reset');
    expect(client.providerStatus).toBe(ProviderStatus.STALE);
    expect(await client.getBooleanDetails('new-checkout', false, { targetingKey: 'beta-user' })).toMatchObject({ value: true, reason: 'TARGETING_MATCH' });

    const recovered = nextCall((handler) => client.addHandler(ProviderEvents.Ready, handler));
    control.publish(flagsDocument('1'));
    await recovered;
    expect(client.providerStatus).toBe(ProviderStatus.READY);
  });

  it('fails initialization when the source fails first, then becomes READY once flags arrive', async () => {
    const control = controlledSource();
    const provider = new HalyardProvider({ source: control.source, ...quiet });
    const initializing = OpenFeature.setProviderAndWait(provider);
    control.fail('service unavailable');
    await expect(initializing).rejects.toThrow('service unavailable');
    const client = OpenFeature.getClient();
    expect(client.providerStatus).toBe(ProviderStatus.ERROR);
    expect(await client.getBooleanDetails('new-checkout', true)).toMatchObject({ value: true, reason: 'ERROR' });

    const recovered = nextCall((handler) => client.addHandler(ProviderEvents.Ready, handler));
    control.publish(flagsDocument());
    await recovered;
    expect(client.providerStatus).toBe(ProviderStatus.READY);
    expect(await client.getBooleanValue('new-checkout', false, { targetingKey: 'beta-user' })).toBe(true);
  });
});

describe('HalyardProvider: over HTTP with streaming', () => {
  it('loads definitions from a real flag service and applies streamed changes', async () => {
    const service = await startDefinitionsServer(flagsDocument('1'), 'sdk-test-key');
    try {
      const provider = new HalyardProvider({ source: httpSource({ url: service.url, sdkKey: 'sdk-test-key', stream: true, pollInterval: 0 }), ...quiet });
      await OpenFeature.setProviderAndWait(provider);
      const client = OpenFeature.getClient();
      expect(await client.getBooleanValue('new-checkout', false, { targetingKey: 'beta-user' })).toBe(true);
      await expect.poll(() => service.streams).toBe(1);

      const changed = nextCall<{ flagsChanged?: string[] } | undefined>((handler) => client.addHandler(ProviderEvents.ConfigurationChanged, handler));
      const next = flagsDocument('2');
      next.flags['new-checkout']!.enabled = false;
      service.publish(next);

      expect((await changed)?.flagsChanged?.sort()).toEqual(['needs-checkout', 'new-checkout']);
      expect(await client.getBooleanDetails('new-checkout', true, { targetingKey: 'beta-user' })).toMatchObject({ value: false, reason: 'DISABLED' });

      // Closing the provider closes the client it created, which closes the stream.
      await OpenFeature.close();
      await expect.poll(() => service.streams).toBe(0);
    } finally {
      await service.close();
    }
  });

  it('fails initialization with the service error when the SDK key is wrong', async () => {
    const service = await startDefinitionsServer(flagsDocument('1'), 'sdk-test-key');
    try {
      const provider = new HalyardProvider({ source: httpSource({ url: service.url, sdkKey: 'wrong', retry: { base: 60_000 } }), ...quiet });
      await expect(OpenFeature.setProviderAndWait(provider)).rejects.toThrow(/401/);
    } finally {
      await OpenFeature.close();
      await service.close();
    }
  });
});
