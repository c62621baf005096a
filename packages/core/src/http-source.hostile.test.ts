// httpSource against hostile servers (issue #17, defects 5 and 6): real HTTP servers on port 0 that answer
// `retry: 0` and close, send huge or endless bodies, lines without an end, or trickle bytes. The proofs are counts
// (connections, requests, bytes the server got rid of), never durations.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { countByPath, during, flagsDoc, flood, openStream, sendJson, startServer, trickle, waitFor, type TestServer } from '../test/helpers/server';
import { createFlagClient } from './client';
import { httpSource } from './http-source';
import type { FlagClient } from './types';

let server: TestServer | undefined;
let client: FlagClient | undefined;

afterEach(async () => {
  client?.close();
  client = undefined;
  vi.restoreAllMocks();
  await server?.close();
  server = undefined;
});

const MiB = 1024 * 1024;
const doc = (version: number) => JSON.stringify(flagsDoc(version));

describe('httpSource against hostile servers', () => {
  it('retry: 0 and an immediate close: reconnects and polls back off (≤ 8 streams and ≤ 8 polls in 3 s)', async () => {
    // Every draw the shortest: the worst case the jitter allows.
    vi.spyOn(Math, 'random').mockReturnValue(0);
    server = await startServer((req, res) => {
      if (req.url === '/sdk/v1/stream') {
        const stream = openStream(res);
        stream.send(`retry: 0\nid: 1\nevent: update\ndata: ${doc(1)}\n\n`);
        stream.end();
      } else sendJson(res, doc(1));
    });
    client = createFlagClient({ source: httpSource({ url: `${server.url}/sdk/v1/definitions`, stream: true }), logger: false });
    await client.ready();
    await during(3_000);
    const counts = countByPath(server.requests);
    // Before the fix: 1,202 stream connections in these 3 s. Default backoff from 1 s with the floor at a tenth of the ceiling: connects at 0, .1, .3, .7, 1.5 s.
    expect(counts['/sdk/v1/stream']).toBeLessThanOrEqual(8);
    expect(counts['/sdk/v1/definitions'] ?? 0).toBeLessThanOrEqual(8);
    expect(client.getSnapshot()).toMatchObject({ status: 'ready', version: '1' });
  });

  it('Retry-After on a refused poll: waits at least that long, never less (1 request in 1 s)', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(503, { 'retry-after': '2' });
      res.end();
    });
    client = createFlagClient({ source: httpSource({ url: `${server.url}/sdk/v1/definitions`, retry: { base: 5, max: 10_000 } }), logger: false });
    await expect(client.ready()).rejects.toThrow(/HTTP 503/);
    await during(1_000);
    expect(server.requests).toHaveLength(1);
  });

  it('a huge poll body is cut off at maxBodySize: stale with the last good flags, reported, then recovers', async () => {
    let mode: 'good' | 'huge' | 'recovered' = 'good';
    const sent: number[] = [];
    server = await startServer(async (_req, res) => {
      if (mode !== 'huge') return sendJson(res, doc(sent.length + 1));
      res.writeHead(200, { 'content-type': 'application/json' });
      sent.push(await flood(res, 64 * MiB, '['));
    });
    const errors: string[] = [];
    client = createFlagClient({
      source: httpSource({ url: `${server.url}/sdk/v1/definitions`, pollInterval: 10, retry: { base: 5, max: 10 }, maxBodySize: MiB }),
      onError(error) {
        errors.push(error.message);
        // The server behaves again from the next request on.
        mode = 'recovered';
      },
      logger: false,
    });
    const states: string[] = [];
    client.subscribe(() => states.push(`${client?.status}:${client?.isEnabled('new-checkout')}`));
    await client.ready();
    mode = 'huge';
    await waitFor(() => expect(client?.getSnapshot()).toMatchObject({ status: 'ready', version: '2' }));
    // Stale with the last good flags while it failed; one report.
    expect(states).toContain('stale:true');
    expect(errors).toEqual([expect.stringMatching(/sent a body over 1048576 bytes; raise maxBodySize/)]);
    // The client cancelled the download: the server got rid of a few MiB (socket buffers), not 64.
    await waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]).toBeLessThan(16 * MiB);
  });

  it('an SSE line that never ends is cut off at maxEventSize: reported once, polling fills in, no unbounded buffer', async () => {
    const sent: number[] = [];
    let version = 1;
    server = await startServer(async (req, res) => {
      if (req.url !== '/sdk/v1/stream') return sendJson(res, doc(version));
      const stream = openStream(res);
      stream.send(`id: 1\nevent: update\ndata: ${doc(1)}\n\nevent: update\ndata: `);
      version = 2;
      sent.push(await flood(res, 64 * MiB));
    });
    const errors: string[] = [];
    client = createFlagClient({
      // One reconnect at most in this test: the error must be reported once, not per chunk.
      source: httpSource({ url: `${server.url}/sdk/v1/definitions`, stream: true, retry: { base: 60_000 }, maxEventSize: 256 * 1024 }),
      onError: (error) => errors.push(error.message),
      logger: false,
    });
    await client.ready();
    await waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]).toBeLessThan(16 * MiB);
    expect(errors).toEqual([expect.stringMatching(/\(stream\) sent a line over 262144 characters; raise maxEventSize/)]);
    // The stream is down: polling took over and serves what changed meanwhile.
    await waitFor(() => expect(client?.getSnapshot()).toMatchObject({ status: 'ready', version: '2' }));
  });

  it('data lines without the blank line that ends the event are cut off at maxEventSize too', async () => {
    const sent: number[] = [];
    server = await startServer(async (req, res) => {
      if (req.url !== '/sdk/v1/stream') return sendJson(res, doc(1));
      const stream = openStream(res);
      stream.send(`id: 1\nevent: update\ndata: ${doc(1)}\n\nevent: update\n`);
      sent.push(await flood(res, 64 * MiB, 'data: xxxxxxxxxxxxxxxxxxxxxxxxxx\n', 33 * 2_000));
    });
    const errors: string[] = [];
    client = createFlagClient({
      source: httpSource({ url: `${server.url}/sdk/v1/definitions`, stream: true, retry: { base: 60_000 }, maxEventSize: 256 * 1024 }),
      onError: (error) => errors.push(error.message),
      logger: false,
    });
    await client.ready();
    await waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]).toBeLessThan(16 * MiB);
    expect(errors).toEqual([expect.stringMatching(/sent an event over 262144 characters/)]);
  });

  it('a server trickling bytes that never complete an event is a dead stream: reconnected after heartbeatTimeout', async () => {
    server = await startServer((req, res) => {
      if (req.url !== '/sdk/v1/stream') return sendJson(res, doc(1));
      const stream = openStream(res);
      stream.send(`id: 1\nevent: update\ndata: ${doc(1)}\n\nevent: update\ndata: `);
      trickle(res, 'x', 20);
    });
    client = createFlagClient({
      source: httpSource({ url: `${server.url}/sdk/v1/definitions`, stream: true, heartbeatTimeout: 300, retry: { base: 5, max: 10 } }),
      logger: false,
    });
    await client.ready();
    // Before: every byte re-armed the heartbeat, so the first connection was held forever.
    await waitFor(() => expect(countByPath(server!.requests)['/sdk/v1/stream']).toBeGreaterThanOrEqual(2));
    await waitFor(() => expect(server?.aborted).toBeGreaterThanOrEqual(1));
    expect(client.getSnapshot()).toMatchObject({ status: 'ready', version: '1' });
  });

  it('garbage events at full speed: one report per connection, reconnects back off, the flags stay', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    server = await startServer(async (req, res) => {
      if (req.url !== '/sdk/v1/stream') return sendJson(res, doc(1));
      openStream(res).send(`id: 1\nevent: update\ndata: ${doc(1)}\n\n`);
      await flood(res, 64 * MiB, 'event: update\ndata: {not json\n\n');
    });
    const errors: string[] = [];
    client = createFlagClient({
      source: httpSource({ url: `${server.url}/sdk/v1/definitions`, stream: true }),
      onError: (error) => errors.push(error.message),
      logger: false,
    });
    await client.ready();
    await during(2_000);
    const streams = countByPath(server.requests)['/sdk/v1/stream']!;
    // Connects at 0, .1, .3, .7, 1.5 s (default backoff, shortest draws).
    expect(streams).toBeLessThanOrEqual(6);
    expect(errors.length).toBeLessThanOrEqual(streams);
    expect(errors[0]).toMatch(/invalid JSON/);
    expect(client.isEnabled('new-checkout')).toBe(true);
  });

  it('a slow server (headers, then nothing) times out each poll and backs off', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"schemaVersion":');
    });
    client = createFlagClient({ source: httpSource({ url: `${server.url}/sdk/v1/definitions`, timeout: 200, retry: { base: 5, max: 10 } }), logger: false });
    await expect(client.ready()).rejects.toThrow(/timed out after 200 ms/);
    await waitFor(() => expect(server?.aborted).toBeGreaterThanOrEqual(1));
  });

  it('a slow-loris server (a body byte every 20 ms, never finished) is cut off at the timeout: each byte does not re-arm it', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      trickle(res, ' ', 20);
    });
    client = createFlagClient({ source: httpSource({ url: `${server.url}/sdk/v1/definitions`, timeout: 300, retry: { base: 5, max: 10 } }), logger: false });
    await expect(client.ready()).rejects.toThrow(/timed out after 300 ms/);
    await waitFor(() => expect(server?.aborted).toBeGreaterThanOrEqual(1));
  });

  it('garbage poll answers (not JSON, then JSON that is not a document) are reported; the last good flags stay', async () => {
    let answer = doc(1);
    server = await startServer((_req, res) => sendJson(res, answer));
    const errors: string[] = [];
    client = createFlagClient({
      source: httpSource({ url: `${server.url}/sdk/v1/definitions`, pollInterval: 20, retry: { base: 5, max: 10 } }),
      onError: (error) => errors.push(error.message),
      logger: false,
    });
    await client.ready();
    answer = '\u0000\u00ff<html>';
    await waitFor(() => expect(errors.length).toBeGreaterThanOrEqual(1));
    answer = JSON.stringify({ schemaVersion: 1, flags: 'nope' });
    const seen = errors.length;
    await waitFor(() => expect(errors.length).toBeGreaterThan(seen));
    expect(errors[0]).toMatch(/JSON/);
    expect(client.isEnabled('new-checkout')).toBe(true);
    expect(client.getSnapshot()).toMatchObject({ version: '1' });
  });
});
