import { parseRetryAfter, retryDelay, type BackoffOptions } from './backoff';
import { describeError, toError } from './errors';
import { limitBody } from './body-limit';

/** One HTTP request the poller makes; rebuilt for every attempt so it can reflect current state (e.g. context). */
export interface RequestSpec {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

export interface PollerOptions {
  fetch?: typeof fetch | undefined;
  request(): RequestSpec;
  /** Delay after a successful request, in ms; `0` means only on demand (`refresh`, first start, retries). */
  interval: number;
  /** Per-request timeout covering headers and body, in ms; `0` disables it. */
  timeout: number;
  backoff: BackoffOptions;
  /** Largest body read, in bytes; a longer one is cut off unread and counts as a failure. */
  maxBodySize: number;
  /** A 2xx JSON body. Throw to reject it: it then counts as a failure and its ETag is not remembered. */
  onData(body: unknown): void;
  /** A 304: what we have is current. */
  onNotModified(): void;
  onError(error: Error): void;
}

export interface Poller {
  /** Start the schedule; the first request goes out after `delay` ms (default now; `Infinity`: only on demand). */
  start(delay?: number): void;
  /** Stop the schedule and abort the request in flight. */
  stop(): void;
  /** Request now; coalesced with a request already in flight. Never rejects. */
  refresh(): Promise<void>;
  /** What we would ask for changed: abort the request in flight and ask again now. */
  restart(): Promise<void>;
  /** Forget the ETag so the next answer is a full body. */
  resetEtag(): void;
  readonly running: boolean;
}

/**
 * The one poller behind `httpSource` and the browser snapshot store: ETag/If-None-Match, full-jitter backoff on
 * failures, per-request timeout, and never two requests in flight (the next one is scheduled only after the
 * previous one settled). `stop()` aborts the request in flight, so the server sees the connection go away.
 */
export function createPoller(options: PollerOptions): Poller {
  let running = false;
  // Bumped whenever in-flight work is abandoned (stop/restart); a request whose epoch is old reports nothing.
  let epoch = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let controller: AbortController | undefined;
  let inFlight: Promise<void> | undefined;
  let etag: string | undefined;
  let failures = 0;
  // The failed answer's `Retry-After`, in ms: it may lengthen the next backoff delay, never shorten it.
  let retryAfter: number | undefined;

  function clearTimer(): void {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
  }

  function schedule(delay: number): void {
    clearTimer();
    if (!running || !Number.isFinite(delay)) return;
    timer = setTimeout(() => {
      timer = undefined;
      void run();
    }, delay);
  }

  function safely(fn: () => void): void {
    try {
      fn();
    } catch {
      // Callbacks are ours and already guard user code; never let one break the schedule.
    }
  }

  async function attempt(ac: AbortController, isCurrent: () => boolean): Promise<boolean> {
    let timedOut = false;
    const timeoutTimer =
      options.timeout > 0
        ? setTimeout(() => {
            timedOut = true;
            ac.abort();
          }, options.timeout)
        : undefined;
    let spec: RequestSpec | undefined;
    retryAfter = undefined;
    try {
      spec = options.request();
      const method = spec.method ?? 'GET';
      const headers: Record<string, string> = { accept: 'application/json', ...spec.headers };
      if (etag !== undefined) headers['if-none-match'] = etag;
      const fetchImpl = options.fetch ?? globalThis.fetch;
      const response = await fetchImpl(spec.url, { method, headers, body: spec.body, signal: ac.signal });
      if (response.status === 304) {
        void response.body?.cancel().catch(() => {});
        if (!isCurrent()) return false;
        safely(() => options.onNotModified());
        return true;
      }
      if (!response.ok) {
        void response.body?.cancel().catch(() => {});
        retryAfter = parseRetryAfter(response.headers.get('retry-after'));
        const hint = response.status === 401 || response.status === 403 ? ' (check the credentials: sdkKey or headers)' : '';
        throw new Error(`${method} ${spec.url} answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${hint}`);
      }
      let text: string;
      try {
        text = await limitBody(response, options.maxBodySize).text();
      } catch (error) {
        if (error instanceof RangeError) throw new Error(`${method} ${spec.url} sent a ${error.message}; raise maxBodySize if it is expected`);
        throw error;
      }
      if (!isCurrent()) return false;
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (error) {
        throw new Error(`${method} ${spec.url} returned invalid JSON: ${describeError(error)}`);
      }
      options.onData(body);
      etag = response.headers.get('etag') ?? undefined;
      return true;
    } catch (error) {
      // Cancels a body left half-read (e.g. cut off at maxBodySize), so the server sees the connection go.
      ac.abort();
      if (!isCurrent()) return false;
      const reported = timedOut
        ? new Error(`${spec?.method ?? 'GET'} ${spec?.url ?? '(no url)'} timed out after ${options.timeout} ms`)
        : toError(error);
      safely(() => options.onError(reported));
      return false;
    } finally {
      if (timeoutTimer !== undefined) clearTimeout(timeoutTimer);
    }
  }

  function run(): Promise<void> {
    if (inFlight) return inFlight;
    clearTimer();
    const mine = epoch;
    const ac = new AbortController();
    controller = ac;
    const isCurrent = (): boolean => mine === epoch;
    const promise = attempt(ac, isCurrent).then((ok) => {
      // Abandoned by stop()/restart(): whoever bumped the epoch owns what happens next.
      if (!isCurrent()) return;
      inFlight = undefined;
      controller = undefined;
      if (ok) {
        failures = 0;
        schedule(options.interval > 0 ? options.interval : Infinity);
      } else {
        schedule(retryDelay(failures++, options.backoff, retryAfter));
      }
    });
    inFlight = promise;
    return promise;
  }

  function abandon(): void {
    epoch++;
    controller?.abort();
    controller = undefined;
    inFlight = undefined;
    clearTimer();
  }

  return {
    start(delay = 0) {
      if (running) return;
      running = true;
      failures = 0;
      if (inFlight) return; // a one-off refresh is in flight; it schedules the next request when it settles
      if (delay <= 0) void run();
      else schedule(delay);
    },
    stop() {
      running = false;
      abandon();
    },
    refresh: run,
    restart() {
      abandon();
      return run();
    },
    resetEtag() {
      etag = undefined;
    },
    get running() {
      return running;
    },
  };
}
