/*
 * The shape of imported flags, shared by the importer (which writes it) and the adapter and `unleashResult`
 * (which read it back).
 */

/** Unleash's seeds: rollouts hash with seed 0 over 100 buckets, variants with this seed over their total weight. */
export const UNLEASH_ROLLOUT_SEED = 0;
export const UNLEASH_VARIANT_SEED = 86028157;
/** Buckets of an Unleash rollout (`normalizedValue` is 1–100). */
export const ROLLOUT_TOTAL = 100;

/** Variant keys of imported flags: `off` (feature disabled) and `on` (enabled, no Unleash variant). */
export const OFF_VARIANT = 'off';
export const ON_VARIANT = 'on';
export const RESERVED_VARIANT_KEYS: ReadonlySet<string> = new Set([OFF_VARIANT, ON_VARIANT]);

/** Attribute read by the applicationHostname strategy (Unleash reads the process host name instead). */
export const HOSTNAME_ATTRIBUTE = 'hostname';

/** The value of every variant of an imported flag that has Unleash variants: exactly Unleash's getVariant() result. */
export interface UnleashVariantValue {
  name: string;
  enabled: boolean;
  feature_enabled: boolean;
  payload?: { type: string; value: string };
}
