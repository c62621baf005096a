// Browser side: this module must not import the evaluator or the definitions parser, so an app that only reads
// snapshots ships none of that code.
import { createExposureTracker, type ExposureTracker } from './exposure';
import { resolveBackoff } from './internal/backoff';
import { toError } from './internal/errors';
import { checkSnapshot } from './internal/snapshot-shape';
import { deepEqual, shareSnapshot } from './internal/structural-share';
import { createSync, type Sync } from './internal/sync';
import type { EvaluationContext, ExposureEvent, FlagSnapshot, SnapshotState, SnapshotStore, Unsubscribe } from './types';

export interface SnapshotStoreOptions {
  /** Initial snapshot, e.g. the one the server rendered with; the store starts `ready` with it. */
  snapshot?: FlagSnapshot;
  /**
   * The app's flags endpoint. Without it the store only holds what `snapshot`/`setSnapshot` give it.
   * Protocol: `POST endpoint` with body `{"context": {...}}` and `If-None-Match: <etag>`; answers `200` with a
   * FlagSnapshot JSON body (and an `ETag`) or `304`.
   */
  endpoint?: string;
  /** Time between polls, in ms. Default 30,000. `0`: no timer — fetch only while there is no snapshot yet, after a context change, on `refresh()`. */
  pollInterval?: number;
  /**
   * Live updates over server-sent events: `true` uses `GET ${endpoint}?stream=1`, a string is the stream URL.
   * When a context is set it is appended as `context=<base64url(JSON)>` — it ends up in URLs, so in server and
   * proxy logs: keep it to ids and coarse attributes, or keep the context server-side (cookies/session) and
   * leave `context` unset. The stream sends `event: update` with `data: <FlagSnapshot JSON>` (and
   * `id: <version>`); while it is down, the store polls.
   */
  stream?: boolean | string;
  /** The evaluation context sent to the endpoint. */
  context?: EvaluationContext;
  /** Extra request headers (e.g. a CSRF token). */
  headers?: Record<string, string>;
  /** A fetch implementation; default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Per-request timeout, in ms. Default 10,000. */
  timeout?: number;
  /** Reconnect the stream after this much silence (no event or heartbeat), in ms. Default 37,500. */
  heartbeatTimeout?: number;
  /** Retry timing after failures (full-jitter exponential backoff); defaults 1 s up to 60 s (or pollInterval). */
  retry?: { base?: number; max?: number };
  /** Called once per (flag, variant, unit) by `expose(key)`; the unit is `context.userId`. */
  onExposure?: (event: ExposureEvent) => void;
  /** How many exposure keys to remember for de-duplication; default 10,000. */
  exposureCacheSize?: number;
  /** Called for every failed request or invalid response (the store keeps its last good snapshot). */
  onError?: (error: Error) => void;
  /**
   * Whether this is a server, where nothing must ever poll. Default: `typeof window === 'undefined'`. Set
   * `false` in browser-like runtimes without `window` (web workers, React Native) to enable fetching.
   */
  isServer?: boolean;
}

const EMPTY_SNAPSHOT: FlagSnapshot = Object.freeze({ version: '', flags: Object.freeze({}) }) as FlagSnapshot;

/**
 * Creates the browser-side flag store: it holds a per-user snapshot of evaluated flags and keeps it fresh from
 * the app's flags endpoint. Framework-agnostic; `@halyard/react` wraps it with `useSyncExternalStore`.
 *
 * - Lifecycle: the first `subscribe` starts polling (and the stream), the last unsubscribe stops it and aborts
 *   the request in flight. Nothing is ever fetched on the server (`isServer`). Requests never overlap; failures
 *   back off with full jitter.
 * - While the page is hidden it pauses; when it becomes visible again it fetches at once if the last answer is
 *   older than `pollInterval`, otherwise resumes the schedule. Coming back `online` fetches at once.
 * - `getSnapshot()` returns an immutable state whose identity changes only when something changed, and flag
 *   entries that did not change keep their object identity across updates (structural sharing).
 * - Never a flash of defaults: garbage responses and failures keep the last good snapshot (`status: 'stale'`),
 *   and a context change keeps showing the current values until the new snapshot arrives.
 *
 * @example
 * const store = createSnapshotStore({ endpoint: '/api/flags', snapshot: window.__FLAGS__, context: { userId } });
 * const unsubscribe = store.subscribe(() => render(store.getSnapshot().snapshot.flags));
 */
export function createSnapshotStore(options: SnapshotStoreOptions = {}): SnapshotStore {
  const { endpoint } = options;
  const pollInterval = options.pollInterval ?? 30_000;
  const isServer = options.isServer ?? typeof window === 'undefined';
  const headers = { ...options.headers };

  let context = options.context;
  let hasSnapshot = false;
  let state: SnapshotState;
  if (options.snapshot !== undefined) {
    const initial = validated(options.snapshot, 'createSnapshotStore({ snapshot })');
    hasSnapshot = true;
    state = { snapshot: initial, status: 'ready', updatedAt: Date.now(), error: undefined };
  } else {
    state = { snapshot: EMPTY_SNAPSHOT, status: 'loading', updatedAt: undefined, error: undefined };
  }
  // When the server last confirmed what we show (200 or 304); decides whether a returning tab must fetch at once.
  let checkedAt = hasSnapshot ? Date.now() : undefined;
  // The snapshot was computed for an older context: the next start must fetch at once.
  let contextDirty = false;
  let active = false;
  let closed = false;
  const listeners = new Set<{ listener: () => void }>();
  const tracker: ExposureTracker | undefined = options.onExposure
    ? createExposureTracker(options.onExposure, { max: options.exposureCacheSize })
    : undefined;

  function setState(next: SnapshotState): void {
    state = next;
    for (const entry of [...listeners]) {
      try {
        entry.listener();
      } catch (error) {
        // One broken subscriber must not starve the others; surface it asynchronously like an uncaught error.
        setTimeout(() => {
          throw error;
        });
      }
    }
  }

  function accept(snapshot: FlagSnapshot): void {
    const shared = shareSnapshot(state.snapshot, snapshot);
    hasSnapshot = true;
    checkedAt = Date.now();
    contextDirty = false;
    if (shared === state.snapshot && state.status === 'ready') return;
    setState({
      snapshot: shared,
      status: 'ready',
      updatedAt: shared === state.snapshot ? state.updatedAt : Date.now(),
      error: undefined,
    });
  }

  function fail(error: Error): void {
    try {
      options.onError?.(error);
    } catch {
      // The store's own state handling must not depend on a callback behaving.
    }
    const status = hasSnapshot ? 'stale' : 'error';
    if (status !== state.status || state.error?.message !== error.message) setState({ ...state, status, error });
  }

  const streamUrl =
    typeof options.stream === 'string'
      ? options.stream
      : options.stream === true && endpoint !== undefined
        ? withParam(endpoint, 'stream', '1')
        : undefined;

  const sync: Sync | undefined =
    endpoint === undefined || isServer
      ? undefined
      : createSync({
          fetch: options.fetch,
          timeout: options.timeout ?? 10_000,
          backoff: resolveBackoff(options.retry, pollInterval),
          pollInterval,
          request: () => ({
            url: endpoint,
            method: 'POST',
            headers: { 'content-type': 'application/json', ...headers },
            body: JSON.stringify({ context: context ?? {} }),
          }),
          headers: () => headers,
          stream:
            streamUrl === undefined
              ? undefined
              : {
                  url: () => (context === undefined ? streamUrl : withParam(streamUrl, 'context', encodeContextParam(context))),
                  heartbeatTimeout: options.heartbeatTimeout ?? 37_500,
                },
          onPayload(body) {
            const check = checkSnapshot(body);
            if (!check.ok) {
              throw new Error(`@halyard/core: the flags endpoint ${endpoint} returned an invalid snapshot: ${check.path} ${check.message}`);
            }
            sync?.setLastEventId(check.snapshot.version);
            accept(check.snapshot);
          },
          onNotModified() {
            checkedAt = Date.now();
            if (state.status !== 'ready' && hasSnapshot) setState({ ...state, status: 'ready', error: undefined });
          },
          onError(error) {
            fail(error.message.startsWith('@halyard/') ? error : new Error(`@halyard/core: snapshot store: ${error.message}`, { cause: error }));
          },
        });
  if (sync !== undefined && hasSnapshot) sync.setLastEventId(state.snapshot.version);

  function hidden(): boolean {
    return typeof document !== 'undefined' && document.visibilityState === 'hidden';
  }

  function resume(): void {
    if (sync === undefined) return;
    let delay = 0;
    if (hasSnapshot && !contextDirty && checkedAt !== undefined) {
      delay = pollInterval > 0 ? Math.max(0, checkedAt + pollInterval - Date.now()) : Infinity;
    }
    sync.start(delay);
  }

  const onVisibility = (): void => {
    if (!active || sync === undefined) return;
    if (hidden()) sync.stop();
    else resume();
  };
  const onOnline = (): void => {
    if (!active || sync === undefined || hidden()) return;
    sync.stop();
    sync.start(0);
  };

  function activate(): void {
    if (active || sync === undefined) return;
    active = true;
    if (typeof document !== 'undefined') document.addEventListener('visibilitychange', onVisibility);
    if (typeof window !== 'undefined') window.addEventListener('online', onOnline);
    if (!hidden()) resume();
  }

  function deactivate(): void {
    if (!active || sync === undefined) return;
    active = false;
    if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', onVisibility);
    if (typeof window !== 'undefined') window.removeEventListener('online', onOnline);
    sync.stop();
  }

  return {
    getSnapshot() {
      return state;
    },
    subscribe(listener): Unsubscribe {
      if (closed) return () => {};
      const entry = { listener };
      listeners.add(entry);
      if (listeners.size === 1) activate();
      return () => {
        if (!listeners.delete(entry)) return;
        if (listeners.size === 0) deactivate();
      };
    },
    refresh() {
      if (sync === undefined || closed) return Promise.resolve();
      return sync.refresh();
    },
    setContext(next) {
      if (deepEqual(next, context)) return;
      context = next;
      if (sync === undefined || closed) return;
      contextDirty = true;
      sync.invalidate();
      if (active && !hidden()) void sync.restart();
    },
    setSnapshot(snapshot) {
      const valid = validated(snapshot, 'store.setSnapshot()');
      sync?.setLastEventId(valid.version);
      accept(valid);
    },
    expose(key) {
      if (tracker === undefined) return;
      const flags = state.snapshot.flags;
      const entry = Object.prototype.hasOwnProperty.call(flags, key) ? flags[key] : undefined;
      if (entry === undefined || entry.reason === 'ERROR') return;
      const userId = context?.userId;
      tracker.track(key, entry.variant, entry.value, entry.reason, userId === undefined || userId === null ? undefined : String(userId));
    },
    close() {
      if (closed) return;
      deactivate();
      closed = true;
      listeners.clear();
    },
  };
}

function validated(snapshot: FlagSnapshot, where: string): FlagSnapshot {
  const check = checkSnapshot(snapshot);
  if (!check.ok) throw new TypeError(`@halyard/core: ${where} got an invalid snapshot: ${check.path} ${check.message}`);
  return check.snapshot;
}

function withParam(url: string, name: string, value: string): string {
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
