import type { EvaluationDetails, FlagKey, FlagValue, IsRegistered, SnapshotFlag } from '@halyard/core';

// Typed keys come from core's `Register`: one `declare module '@halyard/core' { interface Register { flags } }`
// types the hooks, the client, `req.flags` and `getFlags()` alike. Re-exported so that existing imports from
// '@halyard/react' (and `declare module '@halyard/react'`, which merges into the same interface) keep working.
export type {
  BooleanFlagKey,
  DefaultValueFor,
  FlagKey,
  FlagsOf,
  FlagValue,
  IsRegistered,
  Register,
  RegisteredFlags,
  ResolvedValue,
  Widen,
} from '@halyard/core';

/** A snapshot entry with its registered value type. */
export type TypedSnapshotFlag<K extends string> = Omit<SnapshotFlag, 'value'> & { value: FlagValue<K> };

/** The whole snapshot's flags as returned by `useFlags()`; every key may be absent (unknown to the server). */
export type FlagEntries = IsRegistered extends true
  ? { readonly [K in FlagKey]?: TypedSnapshotFlag<K> }
  : Readonly<Record<string, SnapshotFlag>>;

/** What `useFlagDetails` returns. */
export type FlagDetails<T> = EvaluationDetails<T>;
