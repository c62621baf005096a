import { describe, expect, it } from 'vitest';
import { createFlagClient, parseDefinitions, staticSource, type FlagBreaker, type FlagsDocument, type Outcome } from '@halyard/core';
import { breakerTrips, createBreakers } from './breaker';

const BREAKER: FlagBreaker = { errorRate: 0.5, minRequests: 4, windowSeconds: 10 };

function document(breaker: FlagBreaker | null = BREAKER): FlagsDocument {
  return {
    schemaVersion: 1,
    version: 1,
    flags: {
      'new-checkout': {
        variants: { on: true, off: false },
        enabled: true,
        offVariant: 'off',
        defaultServe: { variant: 'on' },
        ...(breaker === null ? {} : { breaker }),
      },
      dependent: { variants: { on: true, off: false }, enabled: true, offVariant: 'off', defaultServe: { variant: 'on' }, prerequisites: [{ flag: 'new-checkout', variants: ['on'] }] },
    },
  };
}

const definitions = (breaker: FlagBreaker | null = BREAKER) => {
  const parsed = parseDefinitions(document(breaker));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.definitions;
};

const outcome = (ok: boolean, variant = 'on'): Outcome => ({ flag: 'new-checkout', variant, unit: undefined, ok, durationMs: 1 });

function fakeClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe('breaker thresholds (pure rule)', () => {
  it('trips at and above the rate, not below, and never before minRequests', () => {
    const config: FlagBreaker = { errorRate: 0.05, minRequests: 20, windowSeconds: 60 };
    expect(breakerTrips(config, 0, 20)).toBe(false);
    expect(breakerTrips(config, 1, 21)).toBe(false); // 4.76 %: just below
    expect(breakerTrips(config, 1, 20)).toBe(true); // exactly 5 %
    expect(breakerTrips(config, 2, 20)).toBe(true); // above
    expect(breakerTrips(config, 19, 19)).toBe(false); // 100 % but minRequests not reached
    expect(breakerTrips({ ...config, errorRate: 1 }, 20, 20)).toBe(true);
  });
});

describe('createBreakers', () => {
  it('opens at the threshold with minRequests in the window', () => {
    const clock = fakeClock();
    const b = createBreakers({ now: clock.now });
    b.sync(definitions());
    // 1 error of 3: below minRequests (4) whatever the rate.
    expect(b.record(outcome(true))).toBe(false);
    expect(b.record(outcome(false))).toBe(false);
    expect(b.record(outcome(true))).toBe(false);
    expect(b.isOpen('new-checkout')).toBe(false);
    // 2 of 4 = 50 %: at the threshold.
    expect(b.record(outcome(false))).toBe(true);
    expect(b.isOpen('new-checkout')).toBe(true);
    expect(b.anyOpen).toBe(true);
    expect(b.list()).toEqual([{ flag: 'new-checkout', state: 'open', variant: 'on', openedAt: clock.now(), errors: 2, requests: 4, config: BREAKER }]);
  });

  it('stays closed just below the threshold', () => {
    const b = createBreakers({ now: fakeClock().now });
    b.sync(definitions());
    // 2 errors of 5 = 40 % < 50 %.
    for (const ok of [true, true, false, true, false]) expect(b.record(outcome(ok))).toBe(false);
    expect(b.isOpen('new-checkout')).toBe(false);
    // The next error makes 3 of 6 = 50 %.
    expect(b.record(outcome(false))).toBe(true);
  });

  it('ignores the off variant and flags without a breaker', () => {
    const b = createBreakers({ now: fakeClock().now });
    b.sync(definitions());
    for (let i = 0; i < 10; i++) expect(b.record(outcome(false, 'off'))).toBe(false);
    for (let i = 0; i < 10; i++) expect(b.record({ ...outcome(false), flag: 'dependent' })).toBe(false);
    expect(b.anyOpen).toBe(false);
  });

  it('watches only the listed variants', () => {
    const b = createBreakers({ now: fakeClock().now });
    b.sync(definitions({ ...BREAKER, variants: ['off'] }));
    for (let i = 0; i < 10; i++) expect(b.record(outcome(false, 'on'))).toBe(false);
    for (let i = 0; i < 3; i++) b.record(outcome(false, 'off'));
    expect(b.record(outcome(false, 'off'))).toBe(true);
  });

  it('slides: errors older than the window no longer count', () => {
    const clock = fakeClock(5_000_000);
    const b = createBreakers({ now: clock.now });
    b.sync(definitions());
    b.record(outcome(false));
    b.record(outcome(false));
    b.record(outcome(false));
    clock.advance(10_000); // the window is 10 s: the three errors just left it
    expect(b.record(outcome(false))).toBe(false);
    clock.advance(9_000); // still inside the window of the fourth error
    for (let i = 0; i < 2; i++) expect(b.record(outcome(false))).toBe(false);
    expect(b.record(outcome(false))).toBe(true); // 4 errors of 4 within 10 s
  });

  it('memory is bounded by the window: one bucket per second, reused', () => {
    const clock = fakeClock();
    const b = createBreakers({ now: clock.now });
    b.sync(definitions({ ...BREAKER, minRequests: 1_000_000 }));
    for (let i = 0; i < 10_000; i++) {
      b.record(outcome(i % 2 === 0));
      clock.advance(250);
    }
    expect(b.isOpen('new-checkout')).toBe(false);
  });

  it('half-opens after halfOpenAfterSeconds; a failing probe reopens, a good one closes', () => {
    const clock = fakeClock();
    const changes: string[] = [];
    const b = createBreakers({ now: clock.now, onChange: (s) => changes.push(s.state) });
    b.sync(definitions({ ...BREAKER, halfOpenAfterSeconds: 30 }));
    for (let i = 0; i < 4; i++) b.record(outcome(false));
    expect(b.isOpen('new-checkout')).toBe(true);
    expect(b.nextTransitionIn()).toBe(30_000);
    clock.advance(29_999);
    expect(b.tick()).toBe(false);
    clock.advance(1);
    expect(b.tick()).toBe(true);
    expect(b.list()[0]?.state).toBe('half-open');
    expect(b.record(outcome(false))).toBe(true);
    expect(b.isOpen('new-checkout')).toBe(true);
    clock.advance(30_000);
    b.tick();
    expect(b.record(outcome(true))).toBe(true);
    expect(b.list()[0]?.state).toBe('closed');
    expect(changes).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });

  it('without halfOpenAfterSeconds stays open', () => {
    const clock = fakeClock();
    const b = createBreakers({ now: clock.now });
    b.sync(definitions());
    for (let i = 0; i < 4; i++) b.record(outcome(false));
    clock.advance(365 * 24 * 3600_000);
    expect(b.tick()).toBe(false);
    expect(b.nextTransitionIn()).toBeUndefined();
    expect(b.isOpen('new-checkout')).toBe(true);
  });

  it('keeps state across unchanged definitions; a kill at the source or new settings start it closed', () => {
    const b = createBreakers({ now: fakeClock().now });
    b.sync(definitions());
    for (let i = 0; i < 4; i++) b.record(outcome(false));
    b.sync(definitions());
    expect(b.isOpen('new-checkout')).toBe(true);
    const killed = definitions();
    b.sync({ ...killed, flags: { ...killed.flags, 'new-checkout': { ...killed.flags['new-checkout']!, enabled: false } } });
    expect(b.isOpen('new-checkout')).toBe(false);
    for (let i = 0; i < 4; i++) b.record(outcome(false));
    b.sync(definitions({ ...BREAKER, minRequests: 5 }));
    expect(b.isOpen('new-checkout')).toBe(false);
    b.sync(definitions(null));
    expect(b.list()).toEqual([]);
  });
});

describe('client breakers', () => {
  it('a tripped flag serves its off path in this process at once, with reason BREAKER', async () => {
    const clock = fakeClock();
    const client = createFlagClient({ source: staticSource(document({ ...BREAKER, halfOpenAfterSeconds: 60 })), logger: false, breakers: { now: clock.now } });
    await client.ready();
    let notified = 0;
    client.subscribe(() => notified++);
    const handle = client.flag<boolean>('new-checkout');
    const failing = () => {
      throw new Error('new path broke');
    };
    for (let i = 0; i < 3; i++) expect(client.guardSync('new-checkout', { userId: 'u' }, { on: failing, off: () => 'old' })).toBe('old');
    expect(client.isEnabled('new-checkout')).toBe(true);
    expect(client.guardSync('new-checkout', { userId: 'u' }, { on: failing, off: () => 'old' })).toBe('old');
    // Open: no more attempts of the new path.
    let ran = 0;
    expect(await client.guard('new-checkout', { userId: 'u' }, { on: () => (ran++, 'new'), off: () => 'old' })).toBe('old');
    expect(ran).toBe(0);
    expect(client.isEnabled('new-checkout')).toBe(false);
    expect(handle.isEnabled()).toBe(false);
    expect(client.getDetails('new-checkout', true)).toEqual({ value: false, variant: 'off', reason: 'BREAKER' });
    expect(handle.getDetails(true)).toEqual({ value: false, variant: 'off', reason: 'BREAKER' });
    expect(client.isEnabled('dependent')).toBe(false);
    expect(notified).toBe(1);
    expect(client.breakers().map((b) => [b.flag, b.state])).toEqual([['new-checkout', 'open']]);
    clock.advance(60_000);
    expect(client.breakers()[0]?.state).toBe('half-open');
    expect(client.isEnabled('new-checkout')).toBe(true);
    expect(client.guardSync('new-checkout', undefined, { on: () => 'new', off: () => 'old' })).toBe('new');
    expect(client.breakers()[0]?.state).toBe('closed');
    await client.close();
  });

  it('exposures mark a breaker-served read', async () => {
    const exposures: string[] = [];
    const client = createFlagClient({ source: staticSource(document()), logger: false, onExposure: (e) => exposures.push(`${e.variant}:${e.reason}`) });
    await client.ready();
    for (let i = 0; i < 4; i++) client.guardSync('new-checkout', { userId: 'u' }, { on: () => { throw new Error('x'); }, off: () => 0 });
    client.isEnabled('new-checkout', { userId: 'u' });
    expect(exposures).toEqual(['on:STATIC', 'off:BREAKER']);
    await client.close();
  });

  it('breakers: false turns them off; flags without a breaker report none', async () => {
    const off = createFlagClient({ source: staticSource(document()), logger: false, breakers: false });
    await off.ready();
    for (let i = 0; i < 10; i++) off.guardSync('new-checkout', undefined, { on: () => { throw new Error('x'); }, off: () => 0 });
    expect(off.isEnabled('new-checkout')).toBe(true);
    expect(off.breakers()).toEqual([]);
    const none = createFlagClient({ source: staticSource(document(null)), logger: false });
    await none.ready();
    expect(none.breakers()).toEqual([]);
    await Promise.all([off.close(), none.close()]);
  });
});

describe('parseDefinitions: breaker', () => {
  const parse = (breaker: unknown) => parseDefinitions({ ...document(null), flags: { ...document(null).flags, 'new-checkout': { ...document(null).flags['new-checkout']!, breaker } } } as FlagsDocument);

  it('accepts a full breaker and keeps it', () => {
    const result = parse({ errorRate: 0.05, minRequests: 20, windowSeconds: 60, variants: ['on'], halfOpenAfterSeconds: 300 });
    expect(result.ok && result.definitions.flags['new-checkout']?.breaker).toEqual({ errorRate: 0.05, minRequests: 20, windowSeconds: 60, variants: ['on'], halfOpenAfterSeconds: 300 });
  });

  it('reports every problem with its path', () => {
    const result = parse({ errorRate: 0, minRequests: 1.5, windowSeconds: 4000, variants: ['on', 'nope', 'on'], halfOpenAfterSeconds: -1, windowSecs: 1 });
    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.problems.map((p) => p.path);
    const at = '$.flags["new-checkout"].breaker';
    expect(paths).toEqual(
      expect.arrayContaining([`${at}.windowSecs`, `${at}.errorRate`, `${at}.minRequests`, `${at}.windowSeconds`, `${at}.variants[1]`, `${at}.variants[2]`, `${at}.halfOpenAfterSeconds`]),
    );
    expect(parse('fast').ok).toBe(false);
    expect(parse({ errorRate: 0.1, windowSeconds: 60 }).ok).toBe(false);
  });
});
