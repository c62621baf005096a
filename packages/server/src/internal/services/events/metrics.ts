import { DDSketch } from '@datadog/sketches-js';
import { ValidationError } from '../../errors';
import type { EventStore } from '../../store/event-store';
import { MINUTE_MS, SKETCH_RELATIVE_ACCURACY, newSketch } from './aggregate';

/**
 * The read side of the event aggregates: what the circuit breaker, release guardrails and experiments read.
 *
 * Windows have minute granularity: `since` is rounded down and `until` up to whole minutes, so a window always
 * covers the minute rows it touches. Rows are written every flush interval (a few seconds), so the current minute
 * is still growing.
 *
 * @example
 * const window = await metrics.window({ env: 'production', flag: 'new-checkout', since: new Date(Date.now() - 15 * 60_000) });
 * for (const v of window.variants) console.log(v.variant, v.errorRate, v.latency.percentiles.p99);
 */

/** Longest window one read may cover: minute rows are read whole (with their sketches). */
export const MAX_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

export interface WindowQuery {
  env: string;
  flag: string;
  since: Date;
  /** Default: now. */
  until?: Date;
}

export interface LatencySummary {
  /** Outcomes that carried a duration. */
  count: number;
  sum: number;
  /** Exact, from the raw values; `null` without any. */
  min: number | null;
  max: number | null;
  mean: number | null;
  /** From the merged DDSketch: each within ±1 % (relative) of a duration actually observed; `null` without any. */
  percentiles: { p50: number | null; p90: number | null; p99: number | null };
  /** The merged sketch, for other quantiles (`sketch.getValueAtQuantile(0.95)`) or merging; `undefined` without any. */
  sketch: DDSketch | undefined;
}

export interface VariantWindow {
  variant: string;
  /** Exposure events (an SDK reports each (flag, variant, unit) once per process). */
  exposures: number;
  /** Units whose first exposure to the flag is in the window, with this variant first (exact, across instances). */
  uniqueUnits: number;
  /** Of `uniqueUnits`, those exposed to more than one variant (ever, so far): experiments exclude them. */
  multipleVariantUnits: number;
  successes: number;
  errors: number;
  /** `errors / (successes + errors)`; `null` without outcomes. */
  errorRate: number | null;
  latency: LatencySummary;
}

export interface FlagWindow {
  env: string;
  flag: string;
  since: Date;
  until: Date;
  /** Sorted by variant key. */
  variants: VariantWindow[];
}

export interface MetricTotals {
  name: string;
  /** Events of this metric. */
  count: number;
  /** Of those, events with a value; `sum` is their sum. */
  valueCount: number;
  sum: number;
}

export interface FirstExposure {
  variant: string;
  firstAt: Date;
  /** Exposed to more than one variant: experiments exclude the unit. */
  multiple: boolean;
}

const floorMinute = (ms: number): number => ms - (((ms % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);
const ceilMinute = (ms: number): number => (ms % MINUTE_MS === 0 ? ms : floorMinute(ms) + MINUTE_MS);

function bounds(since: Date, until: Date | undefined): { since: Date; until: Date } {
  const end = until ?? new Date();
  if (Number.isNaN(since.getTime()) || Number.isNaN(end.getTime())) throw new ValidationError('since and until must be valid times');
  if (end.getTime() <= since.getTime()) throw ValidationError.at('query.until', 'must be later than since');
  if (end.getTime() - since.getTime() > MAX_WINDOW_MS) throw ValidationError.at('query.since', 'the window may span at most 7 days');
  return { since: new Date(floorMinute(since.getTime())), until: new Date(ceilMinute(end.getTime())) };
}

const quantile = (sketch: DDSketch | undefined, q: number): number | null => (sketch === undefined || sketch.count === 0 ? null : sketch.getValueAtQuantile(q));

export class EventMetrics {
  /** The relative accuracy of every latency percentile. */
  readonly relativeAccuracy = SKETCH_RELATIVE_ACCURACY;

  constructor(private readonly store: EventStore) {}

  /**
   * When an SDK last evaluated each of `flags` in `env` (to the minute); a flag without exposures within
   * retention is absent. One indexed read of a table the flush keeps (one row per env × flag).
   *
   * @example
   * const last = await events.metrics.lastEvaluated('production', ['new-checkout']);
   */
  lastEvaluated(env: string, flags: readonly string[]): Promise<Map<string, Date>> {
    return this.store.lastSeen(env, flags);
  }

  /** Per-variant aggregates of one flag over a window. */
  async window(query: WindowQuery): Promise<FlagWindow> {
    const { since, until } = bounds(query.since, query.until);
    const [rows, units] = await Promise.all([
      this.store.variantRows(query.env, query.flag, since, until),
      this.store.unitCounts(query.env, query.flag, since, until),
    ]);
    const byVariant = new Map<string, VariantWindow>();
    const entry = (variant: string): VariantWindow => {
      let found = byVariant.get(variant);
      if (found === undefined) {
        found = {
          variant,
          exposures: 0,
          uniqueUnits: 0,
          multipleVariantUnits: 0,
          successes: 0,
          errors: 0,
          errorRate: null,
          latency: { count: 0, sum: 0, min: null, max: null, mean: null, percentiles: { p50: null, p90: null, p99: null }, sketch: undefined },
        };
        byVariant.set(variant, found);
      }
      return found;
    };
    for (const row of rows) {
      const v = entry(row.variant);
      v.exposures += row.exposures;
      v.successes += row.successes;
      v.errors += row.errors;
      const latency = v.latency;
      latency.count += row.latencyCount;
      latency.sum += row.latencySum;
      if (row.latencyMin !== null) latency.min = latency.min === null ? row.latencyMin : Math.min(latency.min, row.latencyMin);
      if (row.latencyMax !== null) latency.max = latency.max === null ? row.latencyMax : Math.max(latency.max, row.latencyMax);
      if (row.sketch !== null) (latency.sketch ??= newSketch()).merge(DDSketch.fromProto(row.sketch));
    }
    for (const count of units) {
      const v = entry(count.variant);
      v.uniqueUnits = count.units;
      v.multipleVariantUnits = count.multiple;
    }
    for (const v of byVariant.values()) {
      const outcomes = v.successes + v.errors;
      v.errorRate = outcomes === 0 ? null : v.errors / outcomes;
      const { latency } = v;
      latency.mean = latency.count === 0 ? null : latency.sum / latency.count;
      latency.percentiles = { p50: quantile(latency.sketch, 0.5), p90: quantile(latency.sketch, 0.9), p99: quantile(latency.sketch, 0.99) };
    }
    const variants = [...byVariant.values()].sort((a, b) => (a.variant < b.variant ? -1 : a.variant > b.variant ? 1 : 0));
    return { env: query.env, flag: query.flag, since, until, variants };
  }

  /**
   * Custom metric totals of an environment over a window (all names, or the given ones). Not split by variant:
   * attributing a unit's metric events to its first exposure is the experiments' join (see {@link firstExposure}).
   */
  async metricTotals(query: { env: string; since: Date; until?: Date; names?: readonly string[] }): Promise<MetricTotals[]> {
    const { since, until } = bounds(query.since, query.until);
    const rows = await this.store.metricRows(query.env, since, until, query.names);
    return rows.map((row) => ({ name: row.name, count: row.count, valueCount: row.valueCount, sum: row.valueSum }));
  }

  /** A unit's first exposure to a flag (kept for the unit retention period), or `undefined`. */
  firstExposure(env: string, flag: string, unit: string): Promise<FirstExposure | undefined> {
    return this.store.firstExposure(env, flag, unit);
  }
}
