import { chiSquareSf } from './internal/chi-square';
import { options } from './internal/samples';
import { array, fail, nonNegative, openUnit, positive } from './internal/validate';

/** Result of {@link sampleRatioMismatch}. */
export interface SampleRatioMismatch {
  /** Pearson's χ² statistic Σ (observed − expected)² / expected. */
  chiSquare: number;
  /** Degrees of freedom: variants − 1. */
  df: number;
  pValue: number;
  /** pValue < threshold: the assignment is broken and the experiment's results should not be trusted. */
  mismatch: boolean;
  /** Units expected per variant from the total and the weights. */
  expected: number[];
}

/**
 * Sample ratio mismatch: Pearson's χ² goodness-of-fit test of the units each variant received against the
 * configured weights. A mismatch means assignment or logging is broken (bots, redirects, a variant that crashes
 * before it logs), so every other number of the experiment is suspect. The default threshold 0.001 is strict on
 * purpose: the check runs on every experiment at every look.
 *
 * @param observed units per variant (≥ 0, at least one unit in total)
 * @param weights configured weight per variant (> 0, any scale: [50, 50] and [1, 1] are the same)
 * @param o.threshold p-value below which a mismatch is flagged, default 0.001
 * @throws RangeError when the arrays differ in length, have fewer than 2 entries, hold a negative count, a weight
 *   ≤ 0, or no units at all
 * @example
 * ```ts
 * sampleRatioMismatch([5_000, 5_300], [50, 50]); // { chiSquare: 8.74, df: 1, pValue: 0.0031, mismatch: false, expected: [5150, 5150] }
 * sampleRatioMismatch([5_000, 5_500], [50, 50]).mismatch; // true (p ≈ 0.000001)
 * ```
 */
export function sampleRatioMismatch(observed: number[], weights: number[], o?: { threshold?: number }): SampleRatioMismatch {
  const counts = array(observed, 'observed').map((value, i) => nonNegative(value, `observed[${i}]`));
  const shares = array(weights, 'weights').map((value, i) => positive(value, `weights[${i}]`));
  if (counts.length !== shares.length) fail(`observed and weights must have the same length, got ${counts.length} and ${shares.length}`);
  if (counts.length < 2) fail(`observed must have at least 2 variants, got ${counts.length}`);
  const opts = options(o);
  const threshold = opts.threshold === undefined ? 0.001 : openUnit(opts.threshold, 'o.threshold');
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total <= 0) fail('observed must contain at least one unit in total, got 0');
  const weightTotal = shares.reduce((sum, weight) => sum + weight, 0);
  const expected = shares.map((weight) => (total * weight) / weightTotal);
  const chiSquare = counts.reduce((sum, count, i) => {
    const e = expected[i] as number;
    return sum + (count - e) ** 2 / e;
  }, 0);
  const df = counts.length - 1;
  const pValue = chiSquareSf(chiSquare, df);
  return { chiSquare, df, pValue, mismatch: pValue < threshold, expected };
}
