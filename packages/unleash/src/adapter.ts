import type { EvaluationContext, EvaluationDetails, JsonValue } from '@halyard/core';
import { unleashContext, type UnleashContext, type UnleashContextOptions } from './context';
import { toHalyardKey } from './internal/keys';
import type { UnleashVariantValue } from './internal/model';

/** Unleash's getVariant() result. */
export interface UnleashVariant {
  name: string;
  enabled: boolean;
  feature_enabled: boolean;
  featureEnabled: boolean;
  payload?: { type: string; value: string };
}

/** Unleash's answer for one imported flag: `enabled` is isEnabled(), `variant` is getVariant(). */
export interface UnleashResult {
  enabled: boolean;
  variant: UnleashVariant;
}

/**
 * Decodes the value an imported flag served (or its EvaluationDetails) into Unleash's isEnabled()/getVariant()
 * answers. `undefined` (flag not found, or not an imported flag) reads as disabled.
 *
 * @example
 * const details = evaluator.getDetails(unleashKey('checkout'), null, unleashContext({ userId: '7' }));
 * unleashResult(details); // { enabled: true, variant: { name: 'blue', enabled: true, feature_enabled: true, featureEnabled: true, payload: … } }
 */
export function unleashResult(served: JsonValue | EvaluationDetails | undefined): UnleashResult {
  let value: unknown = served;
  if (typeof served === 'object' && served !== null && !Array.isArray(served) && 'reason' in served && 'value' in served) {
    value = (served as EvaluationDetails).reason === 'ERROR' ? undefined : (served as EvaluationDetails).value;
  }
  if (typeof value === 'boolean') {
    return { enabled: value, variant: { name: 'disabled', enabled: false, feature_enabled: value, featureEnabled: value } };
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const v = value as Partial<UnleashVariantValue>;
    if (typeof v.name === 'string' && typeof v.enabled === 'boolean' && typeof v.feature_enabled === 'boolean') {
      const variant: UnleashVariant = { name: v.name, enabled: v.enabled, feature_enabled: v.feature_enabled, featureEnabled: v.feature_enabled };
      if (v.payload !== undefined) variant.payload = { ...v.payload };
      return { enabled: v.feature_enabled, variant };
    }
  }
  return { enabled: false, variant: { name: 'disabled', enabled: false, feature_enabled: false, featureEnabled: false } };
}

/** The Unleash-shaped API `createUnleashAdapter` returns. */
export interface UnleashAdapter {
  /** Unleash's isEnabled(): `fallback` only when the feature does not exist. */
  isEnabled(name: string, context?: UnleashContext, fallback?: boolean): boolean;
  /** Unleash's getVariant(): `fallbackVariant` only when the feature does not exist. */
  getVariant(name: string, context?: UnleashContext, fallbackVariant?: { name: string; enabled: boolean; payload?: { type: string; value: string } }): UnleashVariant;
}

/**
 * What the adapter reads through: an `Evaluator` or a `FlagClient` holding imported flags. The parameters are
 * `never` so that a client typed by `Register` fits too: imported keys (`unleashKey(name)`) are not registered
 * keys, and the adapter reads them with a `null` default, which accepts any flag type.
 */
export interface UnleashAdapterSource {
  getDetails(key: never, defaultValue: never, context?: EvaluationContext): EvaluationDetails<unknown>;
}

/** How the adapter calls `getDetails` (see `UnleashAdapterSource`). */
interface DetailsReader {
  getDetails(key: string, defaultValue: null, context?: EvaluationContext): EvaluationDetails<JsonValue>;
}

/**
 * Unleash's `isEnabled`/`getVariant` on top of a Halyard evaluator or flag client holding imported flags, so call
 * sites can migrate first and be rewritten to Halyard's API later. Names go through `unleashKey`, contexts
 * through `unleashContext`.
 *
 * @example
 * const unleash = createUnleashAdapter(client, { hostname: os.hostname() });
 * if (unleash.isEnabled('new-checkout', { userId: '42' })) { … }
 * const { name, payload } = unleash.getVariant('checkout-theme', { userId: '42' });
 */
export function createUnleashAdapter(
  source: UnleashAdapterSource,
  options: UnleashContextOptions = {},
): UnleashAdapter {
  const details = (name: string, context: UnleashContext | undefined): EvaluationDetails => {
    const key = toHalyardKey(name);
    const ctx = unleashContext(context, options);
    return (source as unknown as DetailsReader).getDetails(key, null, ctx);
  };
  return {
    isEnabled(name, context, fallback = false) {
      const d = details(name, context);
      if (d.errorCode === 'FLAG_NOT_FOUND') return fallback;
      return unleashResult(d).enabled;
    },
    getVariant(name, context, fallbackVariant) {
      const d = details(name, context);
      if (d.errorCode === 'FLAG_NOT_FOUND') {
        const fb = fallbackVariant ?? { name: 'disabled', enabled: false };
        const out: UnleashVariant = { name: fb.name, enabled: fb.enabled, feature_enabled: false, featureEnabled: false };
        if (fb.payload !== undefined) out.payload = { ...fb.payload };
        return out;
      }
      return unleashResult(d).variant;
    },
  };
}
