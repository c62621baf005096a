import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { closed, flagsDoc, openStream, sendJson, startServer, waitFor, type TestServer } from '../test/helpers/server';
import { createFlagClient } from './client';
import { deriveStreamUrl, httpSource } from './http-source';
import type { FlagClient } from './types';

let server: TestServer | undefined;
let client: FlagClient | undefined;

afterEach(async () => {
  client?.close();
  client = undefined;
  await server?.close();
  server = undefined;
});

const fast = { pollInterval: 10, retry: { base: 5, max: 20 } };

/** Serves `current()` at /sdk/v1/definitions with ETag/304 support. */
function definitionsHandler(current: () => unknown) {
  return (res: ServerResponse, ifNoneMatch: string | string[] | undefined) => {
    const body = JSON.stringify(current());
    const etag = `"${Buffer.from(body).toString('base64url').slice(-16)}"`;
    if (ifNoneMatch === etag) {
      res.writeHead(304, { etag });
      res.end();
    } else sendJson(res, body, { etag });
  };
}

describe('httpSource with createFlagClient (real HTTP server)', () => {
  it('loads definitions with the SDK key, then 304s keep the same state', async () => {
    const serve = definitionsHandler(() => flagsDoc(1));
    server = await startServer((req, res) => serve(res, req.headers['if-none-match']));
    client = createFlagClient({ source: httpSource({ url: `${server.url}/sdk/v1/definitions`, sdkKey: 'sdk-123', headers: { 'x-app': 'test' }, ...fast }), logger: false });
    await client.ready();
    const state = client.getSnapshot();
    expect(state).toMatchObject({ status: 'ready', version: '1' });
    expect(client.isEnabled('new-checkout')).toBe(true);
    await waitFor(() => expect(server?.requests.length).toBeGreaterThanOrEqual(4));
    expect(client.getSnapshot()).toBe(state);
    const [first, second] = server.requests;
    expect(first?.headers.authorization).toBe('Bearer sdk-123');
    expect(first?.headers['x-app']).toBe('test');
    expect(first?.headers['if-none-match']).toBeUndefined();
    expect(second?.headers['if-none-match']).toMatch(/^".+"$/);
  });

  it('picks up a new version on the next poll', async () => {
    let doc = flagsDoc(1);
    const serve = definitionsHandler(() => doc);
    server = await startServer((req, res) => serve(res, req.headers['if-none-match']));
    client = createFlagClient({ source: httpSource({ url: `${server.url}/sdk/v1/definitions`, ...fast }), logger: false });
    await client.ready();
    doc = flagsDoc(2, false);
    await waitFor(() => expect(client?.getSnapshot().version).toBe('2'));
    expect(client.isEnabled('new-checkout')).toBe(false);
  });

  it('garbage (invalid JSON, invalid document, 500) keeps the last good flags as stale; a 304 or good answer recovers', async () => {
    let mode: 'good' | 'json' | 'invalid' | '500' = 'good';
    const serve = definitionsHandler(() => flagsDoc(1));
    server = await startServer((req, res) => {
      if (mode === 'json') sendJson(res, '{"schemaVersion":1,', { etag: '"junk"' });
      else if (mode === 'invalid') sendJson(res, { schemaVersion: 1, flags: { x: { enabled: 'maybe' } } }, { etag: '"bad"' });
      else if (mode === '500') {
        res.writeHead(500);
        res.end('oops');
      } else serve(res, req.headers['if-none-match']);
    });
    const errors: Error[] = [];
    client = createFlagClient({ source: httpSource({ url: `${server.url}/sdk/v1/definitions`, ...fast }), onError: (e) => errors.push(e), logger: false });
    await client.ready();
    const good = client.getSnapshot();

    for (const [m, text] of [
      ['json', 'returned invalid JSON'],
      ['invalid', 'invalid flags document'],
      ['500', 'answered HTTP 500'],
    ] as const) {
      errors.length = 0;
      mode = m;
      await waitFor(() => expect(errors.length).toBeGreaterThan(0));
      expect(client.status).toBe('stale');
      expect(client.getSnapshot().definitions).toBe(good.definitions);
      expect(client.getSnapshot().error?.message).toContain(text);
      expect(client.isEnabled('new-checkout')).toBe(true);
      mode = 'good';
      await waitFor(() => expect(client?.status).toBe('ready'));
      expect(client.getSnapshot().definitions).toBe(good.definitions);
    }
    // The invalid-document error names the offending path.
    mode = 'invalid';
    errors.length = 0;
    await waitFor(() => expect(errors.length).toBeGreaterThan(0));
    expect(errors[0]?.message).toContain('$.flags["x"]');
    // ETags of rejected payloads were never sent back.
    expect(server.requests.some((r) => r.headers['if-none-match'] === '"junk"' || r.headers['if-none-match'] === '"bad"')).toBe(false);
  });

  it('server down at start: status error, ready() rejects, then recovers when the server comes up', async () => {
    // Reserve a port, then close the server so connections are refused.
    const probe = await startServer(() => {});
    const url = `${probe.url}/sdk/v1/definitions`;
    await probe.close();
    client = createFlagClient({ source: httpSource({ url, ...fast }), logger: false });
    await expect(client.ready()).rejects.toThrow(/httpSource/);
    expect(client.status).toBe('error');
    expect(client.isEnabled('new-checkout')).toBe(false);
    expect(client.getDetails('new-checkout', false).reason).toBe('ERROR');
    // Bring a server up on that same port.
    const { createServer } = await import('node:http');
    const port = Number(new URL(url).port);
    const revived = createServer((_req, res) => sendJson(res, flagsDoc(5)));
    await new Promise<void>((resolve) => revived.listen(port, '127.0.0.1', resolve));
    try {
      await waitFor(() => expect(client?.status).toBe('ready'));
      await expect(client.ready()).resolves.toBeUndefined();
      expect(client.isEnabled('new-checkout')).toBe(true);
    } finally {
      client.close();
      client = undefined;
      await new Promise<void>((resolve) => {
        revived.close(() => resolve());
        revived.closeAllConnections();
      });
    }
  });

  it('close() aborts the request in flight: the server sees the client go away', async () => {
    let gone: Promise<void> | undefined;
    server = await startServer((_req, res) => {
      gone = closed(res);
    });
    client = createFlagClient({ source: httpSource({ url: `${server.url}/sdk/v1/definitions`, timeout: 0 }), logger: false });
    await waitFor(() => expect(gone).toBeDefined());
    const ready = client.ready();
    client.close();
    await gone;
    await waitFor(() => expect(server?.aborted).toBe(1));
    await expect(ready).rejects.toThrow('closed before flags loaded');
    expect(server.requests).toHaveLength(1);
  });

  it('never overlaps requests when the server is slower than the interval', async () => {
    server = await startServer(async (_req, res) => {
      await new Promise((r) => setTimeout(r, 25));
      sendJson(res, flagsDoc(1));
    });
    client = createFlagClient({ source: httpSource({ url: `${server.url}/sdk/v1/definitions`, pollInterval: 1 }), logger: false });
    await waitFor(() => expect(server?.requests.length).toBeGreaterThanOrEqual(5));
    expect(server.maxInFlight).toBe(1);
  });
});

describe('httpSource streaming (real HTTP server)', () => {
  it('receives updates over SSE without polling, ignoring heartbeats', async () => {
    const streams: Array<ReturnType<typeof openStream>> = [];
    server = await startServer((req, res) => {
      if (req.url === '/sdk/v1/stream') {
        const stream = openStream(res);
        streams.push(stream);
        stream.send(`: ping\n\nid: 1\nevent: update\ndata: ${JSON.stringify(flagsDoc(1))}\n\n`);
      } else sendJson(res, flagsDoc(1));
    });
    client = createFlagClient({ source: httpSource({ url: `${server.url}/sdk/v1/definitions`, stream: true, ...fast }), logger: false });
    await client.ready();
    expect(client.getSnapshot().version).toBe('1');
    streams[0]?.send(': ping\n\n');
    streams[0]?.send(`id: 2\nevent: update\ndata: ${JSON.stringify(flagsDoc(2, false))}\n\n`);
    await waitFor(() => expect(client?.getSnapshot().version).toBe('2'));
    expect(client.isEnabled('new-checkout')).toBe(false);
    // Everything came over the one stream; the poller never ran.
    expect(server.requests.map((r) => r.url)).toEqual(['/sdk/v1/stream']);
  });

  it('an invalid stream payload is an error: the stream drops, keeps the flags, and resumes with Last-Event-ID', async () => {
    const resumedFrom: (string | undefined)[] = [];
    server = await startServer((req, res) => {
      if (req.url === '/sdk/v1/stream') {
        resumedFrom.push(req.headers['last-event-id'] as string | undefined);
        const stream = openStream(res);
        if (resumedFrom.length === 1) stream.send(`id: 1\nevent: update\ndata: ${JSON.stringify(flagsDoc(1))}\n\nid: 2\nevent: update\ndata: {oops\n\n`);
        else if (resumedFrom.length === 2) stream.send(`id: 2\nevent: update\ndata: ${JSON.stringify({ schemaVersion: 2, flags: {} })}\n\n`);
        else stream.send(`id: 3\nevent: update\ndata: ${JSON.stringify(flagsDoc(3))}\n\n`);
      } else sendJson(res, flagsDoc(1));
    });
    const errors: string[] = [];
    client = createFlagClient({
      source: httpSource({ url: `${server.url}/sdk/v1/definitions`, stream: true, ...fast }),
      onError: (error) => errors.push(error.message),
      logger: false,
    });
    await waitFor(() => expect(client?.getSnapshot()).toMatchObject({ status: 'ready', version: '3' }));
    expect(errors).toEqual([expect.stringContaining('invalid JSON'), expect.stringContaining('$.schemaVersion')]);
    // Rejected events do not move the resume point: the server is asked again from the last accepted one.
    expect(resumedFrom).toEqual([undefined, '1', '1']);
  });

  it('reconnects with Last-Event-ID and polls while the stream is down, stopping once it is back', async () => {
    let streamUp = false;
    let version = 1;
    const streamRequests: Array<string | undefined> = [];
    server = await startServer((req, res) => {
      if (req.url === '/sdk/v1/stream') {
        streamRequests.push(req.headers['last-event-id'] as string | undefined);
        if (streamRequests.length === 1) {
          const stream = openStream(res);
          stream.send(`id: ${version}\nevent: update\ndata: ${JSON.stringify(flagsDoc(version))}\n\n`);
          stream.end(); // drop it
          return;
        }
        if (!streamUp) {
          res.writeHead(503);
          res.end();
          return;
        }
        openStream(res).send(`id: ${version}\nevent: update\ndata: ${JSON.stringify(flagsDoc(version))}\n\n`);
      } else sendJson(res, flagsDoc(version));
    });
    client = createFlagClient({ source: httpSource({ url: `${server.url}/sdk/v1/definitions`, stream: true, ...fast }), logger: false });
    await client.ready();
    // The stream is down: polling takes over and still delivers changes.
    version = 2;
    await waitFor(() => expect(client?.getSnapshot().version).toBe('2'));
    expect(server.requests.some((r) => r.url === '/sdk/v1/definitions')).toBe(true);
    expect(client.status).toBe('ready'); // a down stream with working polls is not an error
    // Stream comes back: polling stops.
    version = 3;
    streamUp = true;
    await waitFor(() => expect(client?.getSnapshot().version).toBe('3'));
    await waitFor(() => expect(server?.inFlight).toBe(1)); // only the open stream
    const pollsSoFar = server.requests.filter((r) => r.url === '/sdk/v1/definitions').length;
    // Ten poll intervals later there must still be no new poll (a slow machine can only weaken this check, not flake it).
    await new Promise((r) => setTimeout(r, 100));
    expect(server.requests.filter((r) => r.url === '/sdk/v1/definitions').length).toBe(pollsSoFar);
    // Every reconnect carried the last version seen.
    expect(streamRequests[0]).toBeUndefined();
    expect(streamRequests.slice(1).every((id) => id !== undefined)).toBe(true);
    expect(['2', '3']).toContain(streamRequests.at(-1)); // '3' when a poll saw it before the stream came back
  });

  it('a silent stream (no heartbeat) is reconnected', async () => {
    let connects = 0;
    server = await startServer((req, res) => {
      if (req.url === '/sdk/v1/stream') {
        connects++;
        openStream(res).send(`id: 1\nevent: update\ndata: ${JSON.stringify(flagsDoc(1))}\n\n`); // then silence
      } else sendJson(res, flagsDoc(1));
    });
    client = createFlagClient({
      source: httpSource({ url: `${server.url}/sdk/v1/definitions`, stream: true, heartbeatTimeout: 100, ...fast }),
      logger: false,
    });
    await waitFor(() => expect(connects).toBeGreaterThanOrEqual(2));
    expect(server.requests.filter((r) => r.url === '/sdk/v1/stream')[1]?.headers['last-event-id']).toBe('1');
    expect(client.status).toBe('ready');
  });

  it('needs a derivable stream URL or an explicit streamUrl', () => {
    expect(deriveStreamUrl('https://f.example/sdk/v1/definitions')).toBe('https://f.example/sdk/v1/stream');
    expect(deriveStreamUrl('https://f.example/sdk/v1/definitions/?env=prod')).toBe('https://f.example/sdk/v1/stream/?env=prod');
    expect(deriveStreamUrl('https://f.example/flags.json')).toBeUndefined();
    expect(() => httpSource({ url: 'https://f.example/flags.json', stream: true })).toThrow(/pass streamUrl/);
    expect(() => httpSource({ url: 'https://f.example/flags.json', stream: true, streamUrl: 'https://f.example/live' })).not.toThrow();
    expect(() => httpSource({ url: '' })).toThrow(/needs the URL/);
  });
});
