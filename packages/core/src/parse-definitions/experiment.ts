import { METRIC_NAME } from '../events/wire';
import { describe, has, isObj, own } from '../internal/json-shape';
import { KEY_PATTERN, KEY_RULE } from '../internal/schema';
import { parseIsoDate } from '../internal/date';
import type {
  ExperimentMetric,
  ExperimentMetricAggregate,
  ExperimentMetricType,
  ExperimentStatistics,
  FlagExperiment,
} from '../types';
import { field, index, member, type Checker } from './checker';
import { checkVariantRef, type FlagContext } from './serve';
import { suggestion } from './suggestions';

/**
 * A flag's `experiment` block (docs/experiments.md, "Declaring an experiment"): what the flag service measures and
 * how it tests it. Only checked here; evaluation ignores it (an experiment is read by the service, never by SDKs).
 */

const EXPERIMENT_FIELDS = ['hypothesis', 'control', 'metrics', 'primaryMetric', 'guardrailMetrics', 'startAt', 'stopAt', 'statistics'];
const METRIC_FIELDS = ['type', 'event', 'windowHours', 'numerator', 'denominator', 'description'];
const AGGREGATE_FIELDS = ['event', 'aggregate'];
const STATISTICS_FIELDS = ['method', 'alpha', 'correction', 'power', 'minimumDetectableEffect', 'cupedLookbackDays'];

export const EXPERIMENT_METRIC_TYPES: readonly ExperimentMetricType[] = ['conversion', 'count', 'sum', 'mean', 'ratio'];
export const EXPERIMENT_METHODS: readonly NonNullable<ExperimentStatistics['method']>[] = ['frequentist', 'sequential', 'bayesian'];
export const EXPERIMENT_CORRECTIONS: readonly NonNullable<ExperimentStatistics['correction']>[] = ['holm', 'bh', 'none'];
const AGGREGATES: readonly ExperimentMetricAggregate['aggregate'][] = ['count', 'sum'];
/** Metrics per experiment: each one is a query per results read. */
export const MAX_EXPERIMENT_METRICS = 20;
/** A conversion window longer than the unit retention (90 days by default) could never be complete. */
const MAX_WINDOW_HOURS = 90 * 24;
const MAX_HYPOTHESIS_LENGTH = 2000;

function oneOf<T extends string>(c: Checker, v: unknown, path: string, name: string, allowed: readonly T[]): T | undefined {
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
  const hint = typeof v === 'string' ? suggestion(v, allowed).trim() : '';
  c.add(path, `"${name}" must be one of ${allowed.join(', ')}, got ${describe(v)}${hint === '' ? '' : `; ${hint}`}`);
  return undefined;
}

function eventName(c: Checker, v: unknown, path: string): string | undefined {
  if (typeof v !== 'string' || !METRIC_NAME.test(v)) {
    c.add(path, `"event" must be the name of a metric event as sent by client.track(name, …): 1–100 characters from A–Z, a–z, 0–9, "_", ".", ":", "-", got ${describe(v)}`);
    return undefined;
  }
  return v;
}

function number(c: Checker, o: Record<string, unknown>, path: string, name: string, min: number, max: number, what: string, integer = false): number | undefined {
  const v = own(o, name);
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= min || v > max || (integer && !Number.isInteger(v))) {
    c.add(field(path, name), `"${name}" must be ${integer ? 'an integer' : 'a number'} ${what}, got ${describe(v)}`);
    return undefined;
  }
  return v;
}

function checkAggregate(c: Checker, v: unknown, path: string, name: string): ExperimentMetricAggregate | undefined {
  if (!isObj(v)) {
    c.add(path, `"${name}" must be an object like { "event": "purchase", "aggregate": "sum" }, got ${describe(v)}`);
    return undefined;
  }
  c.fields(v, path, AGGREGATE_FIELDS, `a ratio's ${name}`);
  const event = eventName(c, own(v, 'event'), field(path, 'event'));
  const aggregate = oneOf(c, own(v, 'aggregate'), field(path, 'aggregate'), 'aggregate', AGGREGATES);
  return event === undefined || aggregate === undefined ? undefined : { event, aggregate };
}

function checkMetric(c: Checker, v: unknown, path: string): ExperimentMetric | undefined {
  if (!isObj(v)) {
    c.add(path, `a metric must be an object like { "type": "conversion", "event": "purchase", "windowHours": 72 }, got ${describe(v)}`);
    return undefined;
  }
  const before = c.problems.length;
  c.fields(v, path, METRIC_FIELDS, 'a metric');
  const type = oneOf(c, own(v, 'type'), field(path, 'type'), 'type', EXPERIMENT_METRIC_TYPES);
  const out: Partial<ExperimentMetric> = { type };
  const description = c.optionalString(v, path, 'description');
  if (description !== undefined) out.description = description;
  if (type === 'ratio') {
    for (const name of ['event', 'windowHours'] as const) {
      if (has(v, name)) c.add(field(path, name), `a ratio metric takes "numerator" and "denominator" instead of "${name}"`);
    }
    const numerator = checkAggregate(c, own(v, 'numerator'), field(path, 'numerator'), 'numerator');
    const denominator = checkAggregate(c, own(v, 'denominator'), field(path, 'denominator'), 'denominator');
    if (numerator !== undefined) out.numerator = numerator;
    if (denominator !== undefined) out.denominator = denominator;
  } else if (type !== undefined) {
    for (const name of ['numerator', 'denominator'] as const) {
      if (has(v, name)) c.add(field(path, name), `"${name}" belongs to ratio metrics only; a ${type} metric names one "event"`);
    }
    const event = eventName(c, own(v, 'event'), field(path, 'event'));
    if (event !== undefined) out.event = event;
    if (has(v, 'windowHours')) {
      if (type !== 'conversion') c.add(field(path, 'windowHours'), `"windowHours" belongs to conversion metrics only (a ${type} metric counts every event after the first exposure)`);
      else {
        const window = number(c, v, path, 'windowHours', 0, MAX_WINDOW_HOURS, `greater than 0 and at most ${MAX_WINDOW_HOURS} (90 days)`);
        if (window !== undefined) out.windowHours = window;
      }
    }
  }
  return c.problems.length === before ? (out as ExperimentMetric) : undefined;
}

function metricRef(c: Checker, v: unknown, path: string, keys: readonly string[], what: string): string | undefined {
  if (typeof v !== 'string') {
    c.add(path, `${what} must be the key of one of "metrics", got ${describe(v)}; known metrics: ${keys.map((k) => JSON.stringify(k)).join(', ')}`);
    return undefined;
  }
  if (!keys.includes(v)) {
    c.add(path, `unknown metric ${JSON.stringify(v)}; ${suggestion(v, keys)}known metrics: ${keys.map((k) => JSON.stringify(k)).join(', ')}`);
    return undefined;
  }
  return v;
}

function checkStatistics(c: Checker, v: unknown, path: string): ExperimentStatistics | undefined {
  if (!isObj(v)) {
    c.add(path, `"statistics" must be an object like { "method": "sequential", "alpha": 0.05, "correction": "holm" }, got ${describe(v)}`);
    return undefined;
  }
  const before = c.problems.length;
  c.fields(v, path, STATISTICS_FIELDS, 'experiment statistics');
  const out: ExperimentStatistics = {};
  if (has(v, 'method')) out.method = oneOf(c, own(v, 'method'), field(path, 'method'), 'method', EXPERIMENT_METHODS);
  if (has(v, 'correction')) out.correction = oneOf(c, own(v, 'correction'), field(path, 'correction'), 'correction', EXPERIMENT_CORRECTIONS);
  if (has(v, 'alpha')) out.alpha = number(c, v, path, 'alpha', 0, 0.5, 'greater than 0 and at most 0.5 (0.05 = 95 % confidence)');
  if (has(v, 'power')) {
    const p = number(c, v, path, 'power', 0, 1, 'greater than 0 and less than 1 (0.8 = 80 %)');
    if (p === 1) c.add(field(path, 'power'), '"power" must be less than 1 (0.8 = 80 %)');
    else out.power = p;
  }
  if (has(v, 'minimumDetectableEffect')) {
    out.minimumDetectableEffect = number(c, v, path, 'minimumDetectableEffect', 0, 10, 'greater than 0: the relative lift to detect (0.1 = +10 %)');
  }
  if (has(v, 'cupedLookbackDays')) {
    const days = own(v, 'cupedLookbackDays');
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 0 || days > 90) {
      c.add(field(path, 'cupedLookbackDays'), `"cupedLookbackDays" must be an integer from 0 (CUPED off) to 90, got ${describe(days)}`);
    } else out.cupedLookbackDays = days;
  }
  return c.problems.length === before ? out : undefined;
}

function isoDate(c: Checker, o: Record<string, unknown>, path: string, name: string): { text: string; ms: number } | undefined {
  const v = own(o, name);
  const ms = typeof v === 'string' ? parseIsoDate(v) : undefined;
  if (typeof v !== 'string' || ms === undefined) {
    c.add(field(path, name), `"${name}" must be an ISO-8601 date such as "2026-12-01" or "2026-12-01T09:00:00Z", got ${describe(v)}`);
    return undefined;
  }
  return { text: v, ms };
}

/**
 * A flag's `experiment`: `undefined` with problems added when invalid. `flag` gives the variants `control` may
 * name; `kind` is the flag's kind (an experiment needs `"kind": "experiment"`).
 */
export function checkExperiment(c: Checker, v: unknown, path: string, flag: FlagContext, kind: string | undefined): FlagExperiment | undefined {
  if (!isObj(v)) {
    c.add(path, `"experiment" must be an object like { "control": "control", "metrics": { … }, "primaryMetric": "…" }, got ${describe(v)}`);
    return undefined;
  }
  const before = c.problems.length;
  if (kind !== 'experiment') c.add(path, `"experiment" needs the flag's "kind" to be "experiment"${kind === undefined ? '' : `, not ${JSON.stringify(kind)}`}; add "kind": "experiment"`);
  c.fields(v, path, EXPERIMENT_FIELDS, 'an experiment');
  const out: Partial<FlagExperiment> = {};
  const hypothesis = c.optionalString(v, path, 'hypothesis');
  if (hypothesis !== undefined) {
    if (hypothesis.length > MAX_HYPOTHESIS_LENGTH) c.add(field(path, 'hypothesis'), `"hypothesis" may be at most ${MAX_HYPOTHESIS_LENGTH} characters`);
    else out.hypothesis = hypothesis;
  }
  if (flag.variantNames.length < 2) c.add(field(flag.path, 'variants'), 'an experiment compares variants: declare at least two');
  out.control = checkVariantRef(c, own(v, 'control'), field(path, 'control'), flag, '"control"');

  const metrics: Record<string, ExperimentMetric> = {};
  const raw = own(v, 'metrics');
  const mPath = field(path, 'metrics');
  if (!isObj(raw) || Object.keys(raw).length === 0) {
    c.add(mPath, `"metrics" must be a non-empty object of named metrics, e.g. { "purchase-rate": { "type": "conversion", "event": "purchase" } }, got ${describe(raw)}`);
  } else if (Object.keys(raw).length > MAX_EXPERIMENT_METRICS) {
    c.add(mPath, `an experiment may declare at most ${MAX_EXPERIMENT_METRICS} metrics; split it or drop some`);
  } else {
    for (const key of Object.keys(raw)) {
      const p = member(mPath, key);
      if (!KEY_PATTERN.test(key)) c.add(p, `metric key ${JSON.stringify(key)} is invalid: ${KEY_RULE}`);
      const metric = checkMetric(c, raw[key], p);
      if (metric !== undefined) metrics[key] = metric;
    }
  }
  const keys = isObj(raw) ? Object.keys(raw) : [];
  out.metrics = metrics;
  if (!has(v, 'primaryMetric')) c.add(field(path, 'primaryMetric'), `"primaryMetric" is required: the key of the metric the hypothesis is about${keys.length > 0 ? ` (one of ${keys.map((k) => JSON.stringify(k)).join(', ')})` : ''}`);
  else out.primaryMetric = metricRef(c, own(v, 'primaryMetric'), field(path, 'primaryMetric'), keys, '"primaryMetric"');
  if (has(v, 'guardrailMetrics')) {
    const g = own(v, 'guardrailMetrics');
    const gPath = field(path, 'guardrailMetrics');
    if (!Array.isArray(g)) c.add(gPath, `"guardrailMetrics" must be an array of metric keys, got ${describe(g)}`);
    else {
      const refs: string[] = [];
      g.forEach((item: unknown, i) => {
        const ref = metricRef(c, item, index(gPath, i), keys, 'a guardrail metric');
        if (ref === undefined) return;
        if (ref === out.primaryMetric) c.add(index(gPath, i), `${JSON.stringify(ref)} is the primary metric; a metric has one role`);
        else if (refs.includes(ref)) c.add(index(gPath, i), `metric ${JSON.stringify(ref)} is listed twice`);
        else refs.push(ref);
      });
      out.guardrailMetrics = refs;
    }
  }
  const startAt = has(v, 'startAt') ? isoDate(c, v, path, 'startAt') : undefined;
  const stopAt = has(v, 'stopAt') ? isoDate(c, v, path, 'stopAt') : undefined;
  if (startAt !== undefined) out.startAt = startAt.text;
  if (stopAt !== undefined) {
    if (startAt !== undefined && stopAt.ms <= startAt.ms) c.add(field(path, 'stopAt'), `"stopAt" must be later than "startAt" (${startAt.text})`);
    else out.stopAt = stopAt.text;
  }
  if (has(v, 'statistics')) {
    const statistics = checkStatistics(c, own(v, 'statistics'), field(path, 'statistics'));
    if (statistics !== undefined) out.statistics = statistics;
  }
  return c.problems.length === before ? (out as FlagExperiment) : undefined;
}

/**
 * The metric event names an experiment reads (what the flag service keeps per unit), sorted and distinct.
 *
 * @example
 * experimentEvents(flag.experiment); // ['purchase', 'session']
 */
export function experimentEvents(experiment: FlagExperiment): string[] {
  const names = new Set<string>();
  for (const metric of Object.values(experiment.metrics)) {
    if (metric.event !== undefined) names.add(metric.event);
    if (metric.numerator !== undefined) names.add(metric.numerator.event);
    if (metric.denominator !== undefined) names.add(metric.denominator.event);
  }
  return [...names].sort();
}
