import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EvaluationContext, FlagSnapshot } from '@halyard/core';

export interface RecordedRequest {
  method: string;
  url: string;
  context: EvaluationContext | undefined;
  ifNoneMatch: string | undefined;
}

export type Reply =
  | { snapshot: FlagSnapshot }
  | { status: number; body?: string }
  /** Never answers until `release()`; `aborted` resolves when the client gives up on it. */
  | { hold: true };

export interface FlagServer {
  /** The polling endpoint (POST); `?stream=1` is the SSE stream. */
  url: string;
  /** Every poll, in order (stream connections are in `streams`). */
  requests: RecordedRequest[];
  streams: RecordedRequest[];
  /** Decides each poll's answer; default serves `snapshot` with ETag = version, and 304 on a matching If-None-Match. */
  respond: (request: RecordedRequest) => Reply;
  /** HTTP status of stream connections; 200 opens an event stream that starts with the current snapshot. */
  streamStatus: number;
  snapshot: FlagSnapshot;
  /** Resolves when a held request is closed by the client (aborted). */
  aborted: Promise<void>;
  /** Answers every held request with the current snapshot. */
  release(): void;
  /** Sends `snapshot` as an `update` event to every open stream. */
  push(snapshot: FlagSnapshot): void;
  close(): Promise<void>;
}

/** A real HTTP flags endpoint on 127.0.0.1:0 that records what browsers send. */
export async function startFlagServer(snapshot: FlagSnapshot): Promise<FlagServer> {
  let markAborted!: () => void;
  const held: Array<{ res: ServerResponse; request: RecordedRequest }> = [];
  const open: ServerResponse[] = [];
  const server: FlagServer = {
    url: '',
    requests: [],
    streams: [],
    snapshot,
    streamStatus: 200,
    aborted: new Promise<void>((resolve) => (markAborted = resolve)),
    respond: () => ({ snapshot: server.snapshot }),
    release() {
      for (const { res, request } of held.splice(0)) send(res, request, { snapshot: server.snapshot });
    },
    push(next) {
      server.snapshot = next;
      for (const res of open) res.write(event(next));
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const { res } of held.splice(0)) res.destroy();
        for (const res of open.splice(0)) res.destroy();
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };

  const event = (s: FlagSnapshot) => `event: update\nid: ${s.version}\ndata: ${JSON.stringify(s)}\n\n`;

  const http = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const url = new URL(req.url ?? '/', 'http://x');
    let context: EvaluationContext | undefined;
    try {
      context = raw
        ? (JSON.parse(raw) as { context?: EvaluationContext }).context
        : url.searchParams.has('context')
          ? (JSON.parse(Buffer.from(url.searchParams.get('context')!, 'base64url').toString()) as EvaluationContext)
          : undefined;
    } catch {
      context = undefined;
    }
    const request: RecordedRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      context,
      ifNoneMatch: req.headers['if-none-match'],
    };
    if (url.searchParams.get('stream') === '1') {
      server.streams.push(request);
      if (server.streamStatus !== 200) {
        res.writeHead(server.streamStatus).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(event(server.snapshot));
      open.push(res);
      res.on('close', () => open.splice(open.indexOf(res), 1));
      return;
    }
    server.requests.push(request);
    const reply = server.respond(request);
    if ('hold' in reply) {
      held.push({ res, request });
      res.on('close', () => {
        if (!res.writableEnded) markAborted();
      });
      return;
    }
    send(res, request, reply);
  });

  function send(res: ServerResponse, request: RecordedRequest, reply: Reply): void {
    if ('status' in reply) {
      res.writeHead(reply.status, { 'content-type': 'text/plain' }).end(reply.body ?? 'boom');
      return;
    }
    if ('snapshot' in reply) {
      const etag = `"${reply.snapshot.version}"`;
      if (request.ifNoneMatch === etag) {
        res.writeHead(304, { etag }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', etag }).end(JSON.stringify(reply.snapshot));
    }
  }

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  server.url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/flags`;
  return server;
}
