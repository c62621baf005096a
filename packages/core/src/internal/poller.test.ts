import { afterEach, describe, expect, it, vi } from 'vitest';
import { closed, sendJson, startServer, waitFor, type TestServer } from '../../test/helpers/server';
import { createPoller, type Poller, type PollerOptions } from './poller';

let server: TestServer | undefined;
let poller: Poller | undefined;

afterEach(async () => {
  poller?.stop();
  poller = undefined;
  await server?.close();
  server = undefined;
  vi.useRealTimers();
  vi.restoreAllMocks();
});

function recorder() {
  const events: Array<{ type: 'data'; body: unknown } | { type: 'not-modified' } | { type: 'error'; message: string }> = [];
  const callbacks: Pick<PollerOptions, 'onData' | 'onNotModified' | 'onError'> = {
    onData: (body) => events.push({ type: 'data', body }),
    onNotModified: () => events.push({ type: 'not-modified' }),
    onError: (error) => events.push({ type: 'error', message: error.message }),
  };
  return { events, callbacks };
}

describe('createPoller (real HTTP server)', () => {
  it('remembers the ETag, sends If-None-Match and treats 304 as a healthy answer', async () => {
    server = await startServer((req, res) => {
      if (req.headers['if-none-match'] === '"v1"') {
        res.writeHead(304);
        res.end();
      } else sendJson(res, { n: 1 }, { etag: '"v1"' });
    });
    const { events, callbacks } = recorder();
    const url = server.url;
    poller = createPoller({ request: () => ({ url }), interval: 5, timeout: 5_000, backoff: { base: 5, max: 10 }, maxBodySize: 1 << 20, ...callbacks });
    poller.start();
    await waitFor(() => expect(events.length).toBeGreaterThanOrEqual(3));
    expect(events[0]).toEqual({ type: 'data', body: { n: 1 } });
    expect(events[1]).toEqual({ type: 'not-modified' });
    expect(events[2]).toEqual({ type: 'not-modified' });
    expect(server.requests[0]?.headers['if-none-match']).toBeUndefined();
    expect(server.requests[1]?.headers['if-none-match']).toBe('"v1"');
  });

  it('never has two requests in flight, even with a slow server and a tiny interval', async () => {
    server = await startServer(async (_req, res) => {
      await new Promise((r) => setTimeout(r, 30));
      sendJson(res, { ok: true });
    });
    const { events, callbacks } = recorder();
    const url = server.url;
    poller = createPoller({ request: () => ({ url }), interval: 1, timeout: 5_000, backoff: { base: 1, max: 2 }, maxBodySize: 1 << 20, ...callbacks });
    poller.start();
    // Pile on extra triggers: refreshes must coalesce with the request in flight.
    const refreshes = Array.from({ length: 5 }, () => poller?.refresh());
    await Promise.all(refreshes);
    await waitFor(() => expect(server?.requests.length).toBeGreaterThanOrEqual(6));
    expect(server.maxInFlight).toBe(1);
    expect(events.every((e) => e.type === 'data')).toBe(true);
  });

  it('aborts the request in flight on stop (the server sees the client go away) and reports nothing', async () => {
    let gone: Promise<void> | undefined;
    server = await startServer((_req, res) => {
      gone = closed(res); // never answers
    });
    const { events, callbacks } = recorder();
    const url = server.url;
    poller = createPoller({ request: () => ({ url }), interval: 1_000, timeout: 0, backoff: { base: 5, max: 10 }, maxBodySize: 1 << 20, ...callbacks });
    poller.start();
    await waitFor(() => expect(gone).toBeDefined());
    poller.stop();
    await gone;
    await waitFor(() => expect(server?.aborted).toBe(1));
    expect(events).toEqual([]);
    expect(poller.running).toBe(false);
  });

  it('restart() abandons the request in flight and asks again at once', async () => {
    let n = 0;
    server = await startServer((_req, res) => {
      n++;
      if (n === 1) return; // first request hangs until aborted
      sendJson(res, { n });
    });
    const { events, callbacks } = recorder();
    const url = server.url;
    poller = createPoller({ request: () => ({ url }), interval: 60_000, timeout: 0, backoff: { base: 5, max: 10 }, maxBodySize: 1 << 20, ...callbacks });
    poller.start();
    await waitFor(() => expect(n).toBe(1));
    await poller.restart();
    expect(events).toEqual([{ type: 'data', body: { n: 2 } }]);
    await waitFor(() => expect(server?.aborted).toBe(1));
  });

  it('reports HTTP errors, invalid JSON and rejected payloads, and does not keep the ETag of a rejected payload', async () => {
    let n = 0;
    server = await startServer((_req, res) => {
      n++;
      if (n === 1) {
        res.writeHead(503, 'Service Unavailable');
        res.end();
      } else if (n === 2) sendJson(res, '{not json', { etag: '"bad"' });
      else if (n === 3) sendJson(res, { reject: true }, { etag: '"rejected"' });
      else sendJson(res, { good: true }, { etag: '"good"' });
    });
    const { events, callbacks } = recorder();
    const url = server.url;
    poller = createPoller({
      request: () => ({ url }),
      interval: 60_000,
      timeout: 5_000,
      backoff: { base: 1, max: 2 }, maxBodySize: 1 << 20,
      ...callbacks,
      onData(body) {
        if ((body as { reject?: boolean }).reject) throw new Error('payload rejected');
        callbacks.onData(body);
      },
    });
    poller.start();
    await waitFor(() => expect(events.some((e) => e.type === 'data')).toBe(true));
    expect(events.map((e) => (e.type === 'error' ? e.message : e.type))).toEqual([
      `GET ${url} answered HTTP 503 Service Unavailable`,
      expect.stringContaining('returned invalid JSON'),
      'payload rejected',
      'data',
    ]);
    expect(server.requests.map((r) => r.headers['if-none-match'])).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('times out a request that never answers and retries', async () => {
    let n = 0;
    server = await startServer((_req, res) => {
      n++;
      if (n > 1) sendJson(res, { n });
    });
    const { events, callbacks } = recorder();
    const url = server.url;
    poller = createPoller({ request: () => ({ url }), interval: 60_000, timeout: 50, backoff: { base: 1, max: 2 }, maxBodySize: 1 << 20, ...callbacks });
    poller.start();
    await waitFor(() => expect(events.at(-1)?.type).toBe('data'));
    expect(events[0]).toEqual({ type: 'error', message: `GET ${url} timed out after 50 ms` });
  });

  it('sends method, headers and body built per request', async () => {
    server = await startServer((_req, res) => sendJson(res, {}));
    const { callbacks } = recorder();
    const url = server.url;
    let i = 0;
    poller = createPoller({
      request: () => ({ url, method: 'POST', headers: { 'x-test': 'yes' }, body: JSON.stringify({ i: ++i }) }),
      interval: 60_000,
      timeout: 5_000,
      backoff: { base: 1, max: 2 }, maxBodySize: 1 << 20,
      ...callbacks,
    });
    await poller.refresh();
    await poller.refresh();
    expect(server.requests.map((r) => [r.method, r.headers['x-test'], r.body])).toEqual([
      ['POST', 'yes', '{"i":1}'],
      ['POST', 'yes', '{"i":2}'],
    ]);
    // refresh() without start() is one-off: nothing was scheduled afterwards.
    expect(poller.running).toBe(false);
  });
});

describe('createPoller backoff (fake timers, fake fetch)', () => {
  it('retries failures with exponential full-jitter backoff and returns to the interval after a success', async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(1); // top of each jitter window
    const outcomes = ['fail', 'fail', 'fail', 'ok', 'ok'];
    const fetchCalls: number[] = [];
    const fakeFetch = (async () => {
      fetchCalls.push(Date.now());
      const outcome = outcomes.shift();
      if (outcome === 'fail') throw new TypeError('fetch failed');
      return new Response('{}', { status: 200 });
    }) as typeof fetch;
    const { events, callbacks } = recorder();
    poller = createPoller({ fetch: fakeFetch, request: () => ({ url: 'http://x.invalid/' }), interval: 10_000, timeout: 0, backoff: { base: 1_000, max: 60_000 }, maxBodySize: 1 << 20, ...callbacks });
    const t0 = Date.now();
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(fetchCalls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(fetchCalls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1); // 1 s after failure #1
    expect(fetchCalls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(2_000); // 2 s after failure #2
    expect(fetchCalls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(4_000); // 4 s after failure #3 → success
    expect(fetchCalls).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(fetchCalls).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(1); // back on the 10 s interval
    expect(fetchCalls.map((t) => t - t0)).toEqual([0, 1_000, 3_000, 7_000, 17_000]);
    expect(events.map((e) => e.type)).toEqual(['error', 'error', 'error', 'data', 'data']);
  });
});
