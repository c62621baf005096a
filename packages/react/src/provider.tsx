import type { ReactNode } from 'react';
import { createPollingSnapshotStore } from '@halyard/core/store';
import type { EvaluationContext, EventSender, ExposureEvent, FlagSnapshot, SnapshotStore, SnapshotStream } from '@halyard/core';
import { Ctx, React, type StoreContext } from './internal/context';

export interface FlagProviderProps {
  /** Initial flags, e.g. evaluated during SSR or inlined as a bootstrap. The first client render shows exactly these. */
  snapshot?: FlagSnapshot;
  /** The app's flags route (answers `POST {context}` with a snapshot). Without it the provider never fetches. */
  endpoint?: string;
  /** Milliseconds between polls while the tab is visible. Default 30 000. */
  pollInterval?: number;
  /**
   * Live updates: `sseStream()` streams server-sent events from `endpoint` (`?stream=1`) and polls only while the
   * stream is down (`withStream` builds other channels). Read once, at mount. Imported separately so apps that only
   * poll do not ship the streaming code.
   */
  stream?: SnapshotStream;
  /**
   * Who is asking. Changing it (by value, not identity: an inline object literal is fine) refetches while the
   * current values stay on screen, so there is never a flash of defaults.
   */
  context?: EvaluationContext;
  /**
   * Called once per flag/variant/unit the first time a component reads it (after commit, never during render),
   * e.g. for your own analytics. To send exposures to the flag service, use `events`.
   *
   * @example
   * ```tsx
   * <FlagProvider endpoint="/api/flags" onExposure={(e) => analytics.track('$exposure', e)}>…</FlagProvider>
   * ```
   */
  onExposure?: (event: ExposureEvent) => void;
  /**
   * Send exposures to the flag service: a sender from `createEventSender({ url, clientKey })`, created once,
   * outside components. Exposures are recorded once per flag/variant/unit after commit, and flushed with
   * `sendBeacon` when the page is hidden (docs/events.md). Works alongside `onExposure`.
   *
   * @example
   * ```tsx
   * import { createEventSender } from '@halyard/react';
   * const events = createEventSender({ url: 'https://flags.example.com/sdk/v1/events', clientKey: 'client-…' });
   * <FlagProvider endpoint="/api/flags" context={{ userId }} events={events}>…</FlagProvider>
   * ```
   */
  events?: Pick<EventSender, 'exposure'>;
  /** Called when a fetch fails; the last good flags stay (status `stale`). */
  onError?: (error: Error) => void;
  /**
   * A prebuilt store (tests, `@halyard/testing`, sharing one store between roots). When given, the props above
   * except `context` are ignored, and the provider never closes it: whoever built it owns it. Its methods are
   * called detached, as plain functions (as the stores of `@halyard/core` allow: a class-based store must bind
   * them), and `setContext` after every render (it must ignore a context equal to the current one in JSON form).
   */
  store?: SnapshotStore;
  children?: ReactNode;
}

/**
 * Holds one snapshot store for its subtree: every hook below reads from it. Polling starts when the first
 * component reads a flag and stops (aborting any request in flight) when the last one unmounts.
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
  // The store is never closed: without subscribers it holds no timer, listener or request, so nothing leaks, and
  // StrictMode or <Activity> re-running effects on the same state simply subscribe again.
  const [value] = React.useState((): StoreContext => {
    // Callbacks are read through the latest props (`p`), so inline arrow functions neither recreate the store nor
    // go stale.
    const c = { p: props } as StoreContext;
    c.s =
      props.store ??
      (props.stream ?? createPollingSnapshotStore)({
        ...props,
        onExposure: (event) => {
          c.p.onExposure?.(event);
          c.p.events?.exposure(event);
        },
        onError: (error) => c.p.onError?.(error),
      });
    c.i = c.s.getSnapshot();
    return c;
  });
  // Insertion effects run before any layout or passive effect, so children's exposures already see new callbacks.
  React.useInsertionEffect(() => {
    value.p = props;
  });

  // After every render: setContext compares contexts in wire form (equal JSON is an identical request, so no
  // refetch). Our own store already has the first context; a prebuilt store gets it when given.
  React.useEffect(() => {
    if (!props.store || props.context) value.s.setContext(props.context);
  });

  return <Ctx.Provider value={value}>{props.children}</Ctx.Provider>;
}
