// The Beta distribution, from stdlib (see normal.ts for why one file per distribution).
import betaCdf from '@stdlib/stats-base-dists-beta-cdf';
import betaPdf from '@stdlib/stats-base-dists-beta-pdf';

export function betaDensity(x: number, a: number, b: number): number {
  return betaPdf(x, a, b);
}

/** Upper tail P(X > x), as the lower tail of the mirrored Beta(b, a) at 1 − x so tails near 1 keep their precision. */
export function betaSf(x: number, a: number, b: number): number {
  return betaCdf(1 - x, b, a);
}
