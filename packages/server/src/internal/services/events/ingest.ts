import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { QueueFullError, RateLimitedError } from '../../errors';
import type { Database } from '../../store/db';
import { EventStore } from '../../store/event-store';
import { ExperimentStore } from '../../store/experiment-store';
import { Aggregator } from './aggregator';
import { ExperimentMetricNames } from './experiment-metric-names';
import { EventMetrics } from './metrics';
import { EventRateLimiter } from './rate-limit';
import { EventRetention } from './retention';
import { StreamConsumer, StreamPublisher } from './stream';
import { type NormalizedEvent, parseEventBatch } from './wire';
import { AggregateWriter } from './writer';

/**
 * Event ingestion (`POST /sdk/v1/events`), kept apart from aggregation: ingestion validates a batch, applies the
 * key's rate limit and hands the batch to a transport; the aggregator behind the transport writes PostgreSQL.
 *
 * - `memory` (default): the transport is this process's {@link Aggregator} (a bounded in-memory aggregate,
 *   flushed every `flushMs`).
 * - `redis-stream`: the transport is a Redis Stream; aggregators in any instance (`stream.consume`) read it with a
 *   consumer group. Ingest-only and aggregate-only instances are possible.
 */

export interface EventsOptions {
  transport: 'memory' | 'redis-stream';
  /** Flush interval of the aggregates, ms. Default 5,000. */
  flushMs: number;
  /** Statement timeout of one flush transaction, ms. Default 10,000. */
  flushTimeoutMs: number;
  /** Memory mode: distinct keys held before answering 503. Default 200,000. */
  maxPendingKeys: number;
  /** Events per second per API key before answering 429 (burst: 2 s worth). Default 100,000; `0` disables. */
  rateLimit: number;
  /**
   * Client keys only (browsers, one key shared by every page): also per client address, so one page cannot spend
   * the whole key's budget. Default 1,000; `0` disables.
   */
  addressRateLimit: number;
  retention: { days: number; unitDays: number; everyMs: number; batch: number; rounds: number; flushLogMs: number };
  /**
   * How often the experiments' metric names are re-read as a safety net, ms. Flag changes refresh them at once
   * (this instance's commits and other instances' change notifications); the server sets its `resyncMs`.
   */
  experimentNamesMs: number;
  stream: {
    redisUrl: string | undefined;
    key: string;
    group: string;
    maxLen: number;
    maxInFlight: number;
    /** Run a consumer in this instance. */
    consume: boolean;
    claimIdleMs: number;
    count: number;
    blockMs: number;
  };
}

/** Defaults; `namespace` (the schema or data directory) keeps several deployments on one Redis apart. */
export function eventsDefaults(namespace: string): EventsOptions {
  return {
    transport: 'memory',
    flushMs: 5000,
    flushTimeoutMs: 10_000,
    maxPendingKeys: 200_000,
    rateLimit: 100_000,
    addressRateLimit: 1000,
    retention: { days: 30, unitDays: 90, everyMs: 10 * 60_000, batch: 10_000, rounds: 10, flushLogMs: 2 * 24 * 60 * 60_000 },
    experimentNamesMs: 30_000,
    stream: {
      redisUrl: undefined,
      key: `halyard:events:${namespace}`,
      group: 'halyard-aggregators',
      maxLen: 1_000_000,
      maxInFlight: 1000,
      consume: true,
      claimIdleMs: 30_000,
      count: 100,
      blockMs: 1000,
    },
  };
}

/**
 * Event ingestion settings (`createServer({ events })`); every field is optional. See docs/events-ingestion.md.
 *
 * @example
 * // Ingest here, aggregate in whichever instances consume the stream:
 * await createServer({ databaseUrl, redisUrl: 'redis://127.0.0.1:6379', events: { transport: 'redis-stream' } });
 */
export interface EventsConfig {
  /** `false`: no `POST /sdk/v1/events`, no aggregation. Default `true`. */
  enabled?: boolean;
  /** `'memory'` (default): aggregate in this process. `'redis-stream'`: via a Redis Stream (needs `redisUrl`). */
  transport?: 'memory' | 'redis-stream';
  /** How often aggregates are written to PostgreSQL, ms. Default 5,000. */
  flushMs?: number;
  /** Events per second per key before 429. Default 100,000; `0` disables. */
  rateLimit?: number;
  /** Client keys: events per second per key and client address before 429. Default 1,000; `0` disables. */
  addressRateLimit?: number;
  /** Memory mode: distinct aggregate keys buffered before 503. Default 200,000. */
  maxPendingKeys?: number;
  /** Days minute aggregates are kept. Default 30. */
  retentionDays?: number;
  /** Days a unit's first exposure is kept. Default 90. */
  unitRetentionDays?: number;
  stream?: {
    /** Default `halyard:events:<schema or data directory>`. */
    key?: string;
    /** Consumer group. Default `halyard-aggregators`. */
    group?: string;
    /** Approximate cap on the stream's length (`MAXLEN ~`). Default 1,000,000 entries (batches). */
    maxLen?: number;
    /** Aggregate in this instance (consume the stream). Default `true`; `false` for ingest-only instances. */
    consume?: boolean;
    /** Entries another consumer left unacknowledged this long are taken over, ms. Default 30,000. */
    claimIdleMs?: number;
  };
}

/** The defaults with a user's {@link EventsConfig} applied. */
export function resolveEventsOptions(config: EventsConfig, namespace: string, redisUrl: string | undefined): EventsOptions {
  const base = eventsDefaults(namespace);
  const stream = config.stream ?? {};
  return {
    ...base,
    transport: config.transport ?? base.transport,
    flushMs: config.flushMs ?? base.flushMs,
    rateLimit: config.rateLimit ?? base.rateLimit,
    addressRateLimit: config.addressRateLimit ?? base.addressRateLimit,
    maxPendingKeys: config.maxPendingKeys ?? base.maxPendingKeys,
    retention: { ...base.retention, days: config.retentionDays ?? base.retention.days, unitDays: config.unitRetentionDays ?? base.retention.unitDays },
    stream: {
      ...base.stream,
      redisUrl,
      key: stream.key ?? base.stream.key,
      group: stream.group ?? base.stream.group,
      maxLen: stream.maxLen ?? base.stream.maxLen,
      consume: stream.consume ?? base.stream.consume,
      claimIdleMs: stream.claimIdleMs ?? base.stream.claimIdleMs,
    },
  };
}

/** The key fields ingestion needs: who sends (the rate limit) and where to (the environment). */
export interface EventSender {
  id: string;
  type?: 'sdk' | 'client' | 'admin';
  environment?: string | undefined;
}

/** How long a client should wait after a 503 from a full queue, s: about one flush. */
const retryAfter = (flushMs: number): number => Math.max(1, Math.ceil(flushMs / 1000));

export class EventIngest {
  constructor(
    private readonly limiter: EventRateLimiter,
    private readonly addressLimiter: EventRateLimiter,
    private readonly publish: (env: string, events: NormalizedEvent[]) => boolean | Promise<boolean>,
    private readonly retryAfterSeconds: number,
  ) {}

  /**
   * Accepts one batch from an SDK or client key: rate limit, validation (ValidationError with the JSON path of the
   * first invalid field; nothing accepted), hand-off. Returns the events accepted; throws RateLimitedError (429)
   * or QueueFullError (503).
   */
  async accept(sender: EventSender, body: unknown, now = Date.now(), address?: string): Promise<number> {
    const env = sender.environment;
    if (env === undefined) throw new Error('@halyard/server: events need an SDK or client key (bound to an environment)');
    const events = (body as { events?: unknown } | null | undefined)?.events;
    const cost = Array.isArray(events) ? events.length : 1;
    // The address first: a page over its share is refused without spending the shared key's budget.
    const perAddress = sender.type === 'client' && address !== undefined ? this.addressLimiter.take(`${sender.id}\u0000${address}`, cost, now) : 0;
    if (perAddress > 0) throw new RateLimitedError(`This address sent more events with this client key than its limit per second; retry in ${perAddress} s`, perAddress);
    const wait = this.limiter.take(sender.id, cost, now);
    if (wait > 0) throw new RateLimitedError(`This key sent more events than its limit per second; retry in ${wait} s`, wait);
    const batch = parseEventBatch(body, now);
    if (batch.length === 0) return 0;
    if (!(await this.publish(env, batch))) {
      throw new QueueFullError(`The event ingestion queue is full; retry in ${this.retryAfterSeconds} s`, this.retryAfterSeconds);
    }
    return batch.length;
  }

  sweep(now = Date.now()): void {
    this.limiter.sweep(now);
    this.addressLimiter.sweep(now);
  }
}

/** Ingestion, aggregation, retention and the read API, as configured; `close` flushes what is buffered. */
export interface Events {
  ingest: EventIngest;
  metrics: EventMetrics;
  /** Memory mode: the local aggregator (tests and health read its counters). */
  aggregator: Aggregator | undefined;
  consumer: StreamConsumer | undefined;
  retention: EventRetention;
  /** The metric names kept per unit for experiments; the server calls `refresh()` on every flag change. */
  experimentMetricNames: ExperimentMetricNames;
  /** The experiments' reads over the same aggregates (services/experiments/). */
  experimentStore: ExperimentStore;
  /** Writes what is buffered now (memory mode); for tests and shutdown. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export async function startEvents(db: Database, options: EventsOptions, onError: (error: unknown, message: string) => void): Promise<Events> {
  const store = new EventStore(db);
  const writer = new AggregateWriter(store, { timeoutMs: options.flushTimeoutMs });
  const instanceId = randomUUID();
  const limiter = new EventRateLimiter(options.rateLimit);
  const retention = new EventRetention(store, { ...options.retention, onError });
  const closers: Array<() => Promise<void>> = [];
  const experimentStore = new ExperimentStore(db);
  const experimentMetricNames = new ExperimentMetricNames(experimentStore, { everyMs: options.experimentNamesMs, onError });
  await experimentMetricNames.refresh();
  experimentMetricNames.start();
  closers.push(() => experimentMetricNames.stop());
  const unitMetrics = experimentMetricNames.filter;
  let aggregator: Aggregator | undefined;
  let consumer: StreamConsumer | undefined;
  let publish: (env: string, events: NormalizedEvent[]) => boolean | Promise<boolean>;

  try {
    if (options.transport === 'memory') {
      const local = new Aggregator(writer, { instanceId, flushMs: options.flushMs, maxKeys: options.maxPendingKeys, onError, unitMetrics });
      aggregator = local;
      local.start();
      publish = (env, events) => local.add(env, events);
      closers.push(() => local.close());
    } else {
      const { redisUrl } = options.stream;
      if (redisUrl === undefined) throw new Error('@halyard/server: events transport "redis-stream" needs a Redis URL (redisUrl / REDIS_URL)');
      // Loaded only when configured, as in changes.ts.
      const { Redis } = await import('ioredis');
      let lastLogged = 0;
      const connect = async (): Promise<Redis> => {
        // commandTimeout bounds every call; a blocking read's own BLOCK is shorter than it.
        const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2, commandTimeout: options.stream.blockMs + 5000 });
        client.on('error', (error: Error) => {
          if (Date.now() - lastLogged > 10_000) {
            lastLogged = Date.now();
            onError(error, '@halyard/server: events Redis connection error (retrying)');
          }
        });
        closers.push(async () => {
          await client.quit().catch(() => client.disconnect());
        });
        try {
          await client.connect();
        } catch (error) {
          throw new Error(`@halyard/server: cannot connect to Redis for the events stream (${(error as Error).message}); check REDIS_URL`);
        }
        return client;
      };
      const commands = await connect();
      const publisher = new StreamPublisher(commands, { key: options.stream.key, maxLen: options.stream.maxLen, maxInFlight: options.stream.maxInFlight });
      publish = (env, events) => publisher.publish(env, events);
      if (options.stream.consume) {
        const blocking = await connect();
        const streamConsumer = new StreamConsumer(blocking, commands, writer, {
          key: options.stream.key,
          group: options.stream.group,
          consumer: instanceId,
          count: options.stream.count,
          blockMs: options.stream.blockMs,
          flushMs: options.flushMs,
          claimIdleMs: options.stream.claimIdleMs,
          onError,
          unitMetrics,
        });
        consumer = streamConsumer;
        await streamConsumer.start();
        // Before the connections close (closers run in reverse order).
        closers.push(() => streamConsumer.stop());
      }
    }
    retention.start();
    closers.push(() => retention.stop());
  } catch (error) {
    for (const close of closers.reverse()) await close().catch(() => {});
    throw error;
  }

  let closing: Promise<void> | undefined;
  return {
    ingest: new EventIngest(limiter, new EventRateLimiter(options.addressRateLimit), publish, retryAfter(options.flushMs)),
    metrics: new EventMetrics(store),
    aggregator,
    consumer,
    retention,
    experimentMetricNames,
    experimentStore,
    flush: async () => {
      await aggregator?.flush();
    },
    close: () =>
      (closing ??= (async () => {
        for (const close of [...closers].reverse()) await close().catch((error: unknown) => onError(error, '@halyard/server: closing events failed'));
      })()),
  };
}
