import { useEffect, useInsertionEffect, useRef, useState, type ReactNode } from 'react';
import { createPollingSnapshotStore } from '@halyard/core';
import type { EvaluationContext, ExposureEvent, FlagSnapshot, SnapshotStore, SnapshotStream } from '@halyard/core';
import { Ctx, type StoreContext } from './internal/context';

export interface FlagProviderProps {
  /** Initial flags, e.g. evaluated during SSR or inlined as a bootstrap. The first client render shows exactly these. */
  snapshot?: FlagSnapshot;
  /** The app's flags route (answers `POST {context}` with a snapshot). Without it the provider never fetches. */
  endpoint?: string;
  /** Milliseconds between polls while the tab is visible. Default 30 000. */
  pollInterval?: number;
  /**
   * A live-update channel: `sseStream()` streams server-sent events from `endpoint` (`?stream=1`) and polls only
   * while the stream is down. Imported separately so apps that only poll do not ship the SSE client.
   */
  stream?: SnapshotStream;
  /**
   * Who is asking. Changing it (by value, not identity: an inline object literal is fine) refetches while the
   * current values stay on screen, so there is never a flash of defaults.
   */
  context?: EvaluationContext;
  /** Called once per flag/variant/unit the first time a component reads it (after commit, never during render). */
  onExposure?: (event: ExposureEvent) => void;
  /** Called when a fetch fails; the last good flags stay (status `stale`). */
  onError?: (error: Error) => void;
  /**
   * A prebuilt store (tests, `@halyard/testing`, sharing one store between roots). When given, the props above
   * except `context` are ignored, and the provider does not close it on unmount: whoever built it owns it.
   */
  store?: SnapshotStore;
  children?: ReactNode;
}

/**
 * Holds one snapshot store for its subtree: every hook below reads from it. Polling starts when the first
 * component reads a flag and stops when the last one unmounts; the store is closed when the provider unmounts.
 *
 * @example
 * ```tsx
 * <FlagProvider snapshot={snapshotFromServer} endpoint="/api/flags" context={{ userId: user.id }}>
 *   <App />
 * </FlagProvider>
 * // Live updates over server-sent events, polling while the stream is down:
 * <FlagProvider endpoint="/api/flags" stream={sseStream()}>…</FlagProvider>
 * ```
 */
export function FlagProvider(props: FlagProviderProps): ReactNode {
  // Callbacks and options are read through a ref so inline arrow functions neither recreate the store nor go stale.
  const latest = useRef(props);
  const contextKey = JSON.stringify(props.context ?? null);
  const appliedKey = useRef(contextKey);
  const create = (snapshot = props.snapshot): StoreContext => {
    const p = latest.current;
    const s =
      p.store ??
      createPollingSnapshotStore({
        ...p,
        snapshot,
        onExposure: (event) => latest.current.onExposure?.(event),
        onError: (error) => latest.current.onError?.(error),
      });
    return { s, u: (listener) => s.subscribe(listener), i: s.getSnapshot(), o: !p.store };
  };
  const [value, setValue] = useState(create);

  // Insertion effects run before any layout or passive effect, so children's exposures already see new callbacks.
  useInsertionEffect(() => {
    latest.current = props;
  });

  // The wire form is the identity of a context: equal JSON means an identical request, so no refetch.
  useEffect(() => {
    if (appliedKey.current !== contextKey) {
      appliedKey.current = contextKey;
      value.s.setContext(props.context);
    }
  }, [contextKey]);

  // Close our own store on unmount. StrictMode and <Activity> re-run effects on the same state after cleanup:
  // a closed store cannot restart, so replace it with a fresh one that starts from the last flags shown.
  useEffect(() => {
    if (value.c) setValue(create(value.s.getSnapshot().snapshot));
    return () => {
      if (value.o) {
        value.c = true;
        value.s.close();
      }
    };
  }, [value]);

  return <Ctx.Provider value={value}>{props.children}</Ctx.Provider>;
}
