import { retryDelay, type BackoffOptions } from '../internal/backoff';
import { toError } from '../internal/errors';
import type { EventStats } from '../types';
import { BODY_END, bodyStart, MAX_BATCH_BYTES, MAX_BATCH_EVENTS, MAX_BEACON_BYTES, SDK_NAME, SDK_VERSION, type WireEvent } from './wire';

/** What a transport reports for one batch. It never rejects: failures are values. */
export type SendResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** Whether the batch may succeed later (429, 503, network errors, timeouts) — not for 400/401/413. */
      readonly retry: boolean;
      /** The server's `Retry-After`, in ms. */
      readonly retryAfter?: number | undefined;
      readonly error: Error;
    };

/** Where batches go: `createHttpEventSink` (`POST /sdk/v1/events`), or a test double. */
export interface EventTransport {
  /** Sends one batch body (`count` events). Resolves with the outcome; must not reject. */
  send(body: string, count: number): Promise<SendResult>;
  /**
   * Hands one body to the browser to send after the page is gone (`navigator.sendBeacon`); `false` when that is
   * unavailable or refused (the events then stay queued). Optional: servers have no page to lose.
   */
  beacon?(body: string): boolean;
}

export interface EventQueueOptions {
  transport: EventTransport;
  /** The `sdk` field of every batch. Default `@halyard/core` and its version. */
  sdk?: { name: string; version: string };
  /** Most events held; when full, the oldest is dropped (and counted). Default 10,000. */
  capacity?: number;
  /** Send as soon as this many events are queued. Default 100 (at most 1,000, the service's batch limit). */
  flushAt?: number;
  /** Send what is queued at most this long after the first event came in, in ms. Default 10,000. */
  flushInterval?: number;
  /** Retry timing after 429/503/network errors: full-jitter backoff from `base` (1 s) to `max` (60 s); never under 1 s. */
  retry?: { base?: number; max?: number };
  /** Every failed batch (with what happened to its events), so one can see the pipeline is down. */
  onError?: (error: Error) => void;
}

/** A bounded, batching event queue. Every method returns at once or with a promise that never rejects. */
export interface EventQueue {
  /** Queues one event: O(1); never sends, blocks or throws (a full queue drops its oldest event). */
  push(event: WireEvent): void;
  /** Sends everything queued now, batch by batch; resolves when done or when the service asked to back off. */
  flush(): Promise<void>;
  /** Hands everything queued to `transport.beacon` at once, synchronously (a page being hidden). */
  flushBeacon(): void;
  /** Stops the timers and makes a last attempt to send everything queued (no retries). Later pushes are ignored. */
  close(): Promise<void>;
  /** Current counters. */
  stats(): EventStats;
}

export type { EventStats };

/** The wire contract's floor for retries: whatever backoff or `Retry-After` says, never sooner than this. */
export const RETRY_FLOOR = 1_000;
/** Longest `Retry-After` honoured (a server asking for more is retried after this). */
export const MAX_RETRY_AFTER = 10 * 60_000;
export const DEFAULT_CAPACITY = 10_000;
export const DEFAULT_FLUSH_AT = 100;
export const DEFAULT_FLUSH_INTERVAL = 10_000;

/** Timers must not keep a Node process alive just to send analytics (the final flush happens on close). */
function unref<T>(timer: T): T {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

/**
 * The delay before retry `attempt`: core's full-jitter backoff (and `Retry-After`, which can only lengthen it),
 * never under {@link RETRY_FLOOR}; a `Retry-After` beyond the backoff ceiling is honoured up to {@link MAX_RETRY_AFTER}.
 *
 * @example
 * eventRetryDelay(0, { base: 1_000, max: 60_000 }, undefined); // 1000: the floor
 * eventRetryDelay(0, { base: 1_000, max: 60_000 }, 120_000); // 120000: the server asked for two minutes
 */
export function eventRetryDelay(attempt: number, backoff: BackoffOptions, retryAfter: number | undefined, random: () => number = Math.random): number {
  const delay = retryDelay(attempt, backoff, retryAfter, random);
  return Math.max(RETRY_FLOOR, delay, retryAfter! > 0 ? Math.min(retryAfter!, MAX_RETRY_AFTER) : 0);
}

/**
 * Creates the queue behind every event sender. Why it is shaped like this:
 * - a ring buffer, so recording is O(1) and dropping the oldest event needs no shifting;
 * - sending happens on a timer (never inside the call that recorded the event): an evaluation that records an
 *   exposure pays for one array slot, not for JSON or a request;
 * - at most one request in flight, and while the service asks to back off nothing is sent — a down service gets
 *   one request per backoff delay from each process, not one per flush trigger.
 *
 * @example
 * const queue = createEventQueue({ transport: createHttpEventSink({ url, sdkKey }) });
 * queue.push({ kind: 'metric', name: 'purchase', unit: 'user-42', value: 49.9, time: Date.now() });
 * await queue.close();
 */
export function createEventQueue(options: EventQueueOptions): EventQueue {
  const { transport, onError } = options;
  const capacity = Math.max(1, Math.floor(options.capacity ?? DEFAULT_CAPACITY));
  const flushAt = Math.min(MAX_BATCH_EVENTS, Math.max(1, Math.floor(options.flushAt ?? DEFAULT_FLUSH_AT)));
  const flushInterval = Math.max(0, options.flushInterval ?? DEFAULT_FLUSH_INTERVAL);
  const base = Math.max(RETRY_FLOOR, options.retry?.base ?? RETRY_FLOOR);
  const backoff: BackoffOptions = { base, max: Math.max(base, options.retry?.max ?? 60_000) };
  const start = bodyStart(options.sdk ?? { name: SDK_NAME, version: SDK_VERSION });

  // Grows (doubling, up to `capacity`) as events arrive: an idle or unused queue holds no big array.
  let ring: Array<WireEvent | undefined> = [];
  let head = 0;
  let size = 0;
  let inFlight: Promise<void> | undefined;
  let inFlightCount = 0;
  let sent = 0;
  let dropped = 0;
  let failed = 0;
  let attempt = 0;
  // The next send: the flush interval (or 0 for the size trigger), or a backoff delay.
  let timer: ReturnType<typeof setTimeout> | undefined;
  let backingOff = false;
  let closed = false;
  let closing: Promise<void> | undefined;

  function report(error: Error): void {
    try {
      onError?.(error);
    } catch {
      // A broken error callback must not break the queue.
    }
  }

  function schedule(delay: number): void {
    if (timer !== undefined || closed) return;
    timer = unref(
      setTimeout(() => {
        timer = undefined;
        backingOff = false;
        void pump();
      }, delay),
    );
  }

  /** Removes up to one batch from the front of the ring and builds its body (`undefined` when empty). */
  function take(maxBytes: number): { body: string; events: WireEvent[] } | undefined {
    if (size === 0) return undefined;
    const events: WireEvent[] = [];
    let body = start;
    while (size > 0 && events.length < MAX_BATCH_EVENTS) {
      const event = ring[head]!;
      const json = JSON.stringify(event);
      // +2: the comma and the closing `]}`. A batch always takes its first event (each is far below the limit).
      if (events.length > 0 && body.length + json.length + 2 > maxBytes) break;
      body += events.length > 0 ? `,${json}` : json;
      events.push(event);
      ring[head] = undefined;
      head = (head + 1) % ring.length;
      size--;
    }
    return { body: body + BODY_END, events };
  }

  /** Puts a batch that may succeed later back at the front, keeping the newest events when they no longer all fit. */
  function putBack(events: WireEvent[]): void {
    const keep = Math.min(capacity - size, events.length);
    dropped += events.length - keep;
    reserve(size + keep);
    for (let i = events.length - 1; i >= events.length - keep; i--) {
      head = (head - 1 + ring.length) % ring.length;
      ring[head] = events[i];
      size++;
    }
  }

  /** Makes room for `needed` events (at most `capacity`): re-lays the ring, oldest first, in a larger array. */
  function reserve(needed: number): void {
    if (needed <= ring.length) return;
    let length = Math.max(64, ring.length);
    while (length < needed) length *= 2;
    const next = new Array<WireEvent | undefined>(Math.min(capacity, length));
    for (let i = 0; i < size; i++) next[i] = ring[(head + i) % ring.length];
    ring = next;
    head = 0;
  }

  /** Sends one batch; `true` when the next one may follow at once. */
  async function sendOne(final: boolean): Promise<boolean> {
    // Bodies are measured in UTF-16 units; non-ASCII text can take up to 3 bytes each, so stay well below.
    const batch = take(MAX_BATCH_BYTES / 3);
    if (batch === undefined) return false;
    inFlightCount = batch.events.length;
    let result: SendResult;
    try {
      result = await transport.send(batch.body, batch.events.length);
    } catch (error) {
      result = { ok: false, retry: true, error: toError(error) };
    }
    inFlightCount = 0;
    if (result.ok) {
      sent += batch.events.length;
      attempt = 0;
      return true;
    }
    if (result.retry && !final) {
      putBack(batch.events);
      backingOff = true;
      clearTimeout(timer);
      timer = undefined;
      const delay = eventRetryDelay(attempt++, backoff, result.retryAfter);
      schedule(delay);
      report(new Error(`${result.error.message}; ${batch.events.length} events kept, retrying in ${Math.round(delay / 100) / 10} s`, { cause: result.error }));
      return false;
    }
    failed += batch.events.length;
    report(new Error(`${result.error.message}; ${batch.events.length} events discarded`, { cause: result.error }));
    return !final || !result.retry;
  }

  /** Sends batches until the queue is empty or the service asks to wait; one request at a time. */
  function pump(final = false): Promise<void> {
    if (inFlight !== undefined) return inFlight;
    if (size === 0 || (backingOff && !final)) return Promise.resolve();
    clearTimeout(timer);
    timer = undefined;
    const run = (async () => {
      while (await sendOne(final));
    })();
    inFlight = run.finally(() => {
      inFlight = undefined;
      if (size > 0 && !final) schedule(size >= flushAt ? 0 : flushInterval);
    });
    return inFlight;
  }

  return {
    push(event) {
      if (closed) return;
      if (size === capacity) {
        ring[head] = undefined;
        head = (head + 1) % ring.length;
        size--;
        dropped++;
      } else if (size === ring.length) reserve(size + 1);
      ring[(head + size) % ring.length] = event;
      size++;
      if (inFlight !== undefined || backingOff) return;
      if (size >= flushAt) {
        // A pending interval timer is replaced by an immediate one (still outside the caller's stack).
        clearTimeout(timer);
        timer = undefined;
        schedule(0);
      } else schedule(flushInterval);
    },
    async flush() {
      // A batch in flight first, then whatever is left (unless the service asked us to wait).
      if (inFlight !== undefined) await inFlight;
      await pump();
    },
    flushBeacon() {
      if (transport.beacon === undefined || closed) return;
      for (let batch = take(MAX_BEACON_BYTES / 3); batch !== undefined; batch = take(MAX_BEACON_BYTES / 3)) {
        let handed = false;
        try {
          handed = transport.beacon(batch.body);
        } catch {
          handed = false;
        }
        if (!handed) {
          // Refused (too much in flight, or no beacon at all): leave them to the regular sends.
          putBack(batch.events);
          schedule(0);
          return;
        }
        // The browser took it; whether it arrives we never learn. Counted as sent: it left the queue.
        sent += batch.events.length;
      }
    },
    close() {
      return (closing ??= (async () => {
        // A batch in flight finishes first (a timer may start another meanwhile: wait for that one too).
        while (inFlight !== undefined) await inFlight;
        clearTimeout(timer);
        timer = undefined;
        await pump(true);
        closed = true;
        clearTimeout(timer);
        timer = undefined;
        // Whatever is left could not be sent (the service refused or was down): count it, free the memory.
        failed += size;
        ring = [];
        head = size = 0;
      })());
    },
    stats() {
      return { queued: size + inFlightCount, sent, dropped, failed };
    },
  };
}
