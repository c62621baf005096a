// Checks of the sample and option objects that several tests share.
import type { MeanSample, ProportionSample } from '../types';
import { atLeast, fail, finite, nonNegative, object, openUnit, positive } from './validate';

export function proportionSample(value: unknown, name: string): ProportionSample {
  const sample = object(value, name);
  const n = positive(sample.n, `${name}.n`);
  const conversions = nonNegative(sample.conversions, `${name}.conversions`);
  if (conversions > n) fail(`${name}.conversions must be ≤ ${name}.n (${n}), got ${conversions}`);
  return { n, conversions };
}

export function meanSample(value: unknown, name: string): MeanSample {
  const sample = object(value, name);
  const n = atLeast(sample.n, 2, `${name}.n`, 'a sample standard deviation needs two units');
  return { n, mean: finite(sample.mean, `${name}.mean`), sd: nonNegative(sample.sd, `${name}.sd`) };
}

export function alphaOption(value: unknown, name = 'o.alpha'): number {
  return value === undefined ? 0.05 : openUnit(value, name);
}

export function options(value: unknown): Record<string, unknown> {
  return value === undefined ? {} : object(value, 'o');
}
