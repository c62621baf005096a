'use client';
import { useInsertionEffect, useRef, useState, type ReactNode } from 'react';
import { createPollingSnapshotStore, sseStream, type ExposureHandoff } from '@halyard/core/store';
import type { FlagSnapshot } from '@halyard/core';
import { FlagProvider } from '@halyard/react';
import { sendTo, withServerUnits, type BrowserEventsConfig } from './internal/browser-exposures';

export interface HalyardClientProviderProps {
  /** The server's snapshot for this request: the first client render shows exactly these values. */
  snapshot: FlagSnapshot;
  endpoint: string;
  pollInterval?: number;
  /** Stream updates over server-sent events (polling while the stream is down). */
  stream?: boolean;
  /**
   * Send exposures of `useFlag` & co. reads to the flag service from the browser (`createHalyard({ browserEvents })`
   * sets it): the events endpoint and a client key. Read at mount.
   */
  events?: BrowserEventsConfig;
  /**
   * The server's units for this request's snapshot and the flags it already recorded (`createHalyard` sets it
   * with `events`): the context itself never reaches the page.
   */
  exposures?: ExposureHandoff;
  children?: ReactNode;
}

/**
 * The client half of `<HalyardProvider>`: only serialisable props cross the server → client boundary, so the
 * store (and its stream, and the event sender) is built here rather than passed in.
 *
 * @example
 * // Rendered for you by `<HalyardProvider>`; by hand (e.g. in a test):
 * <HalyardClientProvider snapshot={snapshot} endpoint="/api/flags" events={{ url, clientKey }} exposures={{ units: { userId: 'u1' }, exposed: [] }}>
 *   <Checkout />
 * </HalyardClientProvider>
 */
export function HalyardClientProvider(props: HalyardClientProviderProps): ReactNode {
  const latest = useRef(props);
  // Before any child's effect (which is where reads are exposed), so a refreshed server render's units apply.
  useInsertionEffect(() => {
    latest.current = props;
  });
  const [store] = useState(() => {
    const base = (props.stream ? sseStream() : createPollingSnapshotStore)({ snapshot: props.snapshot, endpoint: props.endpoint, pollInterval: props.pollInterval });
    const events = props.events;
    if (events === undefined) return base;
    return withServerUnits(
      base,
      () => latest.current.exposures,
      sendTo(() => latest.current.events ?? events),
    );
  });
  // No close() on unmount: a store without subscribers holds no timer or connection, and closing would break
  // React StrictMode's unmount/remount check (as in PagesFlagProvider).
  return <FlagProvider store={store}>{props.children}</FlagProvider>;
}
