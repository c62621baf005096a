// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { openStream, sendJson, startServer, waitFor, type TestServer } from '../test/helpers/server';
import { sseStream } from './sse-stream';
import { withStream, type SnapshotStreamHooks } from './stream-store';
import type { FlagSnapshot, SnapshotStore } from './types';

let server: TestServer | undefined;
let store: SnapshotStore | undefined;
afterEach(async () => {
  store?.close();
  store = undefined;
  setVisibility('visible');
  await server?.close();
  server = undefined;
});

let visibility: DocumentVisibilityState = 'visible';
Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => visibility });
Object.defineProperty(document, 'hidden', { configurable: true, get: () => visibility === 'hidden' });
function setVisibility(next: DocumentVisibilityState): void {
  visibility = next;
  document.dispatchEvent(new Event('visibilitychange'));
}

const snap = (version: string, on: boolean): FlagSnapshot => ({
  version,
  flags: { 'new-checkout': { value: on, variant: on ? 'on' : 'off', reason: 'STATIC' }, other: { value: 1, reason: 'STATIC' } },
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A hand-driven channel: records how the store uses it. */
function manualChannel() {
  const channel = { opened: 0, closed: 0, hooks: undefined as SnapshotStreamHooks | undefined };
  const stream = withStream((hooks) => {
    channel.opened++;
    channel.hooks = hooks;
    return () => {
      channel.closed++;
    };
  });
  return { channel, stream };
}

describe('withStream', () => {
  it('opens the channel instead of polling, polls only while it is down, and closes it with the last subscriber', async () => {
    const answer = snap('p1', false);
    server = await startServer((_req, res) => sendJson(res, answer, { etag: `"${answer.version}"` }));
    const { channel, stream } = manualChannel();
    store = stream({ endpoint: `${server.url}/flags`, pollInterval: 10, context: { userId: 'u1' } });
    expect(channel.opened).toBe(0); // nothing before a subscriber
    const off = store.subscribe(() => {});
    expect(channel.opened).toBe(1);
    expect(channel.hooks?.endpoint).toBe(`${server.url}/flags`);
    expect(channel.hooks?.context()).toEqual({ userId: 'u1' });
    expect(channel.hooks?.version()).toBeUndefined(); // nothing loaded yet: nothing to resume from
    await sleep(60); // several poll intervals: the store waits for the connecting channel
    expect(server.requests).toHaveLength(0);

    channel.hooks?.onOpen();
    channel.hooks?.onPayload(snap('s1', true));
    expect(store.getSnapshot()).toMatchObject({ status: 'ready', snapshot: { version: 's1' } });
    expect(channel.hooks?.version()).toBe('s1');

    // Invalid payloads are refused with the path, and the last good flags stay.
    expect(() => channel.hooks?.onPayload({ version: 's2', flags: { x: { value: 1, reason: 42 } } })).toThrow('$.flags["x"].reason');
    expect(store.getSnapshot().snapshot.version).toBe('s1');

    // Down: the store polls (at once, then on the interval) until the channel is up again.
    channel.hooks?.onDown();
    await waitFor(() => expect(store?.getSnapshot().snapshot.version).toBe('p1'));
    await waitFor(() => expect(server?.requests.length).toBeGreaterThanOrEqual(2));
    channel.hooks?.onOpen();
    await waitFor(() => expect(server?.inFlight).toBe(0));
    const polls = server.requests.length;
    await sleep(60); // several intervals
    expect(server.requests).toHaveLength(polls);

    // A new context reopens the channel, and the store waits for it instead of polling.
    store.setContext({ userId: 'u1' }); // equal: nothing happens
    expect(channel).toMatchObject({ opened: 1, closed: 0 });
    store.setContext({ userId: 'u2' });
    expect(channel).toMatchObject({ opened: 2, closed: 1 });
    expect(channel.hooks?.context()).toEqual({ userId: 'u2' });
    await sleep(60);
    expect(server.requests).toHaveLength(polls);

    off();
    off(); // a second call does nothing
    expect(channel).toMatchObject({ opened: 2, closed: 2 });
    expect(store.getSnapshot().snapshot.version).toBe('p1');
  });

  it('reports channel errors through onError and polls once to resync (its failure makes the store stale)', async () => {
    let failing = true;
    server = await startServer((_req, res) => {
      if (failing) res.writeHead(500).end();
      else sendJson(res, snap('fresh', false));
    });
    const { channel, stream } = manualChannel();
    const errors: string[] = [];
    store = stream({ endpoint: `${server.url}/flags`, snapshot: snap('a', true), pollInterval: 60_000, onError: (e) => errors.push(e.message) });
    store.subscribe(() => {});
    channel.hooks?.onOpen();

    channel.hooks?.onError(new Error('stream http://x sent invalid JSON'));
    await waitFor(() => expect(store?.getSnapshot().status).toBe('stale'));
    expect(store.getSnapshot().snapshot.version).toBe('a');
    expect(errors).toEqual([
      '@halyard/core: snapshot stream: stream http://x sent invalid JSON',
      `@halyard/core: POST ${server.url}/flags: HTTP 500`,
    ]);

    failing = false;
    channel.hooks?.onError(new Error('invalid snapshot: $.version expected a string'));
    await waitFor(() => expect(store?.getSnapshot()).toMatchObject({ status: 'ready', snapshot: { version: 'fresh' } }));
    expect(server.requests).toHaveLength(2);
  });

  it('refresh() asks the endpoint even while the channel is up', async () => {
    server = await startServer((_req, res) => sendJson(res, snap('polled', true)));
    const { channel, stream } = manualChannel();
    store = stream({ endpoint: `${server.url}/flags`, pollInterval: 60_000 });
    store.subscribe(() => {});
    channel.hooks?.onOpen();
    await store.refresh();
    expect(store.getSnapshot()).toMatchObject({ status: 'ready', snapshot: { version: 'polled' } });
    expect(server.requests).toHaveLength(1);
  });

  it('closes the channel while the page is hidden, and reconnects when visible again or back online', () => {
    const { channel, stream } = manualChannel();
    store = stream({ endpoint: 'http://127.0.0.1:9/flags', snapshot: snap('a', true), pollInterval: 60_000 });
    store.subscribe(() => {});
    expect(channel).toMatchObject({ opened: 1, closed: 0 });
    setVisibility('hidden');
    expect(channel).toMatchObject({ opened: 1, closed: 1 });
    setVisibility('visible');
    expect(channel).toMatchObject({ opened: 2, closed: 1 });
    window.dispatchEvent(new Event('online'));
    expect(channel).toMatchObject({ opened: 3, closed: 2 });
    store.close();
    expect(channel).toMatchObject({ opened: 3, closed: 3 });
    store.subscribe(() => {}); // closed for good
    expect(channel.opened).toBe(3);
  });

  it('never opens the channel on the server or without an endpoint', () => {
    const { channel, stream } = manualChannel();
    stream({ endpoint: 'http://127.0.0.1:9/flags', isServer: true }).subscribe(() => {});
    stream({ snapshot: snap('a', true) }).subscribe(() => {});
    expect(channel.opened).toBe(0);
  });
});

describe('sseStream', () => {
  it('streams updates and resumes with Last-Event-ID from what polling loaded', async () => {
    let up = false;
    let frames: ((frame: string) => void) | undefined;
    server = await startServer((req, res) => {
      if (req.method === 'GET') {
        if (!up) {
          res.writeHead(503).end();
          return;
        }
        frames = openStream(res).send;
        return;
      }
      sendJson(res, snap('polled', false));
    });
    store = sseStream({ retry: { base: 5, max: 10 } })({ endpoint: `${server.url}/flags`, pollInterval: 60_000 });
    store.subscribe(() => {});
    await waitFor(() => expect(store?.getSnapshot().snapshot.version).toBe('polled'));
    up = true;
    await waitFor(() => expect(frames).toBeDefined());
    const stream = server.requests.filter((r) => r.method === 'GET').at(-1);
    expect(stream?.url).toBe('/flags?stream=1');
    expect(stream?.headers['last-event-id']).toBe('polled');
    frames?.(`event: update\nid: live\ndata: ${JSON.stringify(snap('live', true))}\n\n`);
    await waitFor(() => expect(store?.getSnapshot().snapshot.flags['new-checkout']?.value).toBe(true));
  });
});
