import type { EventStore } from '../../store/event-store';

export interface RetentionOptions {
  /** Minute rows (variants and metrics) are kept this many days. */
  days: number;
  /** First exposures (`event_units`) are kept this many days after the unit's first exposure. */
  unitDays: number;
  /** Applied flush ids are kept this long, ms: longer than any retry or stream redelivery can take. */
  flushLogMs: number;
  /** How often the job runs, ms. */
  everyMs: number;
  /** Rows deleted per statement, and statements per table per run: the bound on one run's work. */
  batch: number;
  rounds: number;
  onError: (error: unknown, message: string) => void;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Deletes expired event rows, in bounded batches; a backlog shrinks over several runs instead of one huge delete. */
export class EventRetention {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly options: RetentionOptions,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.run().catch((error: unknown) => this.options.onError(error, '@halyard/server: deleting expired event aggregates failed')), this.options.everyMs);
    this.timer.unref();
  }

  /** One run: returns the rows deleted. */
  run(now = Date.now()): Promise<number> {
    this.running ??= this.runOnce(now).finally(() => (this.running = undefined));
    return this.running;
  }

  private async runOnce(now: number): Promise<number> {
    const { days, unitDays, flushLogMs, batch, rounds } = this.options;
    const cutoffs = [
      ['variants', new Date(now - days * DAY_MS)],
      ['lastSeen', new Date(now - days * DAY_MS)],
      ['metrics', new Date(now - days * DAY_MS)],
      ['units', new Date(now - unitDays * DAY_MS)],
      // As long as the first exposures they are attributed to.
      ['unitMetrics', new Date(now - unitDays * DAY_MS)],
      ['flushes', new Date(now - flushLogMs)],
    ] as const;
    let total = 0;
    for (const [table, cutoff] of cutoffs) {
      for (let round = 0; round < rounds; round++) {
        const deleted = await this.store.deleteOlderThan(table, cutoff, batch);
        total += deleted;
        if (deleted < batch) break;
      }
    }
    return total;
  }

  /** Stops the timer and waits for a run in progress (the database is closed after this). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => {});
  }
}
