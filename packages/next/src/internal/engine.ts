import { createExposureTracker, createProblemReporter, mergeClientContext } from '@halyard/core';
import type { EvaluationContext, EvaluationDetails, ExposureTracker, FlagClient, FlagSnapshot, JsonValue, SnapshotFlag } from '@halyard/core';
import type { HalyardNextOptions, NextContextFn, RequestInfo, ServerFlags, Widen } from '../types';
import { loadRethrow, rethrowControlFlow } from './control-flow';

const EMPTY: FlagSnapshot = Object.freeze({ version: '', flags: Object.freeze({}) }) as FlagSnapshot;
const hasOwn = Object.prototype.hasOwnProperty;

/** Per-app state shared by every request: the client, the context function, exposures and deduplicated logging. */
export interface Engine {
  readonly client: FlagClient;
  readonly contextFn: NextContextFn;
  readonly tracker: ExposureTracker | undefined;
  readonly readyTimeout: number;
  /** Reports a flag problem; with a key, at most once per (definitions version, key). */
  report(error: Error, dedupeKey?: string): void;
}

export function createEngine(options: HalyardNextOptions, where: string): Engine {
  if (options === null || typeof options !== 'object') throw new TypeError(`@halyard/next: ${where} needs an options object { client, context }`);
  const { client, context } = options;
  if (client === null || typeof client !== 'object' || typeof client.evaluateAll !== 'function') {
    throw new TypeError(`@halyard/next: ${where} needs { client }: a FlagClient from createFlagClient() in @halyard/core`);
  }
  if (typeof context !== 'function') {
    throw new TypeError(`@halyard/next: ${where} needs { context: ({ cookies, headers }) => ({ userId: ... }) } to know who is asking`);
  }
  const onError = options.onError ?? ((error: Error) => console.error('@halyard/next: flag problem; rendering with defaults:', error));
  const tracker = options.onExposure
    ? createExposureTracker(options.onExposure, { onError: (error) => onError(new Error('@halyard/next: onExposure threw', { cause: error })) })
    : undefined;
  return {
    client,
    contextFn: context,
    tracker,
    readyTimeout: options.readyTimeout ?? 2_000,
    report: createProblemReporter(client, onError),
  };
}

/** Runs the app's context function: Next control flow propagates, anything else means an empty context + a log. */
export async function resolveContext(engine: Engine, info: RequestInfo): Promise<EvaluationContext> {
  await loadRethrow();
  try {
    const context = await engine.contextFn(info);
    if (context !== null && typeof context === 'object') return context;
    engine.report(new TypeError('@halyard/next: context() must return an object like { userId }; using an empty context'), 'context-shape');
  } catch (error) {
    rethrowControlFlow(error);
    engine.report(new Error(`@halyard/next: context() threw; using an empty context: ${describe(error)}`, { cause: error }));
  }
  return {};
}

/** Waits (bounded) for the first flags after boot, so early requests do not all render defaults. */
export async function whenReady(engine: Engine): Promise<void> {
  const { client } = engine;
  if (client.getSnapshot().definitions !== undefined) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      client.ready(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, engine.readyTimeout);
      }),
    ]);
  } catch (error) {
    engine.report(new Error(`@halyard/next: the flag client failed to load; rendering with defaults: ${describe(error)}`, { cause: error }), 'not-ready');
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
  if (client.getSnapshot().definitions === undefined) {
    engine.report(new Error(`@halyard/next: no flags loaded after ${engine.readyTimeout} ms; rendering with defaults`), 'not-ready');
  }
}

/** One evaluation of every flag for a context; never throws. */
export function evaluateAll(engine: Engine, context: EvaluationContext): FlagSnapshot {
  try {
    return engine.client.evaluateAll(context);
  } catch (error) {
    engine.report(new Error(`@halyard/next: evaluateAll() threw; serving defaults: ${describe(error)}`, { cause: error }));
    return EMPTY;
  }
}

export async function evaluateRequest(engine: Engine, info: RequestInfo, clientContext?: EvaluationContext): Promise<{ context: EvaluationContext; snapshot: FlagSnapshot }> {
  const server = await resolveContext(engine, info);
  const context = mergeClientContext(server, clientContext);
  await whenReady(engine);
  return { context, snapshot: evaluateAll(engine, context) };
}

function typeTag(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'object';
  return typeof value;
}

/** Reads over one snapshot: what server components see is exactly what the browser store starts with. */
export function serverFlags(engine: Engine, context: EvaluationContext, snapshot: FlagSnapshot): ServerFlags {
  const unit = context.userId === undefined || context.userId === null ? undefined : String(context.userId);

  function read<T extends JsonValue>(key: string, defaultValue: T | null): EvaluationDetails<T> {
    const entry: SnapshotFlag | undefined = hasOwn.call(snapshot.flags, key) ? snapshot.flags[key] : undefined;
    if (entry === undefined) {
      const message = `@halyard/next: flag "${key}" is not defined; check the key or publish the flag`;
      engine.report(new Error(message), `missing\u0000${key}`);
      return { value: defaultValue as T, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND', errorMessage: message };
    }
    if (defaultValue !== null && typeTag(entry.value) !== typeTag(defaultValue)) {
      const message = `@halyard/next: flag "${key}" is a ${typeTag(entry.value)} flag but the default value is a ${typeTag(defaultValue)}`;
      engine.report(new Error(message), `type\u0000${key}\u0000${typeTag(defaultValue)}`);
      return { value: defaultValue, reason: 'ERROR', errorCode: 'TYPE_MISMATCH', errorMessage: message };
    }
    if (entry.reason !== 'ERROR') engine.tracker?.track(key, entry.variant, entry.value, entry.reason, unit);
    const details: EvaluationDetails<T> = { value: entry.value as T, reason: entry.reason };
    if (entry.variant !== undefined) details.variant = entry.variant;
    if (entry.ruleId !== undefined) details.ruleId = entry.ruleId;
    if (entry.errorCode !== undefined) details.errorCode = entry.errorCode;
    return details;
  }

  return {
    isEnabled: (key) => read<boolean>(key, false).value === true,
    value: <T extends JsonValue>(key: string, defaultValue: T) => read(key, defaultValue).value as Widen<T>,
    variant: (key) => read(key, null).variant,
    details: <T extends JsonValue = JsonValue>(key: string, defaultValue?: T) =>
      read(key, defaultValue === undefined ? null : defaultValue) as EvaluationDetails<Widen<T>>,
    snapshot: () => snapshot,
    context: () => context,
  };
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
