import { resolveBackoff, type BackoffOptions } from './internal/backoff';
import { limitFetch } from './internal/body-limit';
import { DELTA_HEADER, DELTA_VALUE } from './internal/delta-header';
import { createSseConnection } from './internal/sse';
import { MAX_BODY } from './internal/store-timing';
import { withStream, type SnapshotStream } from './stream-store';
import type { EvaluationContext } from './types';

export interface SseStreamOptions {
  /**
   * The stream URL. Default: the store's endpoint with `?stream=1`. When the store has a context it is appended
   * as `context=<base64url(JSON)>` — it ends up in URLs, so in server and proxy logs: keep it to ids and coarse
   * attributes, or keep the context server-side (cookies/session) and leave `context` unset.
   */
  url?: string;
  /** Extra request headers (e.g. a CSRF token). */
  headers?: Record<string, string>;
  /**
   * Ask for changes only (header `X-Halyard-Stream: delta`): the endpoint then sends `event: patch` with just
   * the entries of this user's snapshot that changed. Endpoints that do not know the header keep sending whole
   * snapshots, which are read as before. Default `true`.
   *
   * @example
   * sseStream({ delta: false }); // a whole snapshot on every change
   */
  delta?: boolean;
  /** A fetch implementation; default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Time allowed until the response headers arrive, in ms. Default 10,000. */
  timeout?: number;
  /**
   * Reconnect when no complete event and no heartbeat arrived for this long, in ms (bytes that never finish an
   * event do not count). Default 37,500.
   */
  heartbeatTimeout?: number;
  /**
   * Reconnect timing (full-jitter exponential backoff); defaults 1 s up to 60 s. `base` is also the floor for the
   * server's `retry:` and `Retry-After`: they can make the client wait longer, never shorter.
   */
  retry?: Partial<BackoffOptions>;
  /**
   * Largest answer the store reads when it polls (while the stream is down), in bytes. Default 4 MiB. A longer
   * body is cancelled at the limit and counts as a failed poll: the store keeps its flags (`stale`).
   */
  maxBodySize?: number;
  /**
   * Largest line or event read from the stream, in characters (bytes for ASCII JSON). Default `maxBodySize`. A
   * longer one drops the stream (reported through `onError`); the store keeps its flags, polls, and the stream
   * is resumed after a backoff delay.
   *
   * @example
   * sseStream({ maxBodySize: 256 * 1024, maxEventSize: 256 * 1024 });
   */
  maxEventSize?: number;
}

/**
 * Live flag updates over server-sent events (see `withStream`): `GET <endpoint>?stream=1` answering
 * `text/event-stream` with `event: update` / `data: <FlagSnapshot JSON>` (and `id: <version>`), or `event: patch`
 * with only the entries that changed for this user (`{"base","version","flags","removed"}`, asked for with the
 * `X-Halyard-Stream: delta` header; see `delta`). Runs over `fetch` (so it can send headers and detect a silent
 * connection), reconnects with backoff and `Last-Event-ID`, and the
 * store polls while it is down. A server's `retry: 0` never makes it reconnect in a loop (see `retry`), and a
 * line or event over `maxEventSize` or an invalid payload drops the connection. A separate import so apps that
 * only poll do not ship it.
 *
 * @example
 * <FlagProvider endpoint="/api/flags" stream={sseStream()} />
 * const store = sseStream()({ endpoint: '/api/flags' }); // the options of createPollingSnapshotStore
 */
export function sseStream(options: SseStreamOptions = {}): SnapshotStream {
  const maxBodySize = options.maxBodySize ?? MAX_BODY;
  const create = withStream((hooks) => {
    const base = options.url ?? withParam(hooks.endpoint, 'stream', '1');
    const connection = createSseConnection({
      fetch: options.fetch,
      url() {
        // Called before every (re)connect: resume from what the store shows now, which polling may have updated.
        connection.setLastEventId(hooks.version());
        const context = hooks.context();
        return context === undefined ? base : withParam(base, 'context', encodeContextParam(context));
      },
      headers: () => (options.delta === false ? { ...options.headers } : { ...options.headers, [DELTA_HEADER]: DELTA_VALUE }),
      timeout: options.timeout ?? 10_000,
      heartbeatTimeout: options.heartbeatTimeout ?? 37_500,
      backoff: resolveBackoff(options.retry, 0),
      maxEventSize: options.maxEventSize ?? maxBodySize,
      onOpen: hooks.onOpen,
      onEvent(event) {
        const patch = event.event == 'patch';
        if (event.event != 'update' && !patch) return;
        let body: unknown;
        try {
          body = JSON.parse(event.data);
        } catch (error) {
          throw new Error(`stream ${base} sent invalid JSON: ${(error as Error).message}`);
        }
        // An invalid snapshot or patch throws too: the connection drops (reported below) and resumes after a
        // backoff delay. A patch for another base returns false: the resume point stays, the store re-fetches.
        return patch ? hooks.onPatch(body) : hooks.onPayload(body);
      },
      onDown(error, rejected) {
        // Reported once per connection, and the store polls to resync; a plain drop is no error (polling fills in).
        if (rejected) hooks.onError(error);
        hooks.onDown();
      },
    });
    connection.start();
    return () => connection.stop();
  });
  // The store's own polls read through a fetch that cuts bodies off at maxBodySize.
  return (storeOptions = {}) => create({ ...storeOptions, fetch: limitFetch(storeOptions.fetch, maxBodySize) });
}

export function withParam(url: string, name: string, value: string): string {
  const hash = url.indexOf('#');
  const base = hash === -1 ? url : url.slice(0, hash);
  return `${base}${base.includes('?') ? '&' : '?'}${name}=${encodeURIComponent(value)}`;
}

/**
 * Encodes a context for the `context` query parameter of the snapshot stream: base64url of its UTF-8 JSON.
 *
 * @example
 * encodeContextParam({ userId: 'u1' }); // 'eyJ1c2VySWQiOiJ1MSJ9'
 */
export function encodeContextParam(context: EvaluationContext): string {
  const bytes = new TextEncoder().encode(JSON.stringify(context));
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
