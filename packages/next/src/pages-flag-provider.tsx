'use client';
import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { createPollingSnapshotStore, sseStream } from '@halyard/core';
import type { ExposureEvent, FlagSnapshot, SnapshotStore } from '@halyard/core';
import { FlagProvider } from '@halyard/react';

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
 *     <PagesFlagProvider snapshot={pageProps.halyardSnapshot}>
 *       <Component {...pageProps} />
 *     </PagesFlagProvider>
 *   );
 * }
 */
export function PagesFlagProvider(props: PagesFlagProviderProps): ReactNode {
  const latest = useRef(props);
  const [store] = useState<SnapshotStore>(() =>
    (props.stream ? sseStream() : createPollingSnapshotStore)({
      snapshot: props.snapshot,
      endpoint: props.endpoint ?? '/api/flags',
      pollInterval: props.pollInterval,
      onExposure: (event) => latest.current.onExposure?.(event),
      onError: (error) => latest.current.onError?.(error),
    }),
  );
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
