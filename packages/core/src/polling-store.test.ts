// @vitest-environment jsdom
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openStream, sendJson, startServer, waitFor, type TestServer } from '../test/helpers/server';
import { createPollingSnapshotStore, type SnapshotStreamHooks } from './polling-store';
import { sseStream } from './sse-stream';
import type { FlagSnapshot, SnapshotStore } from './types';

let server: TestServer | undefined;
let store: SnapshotStore | undefined;
afterEach(async () => {
  store?.close();
  store = undefined;
  vi.useRealTimers();
  await server?.close();
  server = undefined;
});

const snap = (version: string, on: boolean): FlagSnapshot => ({
  version,
  flags: { 'new-checkout': { value: on, variant: on ? 'on' : 'off', reason: 'STATIC' }, other: { value: 1, reason: 'STATIC' } },
});

describe('createPollingSnapshotStore: bundle shape', () => {
  it('reaches no SSE client, evaluator or parser: apps that only poll ship none of it', () => {
    const srcDir = dirname(fileURLToPath(import.meta.url));
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const match of readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)) {
        visit(join(dirname(file), `${match[1]}.ts`));
      }
    };
    visit(join(srcDir, 'polling-store.ts'));
    const reached = [...seen].map((f) => relative(srcDir, f)).sort();
    expect(reached).toEqual(['exposure.ts', 'internal/snapshot-shape.ts', 'polling-store.ts', 'types.ts']);
  });
});

describe('createPollingSnapshotStore: stream channels', () => {
  /** A hand-driven channel: records how the store uses it. */
  function manualStream() {
    const channel = { opened: 0, closed: 0, hooks: undefined as SnapshotStreamHooks | undefined };
    const stream = (hooks: SnapshotStreamHooks) => {
      channel.opened++;
      channel.hooks = hooks;
      return () => {
        channel.closed++;
      };
    };
    return { channel, stream };
  }

  it('opens the channel instead of polling, polls only while it is down, and closes it with the last subscriber', async () => {
    const answer = snap('p1', false);
    server = await startServer((_req, res) => sendJson(res, answer, { etag: `"${answer.version}"` }));
    const { channel, stream } = manualStream();
    store = createPollingSnapshotStore({ endpoint: `${server.url}/flags`, stream, pollInterval: 10, context: { userId: 'u1' } });
    const off = store.subscribe(() => {});
    expect(channel.opened).toBe(1);
    expect(channel.hooks?.endpoint).toBe(`${server.url}/flags`);
    expect(channel.hooks?.context()).toEqual({ userId: 'u1' });
    expect(channel.hooks?.version()).toBeUndefined(); // nothing loaded yet: nothing to resume from
    expect(server.requests).toHaveLength(0);

    channel.hooks?.onOpen();
    channel.hooks?.onPayload(snap('s1', true));
    expect(store.getSnapshot()).toMatchObject({ status: 'ready', snapshot: { version: 's1' } });
    expect(channel.hooks?.version()).toBe('s1');

    // Invalid payloads are refused with the path, and the last good flags stay.
    expect(() => channel.hooks?.onPayload({ version: 's2', flags: { x: { value: 1, reason: 'NOPE' } } })).toThrow('$.flags["x"].reason');

    // Down: the store polls (at once, then on the interval) until the channel is up again.
    channel.hooks?.onDown();
    await waitFor(() => expect(store?.getSnapshot().snapshot.version).toBe('p1'));
    await waitFor(() => expect(server?.requests.length).toBeGreaterThanOrEqual(2));
    channel.hooks?.onOpen();
    await waitFor(() => expect(server?.inFlight).toBe(0));
    const polls = server.requests.length;
    await new Promise((r) => setTimeout(r, 60)); // several intervals
    expect(server.requests).toHaveLength(polls);

    // A new context reopens the channel; the last subscriber closes it.
    store.setContext({ userId: 'u2' });
    expect(channel).toMatchObject({ opened: 2, closed: 1 });
    expect(channel.hooks?.context()).toEqual({ userId: 'u2' });
    off();
    expect(channel.closed).toBe(2);
  });

  it('reports channel errors through onError, going stale with the last good flags', () => {
    const { channel, stream } = manualStream();
    const errors: Error[] = [];
    store = createPollingSnapshotStore({ endpoint: 'http://127.0.0.1:9/flags', snapshot: snap('a', true), stream, onError: (e) => errors.push(e) });
    store.subscribe(() => {});
    channel.hooks?.onError(new Error('stream http://x sent invalid JSON'));
    expect(store.getSnapshot()).toMatchObject({ status: 'stale', snapshot: { version: 'a' } });
    expect(errors.map((e) => e.message)).toEqual(['@halyard/core: snapshot store: stream http://x sent invalid JSON']);
  });

  it('sseStream(): streams updates and resumes with Last-Event-ID from what polling loaded', async () => {
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
    store = createPollingSnapshotStore({
      endpoint: `${server.url}/flags`,
      stream: sseStream({ retry: { base: 5, max: 10 } }),
      pollInterval: 60_000,
    });
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

describe('createPollingSnapshotStore: clocks', () => {
  it('follows fake clocks installed after import (the first poll of a fresh snapshot waits exactly pollInterval)', async () => {
    server = await startServer((_req, res) => sendJson(res, snap('2', true)));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    store = createPollingSnapshotStore({ endpoint: `${server.url}/flags`, snapshot: snap('1', false), pollInterval: 30_000, timeout: 0 });
    store.subscribe(() => {});
    await vi.advanceTimersByTimeAsync(29_999);
    expect(server.requests).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    vi.useRealTimers();
    await waitFor(() => expect(store?.getSnapshot().snapshot.version).toBe('2'));
    expect(server.requests).toHaveLength(1);
  });
});

describe('createPollingSnapshotStore: structural sharing', () => {
  it('keeps unchanged entries (compared in JSON form) and the whole snapshot when nothing changed', () => {
    store = createPollingSnapshotStore({ snapshot: snap('1', false) });
    const first = store.getSnapshot();
    store.setSnapshot(JSON.parse(JSON.stringify(snap('1', false))) as FlagSnapshot);
    expect(store.getSnapshot()).toBe(first);
    store.setSnapshot(snap('2', true));
    const second = store.getSnapshot().snapshot;
    expect(second.flags.other).toBe(first.snapshot.flags.other);
    expect(second.flags['new-checkout']).not.toBe(first.snapshot.flags['new-checkout']);
    // A flag named like a prototype property is stored as an ordinary entry.
    store.setSnapshot({ version: '3', flags: JSON.parse('{"__proto__":{"value":true,"reason":"STATIC"}}') as FlagSnapshot['flags'] });
    expect(Object.keys(store.getSnapshot().snapshot.flags)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(store.getSnapshot().snapshot.flags)).toBe(Object.prototype);
  });
});

describe('createPollingSnapshotStore: requests and exposures', () => {
  it('aborts a request that outlives `timeout` and reports it as a failure', async () => {
    server = await startServer(() => {}); // never answers
    const errors: Error[] = [];
    store = createPollingSnapshotStore({ endpoint: `${server.url}/flags`, timeout: 30, retry: { base: 60_000 }, onError: (e) => errors.push(e) });
    store.subscribe(() => {});
    await waitFor(() => expect(store?.getSnapshot().status).toBe('error'));
    expect(errors.map((e) => e.message)).toEqual([`@halyard/core: snapshot store: POST ${server.url}/flags: timed out`]);
    await waitFor(() => expect(server?.aborted).toBe(1));
  });

  it('a throwing onExposure never breaks reading; exposureCacheSize bounds the de-duplication memory', () => {
    const exposed: string[] = [];
    store = createPollingSnapshotStore({
      snapshot: snap('1', true),
      context: { userId: 'u1' },
      exposureCacheSize: 1,
      onExposure: (e) => {
        exposed.push(e.flag);
        throw new Error('analytics down');
      },
    });
    expect(() => ['new-checkout', 'new-checkout', 'other', 'new-checkout'].forEach((key) => store?.expose(key))).not.toThrow();
    // 'other' pushed 'new-checkout' out of a memory of one key, so it fires again.
    expect(exposed).toEqual(['new-checkout', 'other', 'new-checkout']);
  });
});

describe('createPollingSnapshotStore: subscribers', () => {
  it('a throwing subscriber neither starves the others nor breaks the update; its error surfaces asynchronously', () => {
    vi.useFakeTimers();
    store = createPollingSnapshotStore({ snapshot: snap('1', false) });
    const seen: string[] = [];
    store.subscribe(() => {
      throw new Error('broken subscriber');
    });
    store.subscribe(() => seen.push(store?.getSnapshot().snapshot.version ?? ''));
    expect(() => store?.setSnapshot(snap('2', true))).not.toThrow();
    expect(seen).toEqual(['2']);
    expect(() => vi.runAllTimers()).toThrow('broken subscriber');
  });
});
