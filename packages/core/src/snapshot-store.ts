// The batteries-included browser store: `createPollingSnapshotStore`, or with `stream` the store `sseStream()`
// builds. Size-sensitive apps (and @halyard/react) use `createPollingSnapshotStore` directly and opt into `sseStream()`.
import { createPollingSnapshotStore, type PollingSnapshotStoreOptions } from './polling-store';
import { encodeContextParam, sseStream } from './sse-stream';
import { limitFetch } from './internal/body-limit';
import { toError } from './internal/errors';
import { MAX_BODY } from './internal/store-timing';
import type { EvaluationContext, SnapshotStore } from './types';

export { encodeContextParam };

export interface SnapshotStoreOptions extends PollingSnapshotStoreOptions {
  /**
   * Live updates over server-sent events (needs `endpoint`): `true` uses `GET ${endpoint}?stream=1`, a string is the stream URL.
   * When a context is set it is appended as `context=<base64url(JSON)>` — it ends up in URLs, so in server and
   * proxy logs: keep it to ids and coarse attributes, or keep the context server-side (cookies/session) and
   * leave `context` unset. The stream sends `event: update` with `data: <FlagSnapshot JSON>` (and
   * `id: <version>`), or `event: patch` with only the entries that changed (see `sseStream`'s `delta`); while it
   * is down, the store polls.
   */
  stream?: boolean | string;
  /** Reconnect the stream when no complete event and no heartbeat arrived for this long, in ms. Default 37,500. */
  heartbeatTimeout?: number;
  /**
   * Largest answer read from `endpoint`, in bytes. Default 4 MiB. A longer body is cancelled at the limit and
   * counts as a failure: the store keeps its last good flags (`stale`), reports it through `onError`, and
   * retries with backoff. (`createPollingSnapshotStore`, the lean store inside `@halyard/react`, has no limit:
   * give `FlagProvider` a `store={createSnapshotStore(…)}` to get one.)
   *
   * @example
   * createSnapshotStore({ endpoint: '/api/flags', maxBodySize: 512 * 1024 });
   */
  maxBodySize?: number;
  /** Largest stream line or event, in characters. Default `maxBodySize` (see `sseStream`'s `maxEventSize`). */
  maxEventSize?: number;
}

/**
 * Creates the browser-side flag store: it holds a per-user snapshot of evaluated flags and keeps it fresh from
 * the app's flags endpoint, by polling and optionally over server-sent events. Framework-agnostic. Behaviour as
 * `createPollingSnapshotStore`, which this is, or with `stream` as `sseStream()` (polling only while the stream is down).
 *
 * @example
 * const store = createSnapshotStore({ endpoint: '/api/flags', snapshot: window.__FLAGS__, context: { userId } });
 * const unsubscribe = store.subscribe(() => render(store.getSnapshot().snapshot.flags));
 */
export function createSnapshotStore(options: SnapshotStoreOptions = {}): SnapshotStore {
  const { stream, heartbeatTimeout, maxBodySize = MAX_BODY, maxEventSize, ...rest } = options;
  if (stream === undefined || stream === false) return createPollingSnapshotStore({ ...rest, fetch: limitFetch(rest.fetch, maxBodySize) });
  return sseStream({
    url: typeof stream === 'string' ? stream : undefined,
    headers: options.headers,
    fetch: options.fetch,
    heartbeatTimeout,
    maxBodySize,
    maxEventSize,
    // Reconnects back off like polls: from 1 s, up to a minute or one poll interval if longer.
    retry: { max: Math.max(60_000, options.pollInterval ?? 30_000) },
  })(rest);
}

/**
 * Decodes the `context` query parameter sent by the snapshot store's stream (for endpoint implementations).
 * Throws a descriptive error when the parameter is not base64url JSON of an object — answer 400 then.
 *
 * @example
 * const context = param === null ? undefined : decodeContextParam(param);
 */
export function decodeContextParam(param: string): EvaluationContext {
  let parsed: unknown;
  try {
    const base64 = param.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new Error(`@halyard/core: the context parameter is not base64url-encoded JSON (${toError(error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('@halyard/core: the context parameter must encode a JSON object');
  }
  return parsed as EvaluationContext;
}
