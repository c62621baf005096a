import { useEffect, useState } from 'react';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { ChangeEvent } from '@halyard/server';

/** One `event: change` of `GET /api/v1/stream` (one per audit entry). */
export type LiveChange = ChangeEvent;

export type LiveStatus = 'connecting' | 'live' | 'offline';

/** Reconnect delays: doubling from 1 s, capped at 30 s, so a restarting service is not hammered. */
export const RECONNECT_MIN_MS = 1_000;
export const RECONNECT_MAX_MS = 30_000;
export const reconnectDelay = (attempt: number) => Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** Math.min(attempt, 16));

/**
 * The query keys a change makes stale. Flag changes invalidate every `['flags', …]` list (each list shows every
 * environment's state), the flag's page and its release plan; `document` changes (imports, bulk writes) touch
 * everything in the environment.
 */
export function invalidateFor(queryClient: QueryClient, change: LiveChange): void {
  const invalidate = (queryKey: readonly unknown[]) => void queryClient.invalidateQueries({ queryKey });
  invalidate(['audit']);
  const env = change.env;
  switch (change.resource) {
    case 'flag':
      invalidate(['flags']);
      if (env !== null && change.key !== null) invalidate(['flag', env, change.key]);
      if (env !== null) invalidate(['releases', env]);
      if (env !== null) invalidate(['experiments', env]); // experiment status lives in the flag definition
      break;
    case 'segment':
      if (env !== null) invalidate(['segments', env]);
      if (env !== null) invalidate(['flag', env]); // flag pages show the segments they use
      break;
    case 'release-plan':
      if (env !== null) invalidate(['releases', env]);
      invalidate(['flags']);
      if (env !== null && change.key !== null) invalidate(['flag', env, change.key]);
      break;
    case 'environment':
      invalidate(['environments']);
      invalidate(['flags']);
      break;
    case 'key':
      invalidate(['keys']);
      break;
    case 'document':
      invalidate(['flags']);
      if (env !== null) {
        invalidate(['flag', env]);
        invalidate(['segments', env]);
        invalidate(['releases', env]);
      }
      break;
  }
}

function parseChange(data: string): LiveChange | undefined {
  try {
    const value = JSON.parse(data) as Partial<LiveChange>;
    return typeof value.resource === 'string' ? (value as LiveChange) : undefined;
  } catch {
    return undefined;
  }
}

const changes = new EventTarget();

/**
 * Calls `listener` with every change the shell's stream receives (after its queries were invalidated), e.g. to
 * announce other people's changes. Returns the unsubscribe function (an effect's cleanup).
 *
 * @example
 * useEffect(() => subscribeLiveChanges((change) => announce(`${change.actor} changed ${change.key}`)), []);
 */
export function subscribeLiveChanges(listener: (change: LiveChange) => void): () => void {
  const handler = (event: Event) => listener((event as CustomEvent<LiveChange>).detail);
  changes.addEventListener('change', handler);
  return () => changes.removeEventListener('change', handler);
}

/**
 * Keeps every open dashboard current: an EventSource on `/api/v1/stream` (the session cookie authenticates it) whose
 * `change` events invalidate the affected queries. The browser retries dropped connections itself, but not a
 * refused one (401, 5xx: the source closes), so a closed source is reopened with a capped backoff. After any gap
 * every query is refetched, since changes may have been missed. Mount it once (the shell does).
 *
 * @example
 * const status = useLiveChanges(); // 'connecting' | 'live' | 'offline'
 */
export function useLiveChanges(): LiveStatus {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>('connecting');

  useEffect(() => {
    if (typeof EventSource === 'undefined') {
      setStatus('offline');
      return;
    }
    let source: EventSource | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let hadGap = false;
    let stopped = false;

    const connect = () => {
      source = new EventSource('/api/v1/stream'); // same origin: the session cookie goes along
      source.addEventListener('open', () => {
        attempt = 0;
        setStatus('live');
        if (hadGap) void queryClient.invalidateQueries();
        hadGap = false;
      });
      source.addEventListener('change', (event) => {
        const change = parseChange((event as MessageEvent<string>).data);
        if (change === undefined) return;
        invalidateFor(queryClient, change);
        changes.dispatchEvent(new CustomEvent('change', { detail: change }));
      });
      source.addEventListener('error', () => {
        hadGap = true;
        setStatus(source?.readyState === EventSource.CONNECTING ? 'connecting' : 'offline');
        if (source?.readyState !== EventSource.CLOSED || stopped) return;
        source.close();
        // A refused stream is often an ended session: re-checking it lets the shell send a 401 to sign-in.
        void queryClient.invalidateQueries({ queryKey: ['me'] });
        timer = setTimeout(connect, reconnectDelay(attempt++));
      });
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      source?.close();
    };
  }, [queryClient]);

  return status;
}
