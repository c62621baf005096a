import { options } from './internal/samples';
import { array, closedUnit, openUnit } from './internal/validate';

/** Adjusted p-values (same order as the input) and which hypotheses are rejected at the given level. */
export interface Adjustment {
  adjusted: number[];
  rejected: boolean[];
}

function checkedPValues(value: unknown): number[] {
  return array(value, 'pValues').map((p, i) => closedUnit(p, `pValues[${i}]`));
}

/** Indices of `values` sorted by value, ascending (stable). */
function ascending(values: readonly number[]): number[] {
  return values.map((_, i) => i).sort((a, b) => (values[a] as number) - (values[b] as number) || a - b);
}

/**
 * Holm's step-down correction: controls the family-wise error rate (the chance of even one false positive) across
 * all metrics × variants, uniformly more powerful than Bonferroni. Adjusted p-value of the i-th smallest p:
 * max over j ≤ i of min(1, (m − j + 1) · p₍ⱼ₎).
 *
 * @param pValues one p-value per comparison, each in [0, 1]
 * @param o.alpha family-wise error rate, default 0.05; `rejected[i]` is adjusted[i] ≤ alpha
 * @throws RangeError on a p-value outside [0, 1] or alpha outside (0, 1)
 * @example
 * ```ts
 * holm([0.01, 0.04, 0.03]); // { adjusted: [0.03, 0.06, 0.06], rejected: [true, false, false] }
 * ```
 */
export function holm(pValues: number[], o?: { alpha?: number }): Adjustment {
  const p = checkedPValues(pValues);
  const opts = options(o);
  const alpha = opts.alpha === undefined ? 0.05 : openUnit(opts.alpha, 'o.alpha');
  const m = p.length;
  const adjusted = new Array<number>(m).fill(1);
  let running = 0;
  ascending(p).forEach((index, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * (p[index] as number)));
    adjusted[index] = running;
  });
  return { adjusted, rejected: adjusted.map((value) => value <= alpha) };
}

/**
 * Benjamini–Hochberg correction: controls the false discovery rate (the expected share of false positives among
 * the rejected) — the usual choice for many secondary metrics. Adjusted p-value of the i-th smallest p:
 * min over j ≥ i of min(1, m / j · p₍ⱼ₎).
 *
 * @param pValues one p-value per comparison, each in [0, 1]
 * @param o.q false discovery rate, default 0.05; `rejected[i]` is adjusted[i] ≤ q
 * @throws RangeError on a p-value outside [0, 1] or q outside (0, 1)
 * @example
 * ```ts
 * benjaminiHochberg([0.01, 0.04, 0.03]); // { adjusted: [0.03, 0.04, 0.04], rejected: [true, true, true] }
 * ```
 */
export function benjaminiHochberg(pValues: number[], o?: { q?: number }): Adjustment {
  const p = checkedPValues(pValues);
  const opts = options(o);
  const q = opts.q === undefined ? 0.05 : openUnit(opts.q, 'o.q');
  const m = p.length;
  const adjusted = new Array<number>(m).fill(1);
  const order = ascending(p);
  let running = 1;
  for (let rank = m - 1; rank >= 0; rank--) {
    const index = order[rank] as number;
    running = Math.min(running, (m / (rank + 1)) * (p[index] as number));
    adjusted[index] = running;
  }
  return { adjusted, rejected: adjusted.map((value) => value <= q) };
}
