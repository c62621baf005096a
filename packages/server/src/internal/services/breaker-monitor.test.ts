import type { FlagBreaker, FlagDefinition } from '@halyard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorage, type TestStorage } from '../../../test/helpers';
import { ACTOR, openServiceHarness, type ServiceHarness } from '../../../test/service-harness';
import { openPostgres, type Database } from '../store/db';
import { migrate } from '../store/migrations';
import { BreakerMonitor } from './breaker-monitor';
import type { EventMetrics, FlagWindow, VariantWindow } from './events/metrics';
import type { Notification } from './notifications/notifier';

// The monitor's decisions over real flags, writes and audit (PGlite); the aggregates are given (pure input), and
// the one-instance rule runs against real PostgreSQL advisory locks.

const BREAKER: FlagBreaker = { errorRate: 0.05, minRequests: 20, windowSeconds: 60 };
const flag = (breaker: FlagBreaker = BREAKER): FlagDefinition => ({ variants: { on: true, off: false }, enabled: true, offVariant: 'off', defaultServe: { variant: 'on' }, breaker });

const variant = (name: string, successes: number, errors: number): VariantWindow => ({
  variant: name,
  exposures: 0,
  uniqueUnits: 0,
  multipleVariantUnits: 0,
  successes,
  errors,
  errorRate: successes + errors === 0 ? null : errors / (successes + errors),
  latency: { count: 0, sum: 0, min: null, max: null, mean: null, percentiles: { p50: null, p90: null, p99: null }, sketch: undefined },
});

describe('BreakerMonitor', () => {
  let h: ServiceHarness;
  const windows = new Map<string, VariantWindow[]>();
  const queries: { flag: string; since: number; until: number }[] = [];
  const metrics = {
    async window(q: { env: string; flag: string; since: Date; until?: Date }): Promise<FlagWindow> {
      queries.push({ flag: q.flag, since: q.since.getTime(), until: q.until!.getTime() });
      return { env: q.env, flag: q.flag, since: q.since, until: q.until!, variants: windows.get(q.flag) ?? [] };
    },
  } as unknown as EventMetrics;
  const sent: Notification[] = [];
  let clock = Date.UTC(2026, 0, 1);
  let n = 0;
  const monitor = () =>
    new BreakerMonitor(
      { db: h.db, ...h.services, metrics, notifier: { notify: (x) => void sent.push(x), flush: async () => {} }, onError: (e) => { throw e; } },
      { now: () => clock, setInterval: false },
    );
  const newFlag = async (variants: VariantWindow[], breaker?: FlagBreaker) => {
    const key = `breaker-${++n}`;
    await h.services.resources.create(ACTOR, 'flag', 'development', key, flag(breaker));
    windows.set(key, variants);
    return key;
  };
  const enabled = async (key: string) => (await h.services.resources.get<FlagDefinition>('flag', 'development', key)).definition.enabled;

  beforeAll(async () => {
    h = await openServiceHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('kills at and above the threshold, not just below or before minRequests', async () => {
    const below = await newFlag([variant('on', 400, 20)]); // 20 of 420 = 4.76 %
    const at = await newFlag([variant('on', 19, 1)]); // 1 of 20 = 5 %
    const above = await newFlag([variant('on', 10, 10)]);
    const few = await newFlag([variant('on', 0, 19)]); // 100 % but 19 < minRequests
    const offOnly = await newFlag([variant('off', 0, 100)]); // the off variant is not watched
    const listed = await newFlag([variant('off', 0, 100)], { ...BREAKER, variants: ['off'] });
    const m = monitor();
    await m.check();
    expect(await enabled(below)).toBe(true);
    expect(await enabled(at)).toBe(false);
    expect(await enabled(above)).toBe(false);
    expect(await enabled(few)).toBe(true);
    expect(await enabled(offOnly)).toBe(true);
    expect(await enabled(listed)).toBe(false);
    expect(m.trips().map((t) => t.flag)).toEqual([at, above, listed]);
    expect(queries.find((q) => q.flag === at)).toEqual({ flag: at, since: clock - 60_000, until: clock });
  });

  it('audits the kill as actor "breaker", notifies once, and leaves re-enabling to a person', async () => {
    sent.length = 0;
    const key = await newFlag([variant('on', 5, 20)]);
    const m = monitor();
    await m.check();
    await m.check();
    await monitor().check(); // a second instance: the flag is already off, nothing to announce
    const audit = await h.services.audit.query({ flag: key });
    const kills = audit.entries.filter((e) => e.actor.name === 'breaker');
    expect(kills).toHaveLength(1);
    expect(kills[0]).toMatchObject({ action: 'flag.toggle', actor: { id: null, name: 'breaker' } });
    const mine = sent.filter((x) => x.flag === key);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ type: 'breaker.tripped', environment: 'development', details: { variant: 'on', errors: 20, requests: 25, threshold: 0.05 } });
    clock += 24 * 3600_000;
    await m.check();
    expect(await enabled(key)).toBe(false);
  });

  it('after a re-enable, judges only outcomes from the first whole minute after it: the old errors do not kill again', async () => {
    clock = Date.now(); // audit times are the database's clock
    const key = await newFlag([variant('on', 0, 30)]);
    const m = monitor();
    await m.check();
    expect(await enabled(key)).toBe(false);
    await h.services.flags.toggle(ACTOR, 'development', key, true); // a person: "fixed"
    const reenabledAt = Date.parse((await h.services.audit.query({ flag: key, limit: 1 })).entries[0]!.at);
    queries.length = 0;
    await m.check();
    expect(await enabled(key)).toBe(true);
    // Fresh errors once a whole minute after the re-enable has begun: those are the new code's, and kill it.
    const from = Math.ceil(reenabledAt / 60_000) * 60_000;
    clock = from + 30_000;
    queries.length = 0;
    await m.check();
    expect(queries.filter((q) => q.flag === key).map((q) => q.since)).toEqual([clock - 60_000, from]);
    expect(await enabled(key)).toBe(false);
    expect(m.trips().filter((t) => t.flag === key)).toHaveLength(2);
  });

  it('half-opens when configured: re-enables its own kill after halfOpenAfterSeconds, not a later edit', async () => {
    const key = await newFlag([variant('on', 0, 30)], { ...BREAKER, halfOpenAfterSeconds: 120 });
    const other = await newFlag([variant('on', 0, 30)], { ...BREAKER, halfOpenAfterSeconds: 120 });
    const m = monitor();
    await m.check();
    expect(await enabled(key)).toBe(false);
    // A person re-enables `other` and kills it again by hand: that kill is theirs, and stays.
    await h.services.flags.toggle(ACTOR, 'development', other, true);
    await h.services.flags.toggle(ACTOR, 'development', other, false);
    windows.set(key, []);
    windows.set(other, []);
    clock += 119_000;
    await m.check();
    expect(await enabled(key)).toBe(false);
    clock += 1_000;
    await m.check();
    expect(await enabled(key)).toBe(true);
    expect(sent.at(-1)).toMatchObject({ type: 'breaker.half_open', flag: key });
    expect(await enabled(other)).toBe(false);
  });
});

describe('BreakerMonitor on PostgreSQL: one instance acts per round', () => {
  let storage: TestStorage;
  let db: Database;
  beforeAll(async () => {
    storage = createStorage('postgres');
    db = await openPostgres({ connectionString: storage.options.databaseUrl!, schema: storage.options.schema! });
    await migrate(db);
  });
  afterAll(async () => {
    await db?.close();
    await storage?.drop();
  });

  it('three monitors checking at once: only the lock holder reads and decides', async () => {
    let lists = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const environments = {
      async list() {
        lists++;
        await gate;
        return [];
      },
    };
    const monitors = [0, 1, 2].map(
      () =>
        new BreakerMonitor(
          { db, audit: {}, environments, resources: {}, flags: {}, metrics: {}, onError: (e: unknown) => { throw e; } } as unknown as ConstructorParameters<typeof BreakerMonitor>[0],
          { setInterval: false },
        ),
    );
    const rounds = monitors.map((m) => m.check());
    // The holder waits at the gate inside its transaction; the others find the lock taken and finish.
    await Promise.race([Promise.all(rounds.slice(1)), Promise.all(rounds.slice(0, 2)), Promise.all([rounds[0], rounds[2]])]);
    expect(lists).toBe(1);
    release();
    await Promise.all(rounds);
    // Released with the transaction: the next round can act again.
    await monitors[1]!.check();
    expect(lists).toBe(2);
  });
});
