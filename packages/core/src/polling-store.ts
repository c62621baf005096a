// Browser side, and in the bundle of every app that reads flags: keep this module small (the React client has a
// 2 KB gzip budget, checked by `pnpm size`). It must not import the evaluator, the definitions parser or the SSE
// client, and knows nothing about streams: `withStream` (stream-store.ts) wraps it for live updates.
import { unitOf } from './internal/exposure-unit';
import { checkSnapshot, json } from './internal/snapshot-shape';
import { RETRY_BASE, RETRY_CAP, RETRY_MIN, TIMEOUT } from './internal/store-timing';
import type { EvaluationContext, ExposureEvent, FlagSnapshot, FlagStatus, SnapshotState, SnapshotStore } from './types';

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
  /** The evaluation context sent to the endpoint. */
  context?: EvaluationContext;
  /** Extra request headers (e.g. a CSRF token, or a client key for another origin). */
  headers?: Record<string, string>;
  /** A fetch implementation; default `globalThis.fetch` (wrap it to set e.g. `credentials`). */
  fetch?: typeof fetch;
  /**
   * Called once per (flag, variant, unit) by `expose(key)`; the unit is the value in `context` of the entry's
   * `unitBy` attribute (the split's `bucketBy`, written by the server), else of `userId`. The store remembers up to
   * 10,000 such keys, then starts over, so in a very long session an exposure may be reported once more.
   */
  onExposure?: (event: ExposureEvent) => void;
  /** Called for every failed request or invalid response (the store keeps its last good snapshot). */
  onError?: (error: Error) => void;
  /**
   * Whether this is a server, where nothing must ever poll. Default: `typeof window === 'undefined'`. Set
   * `false` in browser-like runtimes without `window` (web workers, React Native) to enable fetching.
   */
  isServer?: boolean;
}

/**
 * The browser-side flag store behind `createSnapshotStore` and `@halyard/react`. It only polls; for live updates
 * build the store with a stream instead (`sseStream()(options)`, or `stream={sseStream()}` on `FlagProvider`), so
 * apps that only poll ship none of the streaming code.
 *
 * - Lifecycle: the first `subscribe` starts polling, the last unsubscribe stops it and aborts
 *   the request in flight. Nothing is ever fetched on the server (`isServer`). Requests never overlap; a request
 *   that takes longer than 10 s is aborted and counts as a failure; failures are retried after a full-jitter
 *   exponential backoff (from 1 s, doubling, up to 60 s or `pollInterval` if longer). Without a snapshot the first
 *   subscriber fetches at once; with one (SSR) the first poll waits until it is `pollInterval` old, unless the
 *   context changed in between.
 * - While the page is hidden it pauses; when it becomes visible again it fetches at once if the last answer is
 *   older than `pollInterval`, otherwise resumes the schedule. Coming back `online` fetches at once.
 * - `getSnapshot()` returns a state whose identity changes only when something changed, and flag entries that did
 *   not change keep their object identity across updates (structural sharing). States and snapshots are
 *   immutable by contract, not frozen (freezing would cost bytes in every app): never mutate them.
 * - Never a flash of defaults: garbage responses and failures keep the last good snapshot (`status: 'stale'`),
 *   and a context change keeps showing the current values until the new snapshot arrives.
 *
 * @example
 * const store = createPollingSnapshotStore({ endpoint: '/api/flags', snapshot: window.__FLAGS__, context: { userId } });
 * const unsubscribe = store.subscribe(() => render(store.getSnapshot().snapshot.flags));
 */
export function createPollingSnapshotStore(options: PollingSnapshotStoreOptions = {}): SnapshotStore {
  // Times come from `Date.now()` at each use, never a saved `Date.now`: fake clocks in tests replace `Date` later.
  const { endpoint, onError, onExposure, pollInterval = 30_000 } = options;
  // How long an answer stays fresh; `pollInterval: 0` never polls on a timer.
  const every = pollInterval > 0 ? pollInterval : Infinity;
  const cap = Math.max(RETRY_CAP, pollInterval);
  // Exposure keys already reported; only kept when someone listens.
  const exposed = onExposure && new Set<string>();
  // Wrapped per subscription, so one function subscribed twice counts twice.
  const listeners = new Set<() => void>();
  // Whether this store may ever fetch; `close()` turns it off for good.
  let live = !!endpoint && !(options.isServer ?? typeof window == 'undefined');
  let context = options.context;
  // What `getSnapshot()` returns is rebuilt from these by `set`.
  let snapshot!: FlagSnapshot;
  let status: FlagStatus | undefined;
  // Set once flags were loaded: it tells `stale` from `error`.
  let updatedAt: number | undefined;
  let problem: Error | undefined;
  let state!: SnapshotState;
  // When the next poll is due: at once without flags, else one interval after the last answer (or a backoff
  // delay after a failure). A new context or coming back online makes it due at once.
  let nextAt = options.snapshot ? Date.now() + every : 0;
  let failures = 0;
  // The next poll or, while a request is in flight, its timeout.
  let timer: ReturnType<typeof setTimeout> | undefined;
  // The request in flight; replaced (and aborted) when abandoned, which is how a late answer knows to stay silent.
  let controller: AbortController | undefined;
  let inFlight: Promise<void> | undefined;
  let etag: string | null | undefined;

  /**
   * The one place that changes the state, and tells subscribers when anything changed (a repeated failure does
   * not). `updatedAt` moves when flags arrive: new ones, or the first confirmation of the ones shown.
   */
  const set = (nextStatus: FlagStatus, next = snapshot, error?: Error) => {
    if (nextStatus != status || next != snapshot || error?.message != problem?.message) {
      if (nextStatus == 'ready' && (next != snapshot || !updatedAt)) updatedAt = Date.now();
      state = { snapshot: (snapshot = next), status: (status = nextStatus), updatedAt, error: (problem = error) };
      listeners.forEach((listener) => {
        try {
          listener();
        } catch (error) {
          // One broken subscriber must neither starve the others nor wedge a poll; surface it like an uncaught error.
          setTimeout(() => {
            throw error;
          });
        }
      });
    }
  };
  set('loading', { version: '', flags: {} });

  /**
   * Takes `value` as the snapshot the server confirmed, or throws a TypeError with the problem. A caller's value
   * (`own`) gets the package named (the stack shows the call); for an answer, the catch in `poll` adds it and the
   * request.
   */
  const accept = (value: unknown, own?: boolean) => {
    const problem = checkSnapshot(value);
    if (problem) throw TypeError(`${own ? '@halyard/core: ' : ''}invalid snapshot: ${problem}`);
    const { version, flags } = value as FlagSnapshot;
    const prev = snapshot.flags;
    // Unchanged entries keep their object, so a UI bound to one flag re-renders only when that flag changed. (An
    // inherited member such as `constructor` never serialises like an entry, so it is never reused.)
    const same = json(flags) == json(prev);
    set(
      'ready',
      same && version == snapshot.version
        ? snapshot
        : { version, flags: same ? prev : Object.fromEntries(Object.entries(flags).map(([key, entry]) => [key, json(prev[key]) == json(entry) ? prev[key]! : entry])) },
    );
  };

  // The initial snapshot (e.g. the one the server rendered with) makes the store `ready` at once.
  if (options.snapshot) accept(options.snapshot, true);

  /** Fetch now, unless a request is in flight (then that one's promise). Never rejects. */
  const poll = (): Promise<void> =>
    (inFlight ??= (async () => {
      const mine = (controller = new AbortController());
      let delay = every;
      // No poll is due while a request is in flight: the timer bounds the request instead.
      clearTimeout(timer);
      // Plain strings as reasons (here and for HTTP errors): the catch below only reads a message, and bytes count.
      timer = setTimeout(() => mine.abort('timed out'), TIMEOUT);
      try {
        const response = await (options.fetch ?? fetch)(endpoint!, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...options.headers, ...(etag && { 'if-none-match': etag }) },
          // Without a context: `{}`, which the endpoint reads as no context.
          body: json({ context }),
          signal: mine.signal,
        });
        // Read even error bodies: it frees the connection. (No size limit here, for the bundle's sake:
        // `createSnapshotStore` and `sseStream` pass a fetch that limits it, see internal/body-limit.ts.)
        const text = await response.text();
        if (mine == controller) {
          if (response.status == 304) {
            if (updatedAt) set('ready');
          } else if (response.ok) {
            accept(JSON.parse(text));
            // Only a body we accepted may be confirmed by a later 304.
            etag = response.headers.get('etag');
          } else throw `HTTP ${response.status}`;
          failures = 0;
        }
      } catch (cause) {
        if (mine == controller) {
          // The cause's message says it all (no `{ cause }`: bytes in every app).
          const error = Error(`@halyard/core: POST ${endpoint}: ${(cause as Error)?.message ?? cause}`);
          try {
            onError?.(error);
          } catch {
            // The store's own state handling must not depend on a callback behaving.
          }
          // The last good flags stay: `stale`, or `error` while there are none.
          set(updatedAt ? 'stale' : 'error', snapshot, error);
          // Full jitter: a random delay below the ceiling spreads thousands of retrying clients out.
          delay = RETRY_MIN + Math.random() * Math.min(cap, RETRY_BASE * 2 ** failures++);
        }
      }
      if (mine == controller) {
        // Done: the same cleanup as abandoning it (which also clears the timeout).
        abort();
        nextAt = Date.now() + delay;
        update();
      }
    })());

  /** Stop polling: cancel the timer and abort the request in flight. */
  const abort = () => {
    clearTimeout(timer);
    controller?.abort();
    inFlight = controller = undefined;
  };

  /**
   * The one place that starts and stops work. The store runs while it has subscribers and the page is visible,
   * and polls when `nextAt` comes.
   */
  const update = () => {
    if (!live || !listeners.size || globalThis.document?.hidden) return abort();
    if (inFlight) return;
    clearTimeout(timer);
    const delay = nextAt - Date.now();
    if (delay <= 0) poll();
    else if (delay < Infinity) timer = setTimeout(poll, delay);
  };

  /** Drop what is running (it answers for an old context, or was cut off) and fetch at once. */
  const restart = () => {
    nextAt = 0;
    abort();
    update();
  };

  // Visibility and connectivity matter only while someone is subscribed. (Adding a listener twice, or removing one
  // that is not there, does nothing: no need to count.)
  const listen = () => {
    const method = live && listeners.size ? 'addEventListener' : 'removeEventListener';
    globalThis.document?.[method]('visibilitychange', update);
    globalThis.window?.[method]('online', restart);
    update();
  };

  return {
    getSnapshot: () => state,
    subscribe(listener) {
      const entry = () => listener();
      listeners.add(entry);
      listen();
      return () => {
        listeners.delete(entry);
        listen();
      };
    },
    async refresh() {
      if (live) await poll();
    },
    setContext(next) {
      // Compared in wire form: keys whose value is undefined vanish from the request anyway.
      if (json(next) == json(context)) return;
      context = next;
      // The ETag belongs to the old context's answer. Values stay on screen until the new one arrives.
      etag = undefined;
      restart();
    },
    setSnapshot(next) {
      accept(next, true);
    },
    expose(key) {
      const entry = Object.hasOwn(snapshot.flags, key) && snapshot.flags[key];
      if (exposed && entry && entry.reason != 'ERROR') {
        const unit = unitOf(context, entry.unitBy);
        // One string per (flag, variant, unit), in JSON: no two keys can collide (shorter than a joined string, too).
        const id = json([key, entry.variant, unit]);
        if (!exposed.has(id)) {
          // A bounded memory without bookkeeping: start over when full (a key may then fire once more).
          if (exposed.size >= 10_000) exposed.clear();
          exposed.add(id);
          try {
            onExposure!({ flag: key, variant: entry.variant, value: entry.value, reason: entry.reason, unit, timestamp: Date.now() });
          } catch {
            // Analytics must never break reading a flag.
          }
        }
      }
    },
    close() {
      live = false;
      listeners.clear();
      listen();
    },
  };
}
