// Always-valid inference: the asymptotic confidence sequences of Waudby-Smith, Arnold, Wu, Howard & Ramdas,
// "Time-uniform central limit theory and asymptotic confidence sequences" (arXiv:2103.06476), Gaussian-mixture
// boundary, in the two-sample form GrowthBook's engine uses. For an estimate with sampling variance V after N
// units in total, the two-sided (1 − α) sequence is
//
//     estimate ± sqrt(V·N) · sqrt( 2(Nρ² + 1) / (N²ρ²) · ln( sqrt(Nρ² + 1) / α ) ),
//     ρ² = ( −2 ln α + ln(−2 ln α + 1) ) / tuningN,
//
// which is tightest when N = tuningN. The matching always-valid p-value — the smallest α whose sequence excludes 0,
// with ρ held at the configured α — is min(1, sqrt(Nρ² + 1) · exp(−Nρ²·d² / (2V(Nρ² + 1)))), the normal-mixture
// mSPRT p-value of Johari, Pekelis & Walsh ("Always valid inference: continuous monitoring of A/B tests",
// arXiv:1512.04922) with mixing variance ρ²·V·N. So `pValue < alpha` exactly when the interval excludes 0, at
// every look.
import { liftMoments, interval, type LiftMoments } from './internal/lift';
import { alphaOption, meanSample, options, proportionSample } from './internal/samples';
import { positive } from './internal/validate';
import type { MeanSample, ProportionSample, TestResult } from './types';

/** GrowthBook's default: intervals are tightest around 5 000 units in total. */
const defaultTuningN = 5000;

function rhoSquared(alpha: number, tuningN: number): number {
  const logAlpha = -2 * Math.log(alpha);
  return (logAlpha + Math.log(logAlpha + 1)) / tuningN;
}

function halfWidth(variance: number, total: number, alpha: number, rho2: number): number {
  const scaled = total * rho2 + 1;
  return Math.sqrt(variance * total) * Math.sqrt(((2 * scaled) / (total * total * rho2)) * Math.log(Math.sqrt(scaled) / alpha));
}

function alwaysValidP(difference: number, variance: number, total: number, rho2: number): number {
  if (variance === 0) return difference === 0 ? 1 : 0;
  const scaled = total * rho2 + 1;
  return Math.min(1, Math.sqrt(scaled) * Math.exp((-total * rho2 * difference ** 2) / (2 * variance * scaled)));
}

function sequentialResult(moments: LiftMoments, total: number, o: { alpha?: number; tuningN?: number } | undefined): TestResult {
  const opts = options(o);
  const alpha = alphaOption(opts.alpha);
  const tuningN = opts.tuningN === undefined ? defaultTuningN : positive(opts.tuningN, 'o.tuningN');
  const rho2 = rhoSquared(alpha, tuningN);
  const pValue = alwaysValidP(moments.absolute, moments.absoluteVariance, total, rho2);
  const se = Math.sqrt(moments.absoluteVariance);
  return {
    lift: {
      absolute: interval(moments.absolute, halfWidth(moments.absoluteVariance, total, alpha, rho2)),
      relative: interval(moments.relative, halfWidth(moments.relativeVariance, total, alpha, rho2)),
    },
    pValue,
    statistic: se === 0 ? (moments.absolute === 0 ? 0 : Math.sign(moments.absolute) * Number.POSITIVE_INFINITY) : moments.absolute / se,
    significant: pValue < alpha,
  };
}

/**
 * Sequential (always-valid) comparison of two conversion rates: look after every batch, every day, stop whenever
 * `significant` — the false-positive rate stays at most alpha however often you look.
 *
 * The interval is an asymptotic confidence sequence (Waudby-Smith et al., 2024) on the unpooled variance; the
 * p-value is the matching always-valid p-value (normal-mixture mSPRT), so `pValue < alpha` exactly when the interval
 * excludes 0. The price of peeking is width: at the same n the interval is wider than {@link proportionTest}'s.
 *
 * @param o.alpha significance level, default 0.05
 * @param o.tuningN total units (control + treatment) at which the sequence is tightest; set it to the planned
 *   sample size. Default 5000
 * @throws RangeError on invalid samples, alpha outside (0, 1) or tuningN ≤ 0
 * @example
 * ```ts
 * const result = sequentialProportionTest({ n: 10_000, conversions: 500 }, { n: 10_000, conversions: 600 }, { tuningN: 20_000 });
 * result.significant; // true
 * result.lift.absolute.ci; // wider than proportionTest's for the same data
 * ```
 */
export function sequentialProportionTest(
  control: ProportionSample,
  treatment: ProportionSample,
  o?: { alpha?: number; tuningN?: number },
): TestResult {
  const c = proportionSample(control, 'control');
  const t = proportionSample(treatment, 'treatment');
  const pc = c.conversions / c.n;
  const pt = t.conversions / t.n;
  return sequentialResult(liftMoments(pc, (pc * (1 - pc)) / c.n, pt, (pt * (1 - pt)) / t.n), c.n + t.n, o);
}

/**
 * Sequential (always-valid) comparison of two means; see {@link sequentialProportionTest} for the method.
 *
 * @param o.alpha significance level, default 0.05
 * @param o.tuningN total units at which the sequence is tightest, default 5000
 * @throws RangeError on invalid samples (n < 2, sd < 0, …), alpha outside (0, 1) or tuningN ≤ 0
 * @example
 * ```ts
 * const result = sequentialMeanTest({ n: 4_000, mean: 20, sd: 30 }, { n: 4_000, mean: 22, sd: 30 });
 * result.pValue; // always-valid: safe to compare with alpha at every look
 * ```
 */
export function sequentialMeanTest(control: MeanSample, treatment: MeanSample, o?: { alpha?: number; tuningN?: number }): TestResult {
  const c = meanSample(control, 'control');
  const t = meanSample(treatment, 'treatment');
  return sequentialResult(liftMoments(c.mean, c.sd ** 2 / c.n, t.mean, t.sd ** 2 / t.n), c.n + t.n, o);
}
