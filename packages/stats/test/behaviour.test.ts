import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bayesMeans,
  bayesProportions,
  benjaminiHochberg,
  cuped,
  durationDays,
  holm,
  meanSampleSize,
  meanTest,
  power,
  proportionTest,
  sampleRatioMismatch,
  sampleSize,
  sequentialMeanTest,
  sequentialProportionTest,
} from '../src/index';

const width = (ci: [number, number]) => ci[1] - ci[0];

describe('frequentist tests', () => {
  it('a control rate of 0 makes the relative lift NaN but keeps the absolute lift and p-value', () => {
    const result = proportionTest({ n: 100, conversions: 0 }, { n: 100, conversions: 5 });
    expect(result.lift.relative.estimate).toBeNaN();
    expect(result.lift.relative.ci.every(Number.isNaN)).toBe(true);
    expect(result.lift.absolute.estimate).toBeCloseTo(0.05, 12);
    expect(result.pValue).toBeGreaterThan(0);
    expect(result.pValue).toBeLessThan(0.05);
  });

  it('identical all-zero or all-one samples give p = 1, not NaN', () => {
    expect(proportionTest({ n: 10, conversions: 0 }, { n: 20, conversions: 0 }).pValue).toBe(1);
    expect(proportionTest({ n: 10, conversions: 10 }, { n: 20, conversions: 20 }).pValue).toBe(1);
  });

  it('Welch with both sds 0: equal means p = 1, different means p = 0', () => {
    expect(meanTest({ n: 5, mean: 3, sd: 0 }, { n: 5, mean: 3, sd: 0 })).toMatchObject({ pValue: 1, statistic: 0, significant: false });
    expect(meanTest({ n: 5, mean: 3, sd: 0 }, { n: 5, mean: 4, sd: 0 })).toMatchObject({ pValue: 0, statistic: Infinity, significant: true });
  });

  it('alpha sets the interval level: 99 % is wider than 95 %', () => {
    const control = { n: 4000, conversions: 400 };
    const treatment = { n: 4000, conversions: 450 };
    const at95 = proportionTest(control, treatment);
    const at99 = proportionTest(control, treatment, { alpha: 0.01 });
    expect(width(at99.lift.absolute.ci)).toBeGreaterThan(width(at95.lift.absolute.ci));
    expect(at99.pValue).toBe(at95.pValue);
  });
});

describe('sequential tests', () => {
  it('significant exactly when the confidence sequence excludes 0', () => {
    fc.assert(
      fc.property(fc.integer({ min: 50, max: 50_000 }), fc.double({ min: 0.01, max: 0.5, noNaN: true }), fc.double({ min: -0.3, max: 0.3, noNaN: true }), (n, rate, lift) => {
        const control = { n, conversions: Math.round(n * rate) };
        const treatment = { n, conversions: Math.min(n, Math.round(n * rate * (1 + lift))) };
        const result = sequentialProportionTest(control, treatment);
        const [low, high] = result.lift.absolute.ci;
        const excludesZero = low > 0 || high < 0;
        // At the boundary itself rounding may decide either way.
        if (Math.abs(result.pValue - 0.05) > 1e-9) expect(result.significant).toBe(excludesZero);
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('is wider than the fixed-horizon interval at the same data: the price of looking any time', () => {
    const control = { n: 5000, mean: 20, sd: 30 };
    const treatment = { n: 5000, mean: 21, sd: 30 };
    expect(width(sequentialMeanTest(control, treatment).lift.absolute.ci)).toBeGreaterThan(width(meanTest(control, treatment).lift.absolute.ci));
    const fixed = proportionTest({ n: 5000, conversions: 500 }, { n: 5000, conversions: 560 });
    const sequential = sequentialProportionTest({ n: 5000, conversions: 500 }, { n: 5000, conversions: 560 });
    expect(sequential.pValue).toBeGreaterThan(fixed.pValue);
  });

  it('tuningN is where the sequence is tightest relative to the fixed-horizon interval', () => {
    const ratio = (n: number, tuningN: number) => {
      const control = { n, mean: 10, sd: 5 };
      const treatment = { n, mean: 10.2, sd: 5 };
      return width(sequentialMeanTest(control, treatment, { tuningN }).lift.absolute.ci) / width(meanTest(control, treatment).lift.absolute.ci);
    };
    // N = 2n total units; the ratio is smallest when N is near tuningN.
    expect(ratio(10_000, 20_000)).toBeLessThan(ratio(10_000, 2_000));
    expect(ratio(10_000, 20_000)).toBeLessThan(ratio(10_000, 200_000));
  });
});

describe('Bayesian comparisons', () => {
  it('chance to beat control is symmetric and 0.5 for identical samples', () => {
    const a = { n: 2000, conversions: 130 };
    const b = { n: 2100, conversions: 160 };
    expect(bayesProportions(a, b).chanceToBeatControl + bayesProportions(b, a).chanceToBeatControl).toBeCloseTo(1, 10);
    expect(bayesProportions(a, a).chanceToBeatControl).toBeCloseTo(0.5, 10);
  });

  it('expected losses differ by the difference of posterior means: E[(C−T)⁺] − E[(T−C)⁺] = E[C] − E[T]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20_000 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (n, r1, r2) => {
        const control = { n, conversions: Math.round(n * r1) };
        const treatment = { n: n + 7, conversions: Math.round((n + 7) * r2) };
        const { expectedLoss } = bayesProportions(control, treatment);
        const meanC = (1 + control.conversions) / (2 + control.n);
        const meanT = (1 + treatment.conversions) / (2 + treatment.n);
        expect(expectedLoss.treatment - expectedLoss.control).toBeCloseTo(meanC - meanT, 9);
        expect(expectedLoss.treatment).toBeGreaterThanOrEqual(0);
      }),
      { seed: 3, numRuns: 40 },
    );
  });

  it('the prior matters with little data and not with a lot', () => {
    const strong = { prior: { alpha: 50, beta: 50 } };
    expect(bayesProportions({ n: 10, conversions: 1 }, { n: 10, conversions: 4 }, strong).chanceToBeatControl).toBeLessThan(
      bayesProportions({ n: 10, conversions: 1 }, { n: 10, conversions: 4 }).chanceToBeatControl - 0.1,
    );
    const big = [{ n: 100_000, conversions: 5_000 }, { n: 100_000, conversions: 5_200 }] as const;
    expect(bayesProportions(...big, strong).chanceToBeatControl).toBeCloseTo(bayesProportions(...big).chanceToBeatControl, 3);
  });

  it('means: degenerate sds give certainty instead of NaN', () => {
    expect(bayesMeans({ n: 3, mean: 1, sd: 0 }, { n: 3, mean: 2, sd: 0 })).toMatchObject({ chanceToBeatControl: 1, expectedLoss: { control: 1, treatment: 0 } });
    expect(bayesMeans({ n: 3, mean: 1, sd: 0 }, { n: 3, mean: 1, sd: 0 }).chanceToBeatControl).toBe(0.5);
  });
});

describe('sample ratio mismatch', () => {
  it('flags a broken 50/50 split and not a healthy one; the threshold is configurable', () => {
    expect(sampleRatioMismatch([10_000, 10_050], [50, 50]).mismatch).toBe(false);
    expect(sampleRatioMismatch([10_000, 10_600], [50, 50]).mismatch).toBe(true);
    const borderline = sampleRatioMismatch([5000, 5300], [1, 1]);
    expect(borderline.mismatch).toBe(false);
    expect(sampleRatioMismatch([5000, 5300], [1, 1], { threshold: 0.01 }).mismatch).toBe(true);
    expect(borderline.expected).toEqual([5150, 5150]);
  });

  it('tests against the configured weights, not against an equal split', () => {
    expect(sampleRatioMismatch([9000, 1000], [90, 10]).mismatch).toBe(false);
    expect(sampleRatioMismatch([9000, 1000], [50, 50]).mismatch).toBe(true);
  });
});

describe('multiple comparisons', () => {
  it('Holm is stricter than Benjamini–Hochberg, and both keep the input order', () => {
    const p = [0.02, 0.01, 0.03, 0.5];
    const h = holm(p);
    const bh = benjaminiHochberg(p);
    expect(h.rejected).toEqual([false, true, false, false]);
    expect(bh.rejected).toEqual([true, true, true, false]);
    h.adjusted.forEach((value, i) => expect(value).toBeGreaterThanOrEqual(bh.adjusted[i] as number));
    expect(holm([])).toEqual({ adjusted: [], rejected: [] });
    expect(benjaminiHochberg([0.02], { q: 0.01 }).rejected).toEqual([false]);
  });
});

describe('CUPED', () => {
  function sums(xs: number[], ys: number[]) {
    return {
      n: xs.length,
      sumX: xs.reduce((a, b) => a + b, 0),
      sumY: ys.reduce((a, b) => a + b, 0),
      sumX2: xs.reduce((a, b) => a + b * b, 0),
      sumY2: ys.reduce((a, b) => a + b * b, 0),
      sumXY: xs.reduce((a, x, i) => a + x * (ys[i] as number), 0),
    };
  }

  it('removes the variance a correlated pre-period explains and keeps the lift', () => {
    const xs = Array.from({ length: 200 }, (_, i) => (i * 37) % 101);
    const noise = (i: number) => ((i * 53) % 17) - 8;
    const control = sums(xs, xs.map((x, i) => 2 * x + noise(i)));
    const treatment = sums(xs, xs.map((x, i) => 2 * x + 5 + noise(i)));
    const result = cuped([control, treatment]);
    expect(result.theta).toBeCloseTo(2, 1);
    expect(result.varianceReduction).toBeGreaterThan(0.9);
    const [c, t] = result.adjusted;
    expect((t?.mean ?? 0) - (c?.mean ?? 0)).toBeCloseTo(5, 1);
    expect(meanTest(c!, t!).lift.absolute.ci[1] - meanTest(c!, t!).lift.absolute.ci[0]).toBeLessThan(2);
  });

  it('an uninformative pre-period (constant X) changes nothing', () => {
    const ys = [1, 4, 2, 8, 5, 7];
    const result = cuped([sums(ys.map(() => 3), ys)]);
    expect(result).toMatchObject({ theta: 0, varianceReduction: 0 });
    expect(result.adjusted[0]?.mean).toBeCloseTo(4.5, 12);
  });
});

describe('sample size and power', () => {
  it('power at the recommended n reaches the target, one unit less falls short', () => {
    for (const design of [{ baseline: 0.05, mde: 0.1 }, { baseline: 0.2, mde: 0.01, mdeType: 'absolute' as const, power: 0.9 }]) {
      const { perVariant } = sampleSize(design);
      const target = design.power ?? 0.8;
      expect(power({ ...design, n: perVariant })).toBeGreaterThanOrEqual(target);
      expect(power({ ...design, n: perVariant - 1 })).toBeLessThan(target);
    }
  });

  it('the issue’s example: 5 % baseline, +10 % relative, 20 000 users a day', () => {
    const { perVariant } = sampleSize({ baseline: 0.05, mde: 0.1 });
    expect(perVariant).toBe(31_231);
    expect(durationDays({ perVariant, variants: 2, dailyUnits: 20_000 })).toBe(4);
    expect(meanSampleSize({ sd: 30, mde: 1 }).perVariant).toBe(14_128);
  });
});
