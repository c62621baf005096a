/** Units and conversions of one variant for a conversion (binary) metric. */
export interface ProportionSample {
  /** Units (users, sessions, …) in the variant; > 0. */
  n: number;
  /** Units that converted; 0 ≤ conversions ≤ n. */
  conversions: number;
}

/** Summary of one variant for a continuous metric (revenue per user, …). */
export interface MeanSample {
  /** Units in the variant; ≥ 2 (a sample standard deviation needs two values). */
  n: number;
  /** Sample mean of the metric per unit. */
  mean: number;
  /** Sample standard deviation (n − 1 denominator); ≥ 0. */
  sd: number;
}

/** A point estimate with a two-sided interval: confidence (frequentist) or credible (Bayesian). */
export interface Estimate {
  estimate: number;
  /** [lower, upper]. NaN bounds when the estimate is undefined (a relative lift over a control value of 0). */
  ci: [number, number];
}

/** Treatment minus control, in the metric's units and relative to control. */
export interface Lift {
  /** treatment − control (a difference of rates for conversions, of means otherwise). */
  absolute: Estimate;
  /** treatment / control − 1 as a fraction (0.1 = +10 %), interval by the delta method. NaN when control is 0. */
  relative: Estimate;
}

/** Result of a frequentist comparison of a treatment with its control. */
export interface TestResult {
  lift: Lift;
  /** Two-sided p-value (always-valid for the sequential tests). */
  pValue: number;
  /** z or t statistic of the absolute difference. */
  statistic: number;
  /** pValue < alpha. */
  significant: boolean;
  /** Welch–Satterthwaite degrees of freedom (Welch t-test only). */
  df?: number;
}

/** Result of a Bayesian comparison of a treatment with its control. */
export interface BayesResult {
  /** Posterior probability that treatment's true value exceeds control's. */
  chanceToBeatControl: number;
  /** Expected shortfall, in the metric's units, of shipping each variant: E[max(other − this, 0)]. */
  expectedLoss: { control: number; treatment: number };
  /** Posterior relative lift treatment / control − 1 with a credible interval (normal approximation, delta method). */
  relative: Estimate;
}

/** Per-variant sums of one metric Y and its pre-exposure value X, the input of {@link cuped}. */
export interface CupedSample {
  n: number;
  sumY: number;
  sumY2: number;
  sumX: number;
  sumX2: number;
  sumXY: number;
}
