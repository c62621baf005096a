import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Aggregate } from '../src/internal/services/events/aggregate';
import { type Events, type EventsOptions, eventsDefaults, startEvents } from '../src/internal/services/events/ingest';
import { AggregateWriter } from '../src/internal/services/events/writer';
import { type Database, openPostgres } from '../src/internal/store/db';
import { EventStore } from '../src/internal/store/event-store';
import { migrate } from '../src/internal/store/migrations';
import { POSTGRES_URL, REDIS_URL, call, createKey, createStorage, startServer, uniqueName } from './helpers';

// The stream-backed mode against the local Redis and PostgreSQL: ingestion XADDs, aggregators read with a consumer
// group, and a crashed consumer's pending entries are claimed and counted exactly once.

const schema = uniqueName('halyard_evs');
const dbs: Database[] = [];
const started: Events[] = [];
let redis: Redis;
let db: Database;

const open = async (): Promise<Database> => {
  const opened = await openPostgres({ connectionString: POSTGRES_URL, schema });
  dbs.push(opened);
  return opened;
};

function streamOptions(key: string, overrides: Partial<EventsOptions['stream']> = {}): EventsOptions {
  const base = eventsDefaults(schema);
  return { ...base, transport: 'redis-stream', flushMs: 20, stream: { ...base.stream, redisUrl: REDIS_URL, key, blockMs: 100, claimIdleMs: 200, ...overrides } };
}

async function start(options: EventsOptions): Promise<Events> {
  const events = await startEvents(await open(), options, () => {});
  started.push(events);
  return events;
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const batch = (flag: string, n: number, now: number) => ({
  events: Array.from({ length: n }, (_, i) => ({ kind: 'outcome', flag, variant: 'on', unit: `u${i}`, ok: i % 4 !== 0, durationMs: i + 1, time: now })),
});

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  db = await open();
  await migrate(db);
});

afterAll(async () => {
  await Promise.all(started.map((events) => events.close()));
  const keys = await redis.keys(`halyard:test-events:${schema}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
  await Promise.all(dbs.map((d) => d.close()));
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query(`drop schema if exists "${schema}" cascade`);
  await client.end();
});

describe('events over a Redis Stream', () => {
  it('ingest-only and aggregate-only instances: batches XADDed on one are counted by the other', async () => {
    const key = `halyard:test-events:${schema}:split`;
    const ingestOnly = await start(streamOptions(key, { consume: false }));
    const aggregator = await start(streamOptions(key));
    expect(ingestOnly.consumer).toBeUndefined();
    const now = Date.now();
    for (let index = 0; index < 5; index++) await ingestOnly.ingest.accept({ id: 'k', environment: 'stream' }, batch('split', 200, now), now);
    expect(await redis.xlen(key)).toBe(5);
    await eventually(async () => (await aggregator.metrics.window({ env: 'stream', flag: 'split', since: new Date(now - 60_000) })).variants[0]?.successes === 750);
    const [on] = (await aggregator.metrics.window({ env: 'stream', flag: 'split', since: new Date(now - 60_000) })).variants;
    expect(on).toMatchObject({ successes: 750, errors: 250 });
    expect(on!.latency.count).toBe(1000);
    await eventually(async () => Number((await redis.xpending(key, 'halyard-aggregators'))[0]) === 0);
  });

  it("claims a crashed consumer's pending entries and counts each exactly once, even one it had committed", async () => {
    const key = `halyard:test-events:${schema}:crash`;
    const ingestOnly = await start(streamOptions(key, { consume: false }));
    const now = Date.now();
    for (let index = 0; index < 3; index++) await ingestOnly.ingest.accept({ id: 'k', environment: 'stream' }, batch('crash', 100, now), now);

    // The consumer that crashes: reads all three entries, commits the first to PostgreSQL, dies before XACK.
    await redis.xgroup('CREATE', key, 'halyard-aggregators', '0', 'MKSTREAM');
    const read = (await redis.xreadgroup('GROUP', 'halyard-aggregators', 'crashed', 'COUNT', 10, 'STREAMS', key, '>')) as Array<[string, Array<[string, string[]]>]>;
    const entries = read[0]![1];
    expect(entries).toHaveLength(3);
    const [firstId, fields] = entries[0]!;
    const writer = new AggregateWriter(new EventStore(db), { timeoutMs: 10_000 });
    await writer.write([firstId], () => {
      const aggregate = new Aggregate();
      const payload = JSON.parse(fields[1]!) as { env: string; events: [] };
      aggregate.add(payload.env, payload.events);
      return aggregate;
    });
    expect(Number((await redis.xpending(key, 'halyard-aggregators'))[0])).toBe(3);

    // A new consumer takes the entries over once they are idle for claimIdleMs.
    const survivor = await start(streamOptions(key, { claimIdleMs: 100 }));
    await eventually(async () => Number((await redis.xpending(key, 'halyard-aggregators'))[0]) === 0);
    expect(survivor.consumer!.stats.claimed).toBe(3);
    const [on] = (await survivor.metrics.window({ env: 'stream', flag: 'crash', since: new Date(now - 60_000) })).variants;
    expect(on!.successes + on!.errors).toBe(300);
    expect(on!.latency.count).toBe(300);
  });

  it('recreates its consumer group when the stream is deleted under it', async () => {
    const key = `halyard:test-events:${schema}:deleted`;
    const events = await start(streamOptions(key));
    await redis.del(key);
    const now = Date.now();
    await events.ingest.accept({ id: 'k', environment: 'stream' }, batch('deleted', 8, now), now);
    await eventually(async () => (await events.metrics.window({ env: 'stream', flag: 'deleted', since: new Date(now - 60_000) })).variants[0]?.successes === 6);
  });

  it('two servers: POST to one, read the aggregates from the other', async () => {
    const storage = createStorage('postgres');
    const key = `halyard:test-events:${schema}:servers`;
    const a = await startServer(storage, { redisUrl: REDIS_URL, events: { transport: 'redis-stream', flushMs: 20, stream: { key, consume: false } } });
    const b = await startServer(storage, { redisUrl: REDIS_URL, events: { transport: 'redis-stream', flushMs: 20, stream: { key } } });
    try {
      const admin = (a.bootstrapToken ?? b.bootstrapToken)!;
      const sdk = await createKey(a.url, admin, { type: 'sdk', environment: 'production', name: 'stream' });
      const now = Date.now();
      const sent = await call(a.url, 'POST', '/sdk/v1/events', { token: sdk, body: batch('servers', 50, now) });
      expect(sent.status).toBe(202);
      await eventually(async () => (await call(b.url, 'GET', '/api/v1/environments/production/flags/servers/metrics', { token: admin })).body.variants[0]?.successes === 37);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await storage.drop();
    }
  });
});
