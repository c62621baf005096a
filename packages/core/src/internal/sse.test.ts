import { afterEach, describe, expect, it } from 'vitest';
import { openStream, startServer, waitFor, type TestServer } from '../../test/helpers/server';
import { createSseConnection, createSseParser, type SseConnection, type SseEvent } from './sse';

function parse(chunks: string[], initialId?: string) {
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const retries: number[] = [];
  const parser = createSseParser(
    { onEvent: (e) => events.push(e), onComment: (c) => comments.push(c), onRetry: (ms) => retries.push(ms) },
    initialId,
  );
  for (const chunk of chunks) parser.feed(chunk);
  return { events, comments, retries };
}

describe('createSseParser', () => {
  it('parses events, ids, comments and retry', () => {
    const { events, comments, retries } = parse([': ping\n\nevent: update\nid: 7\ndata: {"a":1}\n\nretry: 2500\ndata: plain\n\n']);
    expect(events).toEqual([
      { event: 'update', data: '{"a":1}', id: '7' },
      { event: 'message', data: 'plain', id: '7' }, // the id persists
    ]);
    expect(comments).toEqual(['ping']);
    expect(retries).toEqual([2500]);
  });

  it('handles every split point, CRLF/CR/LF line ends, multi-line data and a BOM', () => {
    const text = '\uFEFFevent: update\r\ndata: line1\rdata: line2\ndata:no-space\r\n\r\nid: x\r\ndata: second\n\n';
    const expected = [
      { event: 'update', data: 'line1\nline2\nno-space', id: undefined },
      { event: 'message', data: 'second', id: 'x' },
    ];
    for (let split = 0; split <= text.length; split++) {
      expect(parse([text.slice(0, split), text.slice(split)]).events).toEqual(expected);
    }
    expect(parse([...text]).events).toEqual(expected); // one character at a time
  });

  it('ignores events without data, unknown fields and ids containing NUL; starts from the given last id', () => {
    const { events } = parse(['event: update\n\nfoo: bar\nid: a\0b\ndata: x\n\n'], 'start');
    expect(events).toEqual([{ event: 'message', data: 'x', id: 'start' }]);
  });
});

let server: TestServer | undefined;
let connection: SseConnection | undefined;

afterEach(async () => {
  connection?.stop();
  connection = undefined;
  await server?.close();
  server = undefined;
});

function record() {
  const log: string[] = [];
  return {
    log,
    callbacks: {
      onOpen: () => log.push('open'),
      onEvent: (e: SseEvent) => log.push(`event:${e.event}:${e.id ?? ''}:${e.data}`),
      onDown: (error: Error) => log.push(`down:${error.message}`),
    },
  };
}

describe('createSseConnection (real HTTP server)', () => {
  it('streams events and reconnects with Last-Event-ID after the server closes the stream', async () => {
    server = await startServer((req, res) => {
      const stream = openStream(res);
      if (req.headers['last-event-id'] === undefined) {
        stream.send('id: 1\nevent: update\ndata: first\n\n');
        stream.end(); // drop the connection
      } else {
        stream.send(`: ping\n\nid: 2\nevent: update\ndata: after ${req.headers['last-event-id']}\n\n`);
      }
    });
    const { log, callbacks } = record();
    const url = `${server.url}/stream`;
    connection = createSseConnection({ url: () => url, headers: () => ({ 'x-key': 'k' }), timeout: 5_000, heartbeatTimeout: 0, backoff: { base: 5, max: 10 }, maxEventSize: 1 << 20, ...callbacks });
    connection.start();
    await waitFor(() => expect(log).toContain('event:update:2:after 1'));
    expect(log).toEqual(['open', 'event:update:1:first', expect.stringMatching(/^down:.*closed the stream/), 'open', 'event:update:2:after 1']);
    expect(server.requests[0]?.headers.accept).toBe('text/event-stream');
    expect(server.requests[0]?.headers['x-key']).toBe('k');
    expect(connection.connected).toBe(true);
  });

  it('silence beyond heartbeatTimeout (heartbeats included) triggers a reconnect with Last-Event-ID', async () => {
    let connections = 0;
    let keepTicking = true;
    server = await startServer((_req, res) => {
      connections++;
      const stream = openStream(res);
      stream.send('id: 9\nevent: update\ndata: hello\n\n');
      if (connections === 1) {
        // Heartbeats for a while (each well inside the timeout), then silence.
        let beats = 0;
        const timer = setInterval(() => {
          if (!keepTicking || ++beats > 5) return clearInterval(timer);
          stream.send(': ping\n\n');
        }, 20);
        res.on('close', () => clearInterval(timer));
      }
    });
    const { log, callbacks } = record();
    const url = server.url;
    connection = createSseConnection({ url: () => url, headers: () => ({}), timeout: 5_000, heartbeatTimeout: 200, backoff: { base: 5, max: 10 }, maxEventSize: 1 << 20, ...callbacks });
    connection.start();
    await waitFor(() => expect(connections).toBe(2));
    keepTicking = false;
    expect(log.find((l) => l.startsWith('down:'))).toBe('down:no complete event or heartbeat for 200 ms; reconnecting');
    expect(server.requests[1]?.headers['last-event-id']).toBe('9');
    await waitFor(() => expect(server?.aborted).toBeGreaterThanOrEqual(1)); // the silent connection was torn down
  });

  it('reports a non-stream answer as down and keeps retrying with backoff', async () => {
    let n = 0;
    server = await startServer((_req, res) => {
      n++;
      if (n === 1) {
        res.writeHead(404);
        res.end('nope');
      } else if (n === 2) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      } else openStream(res).send('event: update\ndata: ok\n\n');
    });
    const { log, callbacks } = record();
    const url = server.url;
    connection = createSseConnection({ url: () => url, headers: () => ({}), timeout: 5_000, heartbeatTimeout: 0, backoff: { base: 5, max: 10 }, maxEventSize: 1 << 20, ...callbacks });
    connection.start();
    await waitFor(() => expect(log).toContain('event:update::ok'));
    expect(log.slice(0, 2)).toEqual([`down:GET ${url} (stream) answered HTTP 404`, `down:GET ${url} (stream) answered application/json, expected text/event-stream`]);
  });

  it('stop() aborts the open stream and reconnect() uses the current URL', async () => {
    server = await startServer((req, res) => {
      openStream(res).send(`event: update\ndata: ${req.url}\n\n`);
    });
    const { log, callbacks } = record();
    let path = '/a';
    const base = server.url;
    connection = createSseConnection({ url: () => base + path, headers: () => ({}), timeout: 5_000, heartbeatTimeout: 0, backoff: { base: 5, max: 10 }, maxEventSize: 1 << 20, ...callbacks });
    connection.start();
    await waitFor(() => expect(log).toContain('event:update::/a'));
    path = '/b';
    connection.reconnect();
    await waitFor(() => expect(log).toContain('event:update::/b'));
    connection.stop();
    await waitFor(() => expect(server?.aborted).toBe(2));
    expect(server.inFlight).toBe(0);
    expect(log.some((l) => l.startsWith('down:'))).toBe(false);
  });
});
