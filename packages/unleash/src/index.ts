/**
 * Unleash compatibility: move an Unleash setup to Halyard without re-bucketing a single user.
 *
 * `importUnleash(payload)` converts Unleash's client features payload into a Halyard FlagsDocument that evaluates
 * like Unleash's SDKs (all 279 cases of the Unleash client specification pass, see unleash-conformance.test.ts), using the same
 * murmur3 hashing with Unleash's parameters, so every user keeps their rollout bucket and variant.
 *
 * How the payload maps (details in `importUnleash`'s documentation):
 * - each feature → one flag keyed by `unleashKey(name)`; each strategy → one or more rules, in order (Unleash ORs
 *   strategies, the first enabled one decides); constraints → conditions; segments → segments.
 * - features without variants → boolean flags (`on: true`, `off: false`), so `isEnabled` works unchanged.
 * - features with variants → JSON flags whose every value is exactly Unleash's `getVariant()` result
 *   (`{ name, enabled, feature_enabled, payload? }`): `off` = feature disabled, `on` = enabled without a variant.
 * - rollouts → rule `rollout` gates with salt = groupId, seed 0, 100 buckets; variants → splits with salt =
 *   groupId (feature name for feature variants), seed 86028157, out of the total weight.
 * - dependencies → prerequisites.
 * - contexts: use `unleashContext(ctx)`, which flattens Unleash's context the way the converter names attributes.
 */
export { importUnleash, unleashKey } from './import-unleash';
export type { UnleashImportResult, UnleashImportIssue } from './import-unleash';
export { unleashContext } from './context';
export type { UnleashContext, UnleashContextOptions } from './context';
export { unleashResult, createUnleashAdapter } from './adapter';
export type { UnleashVariant, UnleashResult, UnleashAdapter, UnleashAdapterSource } from './adapter';
export { UNLEASH_ROLLOUT_SEED, UNLEASH_VARIANT_SEED } from './internal/model';
/** Variant keys imported flags use for "feature disabled" and "enabled without an Unleash variant". */
export { OFF_VARIANT as UNLEASH_OFF_VARIANT, ON_VARIANT as UNLEASH_ON_VARIANT } from './internal/model';
