import { describe, expect, it } from 'vitest';
import type { VariantWindow } from '../events/metrics';
import { decideStep, evaluateGuardrail, type GuardrailInput } from './guardrails';

const variant = (name: string, successes: number, errors: number, p99: number | null = null): VariantWindow => ({
  variant: name,
  exposures: successes + errors,
  uniqueUnits: successes + errors,
  multipleVariantUnits: 0,
  successes,
  errors,
  errorRate: successes + errors === 0 ? null : errors / (successes + errors),
  latency: { count: p99 === null ? 0 : successes + errors, sum: 0, min: null, max: null, mean: null, percentiles: { p50: null, p90: null, p99 }, sketch: undefined },
});
const input = (treatment?: VariantWindow, control?: VariantWindow, extra: Partial<GuardrailInput> = {}): GuardrailInput => ({ treatment, control, exposures: 0, metrics: [], ...extra });

describe('guardrail decisions', () => {
  const errorRate = { kind: 'error-rate', max: 0.02, minOutcomes: 100 } as const;

  it('holds below the minimum sample however bad the small sample looks', () => {
    expect(evaluateGuardrail(errorRate, input(variant('on', 2, 1)))).toMatchObject({ status: 'insufficient', value: 1 / 3, sample: 3, minSample: 100 });
    expect(evaluateGuardrail(errorRate, input(undefined))).toMatchObject({ status: 'insufficient', value: null, sample: 0 });
    expect(evaluateGuardrail(errorRate, input(variant('on', 98, 1)))).toMatchObject({ status: 'insufficient' });
  });

  it('decides at the minimum sample: 5 % errors breach 2 %, 1 % does not', () => {
    expect(evaluateGuardrail(errorRate, input(variant('on', 95, 5)))).toMatchObject({ status: 'breach', value: 0.05, threshold: 0.02, sample: 100 });
    expect(evaluateGuardrail(errorRate, input(variant('on', 99, 1)))).toMatchObject({ status: 'ok', value: 0.01 });
    expect(evaluateGuardrail(errorRate, input(variant('on', 98, 2)))).toMatchObject({ status: 'ok', value: 0.02 });
  });

  it('relative error rate: ≤ control × factor + margin, and the control needs its sample too', () => {
    const g = { kind: 'relative-error-rate', factor: 1.5, margin: 0.005, minOutcomes: 50 } as const;
    expect(evaluateGuardrail(g, input(variant('on', 90, 10), variant('off', 5, 0)))).toMatchObject({ status: 'insufficient', sample: 5 });
    expect(evaluateGuardrail(g, input(variant('on', 96, 4), variant('off', 97, 3)))).toMatchObject({ status: 'ok', threshold: 0.03 * 1.5 + 0.005 });
    expect(evaluateGuardrail(g, input(variant('on', 90, 10), variant('off', 97, 3)))).toMatchObject({ status: 'breach', value: 0.1 });
  });

  it('latency percentile from the sketch', () => {
    const g = { kind: 'latency', percentile: 'p99', maxMs: 250, minOutcomes: 20 } as const;
    expect(evaluateGuardrail(g, input(variant('on', 10, 0, 900)))).toMatchObject({ status: 'insufficient' });
    expect(evaluateGuardrail(g, input(variant('on', 30, 0, 900)))).toMatchObject({ status: 'breach', value: 900, threshold: 250 });
    expect(evaluateGuardrail(g, input(variant('on', 30, 0, 120)))).toMatchObject({ status: 'ok' });
  });

  it('custom metrics per exposure, mean per valued event, with min and max', () => {
    const metrics = [{ name: 'purchase', count: 30, valueCount: 30, sum: 1500 }];
    const perExposure = { kind: 'metric', name: 'purchase', aggregate: 'count', min: 0.05, minExposures: 100 } as const;
    expect(evaluateGuardrail(perExposure, input(undefined, undefined, { exposures: 50, metrics }))).toMatchObject({ status: 'insufficient' });
    expect(evaluateGuardrail(perExposure, input(undefined, undefined, { exposures: 1000, metrics }))).toMatchObject({ status: 'breach', value: 0.03 });
    expect(evaluateGuardrail(perExposure, input(undefined, undefined, { exposures: 300, metrics }))).toMatchObject({ status: 'ok', value: 0.1 });
    const mean = { kind: 'metric', name: 'purchase', aggregate: 'mean', max: 40, minExposures: 10 } as const;
    expect(evaluateGuardrail(mean, input(undefined, undefined, { metrics }))).toMatchObject({ status: 'breach', value: 50 });
  });

  it('a step decision: breach first, then hold on missing data or an unfinished hold, else advance', () => {
    const ok = evaluateGuardrail(errorRate, input(variant('on', 99, 1)));
    const short = evaluateGuardrail(errorRate, input(variant('on', 9, 1)));
    const bad = evaluateGuardrail(errorRate, input(variant('on', 90, 10)));
    expect(decideStep([ok, bad], false)).toBe('breach');
    expect(decideStep([ok, short], true)).toBe('hold');
    expect(decideStep([ok], false)).toBe('hold');
    expect(decideStep([ok], true)).toBe('advance');
    expect(decideStep([], true)).toBe('advance');
  });
});
