import type { EvaluationDetails, JsonValue, SnapshotFlag } from '@halyard/core';

/**
 * Augment this interface to type every flag key and value in your app. Without it, keys are plain strings and
 * values are `JsonValue`s; with it, hooks autocomplete keys, type values and reject unknown keys.
 *
 * @example
 * ```ts
 * // flags.d.ts (any file your tsconfig includes)
 * declare module '@halyard/react' {
 *   interface Register {
 *     flags: { 'new-checkout': boolean; 'button-color': 'blue' | 'green' };
 *   }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-empty-object-type
export interface Register {}

/** The flag map of a register-like type `R`: `R['flags']` when present, else any string key to any JSON value. */
export type FlagsOf<R> = R extends { flags: infer F } ? F : Record<string, JsonValue>;

/** `true` once the app augmented {@link Register} with `flags`. */
export type IsRegistered<R = Register> = R extends { flags: unknown } ? true : false;

/** The app's flag map (see {@link Register}). */
export type RegisteredFlags = FlagsOf<Register>;

/** A flag key: one of the registered keys, or any string when nothing is registered. */
export type FlagKey = IsRegistered extends true ? keyof RegisteredFlags & string : string;

/** The value type of flag `K`: its registered type, or `JsonValue` when nothing is registered. */
export type FlagValue<K extends string> = IsRegistered extends true
  ? K extends keyof RegisteredFlags
    ? RegisteredFlags[K]
    : never
  : JsonValue;

/** Keys of boolean flags (any string when nothing is registered): what `useFlag` and `<Flag>` without `variant` accept. */
export type BooleanFlagKey = IsRegistered extends true
  ? { [K in FlagKey]: FlagValue<K> extends boolean ? K : never }[FlagKey]
  : string;

/** Literal types widened to their primitive, so an unregistered `useFlagValue('x', 'blue')` is a `string`. */
export type Widen<T> = T extends string ? string : T extends number ? number : T extends boolean ? boolean : T;

/** What `useFlagValue(key, defaultValue)` returns. */
export type ResolvedValue<K extends string, D> = IsRegistered extends true ? FlagValue<K> : Widen<D>;

/** A snapshot entry with its registered value type. */
export type TypedSnapshotFlag<K extends string> = Omit<SnapshotFlag, 'value'> & { value: FlagValue<K> };

/** The whole snapshot's flags as returned by `useFlags()`; every key may be absent (unknown to the server). */
export type FlagEntries = IsRegistered extends true
  ? { readonly [K in FlagKey]?: TypedSnapshotFlag<K> }
  : Readonly<Record<string, SnapshotFlag>>;

/** What `useFlagDetails` returns. */
export type FlagDetails<T> = EvaluationDetails<T>;
