import { Aggregate, type UnitMetricFilter } from './aggregate';
import type { NormalizedEvent } from './wire';
import type { AggregateWriter } from './writer';

export interface AggregatorOptions {
  /** Unique per process: flush ids are `<instanceId>:<sequence>`. */
  instanceId: string;
  /** How often the aggregate is written to PostgreSQL, ms. */
  flushMs: number;
  /** Distinct keys (minute rows, units, metric rows) held in memory, pending flush included, before refusing batches. */
  maxKeys: number;
  onError: (error: unknown, message: string) => void;
  /** Metric events also kept per unit (experiments); none without it. */
  unitMetrics?: UnitMetricFilter;
}

/**
 * The in-process aggregator: batches are added to the current {@link Aggregate} (the bounded in-memory buffer);
 * every `flushMs` it becomes the pending flush, with a new id, and is written. A failed write keeps the same id and
 * is retried on the next tick, so a write that committed but timed out on the way back is not counted twice.
 * Meanwhile batches go to a fresh aggregate; when the two together hold `maxKeys` keys, `add` refuses (503).
 */
export class Aggregator {
  private current: Aggregate;
  private pending: { id: string; aggregate: Aggregate } | undefined;
  private sequence = 0;
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Counters, for logs, health and tests. */
  readonly stats = { accepted: 0, refused: 0, flushed: 0, flushFailures: 0 };

  constructor(
    private readonly writer: AggregateWriter,
    private readonly options: AggregatorOptions,
  ) {
    this.current = new Aggregate(options.unitMetrics);
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.options.flushMs);
    this.timer.unref();
  }

  /** Whether `add` would refuse a batch now. */
  get full(): boolean {
    return this.current.size + (this.pending?.aggregate.size ?? 0) >= this.options.maxKeys;
  }

  /** Adds one validated batch; `false` (nothing added) when the buffer is full. */
  add(env: string, events: readonly NormalizedEvent[]): boolean {
    if (this.full) {
      this.stats.refused += events.length;
      return false;
    }
    this.current.add(env, events);
    this.stats.accepted += events.length;
    return true;
  }

  /** Writes what has been added so far (and a pending flush that failed before). Never rejects. */
  flush(): Promise<void> {
    this.flushing ??= this.flushOnce().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    if (this.pending === undefined) {
      if (this.current.empty) return;
      this.pending = { id: `${this.options.instanceId}:${++this.sequence}`, aggregate: this.current };
      this.current = new Aggregate(this.options.unitMetrics);
    }
    const { id, aggregate } = this.pending;
    try {
      await this.writer.write([id], () => aggregate);
      this.stats.flushed += aggregate.events;
      this.pending = undefined;
    } catch (error) {
      this.stats.flushFailures++;
      this.options.onError(error, `@halyard/server: writing event aggregates failed (flush ${id}); retrying in ${this.options.flushMs} ms`);
    }
  }

  /** Stops the timer and writes everything (the pending flush, then the current aggregate), retrying a few times. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (let attempt = 0; attempt < 3 && (this.pending !== undefined || !this.current.empty); attempt++) {
      await this.flush();
      if (this.pending === undefined && !this.current.empty) await this.flush();
    }
  }
}
