import { createBreakers, type BreakerOptions, type Breakers } from './breaker';
import { createEvaluator, type BucketingAlgorithm, type EvaluatorOptions } from './evaluator';
import { runGuard, runGuardSync, type GuardTarget } from './events/guard';
import type { EventSender, GuardPaths, Outcome, SyncGuardPaths } from './events/types';
import { createExposureTracker, type ExposureTracker } from './exposure';
import { toError } from './internal/errors';
import { unitAttribute, unitOf } from './internal/exposure-unit';
import { deepEqual } from './internal/structural-share';
import type {
  ClientState,
  Definitions,
  EvaluationContext,
  EvaluationDetails,
  Evaluator,
  ExposureEvent,
  FlagClient,
  FlagHandle,
  FlagSnapshot,
  FlagSource,
  JsonValue,
  SourceUpdate,
  Unsubscribe,
} from './types';

/** Where the client writes its warnings (source failures, throwing listeners). `console` fits. */
export interface FlagLogger {
  warn(message: string, ...details: unknown[]): void;
}

export interface FlagClientOptions {
  /** Where definitions come from: `staticSource`, `httpSource`, `fileSource` (from `@halyard/core/node`)… */
  source: FlagSource;
  /**
   * Pluggable bucketing algorithms the flags may name (`"bucketing": { "algorithm": "growthbook-v2" }`), e.g.
   * `[growthbookBucketing]` from `@halyard/growthbook`. Default: none (murmur3 only); a flag naming a missing
   * one serves the caller's default with reason ERROR, and the logger is told.
   *
   * @example
   * createFlagClient({ source, bucketing: [growthbookBucketing] });
   */
  bucketing?: ReadonlyArray<BucketingAlgorithm | readonly BucketingAlgorithm[]>;
  /**
   * Called once per (flag, variant, unit) the first time a value is read through `isEnabled`, `getValue` or
   * `getDetails` (not `evaluateAll`, and not for `ERROR` results). Remembers up to `exposureCacheSize` keys.
   */
  onExposure?: (event: ExposureEvent) => void;
  /** Called for every source failure (the client keeps serving the last good flags). */
  onError?: (error: Error) => void;
  /** Receives a warning when the client goes `stale`/`error`. Default `console`; `false` silences it. */
  logger?: FlagLogger | false;
  /** How many exposure keys to remember for de-duplication; default 10,000. */
  exposureCacheSize?: number;
  /**
   * Where exposures, `guard` outcomes and `track` metrics go: `createEventSender({ url, sdkKey })` from
   * `@halyard/core/events` (a separate import, so clients without events ship none of its code). The client
   * owns it: `close()` flushes and closes it. See docs/events.md.
   */
  events?: EventSender;
  /**
   * Per-process circuit breakers of flags with a `breaker` (fed by `guard` outcomes): an injectable clock and a
   * change listener; `false` turns them off. See docs/release-safety.md.
   */
  breakers?: BreakerOptions | false;
}

/**
 * Adapters (`@halyard/express`, `@halyard/next`) configure events on a client the app already built: the client
 * registers here how to take a sender, and {@link attachEventSender} looks it up. A WeakMap rather than a method,
 * so the client's public surface stays what applications use.
 */
const attachers = new WeakMap<object, (sender: EventSender) => boolean>();

/**
 * Gives `client` (made by `createFlagClient` without `events`) an event sender, as if it had been passed as
 * `events`: its reads record exposures, `guard` records outcomes, `track` sends, `close()` flushes. `'attached'`,
 * `'has-events'` when it already has one (it keeps it), `'unknown'` when `client` was not made by
 * `createFlagClient` (a wrapper, a test double).
 *
 * @example
 * if (attachEventSender(client, sender) === 'has-events') console.warn('events are configured twice');
 */
export function attachEventSender(client: object, sender: EventSender): 'attached' | 'has-events' | 'unknown' {
  const attach = attachers.get(client);
  if (attach === undefined) return 'unknown';
  return attach(sender) ? 'attached' : 'has-events';
}

const NOT_LOADED = '@halyard/core: flags not loaded yet; await client.ready() before evaluating';

function notLoaded<T>(defaultValue: T): EvaluationDetails<T> {
  return { value: defaultValue, reason: 'ERROR', errorCode: 'GENERAL', errorMessage: NOT_LOADED };
}

const INITIAL_STATE: ClientState = Object.freeze({
  status: 'loading',
  definitions: undefined,
  version: undefined,
  updatedAt: undefined,
  error: undefined,
});

/**
 * Creates a client that holds definitions from `source` and evaluates flags locally (no network per evaluation).
 *
 * The source starts right away — a server wants its flags as early as possible — so create the client once at
 * startup, `await client.ready()` before serving traffic if you need real values, and `close()` it on shutdown
 * (timers, sockets and file watchers keep the process alive until then).
 *
 * Failure behaviour: until the first good definitions arrive every evaluation returns the caller's default with
 * `reason: 'ERROR'`, `errorCode: 'GENERAL'`. Once flags are loaded, a failing source or an invalid document never
 * takes them away: the client keeps the last good flags and reports `status: 'stale'` until the source recovers.
 *
 * @example
 * import { createFlagClient, httpSource } from '@halyard/core';
 *
 * const flags = createFlagClient({
 *   source: httpSource({ url: 'https://flags.internal/sdk/v1/definitions', sdkKey: process.env.HALYARD_SDK_KEY }),
 *   onExposure: (e) => analytics.track('$exposure', e),
 * });
 * await flags.ready();
 * if (flags.isEnabled('new-checkout', { userId: user.id })) renderNewCheckout();
 */
export function createFlagClient(options: FlagClientOptions): FlagClient {
  const { source, onError, onExposure } = options;
  const logger = options.logger === false ? undefined : (options.logger ?? globalThis.console);
  const evaluatorOptions: EvaluatorOptions = { bucketing: options.bucketing, onProblem: (p) => logger?.warn(`@halyard/core: ${p.path}: ${p.message}`) };
  // Both may change later: an adapter can attach a sender (attachEventSender). Reads check `tracker` each time.
  let sender: EventSender | undefined = options.events;
  let tracker: ExposureTracker | undefined;
  const startTracking = (): void => {
    tracker = createExposureTracker(
      (event) => {
        try {
          onExposure?.(event);
        } finally {
          sender?.exposure(event);
        }
      },
      {
        max: options.exposureCacheSize,
        onError: (error) => logger?.warn('@halyard/core: onExposure threw; the flag read was not affected', error),
      },
    );
  };
  if (onExposure !== undefined || sender !== undefined) startTracking();
  const outcomeListeners = new Set<{ listener: (outcome: Outcome) => void }>();
  const breakers: Breakers | undefined = options.breakers === false ? undefined : createBreakers(options.breakers);
  let breakerTimer: ReturnType<typeof setTimeout> | undefined;
  let warnedTrack = false;

  let evaluator: Evaluator | undefined;
  let state: ClientState = INITIAL_STATE;
  let closed = false;
  let closing: Promise<void> = Promise.resolve();
  const listeners = new Set<{ listener: () => void }>();

  // ready(): settles once, on the first outcome. Marked handled so a client nobody awaits cannot crash the
  // process with an unhandled rejection when its source is down at startup.
  let settled = false;
  let readyFailed = false;
  let resolveReady!: () => void;
  let rejectReady!: (error: Error) => void;
  let readyPromise = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  readyPromise.catch(() => {});

  function markReady(): void {
    if (!settled) {
      settled = true;
      resolveReady();
    } else if (readyFailed) {
      // ready() rejected earlier, but the client kept trying and got there: later callers see success.
      readyFailed = false;
      readyPromise = Promise.resolve();
    }
  }

  function setState(next: ClientState): void {
    state = next;
    for (const entry of [...listeners]) {
      try {
        entry.listener();
      } catch (error) {
        logger?.warn('@halyard/core: a FlagClient subscriber threw', error);
      }
    }
  }

  function onDefinitions(definitions: Definitions): void {
    const current = state.definitions;
    if (
      current !== undefined &&
      (current === definitions ||
        (current.version === definitions.version &&
          deepEqual(current.flags, definitions.flags) &&
          deepEqual(current.segments, definitions.segments)))
    ) {
      // Same content (a 304, a re-read file): keep every object, just record that the source is healthy again.
      if (state.status !== 'ready') setState({ ...state, status: 'ready', error: undefined });
      markReady();
      return;
    }
    let next: Evaluator;
    try {
      breakers?.sync(definitions);
      next = createEvaluator(breakers === undefined ? definitions : breakers.overlay(definitions), evaluatorOptions);
    } catch (error) {
      onSourceError(toError(error));
      return;
    }
    evaluator = next;
    setState({ status: 'ready', definitions, version: definitions.version, updatedAt: Date.now(), error: undefined });
    markReady();
  }

  function onSourceError(error: Error): void {
    try {
      onError?.(error);
    } catch (callbackError) {
      logger?.warn('@halyard/core: onError threw', callbackError);
    }
    const status = state.definitions ? 'stale' : 'error';
    if (status !== state.status) {
      logger?.warn(
        status === 'stale'
          ? `@halyard/core: flag source ${source.name} failed; serving the last good flags (status "stale"): ${error.message}`
          : `@halyard/core: flag source ${source.name} failed before any flags loaded; evaluations return defaults: ${error.message}`,
      );
    }
    if (status !== state.status || state.error?.message !== error.message) setState({ ...state, status, error });
    if (!settled) {
      settled = true;
      readyFailed = true;
      rejectReady(error);
    }
  }

  /**
   * A breaker opened, went half-open or closed: evaluate the overlay (open flags disabled) from now on, tell
   * subscribers (their values changed), and wake up for the next half-open transition.
   */
  function breakersChanged(): void {
    const definitions = state.definitions;
    if (breakers === undefined || definitions === undefined || closed) return;
    try {
      evaluator = createEvaluator(breakers.overlay(definitions), evaluatorOptions);
    } catch (error) {
      logger?.warn('@halyard/core: applying a circuit breaker failed; serving the flags as defined', error);
      return;
    }
    setState({ ...state });
    if (breakerTimer !== undefined) clearTimeout(breakerTimer);
    breakerTimer = undefined;
    const due = breakers.nextTransitionIn();
    if (due !== undefined) {
      breakerTimer = setTimeout(() => {
        breakerTimer = undefined;
        if (breakers.tick()) breakersChanged();
      }, due);
      // Node: a breaker waiting to half-open must not keep the process alive.
      (breakerTimer as { unref?: () => void }).unref?.();
    }
  }

  /** `DISABLED` of a flag whose breaker is open reads as `BREAKER`; one boolean check when none is open. */
  function breakerReason<T>(key: string, result: EvaluationDetails<T>): EvaluationDetails<T> {
    return breakers !== undefined && breakers.anyOpen && result.reason === 'DISABLED' && breakers.isOpen(key) ? { ...result, reason: 'BREAKER' } : result;
  }

  function handle(update: SourceUpdate): void {
    if (closed) return;
    if (update.type === 'definitions') onDefinitions(update.definitions);
    else onSourceError(toError(update.error));
  }

  let stopSource: Unsubscribe | undefined;
  try {
    stopSource = source.start(handle);
  } catch (error) {
    handle({ type: 'error', error: toError(error) });
  }

  function details<T extends JsonValue>(key: string, defaultValue: T, context: EvaluationContext | undefined): EvaluationDetails<T> {
    const current = evaluator;
    if (current === undefined) return notLoaded(defaultValue);
    let result: EvaluationDetails<T>;
    try {
      result = breakerReason(key, current.getDetails(key, defaultValue, context));
    } catch (error) {
      // The evaluator promises never to throw; this keeps that promise even if it is ever broken.
      return { value: defaultValue, reason: 'ERROR', errorCode: 'GENERAL', errorMessage: toError(error).message };
    }
    track(current, key, result, context);
    return result;
  }

  function track(current: Evaluator, key: string, result: EvaluationDetails<JsonValue>, context: EvaluationContext | undefined): void {
    if (tracker !== undefined && result.reason !== 'ERROR') {
      tracker.track(key, result.variant, result.value, result.reason, unitOf(context, unitAttribute(current.definitions, key, result.reason, result.ruleId)));
    }
  }

  /** Delivers a guard's outcome to in-process listeners (a circuit breaker) and to the sender. Never throws. */
  function recordOutcome(outcome: Outcome): void {
    if (breakers?.record(outcome) === true) breakersChanged();
    for (const entry of outcomeListeners) {
      try {
        entry.listener(outcome);
      } catch (error) {
        logger?.warn('@halyard/core: an onOutcome listener threw; the guarded call was not affected', error);
      }
    }
    sender?.outcome(outcome);
  }

  function guardTarget(key: string, context: EvaluationContext | undefined): GuardTarget {
    // A `null` default accepts every flag type: guards serve boolean and multi-variant flags alike.
    const result = details<JsonValue>(key, null, context);
    const current = evaluator;
    if (result.reason === 'ERROR' || current === undefined) return { flag: key, served: undefined, unit: undefined };
    return {
      flag: key,
      served: { value: result.value, variant: result.variant },
      unit: unitOf(context, unitAttribute(current.definitions, key, result.reason, result.ruleId)),
    };
  }

  /**
   * `client.flag(key)`: a handle that delegates to the current evaluator's handle for `key`. Definitions updates
   * replace the evaluator, so every call compares it with the one the handle is bound to (one identity check) and
   * re-binds when they differ. Exposure tracking goes through `getDetails`, exactly like `details()`.
   */
  function flag<T extends JsonValue = JsonValue>(key: string): FlagHandle<T> {
    let boundTo: Evaluator | undefined;
    let bound: FlagHandle<T> | undefined;
    const rebind = (): FlagHandle<T> | undefined => {
      boundTo = evaluator;
      bound = boundTo === undefined ? undefined : boundTo.flag<T>(key);
      return bound;
    };
    // JavaScript callers may pass anything; String() could throw on a hostile object.
    const handleKey = typeof key === 'string' ? key : `(a ${typeof key}, not a string key)`;

    function getDetails(defaultValue: T, context?: EvaluationContext): EvaluationDetails<T> {
      const h = evaluator === boundTo ? bound : rebind();
      const current = boundTo;
      if (h === undefined || current === undefined) return notLoaded(defaultValue);
      let result: EvaluationDetails<T>;
      try {
        result = breakerReason(handleKey, h.getDetails(defaultValue, context));
      } catch (error) {
        return { value: defaultValue, reason: 'ERROR', errorCode: 'GENERAL', errorMessage: toError(error).message };
      }
      track(current, handleKey, result, context);
      return result;
    }

    // Without exposure tracking the evaluator handle's allocation-free paths suffice. Checked per call: an
    // adapter may attach events after the handle was made.
    return Object.freeze({
      key: handleKey,
      isEnabled(context?: EvaluationContext): boolean {
        if (tracker !== undefined) return getDetails(false as T, context).value === true;
        const h = evaluator === boundTo ? bound : rebind();
        return h !== undefined && h.isEnabled(context);
      },
      getValue(defaultValue: T, context?: EvaluationContext): T {
        if (tracker !== undefined) return getDetails(defaultValue, context).value;
        const h = evaluator === boundTo ? bound : rebind();
        return h === undefined ? defaultValue : h.getValue(defaultValue, context);
      },
      getDetails,
    });
  }

  // Implemented over plain keys and JSON values; the public type adds the app's registered keys on top (`Register`).
  const client = {
    ready() {
      return readyPromise;
    },
    get status() {
      return state.status;
    },
    isEnabled(key: string, context?: EvaluationContext): boolean {
      // Without exposure tracking the evaluator's allocation-free paths suffice.
      if (tracker === undefined) return evaluator !== undefined && evaluator.isEnabled(key, context);
      return details<boolean>(key, false, context).value === true;
    },
    getValue(key: string, defaultValue: JsonValue, context?: EvaluationContext): JsonValue {
      if (tracker === undefined) return evaluator === undefined ? defaultValue : evaluator.getValue(key, defaultValue, context);
      return details(key, defaultValue, context).value;
    },
    getDetails(key: string, defaultValue: JsonValue, context?: EvaluationContext): EvaluationDetails<JsonValue> {
      return details(key, defaultValue, context);
    },
    flag,
    evaluateAll(context?: EvaluationContext): FlagSnapshot {
      if (evaluator === undefined) return { version: '', flags: {} } satisfies FlagSnapshot;
      return evaluator.evaluateAll(context);
    },
    subscribe(listener: () => void): Unsubscribe {
      const entry = { listener };
      listeners.add(entry);
      return () => {
        listeners.delete(entry);
      };
    },
    get events(): EventSender | undefined {
      return sender;
    },
    track(name: string, context?: EvaluationContext, value?: number): void {
      if (sender === undefined) {
        if (!warnedTrack) logger?.warn('@halyard/core: client.track() ignored: this client has no events; pass createFlagClient({ events: createEventSender({ url, sdkKey }) })');
        warnedTrack = true;
        return;
      }
      // The sender validates (an invalid name is ignored and reported through its onError); nothing here throws.
      sender.metric(name, unitOf(context), value);
    },
    guard<R>(key: string, context: EvaluationContext | undefined, paths: GuardPaths<R>): Promise<R> {
      return runGuard(guardTarget(key, context), paths, recordOutcome);
    },
    guardSync<R>(key: string, context: EvaluationContext | undefined, paths: SyncGuardPaths<R>): R {
      return runGuardSync(guardTarget(key, context), paths, recordOutcome);
    },
    onOutcome(listener: (outcome: Outcome) => void): Unsubscribe {
      const entry = { listener };
      outcomeListeners.add(entry);
      return () => {
        outcomeListeners.delete(entry);
      };
    },
    breakers() {
      if (breakers === undefined) return [];
      if (breakers.tick()) breakersChanged();
      return breakers.list();
    },
    flush(): Promise<void> {
      return sender === undefined ? Promise.resolve() : sender.flush();
    },
    getSnapshot(): ClientState {
      return state;
    },
    close(): Promise<void> {
      if (closed) return closing;
      closed = true;
      listeners.clear();
      outcomeListeners.clear();
      if (breakerTimer !== undefined) clearTimeout(breakerTimer);
      try {
        stopSource?.();
      } catch (error) {
        logger?.warn(`@halyard/core: stopping flag source ${source.name} threw`, error);
      }
      if (!settled) {
        settled = true;
        rejectReady(new Error('@halyard/core: the FlagClient was closed before flags loaded'));
      }
      // The last flush: events recorded until now (the sender never rejects).
      if (sender !== undefined) closing = sender.close();
      return closing;
    },
  };
  attachers.set(client, (next) => {
    if (sender !== undefined) return sender === next;
    sender = next;
    if (tracker === undefined) startTracking();
    return true;
  });
  return client as FlagClient;
}
