import { betaDensity, betaSf } from './internal/beta';
import { credibilityOption, relativeCredible } from './internal/credible';
import { integrate } from './internal/integrate';
import { options, proportionSample } from './internal/samples';
import { object, positive } from './internal/validate';
import type { BayesResult, ProportionSample } from './types';

interface Beta {
  a: number;
  b: number;
}

function betaMean({ a, b }: Beta): number {
  return a / (a + b);
}

function betaVariance({ a, b }: Beta): number {
  return (a * b) / ((a + b) ** 2 * (a + b + 1));
}

/**
 * Where a Beta posterior's mass is: mean ± 40 standard deviations, clipped to [0, 1]. Beta tails fall off at least
 * exponentially in standard deviations, so the mass outside is far below double precision; integrating over this
 * range instead of [0, 1] keeps the quadrature on the peak when n is in the millions.
 */
function support(posterior: Beta): [number, number] {
  const mean = betaMean(posterior);
  const spread = 40 * Math.sqrt(betaVariance(posterior));
  return [Math.max(0, mean - spread), Math.min(1, mean + spread)];
}

/** P(X > Y) for independent X ~ Beta(x), Y ~ Beta(y): ∫ f_Y(t) · P(X > t) dt. */
function chanceGreater(x: Beta, y: Beta): number {
  const [from, to] = support(y);
  return integrate((t) => betaDensity(t, y.a, y.b) * betaSf(t, x.a, x.b), from, to);
}

/**
 * E[max(X − Y, 0)] = ∫ f_Y(t) · E[(X − t)⁺] dt with E[(X − t)⁺] = mean(X) · P(X⁺ > t) − t · P(X > t), X⁺ ~
 * Beta(a + 1, b) (because x · f_X(x) = mean(X) · f_X⁺(x)). The integrand is ≥ 0, so no cancellation between two
 * near-equal integrals.
 */
function expectedShortfall(x: Beta, y: Beta): number {
  const [from, to] = support(y);
  const mean = betaMean(x);
  return integrate(
    (t) => betaDensity(t, y.a, y.b) * Math.max(0, mean * betaSf(t, x.a + 1, x.b) - t * betaSf(t, x.a, x.b)),
    from,
    to,
  );
}

/**
 * Bayesian comparison of two conversion rates with Beta-binomial posteriors: exact chance to beat control and
 * expected loss (numerical integration of stdlib's Beta pdf/cdf, no Monte Carlo).
 *
 * Posterior of each rate: Beta(prior.alpha + conversions, prior.beta + n − conversions). `expectedLoss.treatment`
 * is E[max(p_control − p_treatment, 0)]: how much conversion rate you expect to give up by shipping treatment
 * (in rate units: 0.001 = 0.1 percentage point); `expectedLoss.control` likewise for keeping control. `relative`
 * is a normal approximation of the posterior relative lift (delta method on the posterior means and variances).
 *
 * @param o.prior Beta prior of each rate, default { alpha: 1, beta: 1 } (uniform)
 * @param o.credibility mass of the credible interval, default 0.95
 * @throws RangeError on invalid samples, prior parameters ≤ 0 or credibility outside (0, 1)
 * @example
 * ```ts
 * const result = bayesProportions({ n: 10_000, conversions: 500 }, { n: 10_000, conversions: 560 });
 * result.chanceToBeatControl; // ≈ 0.97
 * result.expectedLoss.treatment; // ≈ 0.000036: little to lose by shipping treatment
 * ```
 */
export function bayesProportions(
  control: ProportionSample,
  treatment: ProportionSample,
  o?: { prior?: { alpha: number; beta: number }; credibility?: number },
): BayesResult {
  const c = proportionSample(control, 'control');
  const t = proportionSample(treatment, 'treatment');
  const opts = options(o);
  const credibility = credibilityOption(opts.credibility);
  const prior = opts.prior === undefined ? { alpha: 1, beta: 1 } : object(opts.prior, 'o.prior');
  const priorAlpha = positive(prior.alpha, 'o.prior.alpha');
  const priorBeta = positive(prior.beta, 'o.prior.beta');
  const controlPosterior = { a: priorAlpha + c.conversions, b: priorBeta + c.n - c.conversions };
  const treatmentPosterior = { a: priorAlpha + t.conversions, b: priorBeta + t.n - t.conversions };
  return {
    chanceToBeatControl: chanceGreater(treatmentPosterior, controlPosterior),
    expectedLoss: {
      control: expectedShortfall(treatmentPosterior, controlPosterior),
      treatment: expectedShortfall(controlPosterior, treatmentPosterior),
    },
    relative: relativeCredible(
      betaMean(controlPosterior),
      betaVariance(controlPosterior),
      betaMean(treatmentPosterior),
      betaVariance(treatmentPosterior),
      credibility,
    ),
  };
}
