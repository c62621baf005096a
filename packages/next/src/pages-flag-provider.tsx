'use client';
import { useEffect, useInsertionEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { createPollingSnapshotStore, sseStream } from '@halyard/core';
import type { ExposureEvent, FlagSnapshot, SnapshotStore } from '@halyard/core';
import { FlagProvider } from '@halyard/react';
import { sendTo, withServerUnits, type HalyardPageEvents } from './internal/browser-exposures';

// useLayoutEffect warns during SSR; the effect only matters in the browser anyway.
const useBrowserLayoutEffect = typeof window === 'undefined' ? useEffect : useLayoutEffect;

export interface PagesFlagProviderProps {
  /** `pageProps.halyardSnapshot` from `withFlags` / `withFlagsInitialProps`. */
  snapshot: FlagSnapshot | undefined;
  /** The flags route. Default `/api/flags`. */
  endpoint?: string;
  /** Browser poll interval in ms. Default 30,000. */
  pollInterval?: number;
  /** Listen to server-sent events from the flags route instead of polling. */
  stream?: boolean;
  /**
   * `pageProps.halyardEvents` (set by `withFlags` when `createHalyard({ browserEvents })` is configured): sends
   * exposures of `useFlag` & co. reads from the browser with the client key, attributed to the server's units.
   * Read at mount (the first page must bring it); later pages' units replace the previous ones.
   */
  events?: HalyardPageEvents;
  onExposure?: (event: ExposureEvent) => void;
  onError?: (error: Error) => void;
  children?: ReactNode;
}

/**
 * Pages Router provider for `_app`: one store for the whole session, started from the first page's server
 * snapshot (so the first render matches the server HTML), and adopting the snapshot each newly navigated page
 * brings from `getServerSideProps`, before paint.
 *
 * @example
 * // pages/_app.tsx
 * import { PagesFlagProvider } from '@halyard/next/client';
 * export default function App({ Component, pageProps }: AppProps) {
 *   return (
 *     <PagesFlagProvider snapshot={pageProps.halyardSnapshot} events={pageProps.halyardEvents}>
 *       <Component {...pageProps} />
 *     </PagesFlagProvider>
 *   );
 * }
 */
export function PagesFlagProvider(props: PagesFlagProviderProps): ReactNode {
  const latest = useRef(props);
  // The last page that brought events: a page without getServerSideProps keeps the previous page's units.
  // Updated before any child's effect (where reads are exposed), and never from a render React may discard.
  const lastEvents = useRef(props.events);
  useInsertionEffect(() => {
    if (props.events !== undefined) lastEvents.current = props.events;
  });
  const [store] = useState<SnapshotStore>(() => {
    const base = (props.stream ? sseStream() : createPollingSnapshotStore)({
      snapshot: props.snapshot,
      endpoint: props.endpoint ?? '/api/flags',
      pollInterval: props.pollInterval,
      onExposure: (event) => latest.current.onExposure?.(event),
      onError: (error) => latest.current.onError?.(error),
    });
    const events = props.events;
    if (events === undefined) return base;
    // The same attribution and de-duplication as the App Router's <HalyardProvider> (one module, both routers).
    // `onExposure` then sees the same events as the service, with the server's units.
    const send = sendTo(() => lastEvents.current?.events ?? events.events);
    return withServerUnits(
      base,
      () => lastEvents.current?.exposures,
      (event) => {
        latest.current.onExposure?.(event);
        send(event);
      },
    );
  });
  useEffect(() => {
    latest.current = props;
  });
  const incoming = props.snapshot;
  useBrowserLayoutEffect(() => {
    if (incoming !== undefined && incoming.version !== store.getSnapshot().snapshot.version) store.setSnapshot(incoming);
  }, [incoming?.version]);
  // No close() on unmount: a store without subscribers holds no timer or connection (FlagProvider's hooks
  // unsubscribe), and closing would break React StrictMode's unmount/remount check.
  return <FlagProvider store={store}>{props.children}</FlagProvider>;
}
