import * as React from 'react';
import type { SnapshotFlag, SnapshotState, SnapshotStore } from '@halyard/core';
import type { FlagProviderProps } from '../provider';

// React as one namespace, which the other modules take from here: the published build (one file) then has one
// `import * as React from "react"`. Named imports would be renamed and listed in that statement, and an app's
// bundler keeps every name of an external import, used or not (bytes in every app, `pnpm size`).
export { React };

/** What a provider shares with its hooks; created once per provider. */
export interface StoreContext {
  /** The store. */
  s: SnapshotStore;
  /** The state at mount: the server snapshot, so hydration renders exactly what SSR rendered. */
  i: SnapshotState;
  /** The provider's latest props, for its callbacks. */
  p: FlagProviderProps;
}

export const Ctx = React.createContext<StoreContext | null>(null);

export function useStoreContext(hook: string): StoreContext {
  const c = React.useContext(Ctx);
  if (!c) throw Error(`@halyard/react: ${hook} must be used inside <FlagProvider>`);
  return c;
}

// `c.s.subscribe` is passed as is, detached: store methods must not need `this` (see `FlagProviderProps.store`).
export function useSelect<T>(c: StoreContext, select: (state: SnapshotState) => T): T {
  return React.useSyncExternalStore(
    c.s.subscribe,
    () => select(c.s.getSnapshot()),
    () => select(c.i),
  );
}

/**
 * One flag's snapshot entry. The store keeps unchanged entries' identity across updates, so a component re-renders
 * only when *its* flag changes. The exposure is recorded after commit (an effect), never during render, and only
 * when the entry changes; the store de-duplicates per flag/variant/unit. (It repeats `useStoreContext` and
 * `useSelect` inline: most apps use only entry hooks, and one function instead of three is bytes in every bundle.)
 */
export function useEntry(key: string, hook: string): SnapshotFlag | undefined {
  const c = React.useContext(Ctx);
  if (!c) throw Error(`@halyard/react: ${hook} must be used inside <FlagProvider>`);
  // Own keys only: a flag named like an Object.prototype member ("constructor") must not read the prototype's.
  const select = ({ snapshot: { flags } }: SnapshotState) => (Object.hasOwn(flags, key) ? flags[key] : undefined);
  const entry = React.useSyncExternalStore(
    c.s.subscribe,
    () => select(c.s.getSnapshot()),
    () => select(c.i),
  );
  React.useEffect(() => {
    if (entry) c.s.expose(key);
  }, [c, key, entry]);
  return entry;
}
