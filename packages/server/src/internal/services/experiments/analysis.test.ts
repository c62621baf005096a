import { proportionTest, sequentialProportionTest } from '@halyard/stats';
import { describe, expect, it } from 'vitest';
import type { VariantSums } from '../../store/experiment-store';
import { analyseMetric, correct, resolveStatistics, srm } from './analysis';
import { experimentStatus, splitWeights } from './experiment-service';

const conversions = (variant: string, n: number, converted: number): VariantSums => ({ variant, n, sumY: converted, sumY2: converted, sumX: 0, sumX2: 0, sumXY: 0 });
const input = (control: VariantSums, treatment: VariantSums) => ({
  key: 'rate',
  metric: { type: 'conversion' as const, event: 'purchase' },
  role: 'primary' as const,
  sums: new Map([
    ['control', control],
    ['treatment', treatment],
  ]),
});

describe('experiment analysis', () => {
  const data = input(conversions('control', 10_000, 1000), conversions('treatment', 10_000, 1100));

  it('uses the fixed-horizon or the sequential test by method', () => {
    const fixed = analyseMetric(data, ['control', 'treatment'], 'control', resolveStatistics(undefined)).variants[1]!;
    const sequential = analyseMetric(data, ['control', 'treatment'], 'control', resolveStatistics({ method: 'sequential' })).variants[1]!;
    const c = { n: 10_000, conversions: 1000 };
    const t = { n: 10_000, conversions: 1100 };
    expect(fixed.pValue).toBeCloseTo(proportionTest(c, t).pValue, 12);
    expect(sequential.pValue).toBeCloseTo(sequentialProportionTest(c, t).pValue, 12);
    expect(sequential.pValue).not.toBeCloseTo(fixed.pValue!, 6);
    expect(fixed.lift!.relative.estimate).toBeCloseTo(0.1, 12);
    expect(fixed.chanceToWin).toBeUndefined();
  });

  it('gives chance to win and expected loss for the Bayesian method, and no p-value', () => {
    const bayes = analyseMetric(data, ['control', 'treatment'], 'control', resolveStatistics({ method: 'bayesian' })).variants[1]!;
    expect(bayes.pValue).toBeUndefined();
    expect(bayes.chanceToWin).toBeGreaterThan(0.98);
    expect(bayes.expectedLoss).toBeGreaterThanOrEqual(0);
    expect(bayes.significant).toBe(true);
  });

  it('corrects p-values across metrics × variants (Holm, BH, none)', () => {
    const s = (correction: 'holm' | 'bh' | 'none') => resolveStatistics({ correction });
    const metrics = () => [analyseMetric(data, ['control', 'treatment'], 'control', s('none')), analyseMetric(input(conversions('control', 1000, 100), conversions('treatment', 1000, 104)), ['control', 'treatment'], 'control', s('none'))];
    const none = metrics();
    correct(none, s('none'));
    expect(none[1]!.variants[1]!.adjustedPValue).toBe(none[1]!.variants[1]!.pValue);
    const holm = metrics();
    correct(holm, s('holm'));
    expect(holm[0]!.variants[1]!.adjustedPValue).toBeCloseTo(2 * holm[0]!.variants[1]!.pValue!, 12);
    expect(holm[0]!.variants[0]!.adjustedPValue).toBeUndefined();
  });

  it('tests the split against the configured weights and flags p < 0.001', () => {
    const weights = splitWeights({ variants: { a: 1, b: 2 }, enabled: true, defaultServe: { split: [{ variant: 'a', weight: 90 }, { variant: 'b', weight: 10 }] } });
    expect([...weights]).toEqual([['a', 90], ['b', 10]]);
    expect(srm(new Map([['a', 9000], ['b', 1000]]), weights)).toMatchObject({ flagged: false, expected: { a: 9000, b: 1000 } });
    expect(srm(new Map([['a', 5000], ['b', 5000]]), weights).flagged).toBe(true);
    expect(srm(new Map(), weights)).toMatchObject({ flagged: false, pValue: 1 });
  });

  it('derives the status from startAt and stopAt', () => {
    const e = { control: 'a', metrics: {}, primaryMetric: 'm' };
    expect(experimentStatus(e, 0)).toBe('draft');
    expect(experimentStatus({ ...e, startAt: '2026-01-01' }, Date.parse('2026-02-01'))).toBe('running');
    expect(experimentStatus({ ...e, startAt: '2026-01-01', stopAt: '2026-01-15' }, Date.parse('2026-02-01'))).toBe('stopped');
  });
});
