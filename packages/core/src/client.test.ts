import { describe, expect, it, vi } from 'vitest';
import { flagsDoc } from '../test/helpers/server';
import { createFlagClient } from './client';
import { parseDefinitions } from './parse-definitions';
import { staticSource } from './static-source';
import type { Definitions, ExposureEvent, FlagSource, SourceUpdate } from './types';

/** A hand-driven source: what a custom FlagSource implementation looks like. */
function manualSource() {
  let emit: ((update: SourceUpdate) => void) | undefined;
  const control = {
    starts: 0,
    stops: 0,
    source: {
      name: 'manual',
      start(e) {
        control.starts++;
        emit = e;
        return () => {
          control.stops++;
        };
      },
    } satisfies FlagSource,
    definitions(defs: Definitions) {
      emit?.({ type: 'definitions', definitions: defs });
    },
    fail(message: string) {
      emit?.({ type: 'error', error: new Error(message) });
    },
  };
  return control;
}

function defs(doc: unknown): Definitions {
  const result = parseDefinitions(doc);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.definitions;
}

const quiet = { logger: false as const };

describe('createFlagClient', () => {
  it('starts the source at creation and returns defaults (ERROR/GENERAL) until flags arrive', () => {
    const m = manualSource();
    const client = createFlagClient({ source: m.source, ...quiet });
    expect(m.starts).toBe(1);
    expect(client.status).toBe('loading');
    expect(client.isEnabled('new-checkout')).toBe(false);
    expect(client.getValue('new-checkout', true)).toBe(true);
    expect(client.getDetails('new-checkout', true)).toEqual({
      value: true,
      reason: 'ERROR',
      errorCode: 'GENERAL',
      errorMessage: expect.stringContaining('flags not loaded yet; await client.ready()'),
    });
    expect(client.evaluateAll()).toEqual({ version: '', flags: {} });
    m.definitions(defs(flagsDoc('1')));
    expect(client.status).toBe('ready');
    expect(client.isEnabled('new-checkout')).toBe(true);
    expect(client.getDetails('new-checkout', false)).toMatchObject({ value: true, variant: 'on', reason: 'STATIC' });
    client.close();
  });

  it('ready() resolves on the first good definitions', async () => {
    const m = manualSource();
    const client = createFlagClient({ source: m.source, ...quiet });
    const ready = client.ready();
    m.definitions(defs(flagsDoc('1')));
    await expect(ready).resolves.toBeUndefined();
    m.fail('later failure');
    await expect(client.ready()).resolves.toBeUndefined(); // later failures do not un-ready it
    client.close();
  });

  it('ready() rejects when the source fails first, and the client keeps going', async () => {
    const m = manualSource();
    const errors: Error[] = [];
    const client = createFlagClient({ source: m.source, onError: (e) => errors.push(e), ...quiet });
    m.fail('service down');
    await expect(client.ready()).rejects.toThrow('service down');
    expect(client.status).toBe('error');
    expect(client.getSnapshot().error?.message).toBe('service down');
    m.definitions(defs(flagsDoc('1')));
    expect(client.status).toBe('ready');
    await expect(client.ready()).resolves.toBeUndefined();
    expect(errors.map((e) => e.message)).toEqual(['service down']);
    client.close();
  });

  it('a failure before anyone awaited ready() is not an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const m = manualSource();
      const client = createFlagClient({ source: m.source, ...quiet });
      m.fail('boom');
      await new Promise((r) => setTimeout(r, 10));
      client.close();
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });

  it('keeps the last good flags when the source fails (stale), and recovers', () => {
    const m = manualSource();
    const warnings: string[] = [];
    const client = createFlagClient({ source: m.source, logger: { warn: (msg: string) => warnings.push(msg) } });
    m.definitions(defs(flagsDoc('1')));
    const good = client.getSnapshot();
    m.fail('timeout');
    expect(client.status).toBe('stale');
    expect(client.isEnabled('new-checkout')).toBe(true); // never falls back to defaults
    expect(client.getSnapshot().definitions).toBe(good.definitions);
    m.fail('timeout'); // same failure again: nothing new to tell subscribers
    m.definitions(good.definitions as Definitions); // e.g. a 304 re-emits what we have
    expect(client.status).toBe('ready');
    expect(client.getSnapshot().definitions).toBe(good.definitions);
    expect(warnings).toEqual([expect.stringContaining('source manual failed; serving the last good flags (status "stale"): timeout')]);
    client.close();
  });

  it('getSnapshot() changes identity only when content changes', () => {
    const m = manualSource();
    const client = createFlagClient({ source: m.source, ...quiet });
    const seen: unknown[] = [];
    client.subscribe(() => seen.push(client.getSnapshot()));
    const loading = client.getSnapshot();
    expect(client.getSnapshot()).toBe(loading);
    m.definitions(defs(flagsDoc('1')));
    const first = client.getSnapshot();
    expect(first).toMatchObject({ status: 'ready', version: '1', error: undefined });
    expect(first.updatedAt).toEqual(expect.any(Number));
    m.definitions(defs(flagsDoc('1'))); // same version, same content, new object
    expect(client.getSnapshot()).toBe(first);
    m.definitions(defs(flagsDoc('1', false))); // same version, different content (hand-edited file)
    const edited = client.getSnapshot();
    expect(edited).not.toBe(first);
    expect(client.isEnabled('new-checkout')).toBe(false);
    m.definitions(defs(flagsDoc('2', false)));
    expect(client.getSnapshot()).not.toBe(edited);
    expect(client.getSnapshot().version).toBe('2');
    expect(seen).toHaveLength(3);
    client.close();
  });

  it('subscribe() returns an unsubscribe, and a throwing listener does not break the others', () => {
    const m = manualSource();
    const client = createFlagClient({ source: m.source, logger: { warn: () => {} } });
    const calls: string[] = [];
    client.subscribe(() => {
      throw new Error('bad listener');
    });
    const off = client.subscribe(() => calls.push('b'));
    m.definitions(defs(flagsDoc('1')));
    off();
    m.definitions(defs(flagsDoc('2')));
    expect(calls).toEqual(['b']);
    client.close();
  });

  it('close() stops the source, ignores late updates and rejects a pending ready()', async () => {
    const m = manualSource();
    const client = createFlagClient({ source: m.source, ...quiet });
    const ready = client.ready();
    client.close();
    client.close();
    expect(m.stops).toBe(1);
    await expect(ready).rejects.toThrow('closed before flags loaded');
    m.definitions(defs(flagsDoc('1')));
    expect(client.status).toBe('loading');
  });

  it('a source whose start() throws puts the client in error', async () => {
    const client = createFlagClient({
      source: {
        name: 'broken',
        start() {
          throw new Error('cannot start');
        },
      },
      ...quiet,
    });
    expect(client.status).toBe('error');
    await expect(client.ready()).rejects.toThrow('cannot start');
    client.close();
  });

  it('evaluateAll() delegates to the evaluator', () => {
    const client = createFlagClient({ source: staticSource(flagsDoc('7') as never), ...quiet });
    const snapshot = client.evaluateAll({ userId: 'u1' });
    expect(snapshot.flags['new-checkout']).toMatchObject({ value: true, variant: 'on', reason: 'STATIC' });
    expect(typeof snapshot.version).toBe('string');
    client.close();
  });
});

describe('createFlagClient exposures', () => {
  const doc = flagsDoc('1', true, {
    experiment: {
      variants: { a: 'A', b: 'B' },
      enabled: true,
      offVariant: 'a',
      defaultServe: { split: [{ variant: 'b', weight: 1 }], bucketBy: 'account.id' },
    },
    theme: { variants: { light: 'light', dark: 'dark' }, enabled: false, offVariant: 'light', defaultServe: { variant: 'dark' } },
    gated: {
      variants: { on: true, off: false },
      enabled: true,
      offVariant: 'off',
      rules: [{ id: 'ten-percent', conditions: [], rollout: { weight: 1, total: 1, bucketBy: 'orgId' }, serve: { variant: 'on' } }],
      defaultServe: { variant: 'off' },
    },
  });

  it('fires once per (flag, variant, unit) for isEnabled/getValue/getDetails, never for evaluateAll or errors', () => {
    const events: ExposureEvent[] = [];
    const client = createFlagClient({ source: staticSource(doc as never), onExposure: (e) => events.push(e), ...quiet });
    client.isEnabled('new-checkout', { userId: 'u1' });
    client.getValue('new-checkout', false, { userId: 'u1' });
    client.getDetails('new-checkout', false, { userId: 'u1' });
    client.isEnabled('new-checkout', { userId: 'u2' });
    client.getValue('theme', 'x', { userId: 'u1' });
    client.getValue('missing', 'x', { userId: 'u1' });
    client.getValue('theme', 42, { userId: 'u1' }); // type mismatch → ERROR
    client.evaluateAll({ userId: 'u3' });
    expect(events.map((e) => [e.flag, e.variant, e.unit, e.reason])).toEqual([
      ['new-checkout', 'on', 'u1', 'STATIC'],
      ['new-checkout', 'on', 'u2', 'STATIC'],
      ['theme', 'light', 'u1', 'DISABLED'],
    ]);
    expect(events[0]).toMatchObject({ value: true, timestamp: expect.any(Number) });
    client.close();
  });

  it('attributes a split exposure to the split bucketBy unit', () => {
    const events: ExposureEvent[] = [];
    const client = createFlagClient({ source: staticSource(doc as never), onExposure: (e) => events.push(e), ...quiet });
    expect(client.getValue('experiment', 'A', { userId: 'u1', account: { id: 'acct-9' } })).toBe('B');
    expect(client.getValue('experiment', 'A', { userId: 'u2', account: { id: 'acct-9' } })).toBe('B');
    expect(events.map((e) => [e.flag, e.variant, e.unit, e.reason])).toEqual([['experiment', 'b', 'acct-9', 'SPLIT']]);
    client.close();
  });

  it('attributes a rule-rollout exposure to the rollout bucketBy unit', () => {
    const events: ExposureEvent[] = [];
    const client = createFlagClient({ source: staticSource(doc as never), onExposure: (e) => events.push(e), ...quiet });
    expect(client.isEnabled('gated', { userId: 'u1', orgId: 'org-1' })).toBe(true);
    expect(client.isEnabled('gated', { userId: 'u2', orgId: 'org-1' })).toBe(true);
    expect(events.map((e) => [e.flag, e.variant, e.unit, e.reason])).toEqual([['gated', 'on', 'org-1', 'TARGETING_MATCH']]);
    client.close();
  });

  it('reads are unaffected by a throwing onExposure', () => {
    const warn = vi.fn();
    const client = createFlagClient({
      source: staticSource(doc as never),
      onExposure: () => {
        throw new Error('analytics down');
      },
      logger: { warn },
    });
    expect(client.isEnabled('new-checkout', { userId: 'u1' })).toBe(true);
    expect(warn).toHaveBeenCalledOnce();
    client.close();
  });

  it('returns the same values with and without exposure tracking', () => {
    const tracked = createFlagClient({ source: staticSource(doc as never), onExposure: () => {}, ...quiet });
    const plain = createFlagClient({ source: staticSource(doc as never), ...quiet });
    for (const ctx of [undefined, { userId: 'u1' }, { userId: 'u1', account: { id: 'x' } }]) {
      for (const [key, def] of [['new-checkout', false], ['theme', 'x'], ['experiment', 'A'], ['missing', 'fallback'], ['theme', 1]] as const) {
        expect(tracked.getValue(key, def, ctx)).toBe(plain.getValue(key, def, ctx));
        expect(tracked.isEnabled(key, ctx)).toBe(plain.isEnabled(key, ctx));
      }
    }
    expect(plain.isEnabled('new-checkout')).toBe(true);
    expect(plain.getValue('experiment', 'A', { account: { id: 'x' } })).toBe('B');
    tracked.close();
    plain.close();
  });
});

describe('client.flag() handles', () => {
  const rollout = {
    variants: { on: true, off: false },
    enabled: true,
    offVariant: 'off',
    defaultServe: { split: [{ variant: 'on', weight: 1 }, { variant: 'off', weight: 1 }] },
  };
  const theme = { variants: { light: 'light', dark: 'dark' }, enabled: true, offVariant: 'light', defaultServe: { variant: 'dark' } };

  it('return defaults before flags load, then follow every definitions update', () => {
    const m = manualSource();
    const client = createFlagClient({ source: m.source, ...quiet });
    const newCheckout = client.flag('new-checkout');
    const later = client.flag<string>('theme'); // not published yet
    expect(newCheckout.key).toBe('new-checkout');
    expect(newCheckout.isEnabled({ userId: 'u1' })).toBe(false);
    expect(newCheckout.getValue(true, { userId: 'u1' })).toBe(true);
    expect(newCheckout.getDetails(true)).toEqual({
      value: true,
      reason: 'ERROR',
      errorCode: 'GENERAL',
      errorMessage: expect.stringContaining('flags not loaded yet; await client.ready()'),
    });

    m.definitions(defs(flagsDoc('1')));
    expect(newCheckout.isEnabled({ userId: 'u1' })).toBe(true);
    expect(newCheckout.getDetails(false, { userId: 'u1' })).toMatchObject({ value: true, variant: 'on', reason: 'STATIC' });
    expect(later.getValue('light', { userId: 'u1' })).toBe('light');
    expect(later.getDetails('light', { userId: 'u1' })).toMatchObject({ value: 'light', reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' });

    m.definitions(defs(flagsDoc('2', false, { theme })));
    expect(newCheckout.isEnabled({ userId: 'u1' })).toBe(false);
    expect(newCheckout.getValue(true, { userId: 'u1' })).toBe(false);
    expect(later.getValue('light', { userId: 'u1' })).toBe('dark'); // the unknown key started working

    m.fail('source down'); // stale: the last good flags stay
    expect(client.status).toBe('stale');
    expect(later.getValue('light', { userId: 'u1' })).toBe('dark');
    m.definitions(defs(flagsDoc('3', true)));
    expect(newCheckout.isEnabled()).toBe(true);
    expect(later.getDetails('light').errorCode).toBe('FLAG_NOT_FOUND'); // unpublished again
    client.close();
  });

  it('answer like the by-key methods: splits, type mismatches, unknown keys, hostile contexts', () => {
    const client = createFlagClient({ source: staticSource(flagsDoc('1', true, { rollout, theme }) as never), ...quiet });
    const throwing = Object.defineProperty({}, 'userId', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    });
    const contexts = [undefined, {}, { userId: 'u1' }, { userId: 'u2' }, { userId: 'u3' }, throwing];
    const enabled = new Set<boolean>();
    for (const key of ['new-checkout', 'rollout', 'theme', 'missing']) {
      const handle = client.flag(key);
      for (const ctx of contexts) {
        for (const def of [false, 'x', null] as const) {
          expect(handle.getValue(def, ctx)).toBe(client.getValue(key, def, ctx));
          expect(handle.getDetails(def, ctx)).toEqual(client.getDetails(key, def, ctx));
        }
        expect(handle.isEnabled(ctx)).toBe(client.isEnabled(key, ctx));
        if (key === 'rollout') enabled.add(handle.isEnabled(ctx));
      }
    }
    expect([...enabled].sort()).toEqual([false, true]); // both paths of the split
    expect(client.flag('theme').getValue(1, {})).toBe(1);
    expect(client.flag('theme').getDetails(true, {}).errorCode).toBe('TYPE_MISMATCH');
    expect(client.flag('theme').isEnabled({})).toBe(false);
    expect(client.flag(42 as unknown as string).getDetails('d', {})).toMatchObject({ value: 'd', errorCode: 'FLAG_NOT_FOUND' });
    client.close();
  });

  it('fire exposures like the by-key reads, once per (flag, variant, unit), never for errors', () => {
    const events: ExposureEvent[] = [];
    const m = manualSource();
    const client = createFlagClient({ source: m.source, onExposure: (e) => events.push(e), ...quiet });
    const newCheckout = client.flag('new-checkout');
    const split = client.flag('rollout');
    expect(newCheckout.isEnabled({ userId: 'u1' })).toBe(false); // not loaded: no exposure
    m.definitions(defs(flagsDoc('1', true, { rollout, theme })));
    expect(newCheckout.isEnabled({ userId: 'u1' })).toBe(true);
    newCheckout.getValue(false, { userId: 'u1' });
    newCheckout.getDetails(false, { userId: 'u1' });
    newCheckout.getValue('wrong type', { userId: 'u1' }); // TYPE_MISMATCH: no exposure
    client.flag('missing').getValue(1, { userId: 'u1' }); // FLAG_NOT_FOUND: no exposure
    const variant = split.getDetails(false, { userId: 'u9' }).variant;
    split.isEnabled({ userId: 'u9' });
    client.flag('theme').isEnabled({ userId: 'u1' }); // a string flag read as boolean: TYPE_MISMATCH
    m.definitions(defs(flagsDoc('2', false, { rollout, theme })));
    expect(newCheckout.isEnabled({ userId: 'u1' })).toBe(false); // new variant after the update: a new exposure
    expect(events.map((e) => [e.flag, e.variant, e.unit, e.reason])).toEqual([
      ['new-checkout', 'on', 'u1', 'STATIC'],
      ['rollout', variant, 'u9', 'SPLIT'],
      ['new-checkout', 'off', 'u1', 'STATIC'],
    ]);
    client.close();
  });

  it('never throw, even when the exposure callback does', () => {
    const warn = vi.fn();
    const client = createFlagClient({
      source: staticSource(flagsDoc('1') as never),
      onExposure: () => {
        throw new Error('analytics down');
      },
      logger: { warn },
    });
    const handle = client.flag('new-checkout');
    expect(handle.isEnabled({ userId: 'u1' })).toBe(true);
    expect(handle.getValue(false, { userId: 'u2' })).toBe(true);
    expect(warn).toHaveBeenCalledTimes(2);
    client.close();
  });
});
