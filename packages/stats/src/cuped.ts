import { array, atLeast, fail, finite, object } from './internal/validate';
import type { CupedSample, MeanSample } from './types';

/** Result of {@link cuped}. */
export interface CupedResult {
  /** Pooled regression coefficient of Y on X: within-variant Cov(X, Y) / Var(X); 0 when X does not vary. */
  theta: number;
  /** Per variant, the adjusted metric Y − θ(X − X̄) (X̄ over all variants): feed these to meanTest and friends. */
  adjusted: MeanSample[];
  /** Share of Y's pooled within-variant variance removed, 1 − Var(adjusted) / Var(Y); about corr(X, Y)². */
  varianceReduction: number;
}

interface Moments {
  n: number;
  meanX: number;
  meanY: number;
  /** Sums of squares and cross-products about the variant's means. */
  sxx: number;
  syy: number;
  sxy: number;
}

function moments(value: unknown, name: string): Moments {
  const sample = object(value, name);
  const n = atLeast(sample.n, 2, `${name}.n`, 'a sample standard deviation needs two units');
  const sumY = finite(sample.sumY, `${name}.sumY`);
  const sumX = finite(sample.sumX, `${name}.sumX`);
  const sumY2 = finite(sample.sumY2, `${name}.sumY2`);
  const sumX2 = finite(sample.sumX2, `${name}.sumX2`);
  const sumXY = finite(sample.sumXY, `${name}.sumXY`);
  // Sums of squares about the mean are ≥ 0 in exact arithmetic; clamp the rounding of large sums.
  return {
    n,
    meanX: sumX / n,
    meanY: sumY / n,
    sxx: Math.max(0, sumX2 - (sumX * sumX) / n),
    syy: Math.max(0, sumY2 - (sumY * sumY) / n),
    sxy: sumXY - (sumX * sumY) / n,
  };
}

/**
 * CUPED (Deng, Xu, Kohavi & Walker, "Improving the sensitivity of online controlled experiments by utilizing
 * pre-experiment data", WSDM 2013): subtract from each unit's metric Y the part its pre-exposure value X predicts,
 * Y − θ(X − X̄), with one θ pooled over all variants. The means still estimate the same lift (X is independent of
 * the assignment) with less variance, so the same test needs fewer users. θ is treated as known, as is standard.
 *
 * Units without pre-exposure data should enter with X = 0 and the caller should prefer the plain metric when
 * `varianceReduction` is near 0.
 *
 * @param samples per variant (control first, by convention) the unit count and the sums of Y, Y², X, X², X·Y
 * @returns θ, the adjusted per-variant mean and sample standard deviation, and the variance reduction
 * @throws RangeError when there is no sample, an n is < 2 or a sum is not finite
 * @example
 * ```ts
 * const { adjusted, varianceReduction } = cuped([control, treatment]);
 * meanTest(adjusted[0]!, adjusted[1]!); // a narrower interval than on the raw metric
 * ```
 */
export function cuped(samples: CupedSample[]): CupedResult {
  const groups = array(samples, 'samples').map((sample, i) => moments(sample, `samples[${i}]`));
  if (groups.length === 0) fail('samples must hold at least one variant, got []');
  const sxx = groups.reduce((sum, group) => sum + group.sxx, 0);
  const sxy = groups.reduce((sum, group) => sum + group.sxy, 0);
  const syy = groups.reduce((sum, group) => sum + group.syy, 0);
  const theta = sxx === 0 ? 0 : sxy / sxx;
  const units = groups.reduce((sum, group) => sum + group.n, 0);
  const grandMeanX = groups.reduce((sum, group) => sum + group.meanX * group.n, 0) / units;
  let adjustedSquares = 0;
  const adjusted = groups.map((group) => {
    const squares = Math.max(0, group.syy - 2 * theta * group.sxy + theta * theta * group.sxx);
    adjustedSquares += squares;
    return { n: group.n, mean: group.meanY - theta * (group.meanX - grandMeanX), sd: Math.sqrt(squares / (group.n - 1)) };
  });
  return { theta, adjusted, varianceReduction: syy === 0 ? 0 : 1 - adjustedSquares / syy };
}
