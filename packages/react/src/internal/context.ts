import { createContext, useContext, useEffect, useSyncExternalStore } from 'react';
import type { SnapshotFlag, SnapshotState, SnapshotStore, Unsubscribe } from '@halyard/core';

/** What a provider shares with its hooks; created once per provider. */
export interface StoreContext {
  /** The store. */
  s: SnapshotStore;
  /** `store.subscribe`, bound once so useSyncExternalStore never resubscribes (stores may be class instances). */
  u: (listener: () => void) => Unsubscribe;
  /** The state at mount: the server snapshot, so hydration renders exactly what SSR rendered. */
  i: SnapshotState;
}

export const Ctx = createContext<StoreContext | null>(null);

export function useStoreContext(hook: string): StoreContext {
  const c = useContext(Ctx);
  if (!c) throw new Error(`@halyard/react: ${hook} must be used inside <FlagProvider>`);
  return c;
}

export function useSelect<T>(c: StoreContext, select: (state: SnapshotState) => T): T {
  return useSyncExternalStore(
    c.u,
    () => select(c.s.getSnapshot()),
    () => select(c.i),
  );
}

/**
 * One flag's snapshot entry. The store keeps unchanged entries' identity across updates, so a component re-renders
 * only when *its* flag changes. The exposure is recorded after commit (an effect), never during render, and only
 * when the entry changes; the store de-duplicates per flag/variant/unit.
 */
export function useEntry(key: string, hook: string): SnapshotFlag | undefined {
  const c = useStoreContext(hook);
  // Own keys only: a flag named like an Object.prototype member ("constructor") must not read the prototype's.
  const entry = useSelect(c, ({ snapshot: { flags } }) => (Object.hasOwn(flags, key) ? flags[key] : undefined));
  useEffect(() => {
    if (entry) c.s.expose(key);
  }, [c, key, entry]);
  return entry;
}
