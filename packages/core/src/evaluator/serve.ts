import type { Serve, SplitServe, VariantServe } from '../types';

/**
 * Whether a serve is a weighted split (`{ split: [...] }`) rather than a single variant.
 *
 * @example
 * if (isSplitServe(flag.defaultServe)) console.log(flag.defaultServe.split.map((s) => s.variant));
 */
export function isSplitServe(serve: Serve): serve is SplitServe {
  return Array.isArray((serve as SplitServe).split);
}

/**
 * Whether a serve names a single variant (`{ variant: "on" }`).
 *
 * @example
 * const served = isVariantServe(rule.serve) ? rule.serve.variant : 'a split';
 */
export function isVariantServe(serve: Serve): serve is VariantServe {
  return typeof (serve as VariantServe).variant === 'string';
}
