// The one computation of a lift and its sampling variance, shared by the fixed-horizon and the sequential tests so
// that both report the same point estimates and differ only in how wide they draw the interval.
import type { Estimate } from '../types';

/** Point estimates of treatment − control and treatment / control − 1 with their (delta-method) variances. */
export interface LiftMoments {
  absolute: number;
  absoluteVariance: number;
  relative: number;
  relativeVariance: number;
}

/**
 * @param control mean (or rate) of control and the variance of that estimate
 * @param treatment likewise for treatment
 */
export function liftMoments(controlMean: number, controlVariance: number, treatmentMean: number, treatmentVariance: number): LiftMoments {
  const absolute = treatmentMean - controlMean;
  const absoluteVariance = controlVariance + treatmentVariance;
  if (controlMean === 0) return { absolute, absoluteVariance, relative: Number.NaN, relativeVariance: Number.NaN };
  // Delta method for g(c, t) = t / c − 1 with independent c and t: Var ≈ Var(t)/c² + t²·Var(c)/c⁴.
  const relative = treatmentMean / controlMean - 1;
  const relativeVariance = treatmentVariance / controlMean ** 2 + (treatmentMean ** 2 * controlVariance) / controlMean ** 4;
  return { absolute, absoluteVariance, relative, relativeVariance };
}

/** estimate ± halfWidth; NaN bounds stay NaN. */
export function interval(estimate: number, halfWidth: number): Estimate {
  return { estimate, ci: [estimate - halfWidth, estimate + halfWidth] };
}
