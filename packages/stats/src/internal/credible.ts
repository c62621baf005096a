// What the two Bayesian comparisons share: the credibility option and the posterior relative lift.
import type { Estimate } from '../types';
import { interval, liftMoments } from './lift';
import { normQuantile } from './normal';
import { openUnit } from './validate';

/** Mass of a credible interval, default 0.95. */
export function credibilityOption(value: unknown): number {
  return value === undefined ? 0.95 : openUnit(value, 'o.credibility');
}

/** Posterior relative lift treatment / control − 1: a normal approximation with the delta-method variance. */
export function relativeCredible(controlMean: number, controlVariance: number, treatmentMean: number, treatmentVariance: number, credibility: number): Estimate {
  const moments = liftMoments(controlMean, controlVariance, treatmentMean, treatmentVariance);
  return interval(moments.relative, normQuantile((1 + credibility) / 2) * Math.sqrt(moments.relativeVariance));
}
