import {
  contextFromBodyText,
  contextFromParam,
  createSnapshotEventStream,
  FlagsRequestError,
  ifNoneMatch,
  mergeClientContext,
  readBodyText,
  resolveEndpointOptions,
  snapshotETag,
  waitForFlags,
  wantsDeltas,
  wantsEventStream,
  type FlagsEndpointOptions,
  type SnapshotEventStream,
} from './endpoint';
import { DELTA_HEADER } from './internal/delta-header';
import type { EvaluationContext, FlagClient, FlagSnapshot } from './types';

/*
 * The one flags endpoint. Every adapter feeds this handler a Web `Request` and sends back its `Response`: Next's
 * route exports it, Express converts `req` and writes the answer back. Behaviour cannot drift between adapters
 * because there is only one: methods (GET/HEAD/POST, 405 with Allow), caching (ETag, 304, private no-store,
 * Vary), the browser context allow-list, the body limit in bytes, server-sent events with heartbeats, and the
 * readiness policy.
 *
 * Readiness policy: a request that arrives before the client's first flags waits for them, at most
 * `readyTimeout` (default 2 s), then gets `503` with `Retry-After: 1`. Why wait rather than answer at once: the
 * first requests after a deploy arrive while the client is still fetching (typically well under a second), and a
 * 503 there makes every browser show its defaults and retry after a jittered backoff of a second or more — a short
 * wait turns that into one slightly slower success. The wait is bounded so a hung source cannot pile up
 * connections, and a source that already failed answers at once. Next's `getFlags()` applies the same wait, so a
 * page and its endpoint agree.
 */

/** A fetch-style handler: what Next route handlers, edge runtimes and `Bun.serve`/`Deno.serve` take. */
export type FetchHandler = (request: Request) => Promise<Response>;

/** Options of {@link createFlagsHandler}: what an adapter supplies, plus the shared endpoint options. */
export interface CreateFlagsHandlerOptions extends FlagsEndpointOptions {
  client: FlagClient;
  /** Prefix of every error message, e.g. `@halyard/next`. */
  scope: string;
  /** The server-derived context of a request (session, cookies). May throw framework control flow; it propagates. */
  context(request: Request): EvaluationContext | Promise<EvaluationContext>;
  /** This request's snapshot for `context` (the server context merged with the browser's allowed attributes). Must not throw. */
  snapshot(request: Request, context: EvaluationContext): FlagSnapshot;
  /** Request headers the answer depends on, besides `Cookie` and `Authorization` (e.g. an override header). */
  vary?: readonly string[];
  /** Reports a problem (no flags yet, a stream that could not evaluate). Must not throw. */
  report(error: Error, request: Request, dedupeKey?: string): void;
}

const ALLOW = 'GET, HEAD, POST';
const NO_STORE = 'private, no-store';
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Builds the flags endpoint that `<FlagProvider endpoint>` (from `@halyard/react`) and `createSnapshotStore()`
 * poll or stream from:
 *
 * - `POST` with `{ "context": {...} }`, `GET` and `HEAD`: `200` with the FlagSnapshot JSON and an `ETag`, or `304`
 *   when `If-None-Match` matches; `Cache-Control: private, no-store` and `Vary: Cookie, Authorization`.
 * - `GET ?stream=1` (or `Accept: text/event-stream`): server-sent events, `event: update` / `id: <version>` /
 *   `data: <FlagSnapshot>` whenever this user's snapshot changes, `: ping` heartbeats; with
 *   `X-Halyard-Stream: delta` (or `&delta=1`), changes as `event: patch` holding only this user's changed entries.
 * - Browser-sent attributes count only when named in `allowClientContext`; server-derived ones always win.
 *   Bodies over `bodyLimit` bytes get `413`, malformed ones `400`, other methods `405` with `Allow`.
 * - Before the first flags: waits up to `readyTimeout`, then `503` with `Retry-After: 1` (see the note above).
 *
 * @example
 * import { createFlagClient, httpSource } from '@halyard/core';
 * import { createFlagsHandler, createServerFlags, type ServerFlagsHost } from '@halyard/core/adapter';
 *
 * const client = createFlagClient({ source: httpSource({ url, sdkKey }) });
 * const contextOf = (request: Request) => ({ userId: request.headers.get('x-user-id') ?? undefined });
 * const host: ServerFlagsHost<Request> = { client, scope: '@acme/flags', reads: 'client', context: contextOf, report: console.error };
 * const handler = createFlagsHandler({
 *   client,
 *   scope: '@acme/flags',
 *   context: contextOf,
 *   snapshot: (request, context) => createServerFlags(host, request, context).snapshot(),
 *   report: (error) => console.error(error),
 * });
 * Bun.serve({ fetch: handler });
 */
export function createFlagsHandler(options: CreateFlagsHandlerOptions): FetchHandler {
  const { client, scope, report } = options;
  const { allowed, stream: streamEnabled, heartbeatInterval, bodyLimit, readyTimeout } = resolveEndpointOptions(options);
  const vary = ['Cookie', 'Authorization', ...(options.vary ?? [])].join(', ');

  return async function halyardFlagsHandler(request: Request): Promise<Response> {
    const method = request.method;
    if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
      return json({ error: `${scope}: the flags endpoint answers GET, HEAD and POST, not ${method}` }, 405, { allow: ALLOW, vary });
    }
    const url = new URL(request.url);
    const stream = streamEnabled && method === 'GET' && wantsEventStream(url.searchParams.get('stream'), request.headers.get('accept'));
    let browser: EvaluationContext | undefined;
    try {
      if (stream) browser = contextFromParam(url.searchParams.get('context'), allowed, scope);
      // Without allowed attributes the body cannot change anything: it is not even read.
      else if (method === 'POST' && allowed.size > 0) browser = contextFromBodyText(await readBodyText(request, bodyLimit, scope), allowed, scope);
    } catch (error) {
      if (error instanceof FlagsRequestError) return json({ error: error.message }, error.status, { vary });
      throw error;
    }
    const context = mergeClientContext(await options.context(request), browser);
    if (!(await waitForFlags(client, readyTimeout))) {
      const error = client.getSnapshot().error;
      report(new Error(`${scope}: no flags loaded${error ? ` (${error.message})` : ` after ${readyTimeout} ms`}; answering 503`), request, 'not-ready');
      return json({ error: `${scope}: flags are not loaded yet; retry shortly` }, 503, { 'retry-after': '1', 'cache-control': 'no-store', vary });
    }
    if (stream) return eventStream(request, context, wantsDeltas(url.searchParams.get('delta'), request.headers.get(DELTA_HEADER)));
    const snapshot = options.snapshot(request, context);
    const etag = snapshotETag(snapshot);
    const headers = { etag, 'cache-control': NO_STORE, vary };
    if (ifNoneMatch(request.headers.get('if-none-match'), etag)) return new Response(null, { status: 304, headers });
    if (method === 'HEAD') return new Response(null, { status: 200, headers: { 'content-type': JSON_TYPE, ...headers } });
    return json(snapshot, 200, headers);
  };

  function eventStream(request: Request, context: EvaluationContext, delta: boolean): Response {
    const encoder = new TextEncoder();
    let events: SnapshotEventStream | undefined;
    const abort = (): void => events?.close();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        events = createSnapshotEventStream({
          client,
          evaluate: () => options.snapshot(request, context),
          lastEventId: request.headers.get('last-event-id') ?? undefined,
          delta,
          heartbeatInterval,
          write: (text) => controller.enqueue(encoder.encode(text)),
          onEvaluateError: (error) =>
            report(new Error(`${scope}: flags stream could not evaluate: ${error instanceof Error ? error.message : String(error)}`, { cause: error }), request),
          onClose() {
            request.signal?.removeEventListener('abort', abort);
            try {
              controller.close();
            } catch {
              // Already closed or cancelled by the consumer.
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
        vary,
        // nginx and similar proxies buffer responses unless told otherwise, which would hold events back.
        'x-accel-buffering': 'no',
      },
    });
  }
}

function json(body: unknown, status: number, headers: Record<string, string>): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': JSON_TYPE, ...headers } });
}
