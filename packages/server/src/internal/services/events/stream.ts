import type { Redis } from 'ioredis';
import { QueueFullError } from '../../errors';
import { Aggregate, type UnitMetricFilter } from './aggregate';
import type { NormalizedEvent } from './wire';
import type { AggregateWriter } from './writer';

/**
 * The stream-backed mode (`events.transport: 'redis-stream'`): ingestion and aggregation in different processes,
 * with a Redis Stream between them (docs/events-ingestion.md).
 *
 * - {@link StreamPublisher}: every accepted batch is one entry (`XADD … MAXLEN ~ n`), answered 202 once Redis has
 *   it. Bounded: at most `maxInFlight` XADDs at once, else 503.
 * - {@link StreamConsumer}: a consumer group (`XREADGROUP`); each read is aggregated and written in one PostgreSQL
 *   transaction whose flush ids are the entry ids, then `XACK`ed. Entries a crashed consumer read but never acked
 *   are taken over with `XAUTOCLAIM` once idle for `claimIdleMs`; if that consumer had committed them already, the
 *   ids are in `event_flushes` and they are acked without being counted again.
 */

export interface StreamEntry {
  env: string;
  events: NormalizedEvent[];
}

/** One entry's payload: `{"env": …, "events": [...]}` in the field `e`. */
const FIELD = 'e';

export interface StreamPublisherOptions {
  key: string;
  /** Approximate stream length cap (`MAXLEN ~`): entries beyond it are trimmed, consumed or not. */
  maxLen: number;
  maxInFlight: number;
}

export class StreamPublisher {
  private inFlight = 0;

  constructor(
    private readonly redis: Redis,
    private readonly options: StreamPublisherOptions,
  ) {}

  get full(): boolean {
    return this.inFlight >= this.options.maxInFlight;
  }

  /**
   * `false` when too many XADDs are in flight (the caller answers 503). A Redis failure is a QueueFullError too:
   * the batch was not taken, and the SDK retries it after Retry-After.
   */
  async publish(env: string, events: readonly NormalizedEvent[]): Promise<boolean> {
    if (this.full) return false;
    this.inFlight++;
    try {
      await this.redis.xadd(this.options.key, 'MAXLEN', '~', String(this.options.maxLen), '*', FIELD, JSON.stringify({ env, events }));
      return true;
    } catch (error) {
      throw new QueueFullError(`The events stream (Redis) is unavailable: ${(error as Error).message}; retry in 1 s`, 1);
    } finally {
      this.inFlight--;
    }
  }
}

export interface StreamConsumerOptions {
  key: string;
  group: string;
  /** This consumer's name in the group; unique per process. */
  consumer: string;
  /** Entries per read (each up to 1,000 events). */
  count: number;
  /** How long a read blocks waiting for entries, ms. */
  blockMs: number;
  /** Pause after a read that found fewer than `count` entries, ms: groups small reads into fewer transactions. */
  flushMs: number;
  /** Entries pending this long with another consumer (it crashed or hangs) are claimed, ms. */
  claimIdleMs: number;
  onError: (error: unknown, message: string) => void;
  /** Metric events also kept per unit (experiments), as in the memory mode's aggregator. */
  unitMetrics?: UnitMetricFilter;
}

type RawEntry = [id: string, fields: string[] | null];

function parseEntry(fields: string[] | null): StreamEntry | undefined {
  if (fields === null) return undefined;
  for (let index = 0; index + 1 < fields.length; index += 2) {
    if (fields[index] !== FIELD) continue;
    try {
      const value = JSON.parse(fields[index + 1]!) as StreamEntry;
      if (typeof value.env === 'string' && Array.isArray(value.events)) return value;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export class StreamConsumer {
  private running = false;
  private loop: Promise<void> | undefined;
  private lastClaim = 0;
  private wake: (() => void) | undefined;
  readonly stats = { entries: 0, events: 0, claimed: 0, skipped: 0, failures: 0 };

  /** `blocking` serves only XREADGROUP (it blocks); `commands` everything else. */
  constructor(
    private readonly blocking: Redis,
    private readonly commands: Redis,
    private readonly writer: AggregateWriter,
    private readonly options: StreamConsumerOptions,
  ) {}

  async start(): Promise<void> {
    await this.createGroup();
    this.running = true;
    this.loop = this.run();
  }

  private async createGroup(): Promise<void> {
    try {
      // From the stream's start: entries published before the first aggregator ran are counted too.
      await this.commands.xgroup('CREATE', this.options.key, this.options.group, '0', 'MKSTREAM');
    } catch (error) {
      if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
    }
  }

  private async run(): Promise<void> {
    let delay = 250;
    while (this.running) {
      try {
        const now = Date.now();
        if (now - this.lastClaim >= Math.min(this.options.claimIdleMs, 10_000)) {
          this.lastClaim = now;
          await this.claim();
        }
        const read = (await this.blocking.xreadgroup(
          'GROUP',
          this.options.group,
          this.options.consumer,
          'COUNT',
          this.options.count,
          'BLOCK',
          this.options.blockMs,
          'STREAMS',
          this.options.key,
          '>',
        )) as Array<[string, RawEntry[]]> | null;
        const entries = read?.[0]?.[1] ?? [];
        if (entries.length > 0) await this.process(entries);
        delay = 250;
        if (entries.length < this.options.count && this.running) await this.sleep(this.options.flushMs);
      } catch (error) {
        if (!this.running) return;
        this.stats.failures++;
        // The stream or group was deleted (a Redis flush, a manual DEL): make them again, then go on.
        if (String((error as Error).message).includes('NOGROUP')) await this.createGroup().catch(() => {});
        this.options.onError(error, `@halyard/server: consuming the events stream failed; retrying in ${delay} ms`);
        await this.sleep(delay);
        delay = Math.min(delay * 2, 10_000);
      }
    }
  }

  /** Takes over entries another consumer read but did not ack within `claimIdleMs`, and processes them. */
  async claim(): Promise<void> {
    let cursor = '0-0';
    do {
      const [next, entries] = (await this.commands.xautoclaim(
        this.options.key,
        this.options.group,
        this.options.consumer,
        this.options.claimIdleMs,
        cursor,
        'COUNT',
        this.options.count,
      )) as [string, RawEntry[], string[]?];
      cursor = next;
      if (entries.length > 0) {
        this.stats.claimed += entries.length;
        await this.process(entries);
      }
    } while (cursor !== '0-0' && this.running);
  }

  /** Writes one group of entries (exactly once, by entry id) and acks them. */
  async process(raw: readonly RawEntry[]): Promise<void> {
    const parsed = new Map<string, StreamEntry | undefined>();
    for (const [id, fields] of raw) parsed.set(id, parseEntry(fields));
    const ids = [...parsed.keys()];
    const written = await this.writer.write(ids, (fresh) => {
      const aggregate = new Aggregate(this.options.unitMetrics);
      for (const id of fresh) {
        const entry = parsed.get(id);
        if (entry !== undefined) aggregate.add(entry.env, entry.events);
      }
      return aggregate;
    });
    // After the commit: a crash before this line leaves the entries pending; whoever claims them finds the ids
    // applied and only acks.
    await this.commands.xack(this.options.key, this.options.group, ...ids);
    this.stats.entries += ids.length;
    this.stats.events += written;
    this.stats.skipped += [...parsed.values()].filter((entry) => entry === undefined).length;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }

  /** Stops after the group being written (if any); closes the blocking connection to cut a pending BLOCK short. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    this.blocking.disconnect();
    await this.loop?.catch(() => {});
  }
}
