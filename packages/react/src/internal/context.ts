import { createContext, useContext } from 'react';
import type { SnapshotState, SnapshotStore, Unsubscribe } from '@halyard/core';

/** What a provider shares with its hooks; created once per provider. */
export interface StoreContext {
  /** The store. */
  s: SnapshotStore;
  /** `store.subscribe`, bound once so useSyncExternalStore never resubscribes (stores may be class instances). */
  u: (listener: () => void) => Unsubscribe;
  /** The state at mount: the server snapshot, so hydration renders exactly what SSR rendered. */
  i: SnapshotState;
  /** Whether the provider created (and so owns and closes) the store. */
  o: boolean;
  /** Closed by an effect cleanup. */
  c?: boolean;
}

export const Ctx = createContext<StoreContext | null>(null);

export function useStoreContext(hook: string): StoreContext {
  const c = useContext(Ctx);
  if (!c) throw new Error(`@halyard/react: ${hook} must be used inside <FlagProvider>`);
  return c;
}
