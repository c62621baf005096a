import { parseRetryAfter, retryDelay, type BackoffOptions } from './backoff';
import { toError } from './errors';

/** One dispatched server-sent event. `id` is the stream's last event id at dispatch time (it persists across events). */
export interface SseEvent {
  event: string;
  data: string;
  id: string | undefined;
}

export interface SseParserHandlers {
  onEvent(event: SseEvent): void;
  /** A `:` line; servers send them as heartbeats. */
  onComment?(text: string): void;
  onRetry?(ms: number): void;
}

export interface SseParser {
  /**
   * Feed decoded text; chunks may split lines and events anywhere. Throws a RangeError when the line or event
   * being read grows past the parser's limit; the parser is then unusable (drop the connection).
   */
  feed(chunk: string): void;
}

/**
 * Incremental `text/event-stream` parser following the WHATWG rules: CR, LF and CRLF line ends, `field: value`
 * with one optional space, multi-line `data`, `id` persisting across events, `retry`, comments, and a leading BOM.
 * `maxSize` bounds what is held while waiting for a line or event to end (in UTF-16 code units, which is bytes
 * for ASCII JSON): a server that never sends a newline, or `data:` lines without the blank line that ends the
 * event, would otherwise grow the buffer until the process runs out of memory.
 */
export function createSseParser(handlers: SseParserHandlers, initialId?: string, maxSize = Infinity): SseParser {
  let buffer = '';
  // Characters of the `data` lines of the event being read.
  let dataSize = 0;
  // Where to resume looking for a line end, so a long data line split over many chunks is scanned once.
  let scanFrom = 0;
  let first = true;
  let data: string[] = [];
  let eventType = '';
  let lastId = initialId;

  function line(text: string): void {
    if (text === '') {
      if (data.length > 0) {
        const event: SseEvent = { event: eventType || 'message', data: data.join('\n'), id: lastId };
        data = [];
        dataSize = 0;
        eventType = '';
        handlers.onEvent(event);
      } else {
        eventType = '';
      }
      return;
    }
    if (text.charCodeAt(0) === 58 /* : */) {
      handlers.onComment?.(text.slice(1).trimStart());
      return;
    }
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    switch (field) {
      case 'event':
        eventType = value;
        break;
      case 'data':
        if ((dataSize += value.length + 1) > maxSize) throw new RangeError(`an event over ${maxSize} characters`);
        data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) lastId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) handlers.onRetry?.(Number(value));
        break;
      default:
        // Unknown fields are ignored by the spec.
        break;
    }
  }

  return {
    feed(chunk) {
      if (first && chunk.length > 0) {
        first = false;
        if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      }
      buffer += chunk;
      let start = 0;
      let i = scanFrom;
      while (i < buffer.length) {
        const c = buffer.charCodeAt(i);
        if (c === 10 || c === 13) {
          // A CR at the very end may be the first half of a CRLF split across chunks: wait for more.
          if (c === 13 && i === buffer.length - 1) break;
          line(buffer.slice(start, i));
          if (c === 13 && buffer.charCodeAt(i + 1) === 10) i++;
          start = i + 1;
        }
        i++;
      }
      buffer = buffer.slice(start);
      scanFrom = i - start;
      if (buffer.length > maxSize) throw new RangeError(`a line over ${maxSize} characters`);
    },
  };
}

export interface SseConnectionOptions {
  fetch?: typeof fetch | undefined;
  url(): string;
  headers(): Record<string, string>;
  /** Time allowed until the response headers arrive, in ms. */
  timeout: number;
  /**
   * Reconnect when no complete event or heartbeat (`: ping` line) arrived for this long, in ms; `0` disables.
   * Bytes alone do not count: a server trickling a byte a second must not keep a dead stream open.
   */
  heartbeatTimeout: number;
  backoff: BackoffOptions;
  /** Largest line or event, in characters; a longer one drops the connection (reported as `rejected`). */
  maxEventSize: number;
  lastEventId?: string | undefined;
  onOpen(): void;
  /**
   * An event arrived. Return `false` when it was not applied (a patch for another base version): the resume point
   * stays where it was, so a reconnect's `Last-Event-ID` names what the client really holds.
   */
  onEvent(event: SseEvent): unknown;
  /**
   * The connection failed or dropped; a reconnect is already scheduled. `rejected`: we dropped it because of what
   * the server sent (a line or event over `maxEventSize`, or `onEvent` threw) — a problem to report, not a blip.
   */
  onDown(error: Error, rejected: boolean): void;
}

export interface SseConnection {
  start(): void;
  stop(): void;
  /** Drop the current connection and connect again now (e.g. the URL changed). No-op when stopped. */
  reconnect(): void;
  /** Sent as `Last-Event-ID` on the next connect; event ids received on the stream update it too. */
  setLastEventId(id: string | undefined): void;
  readonly connected: boolean;
}

/**
 * Server-sent events over `fetch` + `ReadableStream` (Node 20, browsers, edge runtimes; no EventSource, which can
 * neither send headers nor be given a heartbeat timeout). Reconnects with full-jitter backoff and `Last-Event-ID`.
 *
 * Every reconnect waits: the backoff grows with each drop, and starts over only after a connection stayed up for
 * `backoff.max` — counting delivered events as success would let a server that sends one event and closes (or a
 * proxy cutting streams) hold the client at the shortest delay. A server's `retry:` and `Retry-After` may lengthen
 * the wait, never shorten it (see `retryDelay`). An `onEvent` that throws rejects the payload: the connection is
 * dropped and resumed later with `Last-Event-ID`, which is how a client resyncs after an event it cannot apply.
 */
export function createSseConnection(options: SseConnectionOptions): SseConnection {
  let running = false;
  let epoch = 0;
  let connected = false;
  let controller: AbortController | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let lastEventId = options.lastEventId;
  // The server's `retry:`, in ms; it holds for later connections too.
  let serverRetry: number | undefined;

  function abandon(): void {
    epoch++;
    connected = false;
    controller?.abort();
    controller = undefined;
    if (retryTimer !== undefined) {
      clearTimeout(retryTimer);
      retryTimer = undefined;
    }
  }

  async function connect(): Promise<void> {
    const mine = epoch;
    const isCurrent = (): boolean => mine === epoch;
    const ac = new AbortController();
    controller = ac;
    let reason: Error | undefined;
    let rejected = false;
    // A refused answer's `Retry-After`, in ms: for this retry only.
    let retryAfter: number | undefined;
    let openedAt: number | undefined;
    const fail = (error: Error): void => {
      reason ??= error;
      ac.abort();
    };
    let heartbeat: ReturnType<typeof setTimeout> | undefined;
    const armHeartbeat = (): void => {
      if (heartbeat !== undefined) clearTimeout(heartbeat);
      if (options.heartbeatTimeout > 0) {
        heartbeat = setTimeout(
          () => fail(new Error(`no complete event or heartbeat for ${options.heartbeatTimeout} ms; reconnecting`)),
          options.heartbeatTimeout,
        );
      }
    };
    const url = options.url();
    const connectTimer =
      options.timeout > 0
        ? setTimeout(() => fail(new Error(`GET ${url} (stream) timed out after ${options.timeout} ms`)), options.timeout)
        : undefined;
    try {
      const headers: Record<string, string> = { accept: 'text/event-stream', 'cache-control': 'no-cache', ...options.headers() };
      if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
      const fetchImpl = options.fetch ?? globalThis.fetch;
      const response = await fetchImpl(url, { headers, signal: ac.signal });
      if (connectTimer !== undefined) clearTimeout(connectTimer);
      if (!response.ok || !response.body) {
        void response.body?.cancel().catch(() => {});
        retryAfter = parseRetryAfter(response.headers.get('retry-after'));
        throw new Error(`GET ${url} (stream) answered HTTP ${response.status}`);
      }
      const contentType = response.headers.get('content-type') ?? '';
      if (!contentType.includes('text/event-stream')) {
        void response.body.cancel().catch(() => {});
        throw new Error(`GET ${url} (stream) answered ${contentType || 'no content type'}, expected text/event-stream`);
      }
      if (!isCurrent()) return;
      connected = true;
      openedAt = Date.now();
      options.onOpen();
      armHeartbeat();
      const parser = createSseParser(
        {
          onEvent(event) {
            armHeartbeat();
            if (!isCurrent()) return;
            let applied: unknown;
            try {
              applied = options.onEvent(event);
            } catch (error) {
              rejected = true;
              throw error;
            }
            // Only an applied event moves the resume point: after a rejected one, the server resends from here.
            if (applied !== false) lastEventId = event.id;
          },
          onComment() {
            armHeartbeat();
          },
          onRetry(ms) {
            serverRetry = ms;
          },
        },
        lastEventId,
        options.maxEventSize,
      );
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (!isCurrent()) return;
        if (done) break;
        try {
          parser.feed(decoder.decode(value, { stream: true }));
        } catch (error) {
          if (error instanceof RangeError) {
            rejected = true;
            throw new Error(`GET ${url} (stream) sent ${error.message}; raise maxEventSize if it is expected`);
          }
          throw error;
        }
      }
      throw new Error(`GET ${url} (stream): the server closed the stream`);
    } catch (error) {
      if (!isCurrent()) return;
      // Release the connection whatever ended it (a limit, a throwing handler): the server must see us go.
      ac.abort();
      connected = false;
      controller = undefined;
      if (!running) return;
      if (!rejected && openedAt !== undefined && Date.now() - openedAt >= options.backoff.max) failures = 0;
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        void connect();
      }, retryDelay(failures++, options.backoff, retryAfter ?? serverRetry));
      try {
        options.onDown(reason ?? toError(error), rejected);
      } catch {
        // Never let a callback break the reconnect loop.
      }
    } finally {
      if (heartbeat !== undefined) clearTimeout(heartbeat);
      if (connectTimer !== undefined) clearTimeout(connectTimer);
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      failures = 0;
      void connect();
    },
    stop() {
      running = false;
      abandon();
    },
    reconnect() {
      if (!running) return;
      abandon();
      void connect();
    },
    setLastEventId(id) {
      lastEventId = id;
    },
    get connected() {
      return connected;
    },
  };
}
