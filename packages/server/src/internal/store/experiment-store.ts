import type { FlagExperiment } from '@halyard/core';
import type { Database } from './db';

/**
 * SQL for experiment results: per-unit metric values joined at read time with each unit's first exposure
 * (`event_units`), so attribution does not depend on the order in which exposures and metric events arrived.
 *
 * Minute granularity: `event_unit_metrics` rows are per minute, so an event in the minute of the unit's first
 * exposure counts as after it, and a conversion window ends at the first whole minute past it. Every read is a
 * single statement under the connection's `statement_timeout` (the service's database timeouts).
 */

/** Per variant, over analysed units: Y the metric value (post exposure), X the covariate (see {@link UnitSampleQuery}). */
export interface VariantSums {
  variant: string;
  n: number;
  sumY: number;
  sumY2: number;
  sumX: number;
  sumX2: number;
  sumXY: number;
}

export interface MetricSource {
  name: string;
  /** Per unit: the number of events or the sum of their values. */
  aggregate: 'count' | 'sum' | 'any' | 'mean';
}

/**
 * One metric's per-unit sums. `y` is the metric after the unit's first exposure (until `stop`, and within
 * `windowSeconds` when given); `x` is either the same metric in the `lookbackSeconds` before the exposure (CUPED's
 * covariate) or, for ratios, a second post-exposure aggregate (the denominator).
 */
export interface UnitSampleQuery {
  env: string;
  flag: string;
  /** Units first exposed in [start, stop) are in the experiment. */
  start: Date;
  stop: Date;
  y: MetricSource;
  x: { kind: 'pre'; lookbackSeconds: number } | { kind: 'post'; source: MetricSource } | { kind: 'none' };
  windowSeconds?: number | undefined;
}

export interface StoredExperimentFlag {
  env: string;
  key: string;
  experiment: FlagExperiment;
}

const num = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));

/** The per-unit value of one aggregate over rows of `event_unit_metrics` that pass `filter`. */
function perUnit(source: MetricSource, nameParam: string, filter: string): string {
  const where = `m.name = ${nameParam} and ${filter}`;
  const count = `coalesce(sum(m.count) filter (where ${where}), 0)`;
  const sum = `coalesce(sum(m.value_sum) filter (where ${where}), 0)`;
  switch (source.aggregate) {
    case 'count':
      return `${count}::float8`;
    case 'sum':
      return `${sum}::float8`;
    case 'any':
      return `(case when ${count} > 0 then 1 else 0 end)::float8`;
    case 'mean':
      // Units without a value have no mean: null, and left out below.
      return `(${sum} / nullif(coalesce(sum(m.value_count) filter (where ${where}), 0), 0))::float8`;
  }
}

export class ExperimentStore {
  constructor(private readonly db: Database) {}

  /** Flags (not archived) that declare an experiment, in every environment or one. */
  async experimentFlags(env?: string): Promise<StoredExperimentFlag[]> {
    const rows = await this.db.query<{ env: string; key: string; experiment: unknown }>(
      `select env, key, definition->'experiment' as experiment from flags
       where archived_at is null and definition->'experiment' is not null and ($1::text is null or env = $1)
       order by env, key`,
      [env ?? null],
    );
    return rows.map((row) => ({ env: row.env, key: row.key, experiment: (typeof row.experiment === 'string' ? JSON.parse(row.experiment) : row.experiment) as FlagExperiment }));
  }

  /** Per variant: units first exposed in [start, stop), and of those the ones exposed to several variants. */
  async units(env: string, flag: string, start: Date, stop: Date): Promise<Array<{ variant: string; units: number; multiple: number }>> {
    const rows = await this.db.query<{ variant: string; units: unknown; multiple: unknown }>(
      `select first_variant as variant, count(*) as units, count(*) filter (where multiple) as multiple
       from event_units where env = $1 and flag = $2 and first_at >= $3 and first_at < $4 group by first_variant order by 1`,
      [env, flag, start.toISOString(), stop.toISOString()],
    );
    return rows.map((row) => ({ variant: row.variant, units: num(row.units), multiple: num(row.multiple) }));
  }

  /** Exposure events per UTC day and variant in [start, stop). */
  async timeline(env: string, flag: string, start: Date, stop: Date): Promise<Array<{ day: string; variant: string; exposures: number }>> {
    const rows = await this.db.query<{ day: string; variant: string; exposures: unknown }>(
      `select to_char(date_trunc('day', minute at time zone 'UTC'), 'YYYY-MM-DD') as day, variant, sum(exposures) as exposures
       from event_variant_minutes where env = $1 and flag = $2 and minute >= $3 and minute < $4
       group by 1, 2 order by 1, 2`,
      [env, flag, start.toISOString(), stop.toISOString()],
    );
    return rows.map((row) => ({ day: row.day, variant: row.variant, exposures: num(row.exposures) }));
  }

  /** One metric's sums per variant over the units exposed to exactly one variant (see {@link UnitSampleQuery}). */
  async unitSamples(query: UnitSampleQuery): Promise<VariantSums[]> {
    const params: unknown[] = [query.env, query.flag, query.start.toISOString(), query.stop.toISOString(), query.y.name];
    const post = `m.minute >= u.first_minute and m.minute < $4::timestamptz${query.windowSeconds === undefined ? '' : ` and m.minute < u.first_at + make_interval(secs => $${params.push(query.windowSeconds)})`}`;
    const y = perUnit(query.y, '$5', post);
    let x = '0::float8';
    let from = 'u.first_minute';
    const names = [query.y.name];
    if (query.x.kind === 'pre') {
      const lookback = `$${params.push(query.x.lookbackSeconds)}`;
      from = `u.first_minute - make_interval(secs => ${lookback})`;
      x = perUnit(query.y.aggregate === 'mean' ? { ...query.y, aggregate: 'sum' } : query.y, '$5', 'm.minute < u.first_minute');
    } else if (query.x.kind === 'post') {
      const name = `$${params.push(query.x.source.name)}`;
      names.push(query.x.source.name);
      x = perUnit(query.x.source, name, post);
    }
    const namesParam = `$${params.push([...new Set(names)])}`;
    // Every unit against its metric rows: a hash join. Without table statistics (a fresh table, PGlite) the planner
    // may pick a nested loop, one scan of the metric rows per unit, which is minutes instead of milliseconds.
    const rows = await this.db.transaction(async (tx) => {
      await tx.query('set local enable_nestloop = off');
      return tx.query<Record<string, unknown>>(
      `with u as (
         select unit, first_variant as variant, first_at, date_trunc('minute', first_at) as first_minute
         from event_units where env = $1 and flag = $2 and not multiple and first_at >= $3 and first_at < $4
       ), per as (
         select u.variant, ${y} as y, ${x} as x
         from u left join event_unit_metrics m
           on m.env = $1 and m.name = any(${namesParam}::text[]) and m.unit = u.unit and m.minute >= ${from} and m.minute < $4::timestamptz
         group by u.variant, u.unit, u.first_minute, u.first_at
       )
       select variant, count(*) as n, sum(y) as sy, sum(y * y) as syy, sum(x) as sx, sum(x * x) as sxx, sum(x * y) as sxy
       from per where y is not null group by variant order by variant`,
      params,
      );
    });
    return rows.map((row) => ({
      variant: row.variant as string,
      n: num(row.n),
      sumY: num(row.sy),
      sumY2: num(row.syy),
      sumX: num(row.sx),
      sumX2: num(row.sxx),
      sumXY: num(row.sxy),
    }));
  }
}
