import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Aggregate } from '../src/internal/services/events/aggregate';
import type { NormalizedEvent } from '../src/internal/services/events/wire';
import { AggregateWriter } from '../src/internal/services/events/writer';
import { type Database, openPostgres } from '../src/internal/store/db';
import { EventStore } from '../src/internal/store/event-store';
import { migrate } from '../src/internal/store/migrations';
import { POSTGRES_URL, uniqueName } from './helpers';

// Per-unit metric aggregation for experiments on real PostgreSQL: only the names an experiment reads, exactly once
// per flush id (a retried flush, two writers with the same stream entries), additive across instances.

const schema = uniqueName('halyard_exp');
let db: Database;

beforeAll(async () => {
  db = await openPostgres({ connectionString: POSTGRES_URL, schema });
  await migrate(db);
});

afterAll(async () => {
  await db?.close();
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query(`drop schema if exists "${schema}" cascade`);
  await client.end();
});

const T = Date.UTC(2026, 11, 3, 12, 0, 0);
const metric = (name: string, unit: string, value?: number, time = T): NormalizedEvent => ({ kind: 'metric', name, unit, value, time }) as NormalizedEvent;

describe('per-unit metric aggregation', () => {
  it('keeps only filtered names, once per flush id, adding across writers', async () => {
    const store = new EventStore(db);
    const writer = new AggregateWriter(store, { timeoutMs: 10_000 });
    const filter = (env: string, name: string) => env === 'prod' && name === 'purchase';
    const batch = [metric('purchase', 'u1', 10), metric('purchase', 'u1', 5), metric('purchase', 'u2'), metric('visit', 'u1'), metric('purchase', 'u3', 1, T + 60_000)];
    const build = () => {
      const aggregate = new Aggregate(filter);
      aggregate.add('prod', batch);
      aggregate.add('staging', [metric('purchase', 'u1', 99)]);
      return aggregate;
    };
    expect(build().unitMetrics.size).toBe(3);
    expect(new Aggregate().size).toBe(0);
    // The same flush id twice (a retry after a timeout) and a second writer with its own id.
    await writer.write(['a:1'], build);
    await writer.write(['a:1'], build);
    await new AggregateWriter(new EventStore(db), { timeoutMs: 10_000 }).write(['b:1'], build);
    const rows = await db.query<{ env: string; name: string; unit: string; count: string; value_count: string; value_sum: number }>(
      'select env, name, unit, count, value_count, value_sum from event_unit_metrics order by env, name, unit, minute',
    );
    expect(rows.map((r) => [r.env, r.name, r.unit, Number(r.count), Number(r.value_count), Number(r.value_sum)])).toEqual([
      ['prod', 'purchase', 'u1', 4, 4, 30],
      ['prod', 'purchase', 'u2', 2, 0, 0],
      ['prod', 'purchase', 'u3', 2, 2, 2],
    ]);
    // Retention removes them with the first exposures.
    expect(await store.deleteOlderThan('unitMetrics', new Date(T + 30_000), 100)).toBe(2);
  });
});

describe('per-unit metric aggregation in the Redis Stream mode', () => {
  it('the stream consumer applies the same filter (one Aggregate for both transports)', async () => {
    const { eventsDefaults, startEvents } = await import('../src/internal/services/events/ingest');
    const { REDIS_URL } = await import('./helpers');
    await db.query(`insert into environments (key, name, version) values ('streamenv', 'streamenv', 1) on conflict do nothing`);
    const experiment = { control: 'a', metrics: { m: { type: 'count', event: 'signup' } }, primaryMetric: 'm' };
    await db.query(`insert into flags (env, key, definition, version) values ('streamenv', 'exp', $1, 1)`, [
      JSON.stringify({ kind: 'experiment', variants: { a: 1, b: 2 }, enabled: true, defaultServe: { variant: 'a' }, experiment }),
    ]);
    const base = eventsDefaults(schema);
    const events = await startEvents(
      db,
      { ...base, transport: 'redis-stream', flushMs: 20, stream: { ...base.stream, redisUrl: REDIS_URL, key: uniqueName('halyard:exp-stream'), blockMs: 100, claimIdleMs: 200 } },
      () => {},
    );
    try {
      const now = Date.now();
      await events.ingest.accept({ id: 'k', environment: 'streamenv' }, { events: [
        { kind: 'metric', name: 'signup', unit: 's1', time: now },
        { kind: 'metric', name: 'other', unit: 's1', time: now },
      ] }, now);
      let rows: Array<{ name: string; count: string }> = [];
      for (let attempt = 0; attempt < 100 && rows.length === 0; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        rows = await db.query(`select name, count from event_unit_metrics where env = 'streamenv'`);
      }
      expect(rows.map((r) => [r.name, Number(r.count)])).toEqual([['signup', 1]]);
    } finally {
      await events.close();
    }
  });
});
