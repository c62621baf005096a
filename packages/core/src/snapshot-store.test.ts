// @vitest-environment jsdom
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openStream, sendJson, startServer, waitFor, type SeenRequest, type TestServer } from '../test/helpers/server';
import { createSnapshotStore, decodeContextParam, encodeContextParam } from './snapshot-store';
import type { ExposureEvent, FlagSnapshot, SnapshotState, SnapshotStore } from './types';

let server: TestServer | undefined;
let store: SnapshotStore | undefined;

beforeEach(() => {
  // Retries (polls after a failure, stream reconnects) wait their shortest delay, 100 ms: the backoff itself is
  // tested in polling-store.test.ts with a fake clock.
  vi.spyOn(Math, 'random').mockReturnValue(0);
});

afterEach(async () => {
  store?.close();
  store = undefined;
  vi.restoreAllMocks();
  await server?.close();
  server = undefined;
  setVisibility('visible');
});

let visibility: DocumentVisibilityState = 'visible';
Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => visibility });
Object.defineProperty(document, 'hidden', { configurable: true, get: () => visibility === 'hidden' });
function setVisibility(next: DocumentVisibilityState): void {
  visibility = next;
  document.dispatchEvent(new Event('visibilitychange'));
}

/** The app's flags endpoint: what an Express/Next handler built on createFlagClient().evaluateAll() answers. */
function snapshotFor(values: Record<string, unknown>, context: { userId?: string } | undefined): FlagSnapshot {
  const flags: FlagSnapshot['flags'] = {};
  for (const [key, value] of Object.entries(values)) {
    flags[key] = { value: value as never, variant: String(value), reason: 'STATIC' };
  }
  flags.who = { value: context?.userId ?? null, variant: 'who', reason: 'TARGETING_MATCH', ruleId: 'rule-0' };
  return { version: Buffer.from(JSON.stringify(flags)).toString('base64url').slice(-24), flags };
}

interface EndpointControl {
  values: Record<string, unknown>;
  mode: 'good' | 'invalid-json' | 'bad-shape' | '500' | 'hang';
  delay: number;
  streams: Array<{ req: IncomingMessage; send(frame: string): void; end(): void }>;
  streamMode: 'up' | '404';
}

async function startEndpoint(initial: Partial<EndpointControl> = {}): Promise<{ control: EndpointControl; url: string; server: TestServer }> {
  const control: EndpointControl = { values: { a: true, b: 'blue' }, mode: 'good', delay: 0, streams: [], streamMode: 'up', ...initial };
  const handler = async (req: IncomingMessage, res: ServerResponse, seen: SeenRequest) => {
    const url = new URL(seen.url, 'http://x');
    if (req.method === 'GET' && url.searchParams.get('stream') === '1') {
      if (control.streamMode === '404') {
        res.writeHead(404);
        res.end();
        return;
      }
      const param = url.searchParams.get('context');
      const context = param === null ? undefined : decodeContextParam(param);
      const stream = openStream(res);
      control.streams.push({ req, ...stream });
      const snapshot = snapshotFor(control.values, context);
      stream.send(`: ping\n\nid: ${snapshot.version}\nevent: update\ndata: ${JSON.stringify(snapshot)}\n\n`);
      return;
    }
    if (control.delay > 0) await new Promise((r) => setTimeout(r, control.delay));
    if (control.mode === 'hang') return;
    if (control.mode === '500') {
      res.writeHead(500);
      res.end('boom');
      return;
    }
    if (control.mode === 'invalid-json') return sendJson(res, '<html>oops</html>');
    if (control.mode === 'bad-shape') return sendJson(res, { version: 'x', flags: { a: { value: true, reason: 42 } } });
    const { context } = JSON.parse(seen.body || '{}') as { context?: { userId?: string } };
    const snapshot = snapshotFor(control.values, context);
    const etag = `"${snapshot.version}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag });
      res.end();
      return;
    }
    sendJson(res, snapshot, { etag });
  };
  const s = await startServer(handler);
  server = s;
  return { control, url: `${s.url}/api/flags`, server: s };
}

/** A fetch that counts calls: `fetch` is invoked synchronously when the store decides to request. */
function countingFetch() {
  const counter = { calls: 0, fetch: ((input, init) => {
    counter.calls++;
    return fetch(input, init);
  }) as typeof fetch };
  return counter;
}

function recordStates(s: SnapshotStore): SnapshotState[] {
  const states: SnapshotState[] = [];
  s.subscribe(() => states.push(s.getSnapshot()));
  return states;
}

const fast = { pollInterval: 15 };

describe('createSnapshotStore: lifecycle', () => {
  it('the first subscriber starts polling; the last unsubscribe stops it and aborts the request in flight', async () => {
    const { url, control, server: srv } = await startEndpoint();
    const counter = countingFetch();
    store = createSnapshotStore({ endpoint: url, context: { userId: 'u1' }, fetch: counter.fetch, ...fast });
    expect(store.getSnapshot()).toMatchObject({ status: 'loading', snapshot: { version: '', flags: {} } });
    expect(counter.calls).toBe(0); // nothing before a subscriber
    const off = store.subscribe(() => {});
    expect(counter.calls).toBe(1);
    await waitFor(() => expect(store?.getSnapshot().status).toBe('ready'));
    expect(store.getSnapshot().snapshot.flags.who?.value).toBe('u1');
    const first = srv.requests[0];
    expect(first?.method).toBe('POST');
    expect(JSON.parse(first?.body ?? '')).toEqual({ context: { userId: 'u1' } });
    expect(first?.headers['content-type']).toBe('application/json');

    // A request hangs; unsubscribing must abort it.
    control.mode = 'hang';
    const before = srv.requests.length;
    await waitFor(() => expect(srv.inFlight).toBe(1));
    expect(srv.requests.length).toBeGreaterThan(before);
    off();
    await waitFor(() => expect(srv.aborted).toBe(1));
    const calls = counter.calls;
    await new Promise((r) => setTimeout(r, 100)); // several intervals: nothing may happen without subscribers
    expect(counter.calls).toBe(calls);
    expect(store.getSnapshot().status).toBe('ready');
  });

  it('ETag: a 304 keeps the state object identical', async () => {
    const { url, server: srv } = await startEndpoint();
    store = createSnapshotStore({ endpoint: url, ...fast });
    const states = recordStates(store);
    await waitFor(() => expect(srv.requests.filter((r) => r.headers['if-none-match'] !== undefined).length).toBeGreaterThanOrEqual(3));
    expect(states).toHaveLength(1); // loading → ready, then only 304s
    expect(store.getSnapshot()).toBe(states[0]);
    expect(srv.requests[1]?.headers['if-none-match']).toBe(`"${states[0]?.snapshot.version}"`);
  });

  it('with an initial (SSR) snapshot it starts ready and does not fetch at once', async () => {
    const { url } = await startEndpoint();
    const counter = countingFetch();
    const initial = snapshotFor({ a: false }, undefined);
    store = createSnapshotStore({ endpoint: url, snapshot: initial, fetch: counter.fetch, pollInterval: 0 });
    const state = store.getSnapshot();
    expect(state).toMatchObject({ status: 'ready', snapshot: initial, error: undefined });
    store.subscribe(() => {});
    expect(counter.calls).toBe(0);
    await store.refresh();
    expect(counter.calls).toBe(1);
    expect(store.getSnapshot().snapshot.flags.a?.value).toBe(true);
  });

  it('never fetches on the server', async () => {
    const { url } = await startEndpoint();
    const counter = countingFetch();
    store = createSnapshotStore({ endpoint: url, fetch: counter.fetch, isServer: true, ...fast });
    store.subscribe(() => {});
    store.setContext({ userId: 'x' });
    await store.refresh();
    expect(counter.calls).toBe(0);
    expect(store.getSnapshot().status).toBe('loading');
  });

  it('never has two requests in flight with a slow endpoint and a tiny interval', async () => {
    const { url, server: srv } = await startEndpoint({ delay: 20 });
    store = createSnapshotStore({ endpoint: url, pollInterval: 1 });
    store.subscribe(() => {});
    await Promise.all([store.refresh(), store.refresh(), store.refresh()]);
    await waitFor(() => expect(srv.requests.length).toBeGreaterThanOrEqual(6));
    expect(srv.maxInFlight).toBe(1);
  });

  it('close() stops everything and ignores later subscribers', async () => {
    const { url } = await startEndpoint();
    const counter = countingFetch();
    store = createSnapshotStore({ endpoint: url, fetch: counter.fetch, ...fast });
    store.subscribe(() => {});
    store.close();
    const calls = counter.calls;
    store.subscribe(() => {});
    await store.refresh();
    expect(counter.calls).toBe(calls);
  });
});

describe('createSnapshotStore: failures keep the last good snapshot', () => {
  it.each(['invalid-json', 'bad-shape', '500'] as const)('%s → stale, same snapshot, then recovers', async (mode) => {
    const { url, control } = await startEndpoint();
    const errors: Error[] = [];
    store = createSnapshotStore({ endpoint: url, onError: (e) => errors.push(e), ...fast });
    const states = recordStates(store);
    await waitFor(() => expect(store?.getSnapshot().status).toBe('ready'));
    const good = store.getSnapshot().snapshot;
    control.mode = mode;
    await waitFor(() => expect(store?.getSnapshot().status).toBe('stale'));
    expect(store.getSnapshot().snapshot).toBe(good);
    expect(store.getSnapshot().error?.message).toMatch(/^@halyard\/core: /);
    if (mode === 'bad-shape') expect(errors[0]?.message).toContain('$.flags["a"].reason');
    control.mode = 'good';
    await waitFor(() => expect(store?.getSnapshot().status).toBe('ready'));
    expect(store.getSnapshot().snapshot).toBe(good);
    expect(store.getSnapshot().error).toBeUndefined();
    // No state ever lost the flags.
    expect(states.every((s) => s.snapshot === good)).toBe(true);
  });

  it('nothing ever arrived → error; the endpoint coming up → ready', async () => {
    const { url, control } = await startEndpoint({ mode: '500' });
    store = createSnapshotStore({ endpoint: url, ...fast });
    store.subscribe(() => {});
    await waitFor(() => expect(store?.getSnapshot().status).toBe('error'));
    expect(store.getSnapshot().snapshot.flags).toEqual({});
    control.mode = 'good';
    await waitFor(() => expect(store?.getSnapshot().status).toBe('ready'));
  });

  it('an unreachable endpoint → error, with backoff retries', async () => {
    const probe = await startServer(() => {});
    const url = `${probe.url}/api/flags`;
    await probe.close();
    const errors: Error[] = [];
    store = createSnapshotStore({ endpoint: url, onError: (e) => errors.push(e), ...fast });
    store.subscribe(() => {});
    await waitFor(() => expect(errors.length).toBeGreaterThanOrEqual(2));
    expect(store.getSnapshot().status).toBe('error');
  });
});

describe('createSnapshotStore: updates', () => {
  it('structural sharing: unchanged flag entries keep their identity', async () => {
    const { url, control } = await startEndpoint();
    store = createSnapshotStore({ endpoint: url, context: { userId: 'u1' }, ...fast });
    store.subscribe(() => {});
    await waitFor(() => expect(store?.getSnapshot().status).toBe('ready'));
    const before = store.getSnapshot().snapshot;
    control.values = { a: true, b: 'green' };
    await waitFor(() => expect(store?.getSnapshot().snapshot.flags.b?.value).toBe('green'));
    const after = store.getSnapshot().snapshot;
    expect(after).not.toBe(before);
    expect(after.flags.a).toBe(before.flags.a);
    expect(after.flags.who).toBe(before.flags.who);
    expect(after.flags.b).not.toBe(before.flags.b);
  });

  it('setContext: same context is a no-op; a new one aborts the request in flight and refetches without a flash', async () => {
    const { url, control, server: srv } = await startEndpoint();
    const counter = countingFetch();
    store = createSnapshotStore({ endpoint: url, context: { userId: 'u1', plan: undefined }, fetch: counter.fetch, pollInterval: 60_000 });
    const states = recordStates(store);
    await waitFor(() => expect(store?.getSnapshot().status).toBe('ready'));
    const calls = counter.calls;
    store.setContext({ userId: 'u1' }); // deep-equal (undefined keys vanish in JSON)
    expect(counter.calls).toBe(calls);

    control.delay = 50;
    store.setContext({ userId: 'u2' });
    expect(counter.calls).toBe(calls + 1);
    await waitFor(() => expect(srv.requests.at(-1)?.body).toContain('u2'));
    store.setContext({ userId: 'u3' }); // supersedes u2 while the server is still working on it
    expect(counter.calls).toBe(calls + 2);
    expect(store.getSnapshot().snapshot.flags.who?.value).toBe('u1'); // keeps showing current values
    await waitFor(() => expect(store?.getSnapshot().snapshot.flags.who?.value).toBe('u3'));
    await waitFor(() => expect(srv.aborted).toBe(1)); // the u2 request
    expect(srv.requests.at(-1)?.headers['if-none-match']).toBeUndefined(); // ETag forgotten for a new context
    expect(states.map((s) => [s.status, s.snapshot.flags.who?.value])).toEqual([
      ['ready', 'u1'],
      ['ready', 'u3'],
    ]);
    expect(srv.maxInFlight).toBeLessThanOrEqual(2); // the aborted one may still be closing server-side
  });

  it('setContext while nobody is subscribed fetches for the new context on the next subscribe', async () => {
    const { url } = await startEndpoint();
    const counter = countingFetch();
    store = createSnapshotStore({ endpoint: url, snapshot: snapshotFor({ a: true, b: 'blue' }, { userId: 'u1' }), context: { userId: 'u1' }, fetch: counter.fetch, pollInterval: 60_000 });
    store.setContext({ userId: 'u9' });
    expect(counter.calls).toBe(0);
    store.subscribe(() => {});
    expect(counter.calls).toBe(1);
    await waitFor(() => expect(store?.getSnapshot().snapshot.flags.who?.value).toBe('u9'));
  });

  it('setSnapshot validates, shares structure and notifies', () => {
    store = createSnapshotStore();
    const states = recordStates(store);
    const s1 = snapshotFor({ a: true, b: 'blue' }, undefined);
    store.setSnapshot(s1);
    store.setSnapshot(JSON.parse(JSON.stringify(s1)) as FlagSnapshot); // equal content: no change
    const s2 = snapshotFor({ a: true, b: 'red' }, undefined);
    store.setSnapshot(s2);
    expect(states).toHaveLength(2);
    expect(states[1]?.snapshot.flags.a).toBe(s1.flags.a);
    expect(() => store?.setSnapshot({ version: 1 } as never)).toThrow('@halyard/core: invalid snapshot: $.version expected a string');
    expect(() => createSnapshotStore({ snapshot: { version: 'v', flags: { x: {} } } as never })).toThrow(/\$\.flags\["x"\]\.value/);
  });
});

describe('createSnapshotStore: page visibility and connectivity', () => {
  it('pauses while hidden and fetches at once when visible again if the data is older than the interval', async () => {
    const { url, server: srv } = await startEndpoint();
    const counter = countingFetch();
    store = createSnapshotStore({ endpoint: url, fetch: counter.fetch, ...fast });
    store.subscribe(() => {});
    await waitFor(() => expect(counter.calls).toBeGreaterThanOrEqual(3));
    setVisibility('hidden');
    const calls = counter.calls;
    await waitFor(() => expect(srv.inFlight).toBe(0));
    await new Promise((r) => setTimeout(r, 100)); // many intervals
    expect(counter.calls).toBe(calls);
    setVisibility('visible');
    expect(counter.calls).toBe(calls + 1); // immediately, synchronously with the event
  });

  it('coming back visible soon after an answer resumes the schedule instead of fetching', async () => {
    const { url } = await startEndpoint();
    const counter = countingFetch();
    store = createSnapshotStore({ endpoint: url, fetch: counter.fetch, pollInterval: 60_000 });
    store.subscribe(() => {});
    await waitFor(() => expect(store?.getSnapshot().status).toBe('ready'));
    setVisibility('hidden');
    setVisibility('visible');
    expect(counter.calls).toBe(1);
  });

  it('subscribing while hidden waits for visibility', async () => {
    const { url } = await startEndpoint();
    const counter = countingFetch();
    setVisibility('hidden');
    store = createSnapshotStore({ endpoint: url, fetch: counter.fetch, ...fast });
    store.subscribe(() => {});
    expect(counter.calls).toBe(0);
    setVisibility('visible');
    expect(counter.calls).toBe(1);
  });

  it('fetches at once when the browser comes back online', async () => {
    const { url } = await startEndpoint();
    const counter = countingFetch();
    store = createSnapshotStore({ endpoint: url, fetch: counter.fetch, pollInterval: 60_000 });
    store.subscribe(() => {});
    await waitFor(() => expect(store?.getSnapshot().status).toBe('ready'));
    window.dispatchEvent(new Event('online'));
    expect(counter.calls).toBe(2);
  });
});

describe('createSnapshotStore: streaming', () => {
  it('streams updates from GET endpoint?stream=1 with the context, without polling', async () => {
    const { url, control, server: srv } = await startEndpoint();
    store = createSnapshotStore({ endpoint: url, stream: true, context: { userId: 'ü-1' }, ...fast });
    store.subscribe(() => {});
    await waitFor(() => expect(store?.getSnapshot().status).toBe('ready'));
    expect(store.getSnapshot().snapshot.flags.who?.value).toBe('ü-1');
    const streamUrl = new URL(srv.requests[0]?.url ?? '', 'http://x');
    expect(streamUrl.pathname).toBe('/api/flags');
    expect(streamUrl.searchParams.get('stream')).toBe('1');
    expect(decodeContextParam(streamUrl.searchParams.get('context') ?? '')).toEqual({ userId: 'ü-1' });

    const before = store.getSnapshot().snapshot;
    control.values = { a: false, b: 'blue' };
    const next = snapshotFor(control.values, { userId: 'ü-1' });
    control.streams[0]?.send(': ping\n\n');
    control.streams[0]?.send(`id: ${next.version}\nevent: update\ndata: ${JSON.stringify(next)}\n\n`);
    await waitFor(() => expect(store?.getSnapshot().snapshot.flags.a?.value).toBe(false));
    expect(store.getSnapshot().snapshot.flags.b).toBe(before.flags.b);
    expect(srv.requests.every((r) => r.method === 'GET')).toBe(true);
  });

  it('falls back to polling while the stream is unavailable, and reconnects with Last-Event-ID', async () => {
    const { url, control, server: srv } = await startEndpoint({ streamMode: '404' });
    store = createSnapshotStore({ endpoint: url, stream: true, ...fast });
    store.subscribe(() => {});
    await waitFor(() => expect(store?.getSnapshot().status).toBe('ready'));
    expect(srv.requests.some((r) => r.method === 'POST')).toBe(true);
    const version = store.getSnapshot().snapshot.version;
    control.streamMode = 'up';
    await waitFor(() => expect(control.streams).toHaveLength(1));
    expect(control.streams[0]?.req.headers['last-event-id']).toBe(version);
    // Once the stream is up, polling stops: only the stream stays open.
    await waitFor(() => expect(srv.inFlight).toBe(1));
    // A poll already due as the stream connected may still go out once (on a loaded machine its timer fires in
    // the same turn); after that none may follow, at a 15 ms interval ~13 would in 200 ms if polling went on.
    await new Promise((r) => setTimeout(r, 100));
    const posts = srv.requests.filter((r) => r.method === 'POST').length;
    await new Promise((r) => setTimeout(r, 200));
    expect(srv.requests.filter((r) => r.method === 'POST').length).toBe(posts);
    expect(store.getSnapshot().status).toBe('ready');
  });

  it('a context change reconnects the stream with the new context', async () => {
    const { url, control, server: srv } = await startEndpoint();
    store = createSnapshotStore({ endpoint: url, stream: true, context: { userId: 'u1' }, ...fast });
    store.subscribe(() => {});
    await waitFor(() => expect(store?.getSnapshot().snapshot.flags.who?.value).toBe('u1'));
    store.setContext({ userId: 'u2' });
    await waitFor(() => expect(control.streams).toHaveLength(2));
    const param = new URL(control.streams[1]?.req.url ?? '', 'http://x').searchParams.get('context');
    expect(decodeContextParam(param ?? '')).toEqual({ userId: 'u2' });
    await waitFor(() => expect(store?.getSnapshot().snapshot.flags.who?.value).toBe('u2'));
    await waitFor(() => expect(srv.aborted).toBe(1)); // the u1 stream was closed
  });

  it('a custom stream URL is used as given; unsubscribing closes the stream', async () => {
    const { url, server: srv } = await startEndpoint();
    store = createSnapshotStore({ endpoint: url, stream: `${url}?stream=1&tenant=t1`, ...fast });
    const off = store.subscribe(() => {});
    await waitFor(() => expect(store?.getSnapshot().status).toBe('ready'));
    expect(srv.requests[0]?.url).toBe('/api/flags?stream=1&tenant=t1');
    off();
    await waitFor(() => expect(srv.aborted).toBe(1));
    expect(srv.inFlight).toBe(0);
  });
});

describe('createSnapshotStore: exposures', () => {
  it('expose(key) fires once per (flag, variant, userId)', async () => {
    const events: ExposureEvent[] = [];
    store = createSnapshotStore({ snapshot: snapshotFor({ a: true, b: 'blue' }, undefined), context: { userId: 'u1' }, onExposure: (e) => events.push(e) });
    store.expose('a');
    store.expose('a');
    store.expose('missing');
    store.setContext({ userId: 'u2' });
    store.expose('a');
    store.setSnapshot(snapshotFor({ a: false, b: 'blue' }, undefined));
    store.expose('a');
    expect(events.map((e) => [e.flag, e.variant, e.unit, e.value])).toEqual([
      ['a', 'true', 'u1', true],
      ['a', 'true', 'u2', true],
      ['a', 'false', 'u2', false],
    ]);
  });

  it('expose() without onExposure does nothing', () => {
    store = createSnapshotStore({ snapshot: snapshotFor({ a: true }, undefined) });
    expect(() => store?.expose('a')).not.toThrow();
  });
});

describe('context parameter encoding', () => {
  it('round-trips unicode contexts as base64url', () => {
    const context = { userId: 'ü/+?=', plan: 'pro', n: 3 };
    const param = encodeContextParam(context);
    expect(param).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeContextParam(param)).toEqual(context);
  });

  it('rejects garbage', () => {
    expect(() => decodeContextParam('%%%')).toThrow(/not base64url-encoded JSON/);
    expect(() => decodeContextParam(encodeContextParam([] as never))).toThrow(/must encode a JSON object/);
  });
});
