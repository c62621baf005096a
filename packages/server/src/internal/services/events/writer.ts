import { DDSketch } from '@datadog/sketches-js';
import type { Queryable } from '../../store/db';
import { type EventStore, type VariantRowDelta, sortVariantKeys, variantKey } from '../../store/event-store';
import type { Aggregate, VariantMinute } from './aggregate';

/**
 * Writes aggregates to PostgreSQL, exactly once per flush id, from any number of instances at once.
 *
 * One transaction per write: (1) record the flush ids in `event_flushes` — ids already there were committed by an
 * earlier attempt (a retry after a timeout, or a stream entry redelivered after a crash) and are skipped; (2) build
 * the aggregate of what is new; (3) create and lock its minute rows in key order, merge the stored latency sketches
 * with the new ones, and add the counts; (4) merge first exposures, metric counts and per-unit metric counts. Everything or nothing commits.
 */

const RETRYABLE = new Set(['40P01', '40001']);
const ATTEMPTS = 3;
/**
 * Rows per statement. Building a statement's parameters is synchronous work on the event loop (~2 µs a row), so
 * a flush of 10,000 units is ten short steps with requests served in between, not one 20 ms stall.
 */
const CHUNK = 1000;

/** Code-unit order of string tuples, the order of `collate "C"` in the statements (see event-store.ts). */
const byKey =
  <T>(key: (row: T) => string[]) =>
  (a: T, b: T): number => {
    const x = key(a);
    const y = key(b);
    for (let index = 0; index < x.length; index++) if (x[index] !== y[index]) return x[index]! < y[index]! ? -1 : 1;
    return 0;
  };

function* chunks<T>(rows: readonly T[]): Generator<T[]> {
  for (let start = 0; start < rows.length; start += CHUNK) yield rows.slice(start, start + CHUNK);
}

export interface WriterOptions {
  /** Statement timeout of a flush transaction, ms. */
  timeoutMs: number;
}

export class AggregateWriter {
  constructor(
    private readonly store: EventStore,
    private readonly options: WriterOptions,
  ) {}

  /**
   * Applies the aggregate that `build` makes from the ids not applied before. `build` runs inside the transaction
   * and may run more than once (a deadlock is retried), so it must be pure. Returns the events written.
   */
  async write(ids: readonly string[], build: (fresh: ReadonlySet<string>) => Aggregate | undefined): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.store.transaction(async (tx) => {
          const fresh = await this.store.claimFlushes(tx, ids);
          if (fresh.size === 0) return 0;
          const aggregate = build(fresh);
          if (aggregate === undefined || aggregate.empty) return 0;
          await this.apply(tx, aggregate);
          return aggregate.events;
        }, this.options.timeoutMs);
      } catch (error) {
        // Two writers locking rows another one inserted at the same moment: PostgreSQL picks a victim; try again.
        if (attempt < ATTEMPTS && RETRYABLE.has(String((error as { code?: unknown }).code))) continue;
        throw error;
      }
    }
  }

  private async apply(tx: Queryable, aggregate: Aggregate): Promise<void> {
    // Chunks of the sorted rows, in order: every writer still locks rows in one global order.
    for (const rows of chunks(sortVariantKeys([...aggregate.variants.values()].map((row) => ({ ...row, minute: new Date(row.minute) }))))) {
      await this.applyVariants(tx, rows);
    }
    for (const rows of chunks([...aggregate.units.values()].sort(byKey((unit) => [unit.env, unit.flag, unit.unit])))) {
      await this.store.mergeUnits(
        tx,
        rows.map((unit) => ({ ...unit, firstAt: new Date(unit.firstAt) })),
      );
    }
    for (const rows of chunks([...aggregate.metrics.values()].sort(byKey((metric) => [metric.env, metric.name, String(metric.minute).padStart(16, '0')])))) {
      await this.store.addMetrics(
        tx,
        rows.map((metric) => ({ ...metric, minute: new Date(metric.minute) })),
      );
    }
    const unitMetricKey = (row: { env: string; name: string; unit: string; minute: number }) => [row.env, row.name, row.unit, String(row.minute).padStart(16, '0')];
    for (const rows of chunks([...aggregate.unitMetrics.values()].sort(byKey(unitMetricKey)))) {
      await this.store.addUnitMetrics(
        tx,
        rows.map((row) => ({ ...row, minute: new Date(row.minute) })),
      );
    }
  }

  private async applyVariants(tx: Queryable, rows: Array<Omit<VariantMinute, 'minute'> & { minute: Date }>): Promise<void> {
    const stored = await this.store.lockSketches(tx, rows);
    const deltas: VariantRowDelta[] = rows.map((row) => {
      let sketch: Uint8Array | null = null;
      if (row.latency !== undefined) {
        const before = stored.get(variantKey(row));
        const merged = before ? DDSketch.fromProto(before) : undefined;
        if (merged) merged.merge(row.latency);
        sketch = (merged ?? row.latency).toProto();
      }
      const latencyCount = row.latency?.count ?? 0;
      return {
        env: row.env,
        flag: row.flag,
        variant: row.variant,
        minute: row.minute,
        exposures: row.exposures,
        successes: row.successes,
        errors: row.errors,
        latencyCount,
        latencySum: row.latency?.sum ?? 0,
        latencyMin: latencyCount > 0 ? row.latencyMin : null,
        latencyMax: latencyCount > 0 ? row.latencyMax : null,
        sketch,
      };
    });
    await this.store.addVariants(tx, deltas);
  }
}
