// The χ² upper tail, from stdlib's regularised incomplete gamma (see normal.ts for why one file per distribution).
// stdlib's chi-square cdf would give the p-value only as `1 − cdf`, which rounds p < 1e-16 to 0.
import gammainc from '@stdlib/math-base-special-gammainc';

/** P(X > x) for X ~ χ²(df): the upper regularised incomplete gamma Q(df/2, x/2). */
export function chiSquareSf(x: number, df: number): number {
  if (x <= 0) return 1;
  return gammainc(x / 2, df / 2, true, true);
}
