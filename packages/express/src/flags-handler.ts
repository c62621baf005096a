import {
  contextFromBody,
  contextFromBodyText,
  contextFromParam,
  createSnapshotEventStream,
  resolveEndpointOptions,
  wantsEventStream,
  FlagsRequestError,
  ifNoneMatch,
  mergeClientContext,
  parseFlagsBody,
  snapshotETag,
} from '@halyard/core';
import type { EvaluationContext } from '@halyard/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { LazyRequestFlags, RequestFlagsState } from './internal/request-flags';
import { createShared, describe, resolveContext, type Shared } from './internal/shared';
import type { FlagsHandlerOptions } from './types';

const SCOPE = '@halyard/express';

/**
 * Serves the per-user flag snapshot that `<FlagProvider endpoint>` (from `@halyard/react`) polls:
 *
 * - `POST` with `{ "context": {...} }` or `GET`: `200` with the FlagSnapshot JSON and an `ETag`, or `304` when
 *   `If-None-Match` matches. `Cache-Control: private, no-store` and `Vary: Cookie, Authorization`: the answer is
 *   per user and must never be stored by a shared cache.
 * - `GET ?stream=1` (or `Accept: text/event-stream`): server-sent events, `event: update` / `id: <version>` /
 *   `data: <FlagSnapshot>`, pushed whenever the client's definitions change what this user sees; `: ping`
 *   heartbeats keep proxies from closing it.
 * - Context: `context(req)` decides. Attributes sent by the browser are ignored unless named in
 *   `allowClientContext`, and server-derived attributes always win over them.
 * - `503` with `Retry-After` while the client has no flags yet (the browser keeps what it has).
 *
 * @example
 * const options = { client, context: (req) => ({ userId: req.session.userId }) };
 * app.use(halyard(options));
 * app.all('/api/flags', flagsHandler({ ...options, allowClientContext: ['locale'] }));
 */
export function flagsHandler(options: FlagsHandlerOptions): RequestHandler {
  const shared = createShared(options, 'flagsHandler()');
  const { allowed, stream: streamEnabled, heartbeatInterval: heartbeat, bodyLimit } = resolveEndpointOptions(options);
  const varyOn = ['Cookie', 'Authorization', ...(shared.verifier ? [shared.verifier.header] : [])];

  return function halyardFlagsHandler(req: Request, res: Response, next: NextFunction): void {
    const method = req.method;
    if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
      res.setHeader('Allow', 'GET, HEAD, POST');
      res.status(405).json({ error: `@halyard/express: the flags endpoint answers GET, HEAD and POST, not ${method}` });
      return;
    }
    for (const header of varyOn) res.vary(header);
    const wantsStream = streamEnabled && method === 'GET' && wantsEventStream(queryParam(req, 'stream'), req.get('accept'));
    handle(req, res, wantsStream).catch((error: unknown) => {
      if (error instanceof FlagsRequestError) {
        if (!res.headersSent) res.status(error.status).json({ error: error.message });
        return;
      }
      shared.report(new Error(`@halyard/express: flagsHandler failed: ${describe(error)}`, { cause: error }), req);
      if (!res.headersSent) next(error);
    });
  };

  async function handle(req: Request, res: Response, wantsStream: boolean): Promise<void> {
    const clientContext = wantsStream ? streamContext(req) : req.method === 'POST' ? await bodyContext(req) : undefined;
    const context = mergeClientContext(resolveContext(shared, req), clientContext);
    if (shared.client.getSnapshot().definitions === undefined) {
      res.setHeader('Retry-After', '1');
      res.setHeader('Cache-Control', 'no-store');
      res.status(503).json({ error: '@halyard/express: flags are not loaded yet; retry shortly' });
      return;
    }
    if (wantsStream) {
      stream(req, res, shared, context, heartbeat);
      return;
    }
    const snapshot = new LazyRequestFlags(req, new RequestFlagsState(shared, context)).snapshot();
    const etag = snapshotETag(snapshot);
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('ETag', etag);
    if (ifNoneMatch(req.get('if-none-match'), etag)) {
      res.status(304).end();
      return;
    }
    res.status(200).json(snapshot);
  }

  function streamContext(req: Request): EvaluationContext | undefined {
    return contextFromParam(queryParam(req, 'context'), allowed, SCOPE);
  }

  async function bodyContext(req: Request): Promise<EvaluationContext | undefined> {
    // Without allowed attributes the body cannot change anything: do not even read it.
    if (allowed.size === 0) return undefined;
    let body: unknown = (req as { body?: unknown }).body;
    if (body === undefined || (typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0 && !req.readableEnded)) {
      return contextFromBodyText(await readBody(req, bodyLimit), allowed, SCOPE);
    }
    // A body parser that kept the raw text (express.text() / express.raw()): an empty one is not JSON either.
    if (typeof body === 'string' || Buffer.isBuffer(body)) body = parseFlagsBody(String(body), SCOPE);
    return contextFromBody(body, allowed, SCOPE);
  }
}

function stream(req: Request, res: Response, shared: Shared, context: EvaluationContext, heartbeat: number): void {
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'private, no-store, no-transform');
  res.setHeader('Connection', 'keep-alive');
  // nginx and similar proxies buffer responses unless told otherwise, which would hold events back.
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  req.socket.setNoDelay?.(true);

  const events = createSnapshotEventStream({
    client: shared.client,
    evaluate: () => new LazyRequestFlags(req, new RequestFlagsState(shared, context)).snapshot(),
    lastEventId: req.get('last-event-id'),
    heartbeatInterval: heartbeat,
    write(chunk) {
      res.write(chunk);
      // compression() buffers unless flushed, which would hold events back.
      (res as unknown as { flush?: () => void }).flush?.();
    },
    onEvaluateError: (error) =>
      shared.report(new Error(`@halyard/express: flags stream could not evaluate: ${describe(error)}`, { cause: error }), req),
  });
  res.on('close', events.close);
  res.on('error', events.close);
}

/** Works whatever query parser the app configured (Express 4's extended, Express 5's simple, or none). */
function queryParam(req: Request, name: string): string | undefined {
  const value = (req.query as Record<string, unknown> | undefined)?.[name];
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  const url = req.originalUrl ?? req.url;
  const q = url.indexOf('?');
  if (q === -1) return undefined;
  return new URLSearchParams(url.slice(q + 1)).get(name) ?? undefined;
}

function readBody(req: Request, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    if (req.readableEnded) {
      resolve('');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.resume();
        reject(new FlagsRequestError(`@halyard/express: the flags request body is larger than ${limit} bytes`, 413));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
