// The standard normal distribution, from stdlib (pure JavaScript, browser-safe, pinned). One file per distribution
// so that a bundle using only, say, sampleSize() carries no Beta or t code: stdlib ships CommonJS without a
// `sideEffects` flag, so an app's bundler drops it only when the importing file of ours is dropped.
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalPdf from '@stdlib/stats-base-dists-normal-pdf';
import normalQuantileFn from '@stdlib/stats-base-dists-normal-quantile';

/** Φ(x). */
export function normCdf(x: number): number {
  return normalCdf(x, 0, 1);
}

/** φ(x). */
export function normPdf(x: number): number {
  return normalPdf(x, 0, 1);
}

/** 1 − Φ(x), as Φ(−x) so that small tails keep their precision. */
export function normSf(x: number): number {
  return normalCdf(-x, 0, 1);
}

/** Φ⁻¹(p). */
export function normQuantile(p: number): number {
  return normalQuantileFn(p, 0, 1);
}

/** Two-sided p-value of a z statistic. */
export function normTwoSided(z: number): number {
  return Math.min(1, 2 * normSf(Math.abs(z)));
}
