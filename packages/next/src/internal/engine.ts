import { createExposureTracker, createProblemReporter, createServerFlags, mergeClientContext, waitForFlags, DEFAULT_READY_TIMEOUT, type RequestServerFlags, type ServerFlagsHost } from '@halyard/core/adapter';
import type { EvaluationContext, FlagClient } from '@halyard/core';
import type { HalyardNextOptions, NextContextFn, RequestInfo } from '../types';
import { loadRethrow, rethrowControlFlow } from './control-flow';

/** Per-app state shared by every request: the client, the context function, exposures and deduplicated logging. */
export interface Engine {
  readonly client: FlagClient;
  readonly contextFn: NextContextFn;
  readonly readyTimeout: number;
  /** Reports a flag problem; with a key, at most once per (definitions version, key). */
  report(error: Error, dedupeKey?: string): void;
  /** What core's server-side reader needs for `getFlags()` (see `ServerFlagsHost`). */
  readonly host: ServerFlagsHost<RequestInfo | undefined>;
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
  const reporter = createProblemReporter(client, onError);
  const report = (error: Error, dedupeKey?: string): void => reporter(error, dedupeKey);
  return {
    client,
    contextFn: context,
    readyTimeout: options.readyTimeout ?? DEFAULT_READY_TIMEOUT,
    report,
    host: {
      client,
      scope: '@halyard/next',
      // One evaluation of every flag per request: server components, client components and the snapshot the
      // browser starts with cannot disagree, even when definitions change mid-render.
      reads: 'snapshot',
      tracker,
      // The context is resolved (asynchronously) before the reader is made; see evaluateRequest.
      context: () => ({}),
      report: (error, _info, dedupeKey) => report(error, dedupeKey),
    },
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

/** Waits (bounded, the same policy as the flags endpoint) for the first flags after boot, so early requests do not all render defaults. */
export async function whenReady(engine: Engine): Promise<void> {
  if (await waitForFlags(engine.client, engine.readyTimeout)) return;
  const error = engine.client.getSnapshot().error;
  engine.report(
    new Error(error ? `@halyard/next: the flag client failed to load; rendering with defaults: ${error.message}` : `@halyard/next: no flags loaded after ${engine.readyTimeout} ms; rendering with defaults`, { cause: error }),
    'not-ready',
  );
}

/** One request's flags: its context resolved, the first flags waited for, every read from one snapshot. */
export async function evaluateRequest(engine: Engine, info: RequestInfo, clientContext?: EvaluationContext): Promise<RequestServerFlags<RequestInfo | undefined>> {
  const server = await resolveContext(engine, info);
  await whenReady(engine);
  return createServerFlags(engine.host, info, mergeClientContext(server, clientContext));
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
