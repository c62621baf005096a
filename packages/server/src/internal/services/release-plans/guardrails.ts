import type { MetricTotals, VariantWindow } from '../events/metrics';
import type { Guardrail, GuardrailResult } from './model';

/** What one evaluation of a step reads: the rolled-out and the control variant over the step's window, and metrics. */
export interface GuardrailInput {
  treatment: VariantWindow | undefined;
  control: VariantWindow | undefined;
  /** Exposures of the flag (all variants) in the window: the denominator of metric guardrails. */
  exposures: number;
  metrics: readonly MetricTotals[];
}

const outcomes = (v: VariantWindow | undefined): number => (v === undefined ? 0 : v.successes + v.errors);
const rate = (v: VariantWindow | undefined): number | null => (v === undefined || outcomes(v) === 0 ? null : v.errors / outcomes(v));

function result(guardrail: Guardrail, value: number | null, threshold: number | null, sample: number, minSample: number, breach: boolean): GuardrailResult {
  return { guardrail, status: sample < minSample || value === null ? 'insufficient' : breach ? 'breach' : 'ok', value, threshold, sample, minSample };
}

/**
 * One guardrail's verdict. Below its minimum sample the verdict is `insufficient` (the plan holds), whatever the
 * observed value: a small sample's rate is noise, and acting on it would roll back healthy releases (one error in
 * the first three requests is a 33 % error rate). At or above it, the observed value is compared with the threshold.
 *
 * @example
 * evaluateGuardrail({ kind: 'error-rate', max: 0.02, minOutcomes: 100 }, input); // { status: 'breach', value: 0.05, threshold: 0.02, … }
 */
export function evaluateGuardrail(guardrail: Guardrail, input: GuardrailInput): GuardrailResult {
  switch (guardrail.kind) {
    case 'error-rate': {
      const value = rate(input.treatment);
      return result(guardrail, value, guardrail.max, outcomes(input.treatment), guardrail.minOutcomes, value !== null && value > guardrail.max);
    }
    case 'relative-error-rate': {
      const value = rate(input.treatment);
      const control = rate(input.control);
      // The control needs its sample too: otherwise its rate (often 0 with few outcomes) makes any error a breach.
      const sample = Math.min(outcomes(input.treatment), outcomes(input.control));
      const threshold = control === null ? null : control * guardrail.factor + guardrail.margin;
      return result(guardrail, value, threshold, sample, guardrail.minOutcomes, value !== null && threshold !== null && value > threshold);
    }
    case 'latency': {
      const value = input.treatment?.latency.percentiles[guardrail.percentile] ?? null;
      return result(guardrail, value, guardrail.maxMs, input.treatment?.latency.count ?? 0, guardrail.minOutcomes, value !== null && value > guardrail.maxMs);
    }
    case 'metric': {
      const totals = input.metrics.find((m) => m.name === guardrail.name);
      const count = totals?.count ?? 0;
      const sum = totals?.sum ?? 0;
      const valueCount = totals?.valueCount ?? 0;
      const value =
        guardrail.aggregate === 'mean' ? (valueCount === 0 ? null : sum / valueCount) : input.exposures === 0 ? null : (guardrail.aggregate === 'count' ? count : sum) / input.exposures;
      const sample = guardrail.aggregate === 'mean' ? valueCount : input.exposures;
      const breach = value !== null && ((guardrail.max !== undefined && value > guardrail.max) || (guardrail.min !== undefined && value < guardrail.min));
      return result(guardrail, value, guardrail.max ?? guardrail.min ?? null, sample, guardrail.minExposures, breach);
    }
  }
}

export type StepDecision = 'breach' | 'hold' | 'advance';

/**
 * The decision of one evaluation tick: any breach (with its sample) → `breach`; else insufficient data or the hold
 * not yet elapsed → `hold`; else `advance`.
 */
export function decideStep(results: readonly GuardrailResult[], holdElapsed: boolean): StepDecision {
  if (results.some((r) => r.status === 'breach')) return 'breach';
  if (!holdElapsed || results.some((r) => r.status === 'insufficient')) return 'hold';
  return 'advance';
}
