import { vi } from 'vitest';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface TestServer {
  url: string;
  /** Every request, in arrival order. */
  requests: SeenRequest[];
  /** Requests whose response has not finished or been torn down yet. */
  readonly inFlight: number;
  /** The largest `inFlight` ever observed. */
  readonly maxInFlight: number;
  /** Requests the client went away from before the response finished. */
  readonly aborted: number;
  /** Stop accepting and tear down every connection (including open event streams). */
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, seen: SeenRequest) => void | Promise<void>;

/** A real HTTP server on 127.0.0.1:0 that records what clients did. */
export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let aborted = 0;
  const server = createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => {
      inFlight--;
      if (!res.writableFinished) aborted++;
    });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen: SeenRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(seen);
      Promise.resolve(handler(req, res, seen)).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    get aborted() {
      return aborted;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

export function sendJson(res: ServerResponse, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** Starts an event stream; returns a writer for SSE frames. */
export function openStream(res: ServerResponse): { send(frame: string): void; end(): void } {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.flushHeaders();
  return {
    send(frame) {
      res.write(frame);
    },
    end() {
      res.end();
    },
  };
}

/** A FlagsDocument with one boolean flag; `on` decides what everyone gets. */
export function flagsDoc(version: string | number, on = true, extra: Record<string, unknown> = {}) {
  return {
    schemaVersion: 1 as const,
    version,
    flags: {
      'new-checkout': { variants: { on: true, off: false }, enabled: true, offVariant: 'off', defaultServe: { variant: on ? 'on' : 'off' } },
      ...extra,
    },
  };
}

/** Resolves when the request is aborted by the client (or the response ends otherwise). */
export function closed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => res.on('close', () => resolve()));
}

/**
 * `vi.waitFor` with a generous deadline: the machine running tests may be busy, and these waits are for
 * conditions, not for durations.
 */
export function waitFor<T>(check: () => T | Promise<T>, timeout = 10_000): Promise<T> {
  return vi.waitFor(check, { timeout, interval: 10 });
}

/**
 * Writes `total` bytes of `fill` as fast as the client reads them (respecting backpressure) and resolves with how
 * many bytes the socket accepted before the client went away or all were sent: a "huge" or "endless" answer.
 */
export function flood(res: ServerResponse, total: number, fill = 'x', chunkSize = 64 * 1024): Promise<number> {
  const chunk = Buffer.alloc(chunkSize, fill);
  let written = 0;
  return new Promise((resolve) => {
    const done = () => resolve(written);
    res.on('close', done);
    const pump = (): void => {
      while (!res.destroyed && written < total) {
        written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      if (!res.destroyed) res.end();
    };
    pump();
  });
}

/** Sends `text` one byte every `everyMs` until the client goes away: a server that is alive but never finishes. */
export function trickle(res: ServerResponse, text: string, everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (res.destroyed) return clearInterval(timer);
    res.write(text[i++ % text.length]!);
  }, everyMs);
  res.on('close', () => clearInterval(timer));
}

/** Counts calls per URL path (without the query) of the requests a test server saw. */
export function countByPath(requests: SeenRequest[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of requests) {
    const path = r.url.split('?')[0]!;
    counts[path] = (counts[path] ?? 0) + 1;
  }
  return counts;
}

/** Resolves after `ms`: only for observation windows ("how many requests in 3 s"), never to wait for a condition. */
export function during(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
