import type { ExperimentMetric, ExperimentStatistics } from '@halyard/core';
import {
  type Estimate,
  type Lift,
  type MeanSample,
  type TestResult,
  bayesMeans,
  bayesProportions,
  benjaminiHochberg,
  cuped,
  holm,
  meanSampleSize,
  meanTest,
  proportionTest,
  sampleRatioMismatch,
  sampleSize,
  sequentialMeanTest,
  sequentialProportionTest,
} from '@halyard/stats';
import type { VariantSums } from '../../store/experiment-store';

/**
 * The statistics of experiment results, from per-variant sums to the numbers people read: pure functions over the
 * store's sums, so they are tested without a database. Every test is `@halyard/stats` (docs/experiments.md says
 * what each number means); this module only picks the test for the metric type and method, applies CUPED when
 * pre-exposure values exist, corrects p-values across metrics × variants and tests the split (SRM).
 */

export const DEFAULT_ALPHA = 0.05;
export const DEFAULT_POWER = 0.8;
export const DEFAULT_MDE = 0.1;
export const DEFAULT_CUPED_LOOKBACK_DAYS = 14;
/** SRM is flagged below this p-value (issue #11: p < 0.001). */
export const SRM_THRESHOLD = 0.001;

export interface ResolvedStatistics {
  method: 'frequentist' | 'sequential' | 'bayesian';
  alpha: number;
  correction: 'holm' | 'bh' | 'none';
  power: number;
  minimumDetectableEffect: number;
  cupedLookbackDays: number;
}

export function resolveStatistics(s: ExperimentStatistics | undefined): ResolvedStatistics {
  return {
    method: s?.method ?? 'frequentist',
    alpha: s?.alpha ?? DEFAULT_ALPHA,
    correction: s?.correction ?? 'holm',
    power: s?.power ?? DEFAULT_POWER,
    minimumDetectableEffect: s?.minimumDetectableEffect ?? DEFAULT_MDE,
    cupedLookbackDays: s?.cupedLookbackDays ?? DEFAULT_CUPED_LOOKBACK_DAYS,
  };
}

export interface VariantResult {
  variant: string;
  units: number;
  /** Conversion rate, events or value per unit, mean value, or the ratio. */
  value: number;
  lift?: Lift;
  pValue?: number;
  adjustedPValue?: number;
  chanceToWin?: number;
  expectedLoss?: number;
  significant?: boolean;
  needsMoreUnits?: number;
}

export interface MetricResult {
  key: string;
  type: ExperimentMetric['type'];
  role: 'primary' | 'secondary' | 'guardrail';
  event?: string;
  /** CUPED was applied: the pooled θ and the share of variance it removed. */
  cuped?: { theta: number; varianceReduction: number };
  variants: VariantResult[];
}

export interface SrmResult {
  pValue: number;
  flagged: boolean;
  observed: Record<string, number>;
  expected: Record<string, number>;
}

const finite = (x: number): boolean => Number.isFinite(x);
const finiteEstimate = (e: Estimate): boolean => finite(e.estimate) && finite(e.ci[0]) && finite(e.ci[1]);
const finiteLift = (lift: Lift): Lift | undefined => (finiteEstimate(lift.absolute) && finiteEstimate(lift.relative) ? lift : undefined);

function meanSample(sums: VariantSums): MeanSample {
  const mean = sums.n === 0 ? 0 : sums.sumY / sums.n;
  const variance = sums.n < 2 ? 0 : Math.max(0, (sums.sumY2 - sums.n * mean * mean) / (sums.n - 1));
  return { n: sums.n, mean, sd: Math.sqrt(variance) };
}

/**
 * A ratio of two per-unit aggregates across units (Σnumerator / Σdenominator) as a mean sample whose standard
 * error is the delta method's: Var(R) ≈ (s²ᵧ − 2R·sᵧₓ + R²·s²ₓ) / (n·x̄²). The mean tests then compare ratios.
 */
function ratioSample(sums: VariantSums): MeanSample | undefined {
  const { n } = sums;
  if (n < 2 || sums.sumX === 0) return undefined;
  const my = sums.sumY / n;
  const mx = sums.sumX / n;
  const ratio = sums.sumY / sums.sumX;
  const vy = (sums.sumY2 - n * my * my) / (n - 1);
  const vx = (sums.sumX2 - n * mx * mx) / (n - 1);
  const cxy = (sums.sumXY - n * mx * my) / (n - 1);
  const variance = Math.max(0, (vy - 2 * ratio * cxy + ratio * ratio * vx) / (mx * mx));
  return { n, mean: ratio, sd: Math.sqrt(variance) };
}

/** The value of a metric for one variant (what the results' `value` says). */
export function metricValue(type: ExperimentMetric['type'], sums: VariantSums): number {
  if (type === 'ratio') return sums.sumX === 0 ? 0 : sums.sumY / sums.sumX;
  return sums.n === 0 ? 0 : sums.sumY / sums.n;
}

interface Comparison {
  lift?: Lift;
  pValue?: number;
  chanceToWin?: number;
  expectedLoss?: number;
}

/** A library call that refuses its input (n < 2, a zero control) yields no comparison rather than an error. */
function attempt<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

function compareMeans(control: MeanSample, treatment: MeanSample, s: ResolvedStatistics): Comparison | undefined {
  if (control.n < 2 || treatment.n < 2) return undefined;
  const test = (): TestResult => (s.method === 'sequential' ? sequentialMeanTest(control, treatment, { alpha: s.alpha }) : meanTest(control, treatment, { alpha: s.alpha }));
  const frequentist = attempt(test);
  if (s.method === 'bayesian') {
    const bayes = attempt(() => bayesMeans(control, treatment, { credibility: 1 - s.alpha }));
    if (bayes === undefined) return undefined;
    const lift = frequentist === undefined ? undefined : finiteLift({ absolute: frequentist.lift.absolute, relative: bayes.relative });
    return { ...(lift ? { lift } : {}), chanceToWin: bayes.chanceToBeatControl, expectedLoss: bayes.expectedLoss.treatment };
  }
  if (frequentist === undefined || !finite(frequentist.pValue)) return undefined;
  const lift = finiteLift(frequentist.lift);
  return { ...(lift ? { lift } : {}), pValue: frequentist.pValue };
}

function compareProportions(control: VariantSums, treatment: VariantSums, s: ResolvedStatistics): Comparison | undefined {
  if (control.n === 0 || treatment.n === 0) return undefined;
  const c = { n: control.n, conversions: control.sumY };
  const t = { n: treatment.n, conversions: treatment.sumY };
  const frequentist = attempt(() => (s.method === 'sequential' ? sequentialProportionTest(c, t, { alpha: s.alpha }) : proportionTest(c, t, { alpha: s.alpha })));
  if (s.method === 'bayesian') {
    const bayes = attempt(() => bayesProportions(c, t, { credibility: 1 - s.alpha }));
    if (bayes === undefined) return undefined;
    const lift = frequentist === undefined ? undefined : finiteLift({ absolute: frequentist.lift.absolute, relative: bayes.relative });
    return { ...(lift ? { lift } : {}), chanceToWin: bayes.chanceToBeatControl, expectedLoss: bayes.expectedLoss.treatment };
  }
  if (frequentist === undefined || !finite(frequentist.pValue)) return undefined;
  const lift = finiteLift(frequentist.lift);
  return { ...(lift ? { lift } : {}), pValue: frequentist.pValue };
}

/** Units still needed per variant for the configured power at the minimum detectable effect (0 when enough). */
function needsMore(type: ExperimentMetric['type'], control: VariantSums, treatment: VariantSums, s: ResolvedStatistics): number | undefined {
  const have = Math.min(control.n, treatment.n);
  let perVariant: number | undefined;
  if (type === 'conversion') {
    const baseline = control.n === 0 ? 0 : control.sumY / control.n;
    if (baseline <= 0 || baseline >= 1 || baseline * (1 + s.minimumDetectableEffect) >= 1) return undefined;
    perVariant = attempt(() => sampleSize({ baseline, mde: s.minimumDetectableEffect, mdeType: 'relative', alpha: s.alpha, power: s.power }).perVariant);
  } else {
    const sample = type === 'ratio' ? ratioSample(control) : meanSample(control);
    if (sample === undefined || sample.mean === 0 || sample.sd === 0) return undefined;
    perVariant = attempt(() => meanSampleSize({ sd: sample.sd, mde: Math.abs(sample.mean) * s.minimumDetectableEffect, alpha: s.alpha, power: s.power }).perVariant);
  }
  return perVariant === undefined ? undefined : Math.max(0, perVariant - have);
}

export interface MetricInput {
  key: string;
  metric: ExperimentMetric;
  role: MetricResult['role'];
  /** Per variant; X is the pre-exposure value (CUPED) or, for ratios, the denominator. */
  sums: Map<string, VariantSums>;
}

/** One metric, every variant against `control` (p-values not yet corrected: see {@link correct}). */
export function analyseMetric(input: MetricInput, variants: readonly string[], control: string, s: ResolvedStatistics): MetricResult {
  const { metric } = input;
  const empty = (variant: string): VariantSums => ({ variant, n: 0, sumY: 0, sumY2: 0, sumX: 0, sumX2: 0, sumXY: 0 });
  const sums = (variant: string): VariantSums => input.sums.get(variant) ?? empty(variant);
  const out: MetricResult = { key: input.key, type: metric.type, role: input.role, ...(metric.event === undefined ? {} : { event: metric.event }), variants: [] };

  // CUPED: one pooled θ over every variant, only when some unit has a pre-exposure value.
  let adjusted: Map<string, MeanSample> | undefined;
  const cupedApplies = metric.type !== 'ratio' && metric.type !== 'mean' && s.cupedLookbackDays > 0 && variants.every((v) => sums(v).n >= 2) && variants.some((v) => sums(v).sumX2 > 0);
  if (cupedApplies) {
    const result = attempt(() => cuped(variants.map((v) => sums(v))));
    if (result !== undefined && finite(result.theta)) {
      adjusted = new Map(variants.map((v, i) => [v, result.adjusted[i]!]));
      out.cuped = { theta: result.theta, varianceReduction: result.varianceReduction };
    }
  }

  for (const variant of variants) {
    const mine = sums(variant);
    const row: VariantResult = { variant, units: mine.n, value: metricValue(metric.type, mine) };
    if (variant !== control) {
      const theirs = sums(control);
      let comparison: Comparison | undefined;
      if (adjusted !== undefined) comparison = compareMeans(adjusted.get(control)!, adjusted.get(variant)!, s);
      else if (metric.type === 'conversion') comparison = compareProportions(theirs, mine, s);
      else if (metric.type === 'ratio') {
        const c = ratioSample(theirs);
        const t = ratioSample(mine);
        comparison = c && t ? compareMeans(c, t, s) : undefined;
      } else comparison = compareMeans(meanSample(theirs), meanSample(mine), s);
      if (comparison !== undefined) Object.assign(row, comparison);
      if (s.method === 'bayesian' && row.chanceToWin !== undefined) row.significant = row.chanceToWin >= 1 - s.alpha || row.chanceToWin <= s.alpha;
      const more = needsMore(metric.type, theirs, mine, s);
      if (more !== undefined) row.needsMoreUnits = more;
    }
    out.variants.push(row);
  }
  return out;
}

/** Adjusts every p-value across metrics × variants (Holm, Benjamini–Hochberg or none) and sets `significant`. */
export function correct(metrics: MetricResult[], s: ResolvedStatistics): void {
  const rows = metrics.flatMap((m) => m.variants.filter((v) => v.pValue !== undefined));
  if (rows.length === 0) return;
  const p = rows.map((r) => r.pValue!);
  const adjusted = s.correction === 'holm' ? holm(p, { alpha: s.alpha }).adjusted : s.correction === 'bh' ? benjaminiHochberg(p, { q: s.alpha }).adjusted : p;
  rows.forEach((row, i) => {
    row.adjustedPValue = adjusted[i]!;
    row.significant = adjusted[i]! < s.alpha;
  });
}

/**
 * The split's sample ratio mismatch: χ² of the analysed units per variant against the configured weights;
 * flagged at p < 0.001. Fewer than two weighted variants, or no units, is "not flagged" with p = 1.
 */
export function srm(observed: Map<string, number>, weights: Map<string, number>): SrmResult {
  const variants = [...weights.keys()].filter((v) => (weights.get(v) ?? 0) > 0);
  const counts = variants.map((v) => observed.get(v) ?? 0);
  const total = counts.reduce((a, b) => a + b, 0);
  const result = variants.length >= 2 && total > 0 ? attempt(() => sampleRatioMismatch(counts, variants.map((v) => weights.get(v)!), { threshold: SRM_THRESHOLD })) : undefined;
  const observedOut: Record<string, number> = {};
  const expectedOut: Record<string, number> = {};
  const weightSum = variants.reduce((a, v) => a + weights.get(v)!, 0);
  variants.forEach((v, i) => {
    observedOut[v] = counts[i]!;
    expectedOut[v] = result?.expected[i] ?? (total * weights.get(v)!) / weightSum;
  });
  return { pValue: result?.pValue ?? 1, flagged: result?.mismatch ?? false, observed: observedOut, expected: expectedOut };
}
