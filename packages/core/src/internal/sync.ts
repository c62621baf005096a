import type { BackoffOptions } from './backoff';
import { describeError, toError } from './errors';
import { createPoller, type RequestSpec } from './poller';
import { createSseConnection } from './sse';

export interface SyncStreamOptions {
  url(): string;
  /** Sent on stream requests only, over `SyncOptions.headers` (e.g. the delta header). */
  headers?: Record<string, string>;
  heartbeatTimeout: number;
  /** Largest SSE line or event, in characters. */
  maxEventSize: number;
}

export interface SyncOptions {
  fetch?: typeof fetch | undefined;
  /** Per-request timeout (polls, and stream connects until headers arrive), in ms. */
  timeout: number;
  backoff: BackoffOptions;
  pollInterval: number;
  /** Largest poll body, in bytes. */
  maxBodySize: number;
  request(): RequestSpec;
  headers(): Record<string, string>;
  /**
   * Live updates over SSE (`event: update`, JSON `data`); polling only runs while the stream is down. A payload
   * that is not JSON or that `onPayload` rejects, or an event over the size limit, drops the stream (reported
   * through `onError`, once per connection): polling fills in and the stream is resumed after a backoff delay.
   */
  stream?: SyncStreamOptions | undefined;
  /** A JSON payload from a poll or a stream event. Throw to reject it (reported through `onError`). */
  onPayload(body: unknown): void;
  /**
   * The JSON body of a stream `patch` event (without this, patch events are ignored). Throw to reject it, like
   * `onPayload`; return `false` when it is for another base version (the stream's resume point stays put, and
   * the caller resyncs, e.g. with `refresh()`).
   */
  onPatch?(body: unknown): boolean;
  onNotModified(): void;
  onError(error: Error): void;
  /** The stream dropped; polling has taken over. Not an `onError`: flags are still being kept fresh. */
  onStreamDown?(error: Error): void;
}

export interface Sync {
  /** Start; with a stream, the stream goes first and polling only fills in while it is down. */
  start(pollDelay?: number): void;
  stop(): void;
  refresh(): Promise<void>;
  /** The request changed (context): forget the ETag, abort what is in flight, ask again now, reconnect the stream. */
  restart(): Promise<void>;
  /** Forget the ETag without asking again (the request changed while stopped). */
  invalidate(): void;
  setLastEventId(id: string | undefined): void;
  readonly running: boolean;
}

/** Poller + optional SSE stream with poll fallback: the single update channel of httpSource and the snapshot store. */
export function createSync(options: SyncOptions): Sync {
  let running = false;
  const poller = createPoller({
    fetch: options.fetch,
    request: options.request,
    interval: options.pollInterval,
    timeout: options.timeout,
    backoff: options.backoff,
    maxBodySize: options.maxBodySize,
    onData: options.onPayload,
    onNotModified: options.onNotModified,
    onError: options.onError,
  });
  const streamOptions = options.stream;
  const stream = streamOptions
    ? createSseConnection({
        fetch: options.fetch,
        url: streamOptions.url,
        headers: () => ({ ...options.headers(), ...streamOptions.headers }),
        timeout: options.timeout,
        heartbeatTimeout: streamOptions.heartbeatTimeout,
        backoff: options.backoff,
        maxEventSize: streamOptions.maxEventSize,
        onOpen() {
          // The stream delivers every change from now on; polling would only duplicate it.
          poller.stop();
        },
        onEvent(event) {
          const onPatch = event.event === 'patch' ? options.onPatch : undefined;
          if (event.event !== 'update' && onPatch === undefined) return;
          let body: unknown;
          try {
            body = JSON.parse(event.data);
          } catch (error) {
            throw new Error(`stream ${streamOptions.url()} sent invalid JSON: ${describeError(error)}`);
          }
          // A rejected payload throws: the connection drops and reports it below.
          if (onPatch !== undefined) return onPatch.call(options, body);
          options.onPayload(body);
        },
        onDown(error, rejected) {
          if (rejected) options.onError(toError(error));
          else options.onStreamDown?.(error);
          // Updates may have been missed while the stream was going down: poll now, then on the interval.
          if (running && !poller.running) poller.start(0);
        },
      })
    : undefined;

  return {
    start(pollDelay = 0) {
      if (running) return;
      running = true;
      if (stream) stream.start();
      else poller.start(pollDelay);
    },
    stop() {
      running = false;
      poller.stop();
      stream?.stop();
    },
    refresh: () => poller.refresh(),
    restart() {
      poller.resetEtag();
      stream?.reconnect();
      return poller.restart();
    },
    invalidate() {
      poller.resetEtag();
    },
    setLastEventId(id) {
      stream?.setLastEventId(id);
    },
    get running() {
      return running;
    },
  };
}
