import { alphaOption, options, proportionSample } from './internal/samples';
import { liftMoments, interval } from './internal/lift';
import { normQuantile, normTwoSided } from './internal/normal';
import type { ProportionSample, TestResult } from './types';

/**
 * Two-proportion z-test of treatment against control (fixed horizon: valid when you look once, at the planned
 * sample size — see {@link sequentialProportionTest} for daily looks).
 *
 * The p-value uses the pooled standard error (the textbook test, exact under the null hypothesis of equal rates);
 * the confidence intervals use the unpooled (Wald) standard error, and the relative lift's interval comes from the
 * delta method. A relative lift over a control rate of 0 is NaN.
 *
 * @param control units and conversions of the control variant
 * @param treatment units and conversions of the treatment variant
 * @param o.alpha significance level, default 0.05 (95 % intervals)
 * @throws RangeError when an n is not > 0, conversions is negative or above n, or alpha is not in (0, 1)
 * @example
 * ```ts
 * const result = proportionTest({ n: 10_000, conversions: 500 }, { n: 10_000, conversions: 560 });
 * result.lift.relative.estimate; // 0.12 (+12 %)
 * result.pValue; // ≈ 0.058
 * ```
 */
export function proportionTest(control: ProportionSample, treatment: ProportionSample, o?: { alpha?: number }): TestResult {
  const c = proportionSample(control, 'control');
  const t = proportionSample(treatment, 'treatment');
  const alpha = alphaOption(options(o).alpha);
  const pc = c.conversions / c.n;
  const pt = t.conversions / t.n;
  const moments = liftMoments(pc, (pc * (1 - pc)) / c.n, pt, (pt * (1 - pt)) / t.n);
  const pooled = (c.conversions + t.conversions) / (c.n + t.n);
  const pooledSe = Math.sqrt(pooled * (1 - pooled) * (1 / c.n + 1 / t.n));
  // A pooled rate of 0 or 1 means both variants are all-0 or all-1: the difference is exactly 0.
  const statistic = pooledSe === 0 ? 0 : moments.absolute / pooledSe;
  const pValue = pooledSe === 0 ? 1 : normTwoSided(statistic);
  const z = normQuantile(1 - alpha / 2);
  return {
    lift: {
      absolute: interval(moments.absolute, z * Math.sqrt(moments.absoluteVariance)),
      relative: interval(moments.relative, z * Math.sqrt(moments.relativeVariance)),
    },
    pValue,
    statistic,
    significant: pValue < alpha,
  };
}
