import {
  contextFromBodyText,
  contextFromParam,
  createSnapshotEventStream,
  resolveEndpointOptions,
  wantsEventStream,
  FlagsRequestError,
  ifNoneMatch,
  mergeClientContext,
  snapshotETag,
  type SnapshotEventStream,
} from '@halyard/core';
import type { EvaluationContext, FlagsEndpointOptions } from '@halyard/core';
import { createEngine, evaluateAll, resolveContext, whenReady, type Engine } from './internal/engine';
import { infoFromRequest } from './internal/request-info';
import type { HalyardNextOptions } from './types';

/**
 * Options of {@link createFlagsRoute}: the {@link HalyardNextOptions} plus the endpoint options shared with every
 * adapter (`allowClientContext`, `stream`, `heartbeatInterval`, `bodyLimit`; see `FlagsEndpointOptions` in
 * `@halyard/core`).
 */
export interface FlagsRouteOptions extends HalyardNextOptions, FlagsEndpointOptions {}

const SCOPE = '@halyard/next';

/** The route handlers to export from `app/api/flags/route.ts`. */
export interface FlagsRoute {
  GET(request: Request): Promise<Response>;
  POST(request: Request): Promise<Response>;
}

const NO_STORE = 'private, no-store';

/**
 * Route handlers for the flags endpoint that `<HalyardProvider>` / `<FlagProvider endpoint>` polls: the
 * per-user FlagSnapshot as JSON with an `ETag` (`304` when `If-None-Match` matches), `Cache-Control: private,
 * no-store` and `Vary: Cookie` (the answer depends on who asks), and server-sent events on `GET ?stream=1`
 * pushing a new snapshot whenever the client's definitions change this user's flags. Works in the Node.js and
 * edge runtimes (only Web APIs).
 *
 * @example
 * // app/api/flags/route.ts
 * import { createFlagsRoute } from '@halyard/next';
 * import { client, context } from '../../../flags.server';
 *
 * export const { GET, POST } = createFlagsRoute({ client, context });
 */
export function createFlagsRoute(options: FlagsRouteOptions): FlagsRoute {
  const engine = createEngine(options, 'createFlagsRoute()');
  const { allowed, stream: streamEnabled, heartbeatInterval: heartbeat, bodyLimit } = resolveEndpointOptions(options);

  async function bodyContext(request: Request): Promise<EvaluationContext | undefined> {
    if (allowed.size === 0) return undefined;
    const text = await request.text();
    if (text.length > bodyLimit) throw new FlagsRequestError(`@halyard/next: the flags request body is larger than ${bodyLimit} bytes`, 413);
    return contextFromBodyText(text, allowed, SCOPE);
  }

  async function handle(request: Request, clientContext: () => Promise<EvaluationContext | undefined> | EvaluationContext | undefined, stream: boolean): Promise<Response> {
    let client: EvaluationContext | undefined;
    try {
      client = await clientContext();
    } catch (error) {
      if (error instanceof FlagsRequestError) return json({ error: error.message }, error.status);
      throw error;
    }
    const server = await resolveContext(engine, infoFromRequest(request));
    const context = mergeClientContext(server, client);
    await whenReady(engine);
    if (engine.client.getSnapshot().definitions === undefined) {
      return json({ error: '@halyard/next: flags are not loaded yet; retry shortly' }, 503, { 'retry-after': '1', 'cache-control': 'no-store' });
    }
    if (stream) return eventStream(request, engine, context, heartbeat);
    const snapshot = evaluateAll(engine, context);
    const etag = snapshotETag(snapshot);
    const headers = { etag, 'cache-control': NO_STORE, vary: 'Cookie, Authorization' };
    if (ifNoneMatch(request.headers.get('if-none-match'), etag)) return new Response(null, { status: 304, headers });
    return json(snapshot, 200, headers);
  }

  return {
    GET(request) {
      const url = new URL(request.url);
      const stream = streamEnabled && wantsEventStream(url.searchParams.get('stream'), request.headers.get('accept'));
      return handle(
        request,
        () => (stream ? contextFromParam(url.searchParams.get('context'), allowed, SCOPE) : undefined),
        stream,
      );
    },
    POST(request) {
      return handle(request, () => bodyContext(request), false);
    },
  };
}

function json(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });
}

function eventStream(request: Request, engine: Engine, context: EvaluationContext, heartbeat: number): Response {
  const encoder = new TextEncoder();
  let events: SnapshotEventStream | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const abort = (): void => events?.close();
      events = createSnapshotEventStream({
        client: engine.client,
        evaluate: () => evaluateAll(engine, context),
        lastEventId: request.headers.get('last-event-id') ?? undefined,
        heartbeatInterval: heartbeat,
        write: (text) => controller.enqueue(encoder.encode(text)),
        onClose() {
          request.signal?.removeEventListener('abort', abort);
          try {
            controller.close();
          } catch {
            // Already closed by the runtime.
          }
        },
      });
      if (!events.closed) request.signal?.addEventListener('abort', abort);
    },
    cancel() {
      events?.close();
    },
  });
  return new Response(body, {
    status: 200,
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': `${NO_STORE}, no-transform`,
      vary: 'Cookie, Authorization',
      'x-accel-buffering': 'no',
    },
  });
}
