import { matchesDefaultType } from '@halyard/core/store';
import { useEntry, useSelect, useStoreContext } from './internal/context';
import type { BooleanFlagKey, DefaultValueFor, FlagEntries, FlagKey, ResolvedValue } from './types';

/**
 * Whether a boolean flag is on: its value, or `defaultValue` (default `false`) when the flag is missing or not a
 * boolean.
 *
 * @example
 * ```tsx
 * const newCheckout = useFlag('new-checkout');
 * return newCheckout ? <NewCheckout /> : <Checkout />;
 * ```
 */
export function useFlag(key: BooleanFlagKey, defaultValue = false): boolean {
  const value = useEntry(key, 'useFlag()')?.value;
  // `value === !!value`: a boolean (the shortest test, in every app's bundle).
  return value === !!value ? value : defaultValue;
}

/**
 * A flag's value, or `defaultValue` when the flag is missing or its value has another type than the default
 * (core's one type-match rule: `null` accepts any type; arrays, objects and `null` values are all JSON).
 *
 * @example
 * ```tsx
 * const color = useFlagValue('button-color', 'blue');
 * ```
 */
export function useFlagValue<K extends FlagKey, D extends DefaultValueFor<K>>(
  key: K,
  defaultValue: D,
): ResolvedValue<K, D> {
  const entry = useEntry(key, 'useFlagValue()');
  return (entry && matchesDefaultType(entry.value, defaultValue) ? entry.value : defaultValue) as ResolvedValue<K, D>;
}

/**
 * The variant the flag serves (e.g. `"treatment"`), or `undefined` when the flag is missing.
 *
 * @example
 * ```tsx
 * const variant = useVariant('checkout-experiment');
 * ```
 */
export function useVariant(key: FlagKey): string | undefined {
  return useEntry(key, 'useVariant()')?.variant;
}

/**
 * Every flag of the current snapshot, keyed by flag. The component re-renders whenever ANY flag changes, and no
 * exposures are recorded: prefer the per-flag hooks in components; this is for debugging panels and forwarding.
 *
 * @example
 * ```tsx
 * const flags = useFlags();
 * return <pre>{JSON.stringify(flags, null, 2)}</pre>;
 * ```
 */
export function useFlags(): FlagEntries {
  return useSelect(useStoreContext('useFlags()'), (state) => state.snapshot.flags) as FlagEntries;
}
