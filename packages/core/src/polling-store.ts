// Browser side, and in the bundle of every app that reads flags: keep this module small (the React client has a
// 2 KB gzip budget, checked by `pnpm size`). It must not import the evaluator, the definitions parser or the SSE
// client; streaming is plugged in through `stream` (see `sseStream`).
import { createExposureTracker } from './exposure';
import { checkSnapshot } from './internal/snapshot-shape';
import type { EvaluationContext, ExposureEvent, FlagSnapshot, FlagStatus, SnapshotState, SnapshotStore, Unsubscribe } from './types';

/** What a snapshot store offers a live-update channel (see `sseStream`). */
export interface SnapshotStreamHooks {
  /** The flags endpoint the store polls. */
  readonly endpoint: string;
  /** The store's current evaluation context. */
  context(): EvaluationContext | undefined;
  /** Version of the snapshot shown now, to resume from (`Last-Event-ID`). */
  version(): string | undefined;
  /** The channel is up and delivers every change: the store stops polling. */
  onOpen(): void;
  /** A snapshot arrived. Throws when it is invalid (the store keeps its last good flags). */
  onPayload(body: unknown): void;
  /** Report a problem (invalid payload); the store goes `stale`/`error` and calls its `onError`. */
  onError(error: Error): void;
  /** The channel is down (it reconnects by itself); the store polls meanwhile. */
  onDown(): void;
}

/** A live-update channel for a snapshot store: opened while the store is active, closed by the returned function. */
export type SnapshotStream = (hooks: SnapshotStreamHooks) => Unsubscribe;

export interface PollingSnapshotStoreOptions {
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
  /** A live-update channel (needs `endpoint`), e.g. `sseStream()`; while it is up the store does not poll. */
  stream?: SnapshotStream;
  /** The evaluation context sent to the endpoint. */
  context?: EvaluationContext;
  /** Extra request headers (e.g. a CSRF token). */
  headers?: Record<string, string>;
  /** A fetch implementation; default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Per-request timeout, in ms. Default 10,000; `0` disables it. */
  timeout?: number;
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

const json = JSON.stringify;
// Not `Date.now` itself: fake clocks in tests replace `Date` after this module loaded.
const now = () => Date.now();

const stateOf = (snapshot: FlagSnapshot, status: FlagStatus, updatedAt?: number, error?: Error): SnapshotState => ({
  snapshot,
  status,
  updatedAt,
  error,
});

function validated(snapshot: FlagSnapshot, where: string): FlagSnapshot {
  const check = checkSnapshot(snapshot);
  if (!check.ok) throw new TypeError(`@halyard/core: ${where} got an invalid snapshot: ${check.path} ${check.message}`);
  return snapshot;
}

/**
 * The browser-side flag store behind `createSnapshotStore` and `@halyard/react`, without a built-in stream client:
 * pass `stream: sseStream()` to stream. Apps that only poll then ship none of the SSE code.
 *
 * - Lifecycle: the first `subscribe` starts polling (or the stream), the last unsubscribe stops it and aborts
 *   the request in flight. Nothing is ever fetched on the server (`isServer`). Requests never overlap; failures
 *   back off with full jitter; a request that takes longer than `timeout` is aborted and counts as a failure.
 *   Without a snapshot the first subscriber fetches at once; with one (SSR) the first poll waits until it is
 *   `pollInterval` old, unless the context changed in between.
 * - While the page is hidden it pauses; when it becomes visible again it fetches at once if the last answer is
 *   older than `pollInterval`, otherwise resumes the schedule. Coming back `online` fetches at once.
 * - `getSnapshot()` returns an immutable state whose identity changes only when something changed, and flag
 *   entries that did not change keep their object identity across updates (structural sharing).
 * - Never a flash of defaults: garbage responses and failures keep the last good snapshot (`status: 'stale'`),
 *   and a context change keeps showing the current values until the new snapshot arrives.
 *
 * @example
 * const store = createPollingSnapshotStore({ endpoint: '/api/flags', snapshot: window.__FLAGS__, context: { userId } });
 * const unsubscribe = store.subscribe(() => render(store.getSnapshot().snapshot.flags));
 */
export function createPollingSnapshotStore(options: PollingSnapshotStoreOptions = {}): SnapshotStore {
  const { endpoint, snapshot, stream, onError, onExposure, retry } = options;
  const interval = options.pollInterval ?? 30_000;
  const timeout = options.timeout ?? 10_000;
  const base = retry?.base ?? 1_000;
  const max = Math.max(base, retry?.max ?? Math.max(60_000, interval));
  const live = endpoint !== undefined && !(options.isServer ?? typeof window == 'undefined');
  const tracker = onExposure && createExposureTracker(onExposure, { max: options.exposureCacheSize });
  // Wrapped per subscription, so one function subscribed twice counts twice.
  const listeners = new Set<() => void>();
  let context = options.context;
  let state = snapshot
    ? stateOf(validated(snapshot, 'createSnapshotStore({ snapshot })'), 'ready', now())
    : stateOf({ version: '', flags: {} }, 'loading');
  // When the server last confirmed what we show (200 or 304): decides whether a returning tab fetches at once.
  let checkedAt = state.updatedAt;
  // The snapshot was computed for an older context: the next start fetches at once.
  let contextChanged = false;
  let active = false;
  let closed = false;
  let polling = false;
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // The request in flight; replaced (and aborted) when abandoned, which is how a late answer knows to stay silent.
  let controller: AbortController | undefined;
  let inFlight: Promise<void> | undefined;
  let etag: string | null | undefined;
  let closeStream: Unsubscribe | undefined;

  const loaded = () => state.status == 'ready' || state.status == 'stale';
  const hidden = () => typeof document != 'undefined' && document.visibilityState == 'hidden';

  function set(next: SnapshotState): void {
    state = next;
    for (const listener of [...listeners]) {
      try {
        listener();
      } catch (error) {
        // One broken subscriber must not starve the others; surface it like an uncaught error.
        setTimeout(() => {
          throw error;
        });
      }
    }
  }

  /** The server confirmed `next` (or, without it, what we show). */
  function confirm(next = state.snapshot): void {
    checkedAt = now();
    contextChanged = false;
    if (next != state.snapshot || state.status != 'ready') {
      set(stateOf(next, 'ready', next == state.snapshot ? state.updatedAt : checkedAt));
    }
  }

  function accept(next: FlagSnapshot): void {
    const prev = state.snapshot;
    const entries = Object.entries(next.flags);
    let changed = entries.length != Object.keys(prev.flags).length;
    // Unchanged entries keep their object, so a UI bound to one flag re-renders only when that flag changed.
    const flags = Object.fromEntries(
      entries.map(([key, entry]) => {
        const old = Object.hasOwn(prev.flags, key) ? prev.flags[key] : undefined;
        if (old && json(old) == json(entry)) return [key, old];
        changed = true;
        return [key, entry];
      }),
    );
    confirm(changed || prev.version != next.version ? { version: next.version, flags: changed ? flags : prev.flags } : prev);
  }

  function payload(body: unknown): void {
    const check = checkSnapshot(body);
    if (!check.ok) throw new Error(`@halyard/core: the flags endpoint ${endpoint} returned an invalid snapshot: ${check.path} ${check.message}`);
    accept(check.snapshot);
  }

  function fail(error: Error): void {
    if (!error.message.startsWith('@halyard/')) error = new Error(`@halyard/core: snapshot store: ${error.message}`, { cause: error });
    try {
      onError?.(error);
    } catch {
      // The store's own state handling must not depend on a callback behaving.
    }
    const status = loaded() ? 'stale' : 'error';
    if (status != state.status || state.error?.message != error.message) set(stateOf(state.snapshot, status, state.updatedAt, error));
  }

  function schedule(delay: number): void {
    clearTimeout(timer);
    if (polling && delay < Infinity) timer = setTimeout(poll, delay);
  }

  /** Fetch now, unless a request is in flight (then that one's promise). Never rejects. */
  function poll(): Promise<void> {
    return (inFlight ??= (async () => {
      clearTimeout(timer);
      const mine = (controller = new AbortController());
      const where = `POST ${endpoint}`;
      const timeoutTimer = timeout > 0 ? setTimeout(() => mine.abort(new Error(`${where} timed out after ${timeout} ms`)), timeout) : undefined;
      let delay: number;
      try {
        const response = await (options.fetch ?? fetch)(endpoint!, {
          method: 'POST',
          headers: { accept: 'application/json', 'content-type': 'application/json', ...options.headers, ...(etag ? { 'if-none-match': etag } : {}) },
          body: json({ context: context ?? {} }),
          signal: mine.signal,
        });
        // Read even error bodies: it frees the connection.
        const text = await response.text();
        if (mine != controller) return;
        if (response.status == 304) {
          if (loaded()) confirm();
        } else if (!response.ok) {
          throw new Error(`${where} answered HTTP ${response.status}`);
        } else {
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch (error) {
            throw new Error(`${where} returned invalid JSON: ${(error as Error).message}`);
          }
          payload(body);
          // Only a body we accepted may be confirmed by a later 304.
          etag = response.headers.get('etag');
        }
        failures = 0;
        delay = interval > 0 ? interval : Infinity;
      } catch (error) {
        if (mine != controller) return;
        fail(error instanceof Error ? error : new Error(String(error)));
        // Full jitter: a random delay below the ceiling spreads thousands of retrying clients out.
        const ceiling = Math.min(max, base * 2 ** Math.min(failures++, 30));
        delay = base / 10 + Math.random() * (ceiling - base / 10);
      } finally {
        clearTimeout(timeoutTimer);
      }
      inFlight = controller = undefined;
      schedule(delay);
    })());
  }

  function startPolling(delay: number): void {
    if (polling) return;
    polling = true;
    failures = 0;
    // A one-off refresh in flight schedules the next request when it settles.
    if (!inFlight) delay > 0 ? schedule(delay) : void poll();
  }

  function stopPolling(): void {
    polling = false;
    clearTimeout(timer);
    controller?.abort();
    inFlight = controller = undefined;
  }

  const hooks: SnapshotStreamHooks = {
    endpoint: endpoint!,
    context: () => context,
    version: () => (loaded() ? state.snapshot.version : undefined),
    onOpen: stopPolling,
    onPayload: payload,
    onError: fail,
    // Updates may have been missed while the stream was going down: poll now, then on the interval.
    onDown: () => closeStream && startPolling(0),
  };

  function start(delay: number): void {
    if (stream) closeStream ??= stream(hooks);
    else startPolling(delay);
  }

  function stop(): void {
    stopPolling();
    closeStream?.();
    closeStream = undefined;
  }

  function resume(): void {
    if (!loaded() || contextChanged || checkedAt === undefined) start(0);
    else start(interval > 0 ? Math.max(0, checkedAt + interval - now()) : Infinity);
  }

  const onVisibility = () => (hidden() ? stop() : resume());
  const onOnline = () => {
    if (!hidden()) {
      stop();
      start(0);
    }
  };

  function activate(on: boolean): void {
    if (!live || active == on) return;
    active = on;
    const method = on ? 'addEventListener' : 'removeEventListener';
    if (typeof document != 'undefined') document[method]('visibilitychange', onVisibility);
    if (typeof window != 'undefined') window[method]('online', onOnline);
    if (!on) stop();
    else if (!hidden()) resume();
  }

  return {
    getSnapshot: () => state,
    subscribe(listener) {
      if (closed) return () => {};
      const entry = () => listener();
      listeners.add(entry);
      activate(true);
      return () => {
        if (listeners.delete(entry) && !listeners.size) activate(false);
      };
    },
    refresh: () => (live && !closed ? poll() : Promise.resolve()),
    setContext(next) {
      // Compared in wire form: keys whose value is undefined vanish from the request anyway.
      if (json(next) == json(context)) return;
      context = next;
      contextChanged = true;
      etag = undefined;
      if (active && !hidden()) {
        // Abort what is in flight (it answers for the old context) and ask again now; values stay until then.
        stop();
        start(0);
      }
    },
    setSnapshot(next) {
      accept(validated(next, 'store.setSnapshot()'));
    },
    expose(key) {
      const entry = Object.hasOwn(state.snapshot.flags, key) ? state.snapshot.flags[key] : undefined;
      const unit = context?.userId;
      if (tracker && entry && entry.reason != 'ERROR') {
        tracker.track(key, entry.variant, entry.value, entry.reason, unit == null ? undefined : String(unit));
      }
    },
    close() {
      activate(false);
      closed = true;
      listeners.clear();
    },
  };
}
