'use client';
import { useState, type ReactNode } from 'react';
import { sseStream } from '@halyard/core';
import type { FlagSnapshot } from '@halyard/core';
import { FlagProvider } from '@halyard/react';

export interface HalyardClientProviderProps {
  /** The server's snapshot for this request: the first client render shows exactly these values. */
  snapshot: FlagSnapshot;
  endpoint: string;
  pollInterval?: number;
  /** Stream updates over server-sent events (polling while the stream is down). */
  stream?: boolean;
  children?: ReactNode;
}

/**
 * The client half of `<HalyardProvider>`: only serialisable props cross the server → client boundary, so the
 * stream is built here rather than passed in.
 */
export function HalyardClientProvider(props: HalyardClientProviderProps): ReactNode {
  const [stream] = useState(() => (props.stream ? sseStream() : undefined));
  return (
    <FlagProvider snapshot={props.snapshot} endpoint={props.endpoint} pollInterval={props.pollInterval} stream={stream}>
      {props.children}
    </FlagProvider>
  );
}
