import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Aggregate, MINUTE_MS } from '../src/internal/services/events/aggregate';
import { Aggregator } from '../src/internal/services/events/aggregator';
import { type Events, eventsDefaults, startEvents } from '../src/internal/services/events/ingest';
import type { NormalizedEvent } from '../src/internal/services/events/wire';
import { AggregateWriter } from '../src/internal/services/events/writer';
import { type Database, openPostgres } from '../src/internal/store/db';
import { EventStore } from '../src/internal/store/event-store';
import { migrate } from '../src/internal/store/migrations';
import { POSTGRES_URL, uniqueName } from './helpers';

// The aggregation and its PostgreSQL writes, on real PostgreSQL (a private schema), without HTTP.

const schema = uniqueName('halyard_ev');
const dbs: Database[] = [];
const open = async (): Promise<Database> => {
  const db = await openPostgres({ connectionString: POSTGRES_URL, schema });
  dbs.push(db);
  return db;
};
const noError = (error: unknown) => {
  throw error;
};
const memoryOptions = () => ({ ...eventsDefaults(schema), flushMs: 60_000 });

let db: Database;
let store: EventStore;

beforeAll(async () => {
  db = await open();
  await migrate(db);
  store = new EventStore(db);
});

afterAll(async () => {
  await Promise.all(dbs.map((d) => d.close()));
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query(`drop schema if exists "${schema}" cascade`);
  await client.end();
});

/** A deterministic pseudo-random sequence (tests must not flake). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const minuteOf = (ms: number) => ms - (ms % MINUTE_MS);
const exactQuantile = (sorted: number[], q: number) => sorted[Math.floor(q * (sorted.length - 1))]!;

describe('event aggregation', () => {
  it('counts exposures, outcomes, unique units and latency percentiles within the sketch accuracy', async () => {
    const events: Events = await startEvents(db, memoryOptions(), noError);
    try {
      const now = Date.now();
      const next = random(42);
      const batch: NormalizedEvent[] = [];
      const durations: number[] = [];
      for (let index = 0; index < 5000; index++) {
        const unit = `u-${index % 700}`;
        batch.push({ kind: 'exposure', flag: 'checkout', variant: index % 2 === 0 ? 'on' : 'off', unit: index % 2 === 0 ? unit : `o-${index % 300}`, time: now });
        const durationMs = Math.round(next() ** 3 * 5000 * 100) / 100;
        durations.push(durationMs);
        batch.push({ kind: 'outcome', flag: 'checkout', variant: 'on', unit, ok: index % 10 !== 0, durationMs, time: now });
      }
      batch.push({ kind: 'exposure', flag: 'checkout', variant: 'on', unit: undefined, time: now });
      for (let index = 0; index < batch.length; index += 1000) await events.ingest.accept({ id: 'k', environment: 'agg' }, { events: toWire(batch.slice(index, index + 1000)) }, now);
      await events.flush();

      const window = await events.metrics.window({ env: 'agg', flag: 'checkout', since: new Date(now - 60_000) });
      const on = window.variants.find((v) => v.variant === 'on')!;
      const off = window.variants.find((v) => v.variant === 'off')!;
      expect(on.exposures).toBe(2501);
      expect(off.exposures).toBe(2500);
      // Even indexes mod 700: 350 distinct "u-" units; "o-" units at odd indexes mod 300: 150 distinct.
      expect(on.uniqueUnits).toBe(350);
      expect(off.uniqueUnits).toBe(150);
      expect(on.multipleVariantUnits).toBe(0);
      expect(on.successes).toBe(4500);
      expect(on.errors).toBe(500);
      expect(on.errorRate).toBeCloseTo(0.1, 10);
      expect(off.errorRate).toBeNull();
      durations.sort((a, b) => a - b);
      expect(on.latency.count).toBe(5000);
      expect(on.latency.min).toBe(durations[0]);
      expect(on.latency.max).toBe(durations.at(-1));
      for (const [q, value] of [
        [0.5, on.latency.percentiles.p50],
        [0.9, on.latency.percentiles.p90],
        [0.99, on.latency.percentiles.p99],
      ] as const) {
        const exact = exactQuantile(durations, q);
        expect(Math.abs(value! - exact)).toBeLessThanOrEqual(exact * 0.01 + 1e-9);
      }
    } finally {
      await events.close();
    }
  });

  it('marks units exposed to several variants and keeps the earliest exposure as first', async () => {
    const events = await startEvents(db, memoryOptions(), noError);
    try {
      const now = Date.now();
      const sender = { id: 'k', environment: 'multi' };
      await events.ingest.accept(sender, { events: [{ kind: 'exposure', flag: 'f', variant: 'b', unit: 'x', time: now - 1000 }] }, now);
      await events.flush();
      await events.ingest.accept(sender, { events: [{ kind: 'exposure', flag: 'f', variant: 'a', unit: 'x', time: now - 5000 }, { kind: 'exposure', flag: 'f', variant: 'a', unit: 'y', time: now }] }, now);
      await events.flush();
      expect(await events.metrics.firstExposure('multi', 'f', 'x')).toMatchObject({ variant: 'a', multiple: true });
      expect(await events.metrics.firstExposure('multi', 'f', 'y')).toMatchObject({ variant: 'a', multiple: false });
      const window = await events.metrics.window({ env: 'multi', flag: 'f', since: new Date(now - 120_000), until: new Date(now + 60_000) });
      expect(window.variants.map((v) => [v.variant, v.uniqueUnits, v.multipleVariantUnits])).toEqual([
        ['a', 2, 1],
        ['b', 0, 0],
      ]);
    } finally {
      await events.close();
    }
  });

  it('sums custom metrics per environment × name × minute', async () => {
    const events = await startEvents(db, memoryOptions(), noError);
    try {
      const now = Date.now();
      await events.ingest.accept({ id: 'k', environment: 'metrics' }, { events: [
        { kind: 'metric', name: 'purchase', unit: 'u', value: 10.5, time: now },
        { kind: 'metric', name: 'purchase', value: 4.5, time: now },
        { kind: 'metric', name: 'purchase', time: now },
        { kind: 'metric', name: 'signup', time: now },
      ] }, now);
      await events.close();
      expect(await events.metrics.metricTotals({ env: 'metrics', since: new Date(now - 60_000) })).toEqual([
        { name: 'purchase', count: 3, valueCount: 2, sum: 15 },
        { name: 'signup', count: 1, valueCount: 0, sum: 0 },
      ]);
    } finally {
      await events.close();
    }
  });

  it('two instances writing the same minute rows at the same time add up exactly', async () => {
    const [dbA, dbB] = await Promise.all([open(), open()]);
    const [a, b] = await Promise.all([startEvents(dbA, memoryOptions(), noError), startEvents(dbB, memoryOptions(), noError)]);
    try {
      const now = Date.now();
      const rounds = 10;
      const perRound = 500;
      for (let round = 0; round < rounds; round++) {
        for (const [index, instance] of [a, b].entries()) {
          const batch = Array.from({ length: perRound }, (_, i) => ({
            kind: 'outcome' as const,
            flag: 'shared',
            variant: i % 2 === 0 ? 'on' : 'off',
            unit: `unit-${index}-${round}-${i}`,
            ok: i % 5 !== 0,
            durationMs: (i % 50) + 1,
            time: now,
          }));
          const exposures = Array.from({ length: perRound }, (_, i) => ({ kind: 'exposure' as const, flag: 'shared', variant: 'on', unit: `u-${i}`, time: now }));
          await instance.ingest.accept({ id: `k${index}`, environment: 'shared' }, { events: batch }, now);
          await instance.ingest.accept({ id: `k${index}`, environment: 'shared' }, { events: exposures }, now);
        }
        // Both flush concurrently into the same rows (one minute, two variants, the same 500 units).
        await Promise.all([a.flush(), b.flush()]);
      }
      const window = await a.metrics.window({ env: 'shared', flag: 'shared', since: new Date(now - 60_000) });
      const on = window.variants.find((v) => v.variant === 'on')!;
      const off = window.variants.find((v) => v.variant === 'off')!;
      expect(on.exposures).toBe(rounds * 2 * perRound);
      expect(on.uniqueUnits).toBe(perRound);
      expect(on.successes + on.errors).toBe(rounds * 2 * (perRound / 2));
      expect(off.successes + off.errors).toBe(rounds * 2 * (perRound / 2));
      expect(on.errors).toBe(rounds * 2 * 50);
      // The merged sketch holds every duration of both instances.
      expect(on.latency.count).toBe(rounds * 2 * (perRound / 2));
      expect(on.latency.sketch?.count).toBe(rounds * 2 * (perRound / 2));
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('a flush retried after its commit (a timeout on the way back) is not counted twice', async () => {
    const writer = new AggregateWriter(store, { timeoutMs: 10_000 });
    let failNext = true;
    // The real writer; the first call's answer is "lost" after the transaction committed.
    const lossy = {
      write: async (...args: Parameters<AggregateWriter['write']>) => {
        const written = await writer.write(...args);
        if (failNext) {
          failNext = false;
          throw new Error('timeout exceeded when trying to connect');
        }
        return written;
      },
    } as unknown as AggregateWriter;
    const errors: unknown[] = [];
    const aggregator = new Aggregator(lossy, { instanceId: uniqueName('retry'), flushMs: 60_000, maxKeys: 1000, onError: (error) => errors.push(error) });
    const now = Date.now();
    aggregator.add('retry', [{ kind: 'outcome', flag: 'f', variant: 'on', unit: undefined, ok: true, durationMs: 5, time: now }]);
    await aggregator.flush();
    expect(errors).toHaveLength(1);
    aggregator.add('retry', [{ kind: 'outcome', flag: 'f', variant: 'on', unit: undefined, ok: false, durationMs: 7, time: now }]);
    await aggregator.flush(); // the pending flush again, same id: skipped by the flush log
    await aggregator.flush(); // then the second batch
    const rows = await store.variantRows('retry', 'f', new Date(minuteOf(now)), new Date(minuteOf(now) + MINUTE_MS));
    expect(rows.map((r) => [r.successes, r.errors, r.latencyCount])).toEqual([[1, 1, 2]]);
    // And the same id written directly twice: once.
    const aggregate = new Aggregate();
    aggregate.add('retry', [{ kind: 'exposure', flag: 'g', variant: 'on', unit: 'u', time: now }]);
    expect(await writer.write(['direct-1'], () => aggregate)).toBe(1);
    expect(await writer.write(['direct-1'], () => aggregate)).toBe(0);
  });

  it('refuses batches once the buffer holds maxPendingKeys keys, and accepts again after a flush', async () => {
    const events = await startEvents(db, { ...memoryOptions(), maxPendingKeys: 3 }, noError);
    try {
      const now = Date.now();
      const sender = { id: 'k', environment: 'full' };
      await events.ingest.accept(sender, { events: [{ kind: 'exposure', flag: 'a', variant: 'on', unit: 'u1', time: now }, { kind: 'exposure', flag: 'a', variant: 'on', unit: 'u2', time: now }] }, now);
      await expect(events.ingest.accept(sender, { events: [{ kind: 'metric', name: 'm', time: now }] }, now)).rejects.toMatchObject({ name: 'QueueFullError' });
      await events.flush();
      await expect(events.ingest.accept(sender, { events: [{ kind: 'metric', name: 'm', time: now }] }, now)).resolves.toBe(1);
    } finally {
      await events.close();
    }
  });

  it('retention deletes expired rows in bounded batches and keeps recent ones', async () => {
    const now = Date.now();
    // Past both retention periods (30 days for minute rows, 90 for first exposures).
    const old = now - 100 * 24 * 60 * 60 * 1000;
    const writer = new AggregateWriter(store, { timeoutMs: 10_000 });
    const aggregate = new Aggregate();
    // Straight into the aggregate: the wire clamps client times to the last 24 h.
    aggregate.add('ret', [
      { kind: 'exposure', flag: 'f', variant: 'on', unit: 'old-1', time: old },
      { kind: 'exposure', flag: 'f', variant: 'on', unit: 'old-2', time: old - MINUTE_MS },
      { kind: 'metric', name: 'm', unit: undefined, value: 1, time: old },
      { kind: 'exposure', flag: 'f', variant: 'on', unit: 'new', time: now },
    ]);
    await writer.write([uniqueName('ret')], () => aggregate);
    const events = await startEvents(db, { ...memoryOptions(), retention: { ...memoryOptions().retention, batch: 1, rounds: 1 } }, noError);
    try {
      const count = async () =>
        Number((await db.query<{ n: string }>(`select (select count(*) from event_variant_minutes where env = 'ret') + (select count(*) from event_units where env = 'ret') + (select count(*) from event_metric_minutes where env = 'ret') as n`))[0]!.n);
      expect(await count()).toBe(3 + 3 + 1);
      // One row per table per run at most (other tests' rows are recent, so only these expire).
      await events.retention.run(now);
      expect(await count()).toBe(7 - 3);
      await events.retention.run(now);
      expect(await count()).toBe(2);
      await events.retention.run(now);
      expect(await count()).toBe(2);
    } finally {
      await events.close();
    }
  });
});

/** Normalised events back to the wire shape (they are the same fields, minus undefined ones). */
function toWire(events: NormalizedEvent[]): unknown[] {
  return events.map((event) => JSON.parse(JSON.stringify(event)) as unknown);
}
