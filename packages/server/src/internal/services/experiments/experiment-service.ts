import type { FlagDefinition, FlagExperiment, Serve } from '@halyard/core';
import { NotFoundError } from '../../errors';
import type { ExperimentStore, MetricSource, UnitSampleQuery, VariantSums } from '../../store/experiment-store';
import type { EnvironmentService } from '../environment-service';
import type { ResourceService } from '../resource-service';
import { type MetricResult, type ResolvedStatistics, type SrmResult, analyseMetric, correct, resolveStatistics, srm } from './analysis';

/**
 * Experiment results (docs/experiments.md): for a flag that declares an `experiment`, per metric × variant the
 * units, the value, the lift with its interval, the p-value (or chance to win and expected loss), p-values
 * adjusted across metrics × variants, SRM against the configured split, "needs N more units", and the exposures
 * per day. Reads are a few statements over the event aggregates, each under the database's statement timeout.
 */

export type ExperimentStatus = 'draft' | 'running' | 'stopped';

export interface ExperimentSummary {
  flag: string;
  status: ExperimentStatus;
  hypothesis?: string;
  startAt?: string;
  stopAt?: string;
  primaryMetric: string;
  /** Units in the analysis (first exposed since startAt, to one variant only). */
  units: number;
  srmFlagged: boolean;
}

export interface ExperimentResults {
  flag: string;
  env: string;
  status: ExperimentStatus;
  hypothesis?: string;
  control: string;
  startAt?: string;
  stopAt?: string;
  computedAt: string;
  method: ResolvedStatistics['method'];
  alpha: number;
  correction: ResolvedStatistics['correction'];
  srm: SrmResult;
  /** Units exposed to more than one variant: excluded from every metric. */
  multipleExposures: number;
  metrics: MetricResult[];
  timeline: Array<{ day: string; variant: string; exposures: number }>;
}

const MINUTE_MS = 60_000;
const DAY_S = 24 * 60 * 60;
/** At most this many experiments are listed per environment (each costs one small query). */
export const MAX_LISTED_EXPERIMENTS = 200;

/** An experiment's state at `now`: a draft until `startAt`, stopped from `stopAt` on. */
export function experimentStatus(experiment: FlagExperiment, now: number): ExperimentStatus {
  if (experiment.startAt === undefined || Date.parse(experiment.startAt) > now) return 'draft';
  if (experiment.stopAt !== undefined && Date.parse(experiment.stopAt) <= now) return 'stopped';
  return 'running';
}

/**
 * The configured split's weights per variant: the default serve's split, else the first rule's split. Without a
 * split, every variant weighs the same (SRM then tests an even split).
 */
export function splitWeights(flag: FlagDefinition): Map<string, number> {
  const splitOf = (serve: Serve | undefined) => (serve !== undefined && 'split' in serve ? serve.split : undefined);
  const split = splitOf(flag.defaultServe) ?? flag.rules?.map((rule) => splitOf(rule.serve)).find((s) => s !== undefined);
  const weights = new Map<string, number>();
  if (split === undefined) {
    for (const variant of Object.keys(flag.variants)) weights.set(variant, 1);
    return weights;
  }
  for (const slice of split) weights.set(slice.variant, (weights.get(slice.variant) ?? 0) + (slice.weight ?? slice.percentage ?? 0));
  return weights;
}

function window(experiment: FlagExperiment, now: number): { start: Date; stop: Date } {
  const start = experiment.startAt === undefined ? new Date(0) : new Date(Date.parse(experiment.startAt));
  const end = experiment.stopAt === undefined ? now : Math.min(now, Date.parse(experiment.stopAt));
  // Up to the end of the current minute: minute rows are stamped with their start.
  const stop = new Date(end - (end % MINUTE_MS) + MINUTE_MS);
  return { start, stop: stop.getTime() > start.getTime() ? stop : new Date(start.getTime() + MINUTE_MS) };
}

const roleOf = (experiment: FlagExperiment, key: string): MetricResult['role'] =>
  key === experiment.primaryMetric ? 'primary' : experiment.guardrailMetrics?.includes(key) === true ? 'guardrail' : 'secondary';

export class ExperimentService {
  constructor(
    private readonly store: ExperimentStore,
    private readonly resources: ResourceService,
    private readonly environments: EnvironmentService,
    private readonly now: () => number = Date.now,
  ) {}

  /** Every flag of `env` that declares an experiment, with its status, units and SRM flag. */
  async list(env: string): Promise<ExperimentSummary[]> {
    await this.environments.get(env);
    const now = this.now();
    const flags = (await this.store.experimentFlags(env)).slice(0, MAX_LISTED_EXPERIMENTS);
    const out: ExperimentSummary[] = [];
    for (const { key, experiment } of flags) {
      const definition = (await this.resources.get<FlagDefinition>('flag', env, key).catch(() => undefined))?.definition;
      if (definition === undefined) continue;
      const { start, stop } = window(experiment, now);
      const units = await this.store.units(env, key, start, stop);
      const analysed = new Map(units.map((u) => [u.variant, u.units - u.multiple]));
      out.push({
        flag: key,
        status: experimentStatus(experiment, now),
        ...(experiment.hypothesis === undefined ? {} : { hypothesis: experiment.hypothesis }),
        ...(experiment.startAt === undefined ? {} : { startAt: experiment.startAt }),
        ...(experiment.stopAt === undefined ? {} : { stopAt: experiment.stopAt }),
        primaryMetric: experiment.primaryMetric,
        units: [...analysed.values()].reduce((a, b) => a + b, 0),
        srmFlagged: srm(analysed, splitWeights(definition)).flagged,
      });
    }
    return out;
  }

  /** The results of `flag`'s experiment in `env`; NotFoundError when the flag declares none. */
  async results(env: string, flag: string): Promise<ExperimentResults> {
    await this.environments.get(env);
    const { definition } = await this.resources.get<FlagDefinition>('flag', env, flag);
    const experiment = definition.experiment;
    if (experiment === undefined) {
      throw new NotFoundError(`Experiment of flag "${flag}" in environment "${env}" (the flag declares none: add an "experiment" block with "kind": "experiment", see docs/experiments.md)`);
    }
    const now = this.now();
    const statistics = resolveStatistics(experiment.statistics);
    const { start, stop } = window(experiment, now);
    const weights = splitWeights(definition);
    const [units, timeline] = await Promise.all([this.store.units(env, flag, start, stop), this.store.timeline(env, flag, start, stop)]);
    const analysed = new Map(units.map((u) => [u.variant, u.units - u.multiple]));
    const variants = [...new Set([experiment.control, ...[...weights.keys()].filter((v) => (weights.get(v) ?? 0) > 0), ...analysed.keys()])].filter((v) => v in definition.variants);

    const metrics: MetricResult[] = [];
    // One statement per metric, one after another: a results read holds at most one connection.
    for (const [key, metric] of Object.entries(experiment.metrics)) {
      const query = this.sampleQuery(env, flag, start, stop, metric, statistics);
      const sums = new Map<string, VariantSums>((await this.store.unitSamples(query)).map((row) => [row.variant, row]));
      metrics.push(analyseMetric({ key, metric, role: roleOf(experiment, key), sums }, variants, experiment.control, statistics));
    }
    // Primary first, then secondary, then guardrails (the order people read them in).
    const order = { primary: 0, secondary: 1, guardrail: 2 } as const;
    metrics.sort((a, b) => order[a.role] - order[b.role]);
    correct(metrics, statistics);

    return {
      flag,
      env,
      status: experimentStatus(experiment, now),
      ...(experiment.hypothesis === undefined ? {} : { hypothesis: experiment.hypothesis }),
      control: experiment.control,
      ...(experiment.startAt === undefined ? {} : { startAt: experiment.startAt }),
      ...(experiment.stopAt === undefined ? {} : { stopAt: experiment.stopAt }),
      computedAt: new Date(now).toISOString(),
      method: statistics.method,
      alpha: statistics.alpha,
      correction: statistics.correction,
      srm: srm(analysed, weights),
      multipleExposures: units.reduce((a, u) => a + u.multiple, 0),
      metrics,
      timeline,
    };
  }

  private sampleQuery(env: string, flag: string, start: Date, stop: Date, metric: FlagExperiment['metrics'][string], s: ResolvedStatistics): UnitSampleQuery {
    const base = { env, flag, start, stop };
    if (metric.type === 'ratio') {
      const source = (side: NonNullable<typeof metric.numerator>): MetricSource => ({ name: side.event, aggregate: side.aggregate });
      return { ...base, y: source(metric.numerator!), x: { kind: 'post', source: source(metric.denominator!) } };
    }
    const aggregate: MetricSource['aggregate'] = metric.type === 'conversion' ? 'any' : metric.type === 'count' ? 'count' : metric.type === 'sum' ? 'sum' : 'mean';
    const pre = s.cupedLookbackDays > 0 && metric.type !== 'mean';
    return {
      ...base,
      y: { name: metric.event!, aggregate },
      x: pre ? { kind: 'pre', lookbackSeconds: s.cupedLookbackDays * DAY_S } : { kind: 'none' },
      windowSeconds: metric.type === 'conversion' && metric.windowHours !== undefined ? metric.windowHours * 3600 : undefined,
    };
  }
}
