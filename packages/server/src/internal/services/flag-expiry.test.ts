import { afterEach, describe, expect, it } from 'vitest';
import { ACTOR, openServiceHarness, type ServiceHarness } from '../../../test/service-harness';
import { FlagExpiry } from './flag-expiry';
import type { Notification, Notifier } from './notifications/notifier';
import { Stepper } from './release-plans/stepper';

// flag.expired notifications on a real (PGlite) database with the service layer: a fake notifier records the calls.

const recorder = (): Notifier & { sent: Notification[] } => {
  const sent: Notification[] = [];
  return { sent, notify: (n) => void sent.push(n), flush: async () => {} };
};

let harness: ServiceHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('FlagExpiry', () => {
  it('notifies once per flag × env × expiresAt, also across restarts, and again when expiresAt moves and passes', async () => {
    harness = await openServiceHarness();
    const { db, services } = harness;
    const { environments, resources } = services;
    const flag = (expiresAt?: string) => ({ owner: 'growth', variants: { on: true, off: false }, enabled: true, defaultServe: { variant: 'on' }, ...(expiresAt ? { expiresAt } : {}) });
    await resources.create(ACTOR, 'flag', 'production', 'old-banner', flag('2026-03-01'));
    await resources.create(ACTOR, 'flag', 'production', 'later', flag('2026-09-01'));
    await resources.create(ACTOR, 'flag', 'production', 'forever', flag());
    await resources.create(ACTOR, 'flag', 'development', 'old-banner', flag('2026-03-01'));

    let now = Date.parse('2026-06-15T00:00:00Z');
    const notifier = recorder();
    const expiry = new FlagExpiry({ db, environments, resources, notifier }, { now: () => now, checkEveryMs: 0 });
    expect(await expiry.check()).toBe(2);
    expect(notifier.sent.map((n) => `${n.type} ${n.environment} ${n.flag}`).sort()).toEqual(['flag.expired development old-banner', 'flag.expired production old-banner']);
    expect(notifier.sent[0]).toMatchObject({ time: now, details: { expiresAt: '2026-03-01', owner: 'growth' }, message: expect.stringContaining('owner growth') });
    expect(await expiry.check()).toBe(0);

    // A restart (a new instance on the same database) does not send them again.
    const restarted = new FlagExpiry({ db, environments, resources, notifier }, { now: () => now, checkEveryMs: 0 });
    expect(await restarted.check()).toBe(0);

    // `later` expires when the clock passes it; moving old-banner's expiresAt and passing it notifies once more.
    now = Date.parse('2026-09-02T00:00:00Z');
    expect(await restarted.check()).toBe(1);
    expect(notifier.sent.at(-1)).toMatchObject({ environment: 'production', flag: 'later' });
    await resources.patch(ACTOR, 'flag', 'production', 'old-banner', { expiresAt: '2026-09-01T12:00:00Z' });
    expect(await restarted.check()).toBe(1);
    expect(notifier.sent.at(-1)).toMatchObject({ flag: 'old-banner', details: { expiresAt: '2026-09-01T12:00:00Z' } });
    expect(notifier.sent).toHaveLength(4);
  });

  it('runs in the stepper tick of the lease holder only', async () => {
    harness = await openServiceHarness();
    const { db, store, services } = harness;
    const { environments, resources, releasePlans } = services;
    await resources.create(ACTOR, 'flag', 'production', 'old', { variants: { on: true }, enabled: true, defaultServe: { variant: 'on' }, expiresAt: '2020-01-01' });
    const notifier = recorder();
    let checks = 0;
    const expiry = new FlagExpiry({ db, environments, resources, notifier }, { now: releasePlans.now, checkEveryMs: 60_000 });
    const counted = { check: () => (checks++, expiry.check()) };
    const stepper = new Stepper(store, releasePlans, { holder: 'a', tickMs: 60_000, expiry: counted });
    expect((await stepper.tick()).leader).toBe(true);
    await stepper.tick();
    expect(checks).toBe(2);
    expect(notifier.sent.map((n) => n.flag)).toEqual(['old']);
    // Another instance, while `a` holds the lease, does not check at all.
    let otherChecks = 0;
    const other = new Stepper(store, releasePlans, { holder: 'b', tickMs: 60_000, expiry: { check: async () => (otherChecks++, 0) } });
    expect((await other.tick()).leader).toBe(false);
    expect(otherChecks).toBe(0);
    await stepper.stop();
  });
});
