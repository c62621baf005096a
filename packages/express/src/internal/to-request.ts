import { Readable } from 'node:stream';
import type { Request as ExpressRequest, Response as ExpressResponse } from 'express';

/*
 * Express ⇄ fetch: the flags endpoint is one fetch-style handler in @halyard/core (`createFlagsHandler`); this is
 * all Express needs around it, as tRPC's `incomingMessageToRequest` / `writeResponse` do.
 */

/**
 * The Web `Request` of an Express request. The body is the request stream, unread; when a body parser already
 * consumed it (`express.json()`, `express.text()`, `express.raw()`), what it parsed is passed on instead. The
 * signal aborts when the client goes away, which closes a flags stream.
 */
export function toRequest(req: ExpressRequest, res: ExpressResponse): Request {
  const controller = new AbortController();
  res.once('close', () => controller.abort());
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  const host = req.get('host') ?? 'localhost';
  const url = `${req.protocol}://${host}${req.originalUrl ?? req.url}`;
  const method = req.method;
  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal: controller.signal };
  if (method !== 'GET' && method !== 'HEAD') {
    const parsed = parsedBody(req);
    if (parsed !== undefined) {
      init.body = parsed;
      // The stream is consumed: its length no longer describes this body.
      headers.delete('content-length');
    } else if (!req.readableEnded) {
      init.body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
      init.duplex = 'half';
    }
  }
  return new Request(url, init);
}

/** What a body parser left in `req.body`, as text; `undefined` when none ran (the stream is still unread). */
function parsedBody(req: ExpressRequest): string | undefined {
  const body: unknown = (req as { body?: unknown }).body;
  if (body === undefined) return undefined;
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  // express.json() leaves `{}` on requests it skipped (another content type): the stream is then still unread.
  if (typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0 && !req.readableEnded) return undefined;
  return JSON.stringify(body);
}

/**
 * Writes a Web `Response` to Express: status, headers (`Vary` merged with what other middleware set), then the
 * body as it comes — a flags stream is written event by event and flushed (compression() would hold it back).
 */
export async function writeResponse(response: Response, res: ExpressResponse): Promise<void> {
  res.status(response.status);
  response.headers.forEach((value, name) => {
    if (name === 'vary') for (const field of value.split(',')) res.vary(field.trim());
    else res.setHeader(name, value);
  });
  if (response.body === null) {
    res.end();
    return;
  }
  const streaming = (response.headers.get('content-type') ?? '').startsWith('text/event-stream');
  if (!streaming) {
    res.end(Buffer.from(await response.arrayBuffer()));
    return;
  }
  res.flushHeaders();
  res.socket?.setNoDelay?.(true);
  const reader = response.body.getReader();
  const cancel = (): void => void reader.cancel().catch(() => {});
  res.once('close', cancel);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      res.write(value);
      (res as unknown as { flush?: () => void }).flush?.();
    }
  } catch {
    // The client went away (cancelled) or the body failed: nothing more to write.
  } finally {
    res.off('close', cancel);
    res.end();
  }
}
