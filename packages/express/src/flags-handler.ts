import { decodeContextParam } from '@halyard/core';
import type { EvaluationContext, FlagSnapshot } from '@halyard/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { LazyRequestFlags } from './internal/request-flags';
import { createShared, describe, resolveContext, type Shared } from './internal/shared';
import type { FlagsHandlerOptions } from './types';

const DEFAULT_BODY_LIMIT = 16 * 1024;
const DEFAULT_HEARTBEAT = 15_000;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

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
  const allowed = new Set(options.allowClientContext ?? []);
  const streamEnabled = options.stream !== false;
  const heartbeat = options.heartbeatInterval ?? DEFAULT_HEARTBEAT;
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const varyOn = ['Cookie', 'Authorization', ...(shared.verifier ? [shared.verifier.header] : [])];

  return function halyardFlagsHandler(req: Request, res: Response, next: NextFunction): void {
    const method = req.method;
    if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
      res.setHeader('Allow', 'GET, HEAD, POST');
      res.status(405).json({ error: `@halyard/express: the flags endpoint answers GET, HEAD and POST, not ${method}` });
      return;
    }
    for (const header of varyOn) res.vary(header);
    const wantsStream = streamEnabled && method === 'GET' && (queryParam(req, 'stream') === '1' || (req.get('accept') ?? '').includes('text/event-stream'));
    handle(req, res, wantsStream).catch((error: unknown) => {
      if (error instanceof HttpError) {
        if (!res.headersSent) res.status(error.status).json({ error: error.message });
        return;
      }
      shared.report(new Error(`@halyard/express: flagsHandler failed: ${describe(error)}`, { cause: error }), req);
      if (!res.headersSent) next(error);
    });
  };

  async function handle(req: Request, res: Response, wantsStream: boolean): Promise<void> {
    const clientContext = wantsStream ? streamContext(req) : req.method === 'POST' ? await bodyContext(req) : undefined;
    const context = merge(clientContext, resolveContext(shared, req));
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
    const snapshot = new LazyRequestFlags(req, shared, context).snapshot();
    const etag = `"${snapshot.version}"`;
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('ETag', etag);
    if (etagMatches(req.get('if-none-match'), etag)) {
      res.status(304).end();
      return;
    }
    res.status(200).json(snapshot);
  }

  function pick(raw: unknown, where: string): EvaluationContext | undefined {
    if (allowed.size === 0 || raw === undefined || raw === null) return undefined;
    if (typeof raw !== 'object' || Array.isArray(raw)) throw new HttpError(400, `@halyard/express: ${where} must be a JSON object`);
    const picked: EvaluationContext = {};
    for (const name of allowed) {
      if (Object.prototype.hasOwnProperty.call(raw, name)) picked[name] = (raw as Record<string, unknown>)[name];
    }
    return picked;
  }

  function streamContext(req: Request): EvaluationContext | undefined {
    const param = queryParam(req, 'context');
    if (param === undefined || allowed.size === 0) return undefined;
    try {
      return pick(decodeContextParam(param), 'the context parameter');
    } catch (error) {
      if (error instanceof HttpError) throw error;
      throw new HttpError(400, describe(error));
    }
  }

  async function bodyContext(req: Request): Promise<EvaluationContext | undefined> {
    // Without allowed attributes the body cannot change anything: do not even read it.
    if (allowed.size === 0) return undefined;
    let body: unknown = (req as { body?: unknown }).body;
    if (body === undefined || (typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0 && !req.readableEnded)) {
      const text = await readBody(req, bodyLimit);
      if (text.trim() === '') return undefined;
      try {
        body = JSON.parse(text);
      } catch {
        throw new HttpError(400, '@halyard/express: the flags request body must be JSON like {"context":{...}}');
      }
    } else if (typeof body === 'string' || Buffer.isBuffer(body)) {
      try {
        body = JSON.parse(String(body));
      } catch {
        throw new HttpError(400, '@halyard/express: the flags request body must be JSON like {"context":{...}}');
      }
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new HttpError(400, '@halyard/express: the flags request body must be a JSON object like {"context":{...}}');
    }
    return pick((body as { context?: unknown }).context, 'body.context');
  }
}

/** Client-sent attributes first, server-derived ones over them: the server always has the last word. */
function merge(client: EvaluationContext | undefined, server: EvaluationContext): EvaluationContext {
  return client === undefined ? server : { ...client, ...server };
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

  const lastEventId = req.get('last-event-id');
  let sent: string | undefined = lastEventId;
  let closed = false;

  const write = (chunk: string): void => {
    if (closed) return;
    res.write(chunk);
    (res as unknown as { flush?: () => void }).flush?.();
  };
  const push = (): void => {
    let snapshot: FlagSnapshot;
    try {
      snapshot = new LazyRequestFlags(req, shared, context).snapshot();
    } catch (error) {
      shared.report(new Error(`@halyard/express: flags stream could not evaluate: ${describe(error)}`, { cause: error }), req);
      return;
    }
    if (snapshot.version === sent) return;
    sent = snapshot.version;
    write(`event: update\nid: ${snapshot.version}\ndata: ${JSON.stringify(snapshot)}\n\n`);
  };

  write(': halyard flags stream\n\n');
  push();
  const unsubscribe = shared.client.subscribe(push);
  const timer = heartbeat > 0 ? setInterval(() => write(': ping\n\n'), heartbeat) : undefined;
  timer?.unref?.();
  const cleanup = (): void => {
    if (closed) return;
    closed = true;
    unsubscribe();
    if (timer !== undefined) clearInterval(timer);
  };
  res.on('close', cleanup);
  res.on('error', cleanup);
}

function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  for (const part of header.split(',')) {
    const candidate = part.trim().replace(/^W\//, '');
    if (candidate === etag) return true;
  }
  return false;
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
        reject(new HttpError(413, `@halyard/express: the flags request body is larger than ${limit} bytes`));
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
