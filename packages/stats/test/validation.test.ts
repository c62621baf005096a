// Every export rejects NaN, negative and empty inputs with a RangeError that names the argument.
import { describe, expect, it } from 'vitest';
import * as stats from '../src/index';

const good = { proportion: { n: 100, conversions: 10 }, mean: { n: 100, mean: 1, sd: 1 } };
const cupedSample = { n: 10, sumY: 10, sumY2: 20, sumX: 10, sumX2: 20, sumXY: 15 };

const cases: [string, () => unknown, RegExp][] = [
  ['proportionTest n = 0', () => stats.proportionTest({ n: 0, conversions: 0 }, good.proportion), /control\.n must be > 0, got 0/],
  ['proportionTest NaN', () => stats.proportionTest(good.proportion, { n: 10, conversions: Number.NaN }), /treatment\.conversions must be a finite number, got NaN/],
  ['proportionTest conversions > n', () => stats.proportionTest({ n: 10, conversions: 11 }, good.proportion), /control\.conversions must be ≤ control\.n/],
  ['proportionTest negative', () => stats.proportionTest({ n: 10, conversions: -1 }, good.proportion), /control\.conversions must be ≥ 0, got -1/],
  ['proportionTest alpha', () => stats.proportionTest(good.proportion, good.proportion, { alpha: 1 }), /o\.alpha must be between 0 and 1/],
  ['meanTest n = 1', () => stats.meanTest({ n: 1, mean: 1, sd: 0 }, good.mean), /control\.n must be ≥ 2/],
  ['meanTest sd < 0', () => stats.meanTest(good.mean, { n: 5, mean: 1, sd: -1 }), /treatment\.sd must be ≥ 0, got -1/],
  ['meanTest missing mean', () => stats.meanTest(good.mean, { n: 5, sd: 1 } as never), /treatment\.mean must be a finite number, got undefined/],
  ['sequentialProportionTest tuningN', () => stats.sequentialProportionTest(good.proportion, good.proportion, { tuningN: 0 }), /o\.tuningN must be > 0/],
  ['sequentialMeanTest Infinity', () => stats.sequentialMeanTest({ n: 5, mean: Infinity, sd: 1 }, good.mean), /control\.mean must be a finite number, got Infinity/],
  ['bayesProportions prior', () => stats.bayesProportions(good.proportion, good.proportion, { prior: { alpha: 0, beta: 1 } }), /o\.prior\.alpha must be > 0/],
  ['bayesProportions credibility', () => stats.bayesProportions(good.proportion, good.proportion, { credibility: 95 }), /o\.credibility must be between 0 and 1/],
  ['bayesMeans n = 0', () => stats.bayesMeans({ n: 0, mean: 1, sd: 1 }, good.mean), /control\.n must be ≥ 2/],
  ['sampleRatioMismatch lengths', () => stats.sampleRatioMismatch([1, 2], [1]), /same length, got 2 and 1/],
  ['sampleRatioMismatch one variant', () => stats.sampleRatioMismatch([1], [1]), /at least 2 variants/],
  ['sampleRatioMismatch negative', () => stats.sampleRatioMismatch([1, -2], [1, 1]), /observed\[1\] must be ≥ 0/],
  ['sampleRatioMismatch weight 0', () => stats.sampleRatioMismatch([1, 2], [1, 0]), /weights\[1\] must be > 0/],
  ['sampleRatioMismatch no units', () => stats.sampleRatioMismatch([0, 0], [1, 1]), /at least one unit/],
  ['holm p > 1', () => stats.holm([0.1, 1.5]), /pValues\[1\] must be between 0 and 1, got 1\.5/],
  ['benjaminiHochberg NaN', () => stats.benjaminiHochberg([Number.NaN]), /pValues\[0\] must be a finite number/],
  ['benjaminiHochberg not an array', () => stats.benjaminiHochberg('0.1' as never), /pValues must be an array/],
  ['cuped empty', () => stats.cuped([]), /at least one variant/],
  ['cuped NaN sum', () => stats.cuped([{ ...cupedSample, sumXY: Number.NaN }]), /samples\[0\]\.sumXY must be a finite number/],
  ['sampleSize baseline', () => stats.sampleSize({ baseline: 0, mde: 0.1 }), /o\.baseline must be between 0 and 1/],
  ['sampleSize mde 0', () => stats.sampleSize({ baseline: 0.1, mde: 0 }), /o\.mde must not be 0/],
  ['sampleSize rate above 1', () => stats.sampleSize({ baseline: 0.6, mde: 1 }), /treatment rate of 1\.2/],
  ['sampleSize mdeType', () => stats.sampleSize({ baseline: 0.1, mde: 0.1, mdeType: 'percent' as never }), /o\.mdeType must be 'relative' or 'absolute'/],
  ['power n', () => stats.power({ baseline: 0.1, mde: 0.1, n: -5 }), /o\.n must be > 0, got -5/],
  ['durationDays dailyUnits', () => stats.durationDays({ perVariant: 10, variants: 2, dailyUnits: 0 }), /o\.dailyUnits must be > 0/],
  ['meanSampleSize sd', () => stats.meanSampleSize({ sd: Number.NaN, mde: 1 }), /o\.sd must be a finite number, got NaN/],
];

describe('input validation', () => {
  for (const [name, call, message] of cases) {
    it(`${name} → RangeError naming the argument`, () => {
      expect(call).toThrow(RangeError);
      expect(call).toThrow(message);
      expect(call).toThrow(/^@halyard\/stats: /);
    });
  }

  it('valid inputs do not throw', () => {
    expect(() => stats.proportionTest(good.proportion, good.proportion)).not.toThrow();
    expect(() => stats.cuped([cupedSample])).not.toThrow();
  });
});
