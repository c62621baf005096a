import type { Database, Queryable } from './db';

/**
 * SQL for the event aggregates (tables from migration "event aggregates"):
 *
 * - `event_variant_minutes` (env, flag, variant, minute): exposures, successes, errors and the latency DDSketch
 *   (protobuf bytes) with its count, sum, min and max.
 * - `event_units` (env, flag, unit): the unit's first variant and first exposure time, and `multiple` once it was
 *   exposed to more than one variant — what experiments attribute conversions by.
 * - `event_metric_minutes` (env, name, minute): custom metric counts and sums.
 * - `event_unit_metrics` (env, name, unit, minute): the same per unit, for metric names experiments read.
 * - `event_flushes` (id): the flushes already applied, so that retrying one never counts it twice.
 *
 * Several instances write the same rows: counts are added in SQL, and sketches are merged by the caller between
 * {@link EventStore.lockSketches} (`SELECT … FOR UPDATE`, in key order) and {@link EventStore.addVariants}, in one
 * transaction. Every statement takes its rows in code-unit order (`collate "C"`, the order of JavaScript's `<` that
 * callers chunk by), so concurrent writers lock rows in one order and wait instead of deadlocking.
 */

/** The counts of one env × flag × variant × minute row, as stored and as a flush adds them. */
export interface VariantCounts {
  exposures: number;
  successes: number;
  errors: number;
  latencyCount: number;
  latencySum: number;
  latencyMin: number | null;
  latencyMax: number | null;
}

export interface VariantRowDelta extends VariantKey, VariantCounts {
  /** The merged sketch (the stored one and this flush's), protobuf; `null` = no new latencies, keep the stored one. */
  sketch: Uint8Array | null;
}

export interface UnitRowDelta {
  env: string;
  flag: string;
  unit: string;
  variant: string;
  firstAt: Date;
  multiple: boolean;
}

export interface MetricRowDelta {
  env: string;
  name: string;
  minute: Date;
  count: number;
  valueCount: number;
  valueSum: number;
}

/** One unit's metric events of one minute (table `event_unit_metrics`, migration "experiments: metric events per unit"). */
export interface UnitMetricRowDelta {
  env: string;
  name: string;
  unit: string;
  minute: Date;
  count: number;
  valueCount: number;
  valueSum: number;
}

export interface VariantKey {
  env: string;
  flag: string;
  variant: string;
  minute: Date;
}

export interface StoredVariantRow extends VariantKey, VariantCounts {
  sketch: Uint8Array | null;
}

export interface UnitCounts {
  variant: string;
  /** Units whose first exposure to the flag falls in the window, by that first variant. */
  units: number;
  /** Of those, units that were exposed to more than one variant (experiments exclude them). */
  multiple: number;
}

export interface StoredMetricRow {
  name: string;
  count: number;
  valueCount: number;
  valueSum: number;
}

const b64 = (bytes: Uint8Array | null): string | null => (bytes === null ? null : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'));
const num = (value: unknown): number => Number(value);
const nullableNum = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
const bytes = (value: unknown): Uint8Array | null => {
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array) return value;
  // Neither driver should get here (both return bytea as bytes), but a hex string is what Postgres sends as text.
  if (typeof value === 'string' && value.startsWith('\\x')) return Buffer.from(value.slice(2), 'hex');
  throw new Error('@halyard/server: unexpected bytea value from the database');
};

const compareKeys = (a: VariantKey, b: VariantKey): number =>
  a.env < b.env ? -1 : a.env > b.env ? 1 : a.flag < b.flag ? -1 : a.flag > b.flag ? 1 : a.variant < b.variant ? -1 : a.variant > b.variant ? 1 : a.minute.getTime() - b.minute.getTime();

/** Rows in one order for every writer: two transactions locking the same rows then wait, never deadlock. */
export function sortVariantKeys<T extends VariantKey>(rows: T[]): T[] {
  return rows.sort(compareKeys);
}

export class EventStore {
  constructor(private readonly db: Database) {}

  /** One transaction with a statement timeout: a stuck database must fail the flush, which is then retried. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, timeoutMs: number): Promise<T> {
    return this.db.transaction(async (tx) => {
      await tx.query(`set local statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
      return fn(tx);
    });
  }

  /** Records flush ids; returns the ones not applied before (the rest were committed by an earlier attempt). */
  async claimFlushes(tx: Queryable, ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await tx.query<{ id: string }>(
      `insert into event_flushes (id) select unnest($1::text[]) order by 1 on conflict (id) do nothing returning id`,
      [ids],
    );
    return new Set(rows.map((row) => row.id));
  }

  /**
   * Creates the missing rows and locks every row of `keys` (sorted), returning the stored sketches. Rows are
   * inserted first because `SELECT … FOR UPDATE` cannot lock a row that does not exist yet.
   */
  async lockSketches(tx: Queryable, keys: readonly VariantKey[]): Promise<Map<string, Uint8Array | null>> {
    if (keys.length === 0) return new Map();
    const columns = [keys.map((k) => k.env), keys.map((k) => k.flag), keys.map((k) => k.variant), keys.map((k) => k.minute.toISOString())];
    await tx.query(
      `insert into event_variant_minutes (env, flag, variant, minute)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) as k(env, flag, variant, minute)
       order by env collate "C", flag collate "C", variant collate "C", minute
       on conflict do nothing`,
      columns,
    );
    const rows = await tx.query<{ env: string; flag: string; variant: string; minute: Date | string; latency_sketch: unknown }>(
      `select t.env, t.flag, t.variant, t.minute, t.latency_sketch from event_variant_minutes t
       join unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) as k(env, flag, variant, minute)
         on t.env = k.env and t.flag = k.flag and t.variant = k.variant and t.minute = k.minute
       order by t.env collate "C", t.flag collate "C", t.variant collate "C", t.minute
       for update of t`,
      columns,
    );
    const out = new Map<string, Uint8Array | null>();
    for (const row of rows) out.set(variantKey({ ...row, minute: new Date(row.minute) }), bytes(row.latency_sketch));
    return out;
  }

  /** Adds counts to rows that exist and are locked (see lockSketches); sketches replace the stored ones. */
  async addVariants(tx: Queryable, rows: readonly VariantRowDelta[]): Promise<void> {
    if (rows.length === 0) return;
    await tx.query(
      `update event_variant_minutes t set
         exposures = t.exposures + d.exposures,
         successes = t.successes + d.successes,
         errors = t.errors + d.errors,
         latency_count = t.latency_count + d.latency_count,
         latency_sum = t.latency_sum + d.latency_sum,
         latency_min = case when d.latency_min is null then t.latency_min when t.latency_min is null then d.latency_min else least(t.latency_min, d.latency_min) end,
         latency_max = case when d.latency_max is null then t.latency_max when t.latency_max is null then d.latency_max else greatest(t.latency_max, d.latency_max) end,
         latency_sketch = coalesce(decode(d.sketch, 'base64'), t.latency_sketch)
       from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[],
                   $9::float8[], $10::float8[], $11::float8[], $12::text[])
         as d(env, flag, variant, minute, exposures, successes, errors, latency_count, latency_sum, latency_min, latency_max, sketch)
       where t.env = d.env and t.flag = d.flag and t.variant = d.variant and t.minute = d.minute`,
      [
        rows.map((r) => r.env),
        rows.map((r) => r.flag),
        rows.map((r) => r.variant),
        rows.map((r) => r.minute.toISOString()),
        rows.map((r) => r.exposures),
        rows.map((r) => r.successes),
        rows.map((r) => r.errors),
        rows.map((r) => r.latencyCount),
        rows.map((r) => r.latencySum),
        rows.map((r) => r.latencyMin),
        rows.map((r) => r.latencyMax),
        rows.map((r) => b64(r.sketch)),
      ],
    );
    // The latest minute per env × flag, sorted so concurrent flushes lock the rows in one order.
    const latest = new Map<string, { env: string; flag: string; at: number }>();
    for (const r of rows) {
      if (r.exposures <= 0) continue;
      const key = `${r.env}\u0000${r.flag}`;
      const at = r.minute.getTime();
      if ((latest.get(key)?.at ?? -Infinity) < at) latest.set(key, { env: r.env, flag: r.flag, at });
    }
    if (latest.size === 0) return;
    const seen = [...latest.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
    await tx.query(
      `insert into event_flag_last_seen (env, flag, last_at)
       select * from unnest($1::text[], $2::text[], $3::timestamptz[])
       on conflict (env, flag) do update set last_at = greatest(event_flag_last_seen.last_at, excluded.last_at)`,
      [seen.map((s) => s.env), seen.map((s) => s.flag), seen.map((s) => new Date(s.at).toISOString())],
    );
  }

  /** The latest exposure minute of each of `flags` in `env` (flags without one are absent). */
  async lastSeen(env: string, flags: readonly string[]): Promise<Map<string, Date>> {
    if (flags.length === 0) return new Map();
    const rows = await this.db.query<{ flag: string; last_at: unknown }>(
      'select flag, last_at from event_flag_last_seen where env = $1 and flag = any($2::text[])',
      [env, [...flags]],
    );
    return new Map(rows.map((row) => [row.flag, new Date(row.last_at as string)]));
  }

  /**
   * Merges first exposures: the earliest exposure wins the unit's first variant, and `multiple` becomes true
   * once two different variants were seen (here, in an earlier flush, or on another instance).
   */
  async mergeUnits(tx: Queryable, rows: readonly UnitRowDelta[]): Promise<void> {
    if (rows.length === 0) return;
    await tx.query(
      `insert into event_units as t (env, flag, unit, first_variant, first_at, multiple)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::boolean[]) as u(env, flag, unit, v, at, m)
       order by env collate "C", flag collate "C", unit collate "C"
       on conflict (env, flag, unit) do update set
         multiple = t.multiple or excluded.multiple or t.first_variant <> excluded.first_variant,
         first_variant = case when excluded.first_at < t.first_at then excluded.first_variant else t.first_variant end,
         first_at = least(t.first_at, excluded.first_at)`,
      [
        rows.map((r) => r.env),
        rows.map((r) => r.flag),
        rows.map((r) => r.unit),
        rows.map((r) => r.variant),
        rows.map((r) => r.firstAt.toISOString()),
        rows.map((r) => r.multiple),
      ],
    );
  }

  async addMetrics(tx: Queryable, rows: readonly MetricRowDelta[]): Promise<void> {
    if (rows.length === 0) return;
    await tx.query(
      `insert into event_metric_minutes as t (env, name, minute, count, value_count, value_sum)
       select * from unnest($1::text[], $2::text[], $3::timestamptz[], $4::bigint[], $5::bigint[], $6::float8[]) as m(env, name, minute, c, vc, vs)
       order by env collate "C", name collate "C", minute
       on conflict (env, name, minute) do update set
         count = t.count + excluded.count,
         value_count = t.value_count + excluded.value_count,
         value_sum = t.value_sum + excluded.value_sum`,
      [rows.map((r) => r.env), rows.map((r) => r.name), rows.map((r) => r.minute.toISOString()), rows.map((r) => r.count), rows.map((r) => r.valueCount), rows.map((r) => r.valueSum)],
    );
  }

  /** Adds per-unit metric counts (experiments), in key order like every other statement here. */
  async addUnitMetrics(tx: Queryable, rows: readonly UnitMetricRowDelta[]): Promise<void> {
    if (rows.length === 0) return;
    await tx.query(
      `insert into event_unit_metrics as t (env, name, unit, minute, count, value_count, value_sum)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::bigint[], $6::bigint[], $7::float8[]) as m(env, name, unit, minute, c, vc, vs)
       order by env collate "C", name collate "C", unit collate "C", minute
       on conflict (env, name, unit, minute) do update set
         count = t.count + excluded.count,
         value_count = t.value_count + excluded.value_count,
         value_sum = t.value_sum + excluded.value_sum`,
      [
        rows.map((r) => r.env),
        rows.map((r) => r.name),
        rows.map((r) => r.unit),
        rows.map((r) => r.minute.toISOString()),
        rows.map((r) => r.count),
        rows.map((r) => r.valueCount),
        rows.map((r) => r.valueSum),
      ],
    );
  }

  /** The minute rows of one flag in [since, until). */
  async variantRows(env: string, flag: string, since: Date, until: Date): Promise<StoredVariantRow[]> {
    const rows = await this.db.query<Record<string, unknown>>(
      `select env, flag, variant, minute, exposures, successes, errors, latency_count, latency_sum, latency_min, latency_max, latency_sketch
       from event_variant_minutes where env = $1 and flag = $2 and minute >= $3 and minute < $4 order by variant, minute`,
      [env, flag, since.toISOString(), until.toISOString()],
    );
    return rows.map((row) => ({
      env: row.env as string,
      flag: row.flag as string,
      variant: row.variant as string,
      minute: new Date(row.minute as string),
      exposures: num(row.exposures),
      successes: num(row.successes),
      errors: num(row.errors),
      latencyCount: num(row.latency_count),
      latencySum: num(row.latency_sum),
      latencyMin: nullableNum(row.latency_min),
      latencyMax: nullableNum(row.latency_max),
      sketch: bytes(row.latency_sketch),
    }));
  }

  /** Units first exposed to the flag in [since, until), by first variant. */
  async unitCounts(env: string, flag: string, since: Date, until: Date): Promise<UnitCounts[]> {
    const rows = await this.db.query<{ variant: string; units: unknown; multiple: unknown }>(
      `select first_variant as variant, count(*) as units, count(*) filter (where multiple) as multiple
       from event_units where env = $1 and flag = $2 and first_at >= $3 and first_at < $4 group by first_variant`,
      [env, flag, since.toISOString(), until.toISOString()],
    );
    return rows.map((row) => ({ variant: row.variant, units: num(row.units), multiple: num(row.multiple) }));
  }

  /** One unit's first exposure to a flag, for experiment attribution. */
  async firstExposure(env: string, flag: string, unit: string): Promise<{ variant: string; firstAt: Date; multiple: boolean } | undefined> {
    const [row] = await this.db.query<{ first_variant: string; first_at: string | Date; multiple: boolean }>(
      `select first_variant, first_at, multiple from event_units where env = $1 and flag = $2 and unit = $3`,
      [env, flag, unit],
    );
    return row === undefined ? undefined : { variant: row.first_variant, firstAt: new Date(row.first_at), multiple: row.multiple };
  }

  async metricRows(env: string, since: Date, until: Date, names?: readonly string[]): Promise<StoredMetricRow[]> {
    const rows = await this.db.query<{ name: string; count: unknown; value_count: unknown; value_sum: unknown }>(
      `select name, sum(count) as count, sum(value_count) as value_count, sum(value_sum) as value_sum
       from event_metric_minutes where env = $1 and minute >= $2 and minute < $3 and ($4::text[] is null or name = any($4::text[]))
       group by name order by name`,
      [env, since.toISOString(), until.toISOString(), names === undefined ? null : [...names]],
    );
    return rows.map((row) => ({ name: row.name, count: num(row.count), valueCount: num(row.value_count), valueSum: num(row.value_sum) }));
  }

  /**
   * Deletes at most `limit` rows older than the cutoff from one table; returns how many. Bounded so one run
   * never holds long locks or a long transaction; the job runs again until nothing is left.
   */
  async deleteOlderThan(table: 'variants' | 'metrics' | 'units' | 'unitMetrics' | 'flushes' | 'lastSeen', cutoff: Date, limit: number): Promise<number> {
    const [name, column] = {
      unitMetrics: ['event_unit_metrics', 'minute'],
      variants: ['event_variant_minutes', 'minute'],
      lastSeen: ['event_flag_last_seen', 'last_at'],
      metrics: ['event_metric_minutes', 'minute'],
      units: ['event_units', 'first_at'],
      flushes: ['event_flushes', 'applied_at'],
    }[table];
    const rows = await this.db.query(
      `delete from ${name} where ctid in (select ctid from ${name} where ${column} < $1 limit $2) returning 1`,
      [cutoff.toISOString(), limit],
    );
    return rows.length;
  }
}

/** The map key of one minute row. */
export function variantKey(key: VariantKey): string {
  return `${key.env}\u0000${key.flag}\u0000${key.variant}\u0000${key.minute.getTime()}`;
}
