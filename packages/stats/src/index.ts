/**
 * @halyard/stats — the statistics behind Halyard's experiments. Pure functions over plain numbers (counts, means,
 * standard deviations, weights); no I/O and no Node built-ins, so the service, the CLI and the dashboard compute
 * the same numbers. Invalid input throws a RangeError naming the argument. See docs/experiments.md.
 */
export type { BayesResult, CupedSample, Estimate, Lift, MeanSample, ProportionSample, TestResult } from './types';
export { proportionTest } from './proportion-test';
export { meanTest } from './mean-test';
export { sequentialMeanTest, sequentialProportionTest } from './sequential';
export { bayesProportions } from './bayes-proportions';
export { bayesMeans } from './bayes-means';
export { sampleRatioMismatch, type SampleRatioMismatch } from './srm';
export { benjaminiHochberg, holm, type Adjustment } from './multiple-comparisons';
export { cuped, type CupedResult } from './cuped';
export { durationDays, meanSampleSize, power, sampleSize } from './sample-size';
