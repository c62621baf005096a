// @vitest-environment jsdom
// The browser snapshot stores (polling, and SSE via sseStream) against hostile servers (issue #17, defects 5 and 6):
// real HTTP servers on port 0. The proofs are counts (connections, requests, bytes sent), never durations.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { countByPath, during, flood, openStream, sendJson, startServer, trickle, waitFor, type TestServer } from '../test/helpers/server';
import { MAX_BODY, TIMEOUT } from './internal/store-timing';
import { createPollingSnapshotStore } from './polling-store';
import { createSnapshotStore } from './snapshot-store';
import { sseStream } from './sse-stream';
import type { FlagSnapshot, SnapshotStore } from './types';

let server: TestServer | undefined;
let store: SnapshotStore | undefined;
afterEach(async () => {
  store?.close();
  store = undefined;
  vi.restoreAllMocks();
  await server?.close();
  server = undefined;
});

const MiB = 1024 * 1024;
const snap = (version: string, on = true): FlagSnapshot => ({ version, flags: { 'new-checkout': { value: on, variant: on ? 'on' : 'off', reason: 'STATIC' } } });
const frame = (s: FlagSnapshot) => `id: ${s.version}\nevent: update\ndata: ${JSON.stringify(s)}\n\n`;

describe('browser snapshot stores against hostile servers', () => {
  it('sseStream: retry: 0 and an immediate close backs off (≤ 8 streams and ≤ 8 polls in 3 s)', async () => {
    // Every draw the shortest: the worst case the jitter allows.
    vi.spyOn(Math, 'random').mockReturnValue(0);
    server = await startServer((req, res) => {
      if (req.method === 'GET') {
        const stream = openStream(res);
        stream.send(`retry: 0\n${frame(snap('1'))}`);
        stream.end();
      } else sendJson(res, snap('1'));
    });
    store = sseStream()({ endpoint: `${server.url}/flags`, pollInterval: 60_000 });
    store.subscribe(() => {});
    await waitFor(() => expect(store?.getSnapshot().status).toBe('ready'));
    await during(3_000);
    const streams = server.requests.filter((r) => r.method === 'GET').length;
    const polls = server.requests.filter((r) => r.method === 'POST').length;
    // Before the fix: thousands of each. Default backoff from 1 s, floor a tenth of the ceiling: 0, .1, .3, .7, 1.5 s.
    expect(streams).toBeLessThanOrEqual(8);
    expect(polls).toBeLessThanOrEqual(8);
    expect(store.getSnapshot()).toMatchObject({ status: 'ready', snapshot: { version: '1' } });
  });

  it('createSnapshotStore: a huge poll body is cut off at maxBodySize (4 MiB): stale with the last good flags, reported, then recovers', async () => {
    let mode: 'good' | 'huge' | 'recovered' = 'good';
    const sent: number[] = [];
    server = await startServer(async (_req, res) => {
      if (mode !== 'huge') return sendJson(res, snap(mode));
      res.writeHead(200, { 'content-type': 'application/json' });
      sent.push(await flood(res, 64 * MiB, '['));
    });
    const errors: string[] = [];
    const statuses: string[] = [];
    store = createSnapshotStore({ endpoint: `${server.url}/flags`, pollInterval: 0, isServer: false, onError: (e) => errors.push(e.message) });
    store.subscribe(() => statuses.push(`${store?.getSnapshot().status}:${store?.getSnapshot().snapshot.version}`));
    await waitFor(() => expect(store?.getSnapshot().status).toBe('ready'));
    mode = 'huge';
    await store.refresh();
    expect(store.getSnapshot()).toMatchObject({ status: 'stale', snapshot: { version: 'good' } });
    expect(errors).toEqual([`@halyard/core: POST ${server.url}/flags: body over ${MAX_BODY} bytes`]);
    // The store cancelled the download: the server got rid of a few MiB (socket buffers), not 64.
    await waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]).toBeLessThan(16 * MiB);
    mode = 'recovered';
    await store.refresh();
    expect(store.getSnapshot()).toMatchObject({ status: 'ready', snapshot: { version: 'recovered' } });
    expect(statuses).toEqual(['ready:good', 'stale:good', 'ready:recovered']);
  });

  it('polling: garbage, then a good answer: stale, reported once per failure, recovers', async () => {
    let body = '\u0000\u00ff<html>';
    server = await startServer((_req, res) => sendJson(res, body));
    const errors: string[] = [];
    store = createPollingSnapshotStore({ endpoint: `${server.url}/flags`, snapshot: snap('ssr'), pollInterval: 0, isServer: false, onError: (e) => errors.push(e.message) });
    store.subscribe(() => {});
    await store.refresh();
    expect(store.getSnapshot()).toMatchObject({ status: 'stale', snapshot: { version: 'ssr' } });
    expect(errors).toHaveLength(1);
    body = JSON.stringify(snap('fresh'));
    await store.refresh();
    expect(store.getSnapshot()).toMatchObject({ status: 'ready', snapshot: { version: 'fresh' } });
  });

  it('sseStream: a line that never ends is cut off at maxEventSize: reported once, the store polls and keeps going', async () => {
    const sent: number[] = [];
    let version = 'polled-1';
    server = await startServer(async (req, res) => {
      if (req.method !== 'GET') return sendJson(res, snap(version));
      const stream = openStream(res);
      stream.send(`${frame(snap('streamed'))}event: update\ndata: `);
      version = 'polled-2';
      sent.push(await flood(res, 64 * MiB));
    });
    const errors: string[] = [];
    // One connection in this test (the reconnect is a minute away): one report, not one per chunk.
    store = sseStream({ retry: { base: 60_000 }, maxEventSize: 256 * 1024 })({
      endpoint: `${server.url}/flags`,
      pollInterval: 60_000,
      onError: (e) => errors.push(e.message),
    });
    store.subscribe(() => {});
    await waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]).toBeLessThan(16 * MiB);
    await waitFor(() => expect(store?.getSnapshot()).toMatchObject({ status: 'ready', snapshot: { version: 'polled-2' } }));
    expect(errors).toEqual([expect.stringMatching(/^@halyard\/core: snapshot stream: GET .* \(stream\) sent a line over 262144 characters; raise maxEventSize/)]);
    expect(countByPath(server.requests)['/flags']).toBe(2); // the stream, then one poll
  });

  it('sseStream: garbage events at full speed are reported once per connection and reconnects back off', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    server = await startServer(async (req, res) => {
      if (req.method !== 'GET') return sendJson(res, snap('polled'));
      openStream(res).send(frame(snap('streamed')));
      await flood(res, 64 * MiB, 'event: update\ndata: {"version": 1}\n\n');
    });
    const errors: string[] = [];
    store = sseStream()({ endpoint: `${server.url}/flags`, pollInterval: 60_000, onError: (e) => errors.push(e.message) });
    store.subscribe(() => {});
    await during(2_000);
    const streams = server.requests.filter((r) => r.method === 'GET').length;
    // Before the fix: one connection, one report and one poll per garbage event.
    expect(streams).toBeLessThanOrEqual(6);
    expect(errors.length).toBeLessThanOrEqual(streams);
    expect(errors[0]).toMatch(/invalid snapshot: \$\.version expected a string/);
    expect(server.requests.filter((r) => r.method === 'POST').length).toBeLessThanOrEqual(2 * streams);
    expect(store.getSnapshot().snapshot.flags['new-checkout']?.value).toBe(true);
  });

  it('sseStream: a server trickling bytes that never complete an event is reconnected after heartbeatTimeout', async () => {
    server = await startServer((req, res) => {
      if (req.method !== 'GET') return sendJson(res, snap('polled'));
      openStream(res).send(`${frame(snap('streamed'))}event: update\ndata: `);
      trickle(res, 'x', 20);
    });
    store = sseStream({ heartbeatTimeout: 300, retry: { base: 5, max: 10 } })({ endpoint: `${server.url}/flags`, pollInterval: 60_000 });
    store.subscribe(() => {});
    // Before the fix every byte re-armed the heartbeat: the first connection was held forever.
    await waitFor(() => expect(server!.requests.filter((r) => r.method === 'GET').length).toBeGreaterThanOrEqual(2));
    await waitFor(() => expect(server?.aborted).toBeGreaterThanOrEqual(1));
    expect(store.getSnapshot().status).toBe('ready');
  });

  it(`polling: a slow-loris answer (a body byte every 20 ms, never finished) is aborted at the ${TIMEOUT} ms request timeout; the flags stay`, async () => {
    let bytes = 0;
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // setInterval is real time here (only setTimeout, clearTimeout and Date are faked): the bytes keep coming.
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer);
        res.write(' ');
        bytes++;
      }, 20);
      res.on('close', () => clearInterval(timer));
    });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const errors: string[] = [];
    store = createPollingSnapshotStore({ endpoint: `${server.url}/flags`, snapshot: snap('ssr'), pollInterval: 0, isServer: false, onError: (e) => errors.push(e.message) });
    store.subscribe(() => {});
    const refreshed = store.refresh();
    // Bytes are arriving (the body is being read) before the clock reaches the timeout.
    while (bytes < 5) await new Promise((resolve) => setImmediate(resolve));
    await vi.advanceTimersByTimeAsync(TIMEOUT);
    await refreshed;
    expect(store.getSnapshot()).toMatchObject({ status: 'stale', snapshot: { version: 'ssr' } });
    expect(errors).toEqual([`@halyard/core: POST ${server.url}/flags: timed out`]);
    vi.useRealTimers();
    await waitFor(() => expect(server?.aborted).toBeGreaterThanOrEqual(1));
  });
});
