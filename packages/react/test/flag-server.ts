import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EvaluationContext, FlagSnapshot } from '@halyard/core';

export interface RecordedRequest {
  method: string;
  context: EvaluationContext | undefined;
  ifNoneMatch: string | undefined;
  accept: string | undefined;
}

export type Reply =
  | { snapshot: FlagSnapshot }
  | { status: number; body?: string }
  /** Never answers until released; `aborted` resolves when the client gives up on it. */
  | { hold: true };

export interface FlagServer {
  url: string;
  requests: RecordedRequest[];
  /** Decides each answer; default serves `snapshot` with ETag = version and 304 on a matching If-None-Match. */
  respond: (request: RecordedRequest) => Reply;
  snapshot: FlagSnapshot;
  /** Resolves when a held request is closed by the client (aborted). */
  aborted: Promise<void>;
  /** Answers every held request with the current snapshot. */
  release(): void;
  close(): Promise<void>;
}

/** A real HTTP flags endpoint on 127.0.0.1:0 that records what browsers send. */
export async function startFlagServer(snapshot: FlagSnapshot): Promise<FlagServer> {
  let markAborted!: () => void;
  const held: ServerResponse[] = [];
  const server: FlagServer = {
    url: '',
    requests: [],
    snapshot,
    aborted: new Promise<void>((resolve) => (markAborted = resolve)),
    respond: (request) => ({ snapshot: server.snapshot }),
    release() {
      for (const res of held.splice(0)) send(res, undefined, { snapshot: server.snapshot });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of held.splice(0)) res.destroy();
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };

  const http = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    let context: EvaluationContext | undefined;
    try {
      context = raw ? (JSON.parse(raw) as { context?: EvaluationContext }).context : undefined;
    } catch {
      context = undefined;
    }
    const request: RecordedRequest = {
      method: req.method ?? '',
      context,
      ifNoneMatch: req.headers['if-none-match'],
      accept: req.headers.accept,
    };
    server.requests.push(request);
    const reply = server.respond(request);
    if ('hold' in reply) {
      held.push(res);
      res.on('close', () => {
        if (!res.writableEnded) markAborted();
      });
      return;
    }
    send(res, request.ifNoneMatch, reply);
  });

  function send(res: ServerResponse, ifNoneMatch: string | undefined, reply: Reply): void {
    if ('status' in reply) {
      res.writeHead(reply.status, { 'content-type': 'text/plain' }).end(reply.body ?? 'boom');
      return;
    }
    if ('snapshot' in reply) {
      const etag = `"${reply.snapshot.version}"`;
      if (ifNoneMatch === etag) {
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
