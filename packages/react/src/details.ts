import type { FlagStatus, JsonValue } from '@halyard/core';
import { matchesDefaultType } from '@halyard/core/store';
import { React, useEntry, useSelect, useStoreContext } from './internal/context';
import type { DefaultValueFor, FlagDetails, FlagKey, FlagValue, ResolvedValue } from './types';

// The hooks that memoise what they return, apart from the others.

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
export function useFlagDetails<K extends FlagKey, D extends DefaultValueFor<K>>(
  key: K,
  defaultValue: D,
): FlagDetails<ResolvedValue<K, D>>;
export function useFlagDetails(key: string, defaultValue?: JsonValue): FlagDetails<JsonValue | undefined> {
  const entry = useEntry(key, 'useFlagDetails()');
  return React.useMemo(() => {
    if (!entry) return { value: defaultValue, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' };
    if (!matchesDefaultType(entry.value, defaultValue)) {
      return { value: defaultValue, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' };
    }
    const { value, variant, reason, ruleId, errorCode } = entry;
    return { value, variant, reason, ruleId, errorCode };
  }, [entry, defaultValue]);
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
  return React.useMemo(() => ({ status, updatedAt, error }), [status, updatedAt, error]);
}
