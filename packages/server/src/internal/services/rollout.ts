import type { FlagDefinition, JsonValue, SplitServe } from '@halyard/core';
import { ValidationError } from '../errors';
import { isPlainObject } from '../json';

/** Rollout percentages: 0 to 100 with a resolution of 0.001 % (the bucketing scale of core's splits). */
export const PERCENTAGE = { minimum: 0, maximum: 100, decimals: 3 } as const;

export interface RolloutInput {
  /** Share of units that get `variant`, 0–100. */
  percentage: number;
  /** The variant rolled out. Default: the variant whose value is `true`, else the one named "on". */
  variant?: string | undefined;
  /** The variant everyone else gets. Default: `offVariant` (unless it is the rolled-out one), else the other of two variants. */
  rest?: string | undefined;
}

/**
 * The rollout rule: which variant a rollout moves and what the others get. Returns the flag's new `defaultServe`,
 * `{ split: [{ variant, percentage }, { variant: rest, percentage: 100 − percentage }] }`. An existing split's
 * bucketBy/salt/seed/bucketing are kept, so raising the percentage only ever adds units (nobody flips back).
 * Variants that do not exist are left for parseDefinitions to report with their paths.
 *
 * @example
 * rolloutServe({ variants: { on: true, off: false }, offVariant: 'off', enabled: true, defaultServe: { variant: 'off' } }, { percentage: 25 })
 * // → { split: [{ variant: 'on', percentage: 25 }, { variant: 'off', percentage: 75 }] }
 */
export function rolloutServe(definition: FlagDefinition, input: RolloutInput): SplitServe {
  const { percentage } = input;
  if (typeof percentage !== 'number' || !Number.isFinite(percentage) || percentage < PERCENTAGE.minimum || percentage > PERCENTAGE.maximum) {
    throw ValidationError.at('$.percentage', `must be a number from ${PERCENTAGE.minimum} to ${PERCENTAGE.maximum}`);
  }
  const scale = 10 ** PERCENTAGE.decimals;
  if (Math.round(percentage * scale) !== percentage * scale) throw ValidationError.at('$.percentage', 'has more than 3 decimals; the resolution is 0.001 %');

  const variants: Record<string, JsonValue> = isPlainObject(definition.variants) ? (definition.variants as Record<string, JsonValue>) : {};
  const variantKeys = Object.keys(variants);
  const variant = input.variant ?? variantKeys.find((k) => variants[k] === true) ?? (variantKeys.includes('on') ? 'on' : undefined);
  if (variant === undefined) throw ValidationError.at('$.variant', 'is required: this flag has no variant with the value true (or named "on") to roll out');
  const rest =
    input.rest ??
    (definition.offVariant !== undefined && definition.offVariant !== variant ? definition.offVariant : variantKeys.length === 2 ? variantKeys.find((k) => k !== variant) : undefined);
  if (rest === undefined) throw ValidationError.at('$.rest', 'is required: name the variant everyone outside the rollout gets');
  if (rest === variant) throw ValidationError.at('$.rest', 'must differ from "variant"');

  const keep: Partial<SplitServe> = {};
  const previous = definition.defaultServe;
  if (isPlainObject(previous) && 'split' in previous) {
    const split = previous as SplitServe;
    if (split.bucketBy !== undefined) keep.bucketBy = split.bucketBy;
    if (split.salt !== undefined) keep.salt = split.salt;
    if (split.seed !== undefined) keep.seed = split.seed;
    // An imported vendor bucketing too: dropping it would re-bucket everyone with murmur3.
    if (split.bucketing !== undefined) keep.bucketing = split.bucketing;
  }
  return {
    split: [
      { variant, percentage },
      { variant: rest, percentage: Math.round((100 - percentage) * scale) / scale },
    ],
    ...keep,
  };
}
