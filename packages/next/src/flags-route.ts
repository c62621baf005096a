import { decodeContextParam } from '@halyard/core';
import type { EvaluationContext, FlagSnapshot } from '@halyard/core';
import { createEngine, describe, evaluateAll, resolveContext, whenReady, type Engine } from './internal/engine';
import { infoFromRequest } from './internal/request-info';
import type { HalyardNextOptions } from './types';

/** Options of {@link createFlagsRoute}. */
export interface FlagsRouteOptions extends HalyardNextOptions {
  /**
   * Context attributes the browser may send (`POST {"context": {...}}` or the stream's `context` parameter).
   * Default none: the context comes only from `context({ cookies, headers })`, and server attributes always win.
   */
  allowClientContext?: readonly string[];
  /** Serve server-sent events on `GET ?stream=1`. Default `true`. */
  stream?: boolean;
  /** Interval of `: ping` comments on open streams, in ms. Default 15,000. */
  heartbeatInterval?: number;
  /** Largest POST body read, in bytes. Default 16 KiB. */
  bodyLimit?: number;
}

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
  const allowed = new Set(options.allowClientContext ?? []);
  const streamEnabled = options.stream !== false;
  const heartbeat = options.heartbeatInterval ?? 15_000;
  const bodyLimit = options.bodyLimit ?? 16 * 1024;

  function pick(raw: unknown, where: string): EvaluationContext | undefined {
    if (allowed.size === 0 || raw === undefined || raw === null) return undefined;
    if (typeof raw !== 'object' || Array.isArray(raw)) throw new BadRequest(`@halyard/next: ${where} must be a JSON object`);
    const picked: EvaluationContext = {};
    for (const name of allowed) if (Object.prototype.hasOwnProperty.call(raw, name)) picked[name] = (raw as Record<string, unknown>)[name];
    return picked;
  }

  async function bodyContext(request: Request): Promise<EvaluationContext | undefined> {
    if (allowed.size === 0) return undefined;
    const text = await request.text();
    if (text.length > bodyLimit) throw new BadRequest(`@halyard/next: the flags request body is larger than ${bodyLimit} bytes`, 413);
    if (text.trim() === '') return undefined;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new BadRequest('@halyard/next: the flags request body must be JSON like {"context":{...}}');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequest('@halyard/next: the flags request body must be a JSON object like {"context":{...}}');
    return pick((body as { context?: unknown }).context, 'body.context');
  }

  async function handle(request: Request, clientContext: () => Promise<EvaluationContext | undefined> | EvaluationContext | undefined, stream: boolean): Promise<Response> {
    let client: EvaluationContext | undefined;
    try {
      client = await clientContext();
    } catch (error) {
      if (error instanceof BadRequest) return json({ error: error.message }, error.status);
      throw error;
    }
    const server = await resolveContext(engine, infoFromRequest(request));
    const context = client === undefined ? server : { ...client, ...server };
    await whenReady(engine);
    if (engine.client.getSnapshot().definitions === undefined) {
      return json({ error: '@halyard/next: flags are not loaded yet; retry shortly' }, 503, { 'retry-after': '1', 'cache-control': 'no-store' });
    }
    if (stream) return eventStream(request, engine, context, heartbeat);
    const snapshot = evaluateAll(engine, context);
    const etag = `"${snapshot.version}"`;
    const headers = { etag, 'cache-control': NO_STORE, vary: 'Cookie, Authorization' };
    if (etagMatches(request.headers.get('if-none-match'), etag)) return new Response(null, { status: 304, headers });
    return json(snapshot, 200, headers);
  }

  return {
    GET(request) {
      const url = new URL(request.url);
      const stream = streamEnabled && (url.searchParams.get('stream') === '1' || (request.headers.get('accept') ?? '').includes('text/event-stream'));
      return handle(
        request,
        () => {
          const param = url.searchParams.get('context');
          if (!stream || param === null || allowed.size === 0) return undefined;
          let decoded: EvaluationContext;
          try {
            decoded = decodeContextParam(param);
          } catch (error) {
            throw new BadRequest(describe(error));
          }
          return pick(decoded, 'the context parameter');
        },
        stream,
      );
    },
    POST(request) {
      return handle(request, () => bodyContext(request), false);
    },
  };
}

class BadRequest extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

function json(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });
}

function etagMatches(header: string | null, etag: string): boolean {
  if (header === null) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((part) => part.trim().replace(/^W\//, '') === etag);
}

function eventStream(request: Request, engine: Engine, context: EvaluationContext, heartbeat: number): Response {
  const encoder = new TextEncoder();
  let cleanup = (): void => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      let sent = request.headers.get('last-event-id') ?? undefined;
      let closed = false;
      const write = (text: string): void => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          cleanup();
        }
      };
      const push = (): void => {
        const snapshot: FlagSnapshot = evaluateAll(engine, context);
        if (snapshot.version === sent) return;
        sent = snapshot.version;
        write(`event: update\nid: ${snapshot.version}\ndata: ${JSON.stringify(snapshot)}\n\n`);
      };
      write(': halyard flags stream\n\n');
      push();
      const unsubscribe = engine.client.subscribe(push);
      const timer = heartbeat > 0 ? setInterval(() => write(': ping\n\n'), heartbeat) : undefined;
      cleanup = () => {
        if (closed) return;
        closed = true;
        unsubscribe();
        if (timer !== undefined) clearInterval(timer);
        request.signal?.removeEventListener('abort', cleanup);
        try {
          controller.close();
        } catch {
          // Already closed by the runtime.
        }
      };
      request.signal?.addEventListener('abort', cleanup);
    },
    cancel() {
      cleanup();
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
