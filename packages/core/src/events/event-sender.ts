import { createEventQueue, type EventQueueOptions, type EventTransport } from './event-queue';
import { createHttpEventSink, type HttpEventSinkOptions } from './http-event-sink';
import type { JsonValue } from '../types';
import type { EventSender, Outcome } from './types';
import { MAX_ERROR_TYPE, wireProblem, wireVariant, type ExposureWireEvent, type MetricWireEvent, type OutcomeWireEvent, type WireEvent } from './wire';

export interface EventSenderOptions extends Partial<HttpEventSinkOptions>, Omit<EventQueueOptions, 'transport' | 'onError'> {
  /** Instead of `url`: your own transport (tests, another protocol). */
  transport?: EventTransport;
  /**
   * Failed batches and ignored events (an invalid metric name, a unit over 256 characters). Default: a
   * `console.warn`, at most once a minute.
   */
  onError?: (error: Error) => void;
  /**
   * Browsers: when the page is hidden (`visibilitychange` to hidden, `pagehide`), hand what is queued to
   * `navigator.sendBeacon` so it survives the tab closing. Default `true` (needs `clientKey` or no key).
   */
  flushOnPageHide?: boolean;
  /** Node: flush when the event loop runs dry (`beforeExit`), so short scripts do not lose their events. Default `true`. */
  flushOnExit?: boolean;
}

interface EventTargetLike {
  addEventListener?(type: string, listener: () => void): void;
  removeEventListener?(type: string, listener: () => void): void;
}

interface ProcessLike {
  on?(event: 'beforeExit', listener: () => void): unknown;
  off?(event: 'beforeExit', listener: () => void): unknown;
}

/** Distinct problems reported about ignored events, so a bad call on a hot path cannot flood `onError`. */
const MAX_REPORTED_PROBLEMS = 100;

function defaultOnError(): (error: Error) => void {
  let last = -Infinity;
  return (error) => {
    const now = Date.now();
    if (now - last < 60_000) return;
    last = now;
    globalThis.console?.warn(`${error.message} (further event problems are silenced for a minute; see sender.stats())`);
  };
}

/** `errorType` of an outcome: the error's name (`TypeError`, a custom class name), short. */
function errorTypeOf(error: unknown): string | undefined {
  const name = error instanceof Error ? error.name : typeof error;
  return typeof name === 'string' && name.length > 0 ? name.slice(0, MAX_ERROR_TYPE) : undefined;
}

/**
 * Creates the sender of a client's events (exposures, guarded-path outcomes, custom metrics): a bounded queue
 * (10,000 events; when full the oldest is dropped and counted) flushed every 10 s, at 100 events, on `flush()`
 * and `close()`, and — in browsers — by `sendBeacon` when the page is hidden. Failed batches are retried with
 * backoff (429/503/network; never sooner than 1 s, longer when the service says `Retry-After`); a 400/401/413 is
 * not retried. It never throws into application code and never sends from inside a flag read.
 *
 * Imported on its own (`@halyard/core/events`), so apps without events ship none of it.
 *
 * @example
 * import { createFlagClient, httpSource } from '@halyard/core';
 * import { createEventSender } from '@halyard/core/events';
 *
 * const client = createFlagClient({
 *   source: httpSource({ url: 'https://flags.internal/sdk/v1/definitions', sdkKey }),
 *   events: createEventSender({ url: 'https://flags.internal/sdk/v1/events', sdkKey }),
 * });
 * client.track('purchase', { userId: 'user-42' }, 49.9);
 * await client.close(); // flushes
 */
export function createEventSender(options: EventSenderOptions): EventSender {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('@halyard/core: createEventSender() needs an options object { url, sdkKey } (or { url, clientKey } in browsers)');
  }
  const onError = options.onError ?? defaultOnError();
  const transport = options.transport ?? createHttpEventSink(options as HttpEventSinkOptions);
  const queue = createEventQueue({ ...options, transport, onError });
  const reported = new Set<string>();
  let closed = false;

  function report(problem: string): void {
    if (reported.has(problem) || reported.size >= MAX_REPORTED_PROBLEMS) return;
    reported.add(problem);
    try {
      onError(new Error(`@halyard/core: event ignored: ${problem}`));
    } catch {
      // Reporting must never break the caller.
    }
  }

  let invalid = 0;
  function push(event: WireEvent): void {
    if (closed) return;
    const problem = wireProblem(event);
    if (problem === undefined) {
      if (!listening) listen();
      queue.push(event);
    } else {
      invalid++;
      report(problem);
    }
  }

  // Browsers: the page may be going away. `visibilitychange` to hidden is the last event that reliably fires on
  // mobile; `pagehide` covers desktop navigations (and bfcache). Both may fire: the second finds the queue empty.
  const doc = (globalThis as { document?: EventTargetLike & { visibilityState?: string } }).document;
  const win = (globalThis as { window?: EventTargetLike }).window;
  const onHidden = (): void => {
    if (doc?.visibilityState === 'hidden') queue.flushBeacon();
  };
  const onPageHide = (): void => queue.flushBeacon();
  const pageHide = options.flushOnPageHide !== false && transport.beacon !== undefined && typeof doc?.addEventListener === 'function';
  // Node: `beforeExit` fires when nothing else keeps the process alive (our timers are unref'd); the flush's
  // request then keeps it alive until it is done, after which the queue is empty and the process exits.
  const proc = (globalThis as { process?: ProcessLike }).process;
  const onExit = (): void => void queue.flush();
  const exitFlush = options.flushOnExit !== false && !pageHide && typeof proc?.on === 'function' && typeof proc.off === 'function';
  // Listeners are added with the first event, so a sender made and never used (a component re-rendering with an
  // inline `createEventSender()`) has no side effect at all.
  let listening = false;
  function listen(): void {
    listening = true;
    if (pageHide) {
      doc!.addEventListener!('visibilitychange', onHidden);
      win?.addEventListener?.('pagehide', onPageHide);
    }
    if (exitFlush) proc!.on!('beforeExit', onExit);
  }

  return {
    exposure(event) {
      const wire: ExposureWireEvent = { kind: 'exposure', flag: event.flag, variant: wireVariant(event.variant, event.value as JsonValue), time: event.timestamp ?? Date.now() };
      if (event.unit !== undefined) wire.unit = event.unit;
      push(wire);
    },
    outcome(outcome: Outcome) {
      const wire: OutcomeWireEvent = { kind: 'outcome', flag: outcome.flag, variant: outcome.variant, ok: outcome.ok, time: Date.now() };
      if (outcome.unit !== undefined) wire.unit = outcome.unit;
      if (Number.isFinite(outcome.durationMs) && outcome.durationMs >= 0) wire.durationMs = outcome.durationMs;
      if (!outcome.ok) {
        const type = errorTypeOf(outcome.error);
        if (type !== undefined) wire.errorType = type;
      }
      push(wire);
    },
    metric(name, unit, value) {
      const wire: MetricWireEvent = { kind: 'metric', name, time: Date.now() };
      if (unit !== undefined) wire.unit = unit;
      if (value !== undefined) wire.value = value;
      push(wire);
    },
    flush: () => queue.flush(),
    async close() {
      if (closed) return;
      closed = true;
      if (listening && pageHide) {
        doc!.removeEventListener?.('visibilitychange', onHidden);
        win?.removeEventListener?.('pagehide', onPageHide);
      }
      if (listening && exitFlush) proc!.off!('beforeExit', onExit);
      await queue.close();
    },
    stats() {
      const stats = queue.stats();
      return { ...stats, dropped: stats.dropped + invalid };
    },
  };
}
