import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { createFlagClient, staticSource, type FlagsDocument, type Outcome } from '@halyard/core';
import { attachEventSender, connectEvents } from '@halyard/core/adapter';
import { createEventSender, SDK_VERSION, type EventTransport, type WireEvent } from '@halyard/core/events';

const DOCUMENT: FlagsDocument = {
  schemaVersion: 1,
  version: 1,
  flags: {
    'new-checkout': { variants: { on: true, off: false }, enabled: true, offVariant: 'off', targets: [{ variant: 'on', values: ['alice'] }], defaultServe: { variant: 'off' } },
    'team-plan': {
      variants: { a: 'a', b: 'b' },
      enabled: true,
      offVariant: 'a',
      defaultServe: { split: [{ variant: 'a', weight: 1 }, { variant: 'b', weight: 1 }], bucketBy: 'accountId' },
    },
    plain: { variants: { x: 1 }, enabled: true, offVariant: 'x', defaultServe: { variant: 'x' } },
  },
};

/** A client whose sender records every batch (pure: no network; the HTTP path has its own test). */
async function recording(options: { onError?: (error: Error) => void } = {}) {
  const events: WireEvent[] = [];
  const transport: EventTransport = {
    async send(body) {
      events.push(...(JSON.parse(body) as { events: WireEvent[] }).events);
      return { ok: true };
    },
  };
  const sender = createEventSender({ transport, onError: options.onError ?? (() => {}) });
  const client = createFlagClient({ source: staticSource(DOCUMENT), events: sender, logger: false });
  await client.ready();
  const sent = async () => {
    await client.flush();
    return events.map(({ time, ...rest }) => (expect(typeof time).toBe('number'), rest));
  };
  return { client, sender, sent };
}

describe('events from the client', () => {
  it('records each (flag, variant, unit) exposure once, from every read API', async () => {
    const { client, sent } = await recording();
    client.isEnabled('new-checkout', { userId: 'alice' });
    client.getValue('new-checkout', false, { userId: 'alice' });
    client.flag('new-checkout').isEnabled({ userId: 'alice' });
    client.getDetails('new-checkout', false, { userId: 'bob' });
    client.getValue('team-plan', 'a', { userId: 'carol', accountId: 'acme' });
    client.getValue('unknown', false, { userId: 'alice' }); // an ERROR is no exposure
    expect(await sent()).toEqual([
      { kind: 'exposure', flag: 'new-checkout', variant: 'on', unit: 'alice' },
      { kind: 'exposure', flag: 'new-checkout', variant: 'off', unit: 'bob' },
      { kind: 'exposure', flag: 'team-plan', variant: expect.stringMatching(/^[ab]$/), unit: 'acme' },
    ]);
    expect(client.events?.stats()).toEqual({ queued: 0, sent: 3, dropped: 0, failed: 0 });
  });

  it('anonymous reads are exposures without a unit', async () => {
    const { client, sent } = await recording();
    client.isEnabled('new-checkout');
    expect(await sent()).toEqual([{ kind: 'exposure', flag: 'new-checkout', variant: 'off' }]);
  });

  it('an event whose unit the service would refuse (NUL, lone surrogate) is dropped alone and counted', async () => {
    const { client, sent } = await recording();
    client.isEnabled('new-checkout', { userId: 'a\u0000b' });
    client.isEnabled('new-checkout', { userId: '\uD800x' });
    client.isEnabled('new-checkout', { userId: 'bob \uD83D\uDE00' });
    expect(await sent()).toEqual([{ kind: 'exposure', flag: 'new-checkout', variant: 'off', unit: 'bob \uD83D\uDE00' }]);
    expect(client.events?.stats().dropped).toBe(2);
  });

  it('track() sends metrics for the context’s unit; bad names and values are ignored and reported, never thrown', async () => {
    const errors: Error[] = [];
    const { client, sent } = await recording({ onError: (e) => errors.push(e) });
    client.track('purchase', { userId: 'alice' }, 49.9);
    client.track('page.view:home', undefined);
    expect(() => client.track('bad name!', { userId: 'alice' })).not.toThrow();
    expect(() => client.track('x'.repeat(101))).not.toThrow();
    expect(() => client.track('revenue', { userId: 'alice' }, Number.NaN)).not.toThrow();
    expect(() => client.track(42 as unknown as string)).not.toThrow();
    expect(await sent()).toEqual([
      { kind: 'metric', name: 'purchase', unit: 'alice', value: 49.9 },
      { kind: 'metric', name: 'page.view:home' },
    ]);
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^@halyard\/core: event ignored: metric name "bad name!" must match/),
      expect.stringMatching(/metric name "x+.*must match/),
      '@halyard/core: event ignored: metric value must be a finite number',
      expect.stringMatching(/metric name "42" must match/),
    ]);
    expect(client.events?.stats().dropped).toBe(4);
  });

  it('track() without events does nothing and warns once', async () => {
    const warn = vi.fn();
    const client = createFlagClient({ source: staticSource(DOCUMENT), logger: { warn } });
    client.track('purchase', { userId: 'alice' });
    client.track('purchase', { userId: 'alice' });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toMatch(/track\(\) ignored: this client has no events/);
    await client.close();
  });

  it('the SDK version sent is the package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(SDK_VERSION).toBe(pkg.version);
  });
});

describe('client.guard', () => {
  it('runs the new path for the units the flag selects and the old one for the others, recording each outcome', async () => {
    const { client, sent } = await recording();
    const paths = { on: () => 'new', off: () => 'old' };
    expect(await client.guard('new-checkout', { userId: 'alice' }, paths)).toBe('new');
    expect(await client.guard('new-checkout', { userId: 'bob' }, paths)).toBe('old');
    const events = await sent();
    expect(events).toEqual([
      { kind: 'exposure', flag: 'new-checkout', variant: 'on', unit: 'alice' },
      { kind: 'outcome', flag: 'new-checkout', variant: 'on', unit: 'alice', ok: true, durationMs: expect.any(Number) },
      { kind: 'exposure', flag: 'new-checkout', variant: 'off', unit: 'bob' },
      { kind: 'outcome', flag: 'new-checkout', variant: 'off', unit: 'bob', ok: true, durationMs: expect.any(Number) },
    ]);
    for (const event of events) if (event.kind === 'outcome') expect(event.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('on error records it (with errorType) and returns the fallback’s value', async () => {
    const { client, sent } = await recording();
    const outcomes: Outcome[] = [];
    client.onOutcome((o) => outcomes.push(o));
    const failure = new TypeError('new checkout broke');
    const result = await client.guard('new-checkout', { userId: 'alice' }, {
      on: async () => {
        throw failure;
      },
      off: async () => 'old',
    });
    expect(result).toBe('old');
    expect(outcomes).toEqual([{ flag: 'new-checkout', variant: 'on', unit: 'alice', ok: false, durationMs: expect.any(Number), error: failure }]);
    expect((await sent()).filter((e) => e.kind === 'outcome')).toEqual([
      { kind: 'outcome', flag: 'new-checkout', variant: 'on', unit: 'alice', ok: false, durationMs: expect.any(Number), errorType: 'TypeError' },
    ]);
  });

  it('the old path failing is recorded and thrown: there is nothing to fall back to', async () => {
    const { client } = await recording();
    const outcomes: Outcome[] = [];
    client.onOutcome((o) => outcomes.push(o));
    await expect(
      client.guard('new-checkout', { userId: 'bob' }, {
        on: () => 'new',
        off: () => {
          throw new Error('old broke');
        },
      }),
    ).rejects.toThrow('old broke');
    expect(outcomes).toMatchObject([{ variant: 'off', ok: false }]);
  });

  it('attributes outcomes to the served variant of a multi-variant flag, by its bucketBy unit', async () => {
    const { client } = await recording();
    const outcomes: Outcome[] = [];
    client.onOutcome((o) => outcomes.push(o));
    const context = { userId: 'carol', accountId: 'acme' };
    const served = client.getValue('team-plan', 'a', context);
    const result = client.guardSync('team-plan', context, { variants: { a: () => 'path a', b: () => 'path b' }, off: () => 'old' });
    expect(result).toBe(`path ${served}`);
    expect(outcomes).toEqual([{ flag: 'team-plan', variant: served, unit: 'acme', ok: true, durationMs: expect.any(Number) }]);
  });

  it('a variant without its own path runs off; a flag without variant keys… reports "default"; an unknown flag runs off with no outcome', async () => {
    const { client } = await recording();
    const outcomes: Outcome[] = [];
    client.onOutcome((o) => outcomes.push(o));
    expect(client.guardSync('plain', { userId: 'u' }, { on: () => 'on', off: () => 'off' })).toBe('off');
    expect(client.guardSync('missing', { userId: 'u' }, { on: () => 'on', off: () => 'off' })).toBe('off');
    expect(outcomes.map((o) => o.variant)).toEqual(['x']);
  });

  it('guardSync falls back synchronously; a throwing listener does not affect the call', async () => {
    const { client } = await recording();
    client.onOutcome(() => {
      throw new Error('listener broke');
    });
    const result = client.guardSync('new-checkout', { userId: 'alice' }, {
      on: () => {
        throw new Error('boom');
      },
      off: () => 42,
    });
    expect(result).toBe(42);
  });

  it('works without events (outcomes still reach listeners) and rejects paths without off()', async () => {
    const client = createFlagClient({ source: staticSource(DOCUMENT), logger: false });
    const outcomes: Outcome[] = [];
    const stop = client.onOutcome((o) => outcomes.push(o));
    expect(await client.guard('new-checkout', { userId: 'alice' }, { on: () => 1, off: () => 2 })).toBe(1);
    stop();
    await client.guard('new-checkout', { userId: 'alice' }, { on: () => 1, off: () => 2 });
    expect(outcomes).toHaveLength(1);
    await expect(client.guard('new-checkout', {}, { on: () => 1 } as never)).rejects.toThrow(/needs paths \{ on, off \}/);
    expect(() => client.guardSync('new-checkout', {}, null as never)).toThrow(/needs paths/);
    await client.close();
  });
});

describe('close and adapters', () => {
  it('close() flushes the client’s events', async () => {
    const { client, sender } = await recording();
    client.track('purchase', { userId: 'alice' });
    expect(sender.stats().queued).toBe(1);
    await client.close();
    expect(sender.stats()).toMatchObject({ queued: 0, sent: 1 });
  });

  it('attachEventSender gives a client built without events a sender; events configured twice are refused', async () => {
    const events: WireEvent[] = [];
    const transport: EventTransport = {
      async send(body) {
        events.push(...(JSON.parse(body) as { events: WireEvent[] }).events);
        return { ok: true };
      },
    };
    const client = createFlagClient({ source: staticSource(DOCUMENT), logger: false });
    const handle = client.flag('new-checkout'); // made before events were attached: still records
    const sender = createEventSender({ transport });
    expect(attachEventSender(client, sender)).toBe('attached');
    expect(client.events).toBe(sender);
    handle.isEnabled({ userId: 'alice' });
    expect(attachEventSender(client, createEventSender({ transport }))).toBe('has-events');
    expect(attachEventSender({}, sender)).toBe('unknown');
    expect(() => connectEvents(client, { transport }, undefined, '@halyard/test')).toThrow(/@halyard\/test: events are configured twice/);
    expect(() => connectEvents({ ...client }, { transport }, undefined, '@halyard/test')).toThrow(/needs a client made by createFlagClient/);
    await client.close();
    expect(events).toMatchObject([{ kind: 'exposure', flag: 'new-checkout', variant: 'on', unit: 'alice' }]);
  });

  it('connectEvents reuses the sender it attached for the same endpoint and key (a second adapter, hot reload)', async () => {
    const client = createFlagClient({ source: staticSource(DOCUMENT), logger: false });
    const first = connectEvents(client, { url: 'http://127.0.0.1:9/sdk/v1/events', sdkKey: 'k' }, undefined, '@halyard/test').sender;
    expect(first).toBeDefined();
    expect(connectEvents(client, { url: 'http://127.0.0.1:9/sdk/v1/events', sdkKey: 'k' }, undefined, '@halyard/test').sender).toBe(first);
    expect(connectEvents(client, undefined, undefined, '@halyard/test').sender).toBe(first);
    expect(() => connectEvents(client, { url: 'http://127.0.0.1:9/other', sdkKey: 'k' }, undefined, '@halyard/test')).toThrow(/configured twice/);
    await client.close();
  });
});
