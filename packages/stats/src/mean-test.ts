import { alphaOption, meanSample, options } from './internal/samples';
import { liftMoments, interval } from './internal/lift';
import { studentQuantile, studentSf } from './internal/student-t';
import type { MeanSample, TestResult } from './types';

/**
 * Welch's t-test of treatment against control for a continuous metric (unequal variances; fixed horizon).
 *
 * Degrees of freedom by Welch–Satterthwaite; both intervals (absolute, and relative by the delta method) use the
 * t quantile at those degrees of freedom. When both standard deviations are 0 the test is degenerate: a difference
 * of 0 gives p = 1, any other difference p = 0.
 *
 * @param control n, mean and sample standard deviation of control
 * @param treatment likewise for treatment
 * @param o.alpha significance level, default 0.05
 * @throws RangeError when an n is < 2, a mean is not finite, an sd is negative, or alpha is not in (0, 1)
 * @example
 * ```ts
 * const result = meanTest({ n: 5_000, mean: 20, sd: 30 }, { n: 5_000, mean: 21.5, sd: 31 });
 * result.lift.absolute.ci; // ≈ [0.30, 2.70]
 * result.df; // ≈ 9987
 * ```
 */
export function meanTest(control: MeanSample, treatment: MeanSample, o?: { alpha?: number }): TestResult {
  const c = meanSample(control, 'control');
  const t = meanSample(treatment, 'treatment');
  const alpha = alphaOption(options(o).alpha);
  const vc = c.sd ** 2 / c.n;
  const vt = t.sd ** 2 / t.n;
  const moments = liftMoments(c.mean, vc, t.mean, vt);
  const se = Math.sqrt(moments.absoluteVariance);
  if (se === 0) {
    const df = c.n + t.n - 2;
    const same = moments.absolute === 0;
    return {
      lift: { absolute: interval(moments.absolute, 0), relative: interval(moments.relative, 0) },
      pValue: same ? 1 : 0,
      statistic: same ? 0 : Math.sign(moments.absolute) * Number.POSITIVE_INFINITY,
      significant: !same,
      df,
    };
  }
  const df = (vc + vt) ** 2 / (vc ** 2 / (c.n - 1) + vt ** 2 / (t.n - 1));
  const statistic = moments.absolute / se;
  const pValue = Math.min(1, 2 * studentSf(Math.abs(statistic), df));
  const quantile = studentQuantile(1 - alpha / 2, df);
  return {
    lift: {
      absolute: interval(moments.absolute, quantile * se),
      relative: interval(moments.relative, quantile * Math.sqrt(moments.relativeVariance)),
    },
    pValue,
    statistic,
    significant: pValue < alpha,
    df,
  };
}
