import { normCdf, normQuantile } from './internal/normal';
import { fail, finite, object, openUnit, positive } from './internal/validate';

type MdeType = 'relative' | 'absolute';

interface Design {
  p1: number;
  p2: number;
  zAlpha: number;
}

function design(value: unknown): Design & { options: Record<string, unknown> } {
  const o = object(value, 'o');
  const p1 = openUnit(o.baseline, 'o.baseline');
  const mde = finite(o.mde, 'o.mde');
  if (mde === 0) fail('o.mde must not be 0: no sample size detects a zero effect');
  const mdeType = o.mdeType === undefined ? 'relative' : o.mdeType;
  if (mdeType !== 'relative' && mdeType !== 'absolute') fail(`o.mdeType must be 'relative' or 'absolute', got ${JSON.stringify(mdeType)}`);
  const p2 = (mdeType as MdeType) === 'relative' ? p1 * (1 + mde) : p1 + mde;
  if (!(p2 > 0 && p2 < 1)) fail(`o.baseline with o.mde gives a treatment rate of ${p2}, which must be between 0 and 1`);
  const alpha = o.alpha === undefined ? 0.05 : openUnit(o.alpha, 'o.alpha');
  return { p1, p2, zAlpha: normQuantile(1 - alpha / 2), options: o };
}

function variance({ p1, p2 }: Design): number {
  return p1 * (1 - p1) + p2 * (1 - p2);
}

/**
 * Units per variant a two-sided two-proportion test needs to detect `mde` with the given power:
 * n = (z₁₋α/₂ + z_power)² · (p₁(1 − p₁) + p₂(1 − p₂)) / (p₂ − p₁)², rounded up.
 *
 * @param o.baseline control conversion rate, in (0, 1)
 * @param o.mde minimum detectable effect: relative (0.1 = +10 % of baseline, default) or absolute (0.01 = +1 point)
 * @param o.mdeType 'relative' (default) or 'absolute'
 * @param o.alpha two-sided significance level, default 0.05
 * @param o.power chance of detecting a true effect of size mde, default 0.8
 * @throws RangeError when baseline, alpha or power are outside (0, 1), mde is 0, or the treatment rate leaves (0, 1)
 * @example
 * ```ts
 * sampleSize({ baseline: 0.05, mde: 0.1 }); // { perVariant: 31231 }
 * ```
 */
export function sampleSize(o: { baseline: number; mde: number; mdeType?: MdeType; alpha?: number; power?: number }): { perVariant: number } {
  const d = design(o);
  const power = d.options.power === undefined ? 0.8 : openUnit(d.options.power, 'o.power');
  const z = d.zAlpha + normQuantile(power);
  return { perVariant: Math.ceil((z * z * variance(d)) / (d.p2 - d.p1) ** 2) };
}

/**
 * Power of the two-sided two-proportion test with `n` units per variant: the inverse of {@link sampleSize},
 * Φ(|p₂ − p₁|·√n / √(p₁(1 − p₁) + p₂(1 − p₂)) − z₁₋α/₂).
 *
 * @param o.n units per variant, > 0
 * @throws RangeError as {@link sampleSize}, or when n is not > 0
 * @example
 * ```ts
 * power({ baseline: 0.05, mde: 0.1, n: 31_231 }); // ≈ 0.8
 * ```
 */
export function power(o: { baseline: number; mde: number; mdeType?: MdeType; n: number; alpha?: number }): number {
  const d = design(o);
  const n = positive(d.options.n, 'o.n');
  return normCdf((Math.abs(d.p2 - d.p1) * Math.sqrt(n)) / Math.sqrt(variance(d)) - d.zAlpha);
}

/**
 * Days until every variant has `perVariant` units, when `dailyUnits` new units enter the experiment per day in
 * total (split over the variants), rounded up.
 *
 * @throws RangeError when a value is not > 0
 * @example
 * ```ts
 * durationDays({ perVariant: 31_231, variants: 2, dailyUnits: 20_000 }); // 4
 * ```
 */
export function durationDays(o: { perVariant: number; variants: number; dailyUnits: number }): number {
  const opts = object(o, 'o');
  const perVariant = positive(opts.perVariant, 'o.perVariant');
  const variants = positive(opts.variants, 'o.variants');
  const dailyUnits = positive(opts.dailyUnits, 'o.dailyUnits');
  return Math.ceil((perVariant * variants) / dailyUnits);
}

/**
 * Units per variant a two-sided test of two means needs to detect an absolute difference `mde` when the metric's
 * standard deviation is `sd`: n = 2 · (z₁₋α/₂ + z_power)² · sd² / mde², rounded up.
 *
 * @param o.sd standard deviation of the metric per unit (> 0), e.g. from the last weeks' data
 * @param o.mde minimum detectable absolute difference in the metric's units (≠ 0)
 * @throws RangeError when sd ≤ 0, mde is 0 or not finite, or alpha/power are outside (0, 1)
 * @example
 * ```ts
 * meanSampleSize({ sd: 30, mde: 1 }); // { perVariant: 14128 }
 * ```
 */
export function meanSampleSize(o: { sd: number; mde: number; alpha?: number; power?: number }): { perVariant: number } {
  const opts = object(o, 'o');
  const sd = positive(opts.sd, 'o.sd');
  const mde = finite(opts.mde, 'o.mde');
  if (mde === 0) fail('o.mde must not be 0: no sample size detects a zero effect');
  const alpha = opts.alpha === undefined ? 0.05 : openUnit(opts.alpha, 'o.alpha');
  const powerTarget = opts.power === undefined ? 0.8 : openUnit(opts.power, 'o.power');
  const z = normQuantile(1 - alpha / 2) + normQuantile(powerTarget);
  return { perVariant: Math.ceil((2 * z * z * sd * sd) / (mde * mde)) };
}
