// Student's t distribution, from stdlib (see normal.ts for why one file per distribution).
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantileFn from '@stdlib/stats-base-dists-t-quantile';

/** Upper tail P(T > t) with `df` degrees of freedom, as the lower tail at −t (no `1 − cdf` rounding). */
export function studentSf(t: number, df: number): number {
  return tCdf(-t, df);
}

export function studentQuantile(p: number, df: number): number {
  return tQuantileFn(p, df);
}
