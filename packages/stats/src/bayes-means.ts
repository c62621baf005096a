import { credibilityOption, relativeCredible } from './internal/credible';
import { normCdf, normPdf } from './internal/normal';
import { meanSample, options } from './internal/samples';
import type { BayesResult, MeanSample } from './types';

/**
 * Bayesian comparison of two means with the normal approximation: with a flat prior each mean's posterior is
 * N(mean, sd² / n), so the difference D = treatment − control is N(δ, s²) and, in closed form,
 * chance to beat control = Φ(δ / s), expected loss of treatment = s·φ(δ/s) − δ·Φ(−δ/s), of control
 * s·φ(δ/s) + δ·Φ(δ/s) (in the metric's units).
 *
 * @param o.credibility mass of the relative lift's credible interval, default 0.95
 * @throws RangeError on invalid samples (n < 2, sd < 0, …) or credibility outside (0, 1)
 * @example
 * ```ts
 * const result = bayesMeans({ n: 5_000, mean: 20, sd: 30 }, { n: 5_000, mean: 21, sd: 30 });
 * result.chanceToBeatControl; // ≈ 0.95
 * ```
 */
export function bayesMeans(control: MeanSample, treatment: MeanSample, o?: { credibility?: number }): BayesResult {
  const c = meanSample(control, 'control');
  const t = meanSample(treatment, 'treatment');
  const credibility = credibilityOption(options(o).credibility);
  const vc = c.sd ** 2 / c.n;
  const vt = t.sd ** 2 / t.n;
  const delta = t.mean - c.mean;
  const s = Math.sqrt(vc + vt);
  const relative = relativeCredible(c.mean, vc, t.mean, vt, credibility);
  if (s === 0) {
    return {
      chanceToBeatControl: delta > 0 ? 1 : delta < 0 ? 0 : 0.5,
      expectedLoss: { control: Math.max(delta, 0), treatment: Math.max(-delta, 0) },
      relative,
    };
  }
  const z = delta / s;
  const density = s * normPdf(z);
  return {
    chanceToBeatControl: normCdf(z),
    expectedLoss: { control: density + delta * normCdf(z), treatment: density - delta * normCdf(-z) },
    relative,
  };
}

