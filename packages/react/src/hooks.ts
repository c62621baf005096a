import { useMemo } from 'react';
import type { FlagStatus, JsonValue } from '@halyard/core';
import { useEntry, useSelect, useStoreContext } from './internal/context';
import type {
  BooleanFlagKey,
  FlagDetails,
  FlagEntries,
  FlagKey,
  FlagValue,
  IsRegistered,
  ResolvedValue,
} from './types';

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
  return typeof value == 'boolean' ? value : defaultValue;
}

/**
 * A flag's value, or `defaultValue` when the flag is missing or its value has another type than the default.
 *
 * @example
 * ```tsx
 * const color = useFlagValue('button-color', 'blue');
 * ```
 */
export function useFlagValue<K extends FlagKey, D extends IsRegistered extends true ? FlagValue<K> : JsonValue>(
  key: K,
  defaultValue: D,
): ResolvedValue<K, D> {
  const entry = useEntry(key, 'useFlagValue()');
  return (entry && sameType(entry.value, defaultValue) ? entry.value : defaultValue) as ResolvedValue<K, D>;
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
 * Value, variant and reason of one flag. A missing flag gives `defaultValue` with reason `ERROR` and errorCode
 * `FLAG_NOT_FOUND`; a value of another type than `defaultValue` gives `defaultValue` with `TYPE_MISMATCH`.
 * The returned object keeps its identity until the flag changes.
 *
 * @example
 * ```tsx
 * const { value, variant, reason } = useFlagDetails('new-checkout', false);
 * ```
 */
export function useFlagDetails<K extends FlagKey>(key: K): FlagDetails<FlagValue<K> | undefined>;
export function useFlagDetails<K extends FlagKey, D extends IsRegistered extends true ? FlagValue<K> : JsonValue>(
  key: K,
  defaultValue: D,
): FlagDetails<ResolvedValue<K, D>>;
export function useFlagDetails(key: string, defaultValue?: JsonValue): FlagDetails<JsonValue | undefined> {
  const entry = useEntry(key, 'useFlagDetails()');
  return useMemo(() => {
    if (!entry) return { value: defaultValue, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' };
    if (defaultValue !== undefined && !sameType(entry.value, defaultValue)) {
      return { value: defaultValue, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' };
    }
    const { value, variant, reason, ruleId, errorCode } = entry;
    return { value, variant, reason, ruleId, errorCode };
  }, [entry, defaultValue]);
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

/** What `useFlagStatus()` returns. */
export interface FlagStatusInfo {
  /** `loading` before the first answer, `ready`, `stale` (last fetch failed, old values kept) or `error`. */
  status: FlagStatus;
  /** When the current flags arrived (epoch ms), if known. */
  updatedAt: number | undefined;
  /** The last fetch error while `stale` or `error`. */
  error: Error | undefined;
}

/**
 * The store's lifecycle: re-renders only when status, updatedAt or error change, not when flags do.
 *
 * @example
 * ```tsx
 * const { status, error } = useFlagStatus();
 * if (status === 'stale') console.warn('flags are out of date', error);
 * ```
 */
export function useFlagStatus(): FlagStatusInfo {
  const c = useStoreContext('useFlagStatus()');
  const status = useSelect(c, (state) => state.status);
  const updatedAt = useSelect(c, (state) => state.updatedAt);
  const error = useSelect(c, (state) => state.error);
  return useMemo(() => ({ status, updatedAt, error }), [status, updatedAt, error]);
}

function sameType(value: JsonValue, defaultValue: unknown): boolean {
  return typeof value === typeof defaultValue && Array.isArray(value) === Array.isArray(defaultValue);
}
