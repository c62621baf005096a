import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createEventQueue, type EventTransport, type SendResult } from './event-queue';
import { SDK_NAME, SDK_VERSION, type WireEvent } from './wire';

/** A transport that records bodies and answers from a script (pure logic: no network). */
function scripted(answers: SendResult[] = []) {
  const bodies: Array<{ sdk: unknown; events: WireEvent[] }> = [];
  const transport: EventTransport = {
    send: vi.fn(async (body: string) => {
      bodies.push(JSON.parse(body) as { sdk: unknown; events: WireEvent[] });
      return answers.shift() ?? ({ ok: true } as const);
    }),
  };
  return { transport, bodies, units: () => bodies.flatMap((b) => b.events.map((e) => e.unit)) };
}

const metric = (unit: string): WireEvent => ({ kind: 'metric', name: 'm', unit, time: 1 });
const busy = (retryAfter?: number): SendResult => ({ ok: false, retry: true, retryAfter, error: new Error('HTTP 503') });
const refused = (status: number): SendResult => ({ ok: false, retry: false, error: new Error(`HTTP ${status}`) });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createEventQueue', () => {
  it('is bounded: when full it drops the oldest event and counts it', async () => {
    const { transport, units } = scripted();
    const queue = createEventQueue({ transport, capacity: 3, flushAt: 1_000 });
    for (const unit of ['a', 'b', 'c', 'd', 'e']) queue.push(metric(unit));
    expect(queue.stats()).toEqual({ queued: 3, sent: 0, dropped: 2, failed: 0 });
    await queue.flush();
    expect(units()).toEqual(['c', 'd', 'e']);
    expect(queue.stats()).toEqual({ queued: 0, sent: 3, dropped: 2, failed: 0 });
  });

  it('sends the wire format: sdk and events, in batches of at most 1,000', async () => {
    const { transport, bodies } = scripted();
    const queue = createEventQueue({ transport, capacity: 5_000, flushAt: 1_000 });
    for (let i = 0; i < 2_500; i++) queue.push(metric(`u${i}`));
    await queue.flush();
    expect(bodies.map((b) => b.events.length)).toEqual([1_000, 1_000, 500]);
    expect(bodies[0]?.sdk).toEqual({ name: SDK_NAME, version: SDK_VERSION });
    expect(bodies[0]?.events[0]).toEqual({ kind: 'metric', name: 'm', unit: 'u0', time: 1 });
  });

  it('flushes on size, outside the call that recorded the event', async () => {
    const { transport } = scripted();
    const queue = createEventQueue({ transport, flushAt: 2, flushInterval: 60_000 });
    queue.push(metric('a'));
    queue.push(metric('b'));
    expect(transport.send).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(0);
    expect(transport.send).toHaveBeenCalledTimes(1);
    expect(queue.stats().sent).toBe(2);
  });

  it('flushes on the interval after the first queued event, and holds no timer while empty', async () => {
    const { transport } = scripted();
    const queue = createEventQueue({ transport, flushInterval: 5_000 });
    expect(vi.getTimerCount()).toBe(0);
    queue.push(metric('a'));
    await vi.advanceTimersByTimeAsync(4_999);
    expect(transport.send).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(transport.send).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('close() flushes what is queued, then ignores later events', async () => {
    const { transport, units } = scripted();
    const queue = createEventQueue({ transport });
    queue.push(metric('a'));
    await queue.close();
    expect(units()).toEqual(['a']);
    queue.push(metric('b'));
    expect(queue.stats()).toEqual({ queued: 0, sent: 1, dropped: 0, failed: 0 });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('retries 429/503/network failures with backoff, never sooner than 1 s (Retry-After: 0 included)', async () => {
    const { transport, units } = scripted([busy(0), busy()]);
    const errors: Error[] = [];
    const queue = createEventQueue({ transport, onError: (e) => errors.push(e) });
    queue.push(metric('a'));
    await queue.flush();
    expect(transport.send).toHaveBeenCalledTimes(1);
    expect(queue.stats()).toMatchObject({ queued: 1, sent: 0 });
    // Backing off: neither the size trigger nor flush() sends.
    for (let i = 0; i < 200; i++) queue.push(metric(`b${i}`));
    await queue.flush();
    await vi.advanceTimersByTimeAsync(999);
    expect(transport.send).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(transport.send).toHaveBeenCalledTimes(2);
    // The second failure waits at least the floor again, then everything goes, oldest first.
    await vi.advanceTimersByTimeAsync(999);
    expect(transport.send).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(units()[0]).toBe('a');
    expect(queue.stats()).toEqual({ queued: 0, sent: 201, dropped: 0, failed: 0 });
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/HTTP 503; 1 events kept, retrying in 1 s/), expect.stringMatching(/HTTP 503; 201 events kept/)]);
  });

  it('honours Retry-After beyond its own backoff', async () => {
    const { transport } = scripted([busy(120_000)]);
    const queue = createEventQueue({ transport });
    queue.push(metric('a'));
    await queue.flush();
    await vi.advanceTimersByTimeAsync(119_999);
    expect(transport.send).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(13_000);
    expect(transport.send).toHaveBeenCalledTimes(2);
    expect(queue.stats().sent).toBe(1);
  });

  it('does not retry a 400, 401 or 413: the batch counts as failed and is reported', async () => {
    const { transport } = scripted([refused(400), refused(401), refused(413)]);
    const errors: Error[] = [];
    const queue = createEventQueue({ transport, flushAt: 1, onError: (e) => errors.push(e) });
    for (const unit of ['a', 'b', 'c']) {
      queue.push(metric(unit));
      await vi.advanceTimersByTimeAsync(0);
    }
    await vi.advanceTimersByTimeAsync(120_000);
    expect(transport.send).toHaveBeenCalledTimes(3);
    expect(queue.stats()).toEqual({ queued: 0, sent: 0, dropped: 0, failed: 3 });
    expect(errors.map((e) => e.message)).toEqual(['HTTP 400; 1 events discarded', 'HTTP 401; 1 events discarded', 'HTTP 413; 1 events discarded']);
  });

  it('keeps at most one request in flight', async () => {
    let release!: () => void;
    const transport: EventTransport = {
      send: vi.fn(() => new Promise<SendResult>((resolve) => (release = () => resolve({ ok: true })))),
    };
    const queue = createEventQueue({ transport, flushAt: 1 });
    queue.push(metric('a'));
    await vi.advanceTimersByTimeAsync(0);
    queue.push(metric('b'));
    const flushed = queue.flush();
    void queue.flush();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(transport.send).toHaveBeenCalledTimes(1);
    expect(queue.stats().queued).toBe(2);
    release();
    await vi.advanceTimersByTimeAsync(0);
    release();
    await flushed;
    expect(transport.send).toHaveBeenCalledTimes(2);
    expect(queue.stats()).toMatchObject({ queued: 0, sent: 2 });
  });

  it('never throws into the caller, even when the transport throws', async () => {
    const transport: EventTransport = {
      send: () => {
        throw new Error('broken transport');
      },
    };
    const errors: Error[] = [];
    const queue = createEventQueue({ transport, flushAt: 1, onError: (e) => errors.push(e) });
    expect(() => queue.push(metric('a'))).not.toThrow();
    await vi.advanceTimersByTimeAsync(0);
    expect(errors[0]?.message).toMatch(/broken transport; 1 events kept/);
    await expect(queue.close()).resolves.toBeUndefined();
    expect(queue.stats()).toMatchObject({ queued: 0, failed: 1 });
  });

  it('keeps the newest events when a failed batch no longer fits back in', async () => {
    let release!: (result: SendResult) => void;
    const transport: EventTransport = { send: vi.fn(() => new Promise<SendResult>((resolve) => (release = resolve))) };
    const queue = createEventQueue({ transport, capacity: 3, flushAt: 1_000 });
    for (const unit of ['a', 'b', 'c']) queue.push(metric(unit));
    const flushed = queue.flush();
    for (const unit of ['d', 'e']) queue.push(metric(unit));
    release(busy());
    await flushed;
    // a, b, c came back, but only one fits next to d and e: c (the newest of them) stays.
    expect(queue.stats()).toEqual({ queued: 3, sent: 0, dropped: 2, failed: 0 });
  });

  it('hands everything to the beacon on page hide, and keeps what the browser refuses', () => {
    const beacons: string[] = [];
    let accept = true;
    const transport: EventTransport = { send: vi.fn(async () => ({ ok: true }) as const), beacon: (body) => (accept ? (beacons.push(body), true) : false) };
    const queue = createEventQueue({ transport, flushAt: 1_000 });
    queue.push(metric('a'));
    queue.push(metric('b'));
    queue.flushBeacon();
    expect(beacons.map((b) => (JSON.parse(b) as { events: WireEvent[] }).events.map((e) => e.unit))).toEqual([['a', 'b']]);
    expect(queue.stats()).toMatchObject({ queued: 0, sent: 2 });
    accept = false;
    queue.push(metric('c'));
    queue.flushBeacon();
    expect(queue.stats()).toMatchObject({ queued: 1, sent: 2 });
  });
});
