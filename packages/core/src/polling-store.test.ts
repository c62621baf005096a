// @vitest-environment jsdom
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sendJson, startServer, waitFor, type TestServer } from '../test/helpers/server';
import { RETRY_BASE, RETRY_CAP, RETRY_MIN, TIMEOUT } from './internal/store-timing';
import { createPollingSnapshotStore } from './polling-store';
import type { ExposureEvent, FlagSnapshot, SnapshotStore } from './types';

let server: TestServer | undefined;
let store: SnapshotStore | undefined;
afterEach(async () => {
  store?.close();
  store = undefined;
  vi.useRealTimers();
  vi.restoreAllMocks();
  await server?.close();
  server = undefined;
});

const snap = (version: string, on: boolean): FlagSnapshot => ({
  version,
  flags: { 'new-checkout': { value: on, variant: on ? 'on' : 'off', reason: 'STATIC' }, other: { value: 1, reason: 'STATIC' } },
});

describe('createPollingSnapshotStore: bundle shape', () => {
  it('reaches no stream code, SSE client, evaluator or parser: apps that only poll ship none of it', () => {
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
    expect(reached).toEqual(['internal/exposure-unit.ts', 'internal/snapshot-shape.ts', 'internal/store-timing.ts', 'polling-store.ts', 'types.ts']);
  });
});

describe('createPollingSnapshotStore: clocks', () => {
  it('follows fake clocks installed after import (the first poll of a fresh snapshot waits exactly pollInterval)', async () => {
    server = await startServer((_req, res) => sendJson(res, snap('2', true)));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    store = createPollingSnapshotStore({ endpoint: `${server.url}/flags`, snapshot: snap('1', false), pollInterval: 30_000 });
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

describe('createPollingSnapshotStore: request timing (fixed: no options)', () => {
  it(`aborts a request that outlives ${TIMEOUT} ms and reports it as a failure`, async () => {
    server = await startServer(() => {}); // never answers
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const errors: Error[] = [];
    store = createPollingSnapshotStore({ endpoint: `${server.url}/flags`, onError: (e) => errors.push(e) });
    store.subscribe(() => {}); // requests at once
    await vi.advanceTimersByTimeAsync(TIMEOUT - 1);
    expect(store.getSnapshot().status).toBe('loading');
    expect(errors).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(store.getSnapshot().status).toBe('error');
    expect(errors.map((e) => e.message)).toEqual([`@halyard/core: POST ${server.url}/flags: timed out`]);
    vi.useRealTimers();
    await waitFor(() => expect(server?.aborted).toBe(1));
    expect(server.requests).toHaveLength(1);
  });

  /**
   * The delays between the requests a store makes (fake clock, `Math.random` fixed), through a fetch that answers
   * with `statuses` in turn (the last one repeats).
   */
  async function delays(random: number, statuses: number[], count: number, pollInterval?: number): Promise<number[]> {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.spyOn(Math, 'random').mockReturnValue(random);
    const at: number[] = [];
    const fetch = (async () => {
      const status = statuses[Math.min(at.length, statuses.length - 1)]!;
      at.push(Date.now());
      return status === 200 ? Response.json(snap(String(at.length), true)) : new Response('boom', { status });
    }) as typeof globalThis.fetch;
    store = createPollingSnapshotStore({ endpoint: 'http://flags.invalid/', fetch, pollInterval, isServer: false });
    store.subscribe(() => {});
    while (at.length < count) {
      await vi.advanceTimersByTimeAsync(0); // the answer settles: the next poll is then the only timer
      expect(vi.getTimerCount()).toBe(1);
      await vi.advanceTimersToNextTimerAsync();
    }
    return at.slice(1).map((t, i) => t - at[i]!);
  }
  const ceiling = (failures: number) => Math.min(RETRY_CAP, RETRY_BASE * 2 ** failures);

  it(`backs off with full jitter: ${RETRY_MIN} ms plus a random share of ${RETRY_BASE} ms doubling per failure, up to ${RETRY_CAP} ms`, async () => {
    expect(await delays(1, [500], 9)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((n) => RETRY_MIN + ceiling(n)));
  });

  it('draws the share at random (never below the floor)', async () => {
    expect(await delays(0.5, [500], 4)).toEqual([0, 1, 2].map((n) => RETRY_MIN + ceiling(n) / 2));
    expect(ceiling(7)).toBe(RETRY_CAP);
  });

  it('never retries at once, even with the luckiest draw', async () => {
    expect(await delays(0, [500], 4)).toEqual([RETRY_MIN, RETRY_MIN, RETRY_MIN]);
  });

  it('caps the backoff at pollInterval when that is longer', async () => {
    const got = await delays(1, [500], 10, 120_000);
    expect(got.slice(-3)).toEqual([RETRY_MIN + RETRY_BASE * 64, RETRY_MIN + 120_000, RETRY_MIN + 120_000]);
  });

  it('after a success polls on the interval again, and the backoff starts over', async () => {
    expect(await delays(1, [500, 500, 200, 500, 500], 6, 45_000)).toEqual([
      RETRY_MIN + ceiling(0),
      RETRY_MIN + ceiling(1),
      45_000,
      RETRY_MIN + ceiling(0),
      RETRY_MIN + ceiling(1),
    ]);
  });
});

describe('createPollingSnapshotStore: exposures', () => {
  it('a throwing onExposure never breaks reading, and each (flag, variant, unit) fires once', () => {
    const exposed: string[] = [];
    store = createPollingSnapshotStore({
      snapshot: snap('1', true),
      context: { userId: 'u1' },
      onExposure: (e) => {
        exposed.push(e.flag);
        throw new Error('analytics down');
      },
    });
    expect(() => ['new-checkout', 'new-checkout', 'other', 'new-checkout'].forEach((key) => store?.expose(key))).not.toThrow();
    expect(exposed).toEqual(['new-checkout', 'other']);
  });

  it("attributes an exposure to the entry's unitBy attribute (a split by accountId), else to userId", () => {
    const events: ExposureEvent[] = [];
    store = createPollingSnapshotStore({
      snapshot: {
        version: '1',
        flags: {
          'team-plan': { value: 'b', variant: 'b', reason: 'SPLIT', unitBy: 'accountId' },
          'org-plan': { value: 'a', variant: 'a', reason: 'SPLIT', unitBy: 'org.id' },
          'new-checkout': { value: true, variant: 'on', reason: 'SPLIT' },
        },
      },
      context: { userId: 'u1', accountId: 'acct-7', org: { id: 42 } },
      onExposure: (e) => void events.push(e),
    });
    for (const key of ['team-plan', 'org-plan', 'new-checkout']) store.expose(key);
    expect(events.map((e) => [e.flag, e.unit])).toEqual([
      ['team-plan', 'acct-7'],
      ['org-plan', '42'],
      ['new-checkout', 'u1'],
    ]);
    store.setContext({ userId: 'u1' }); // no accountId in this context: no unit, never the userId instead
    store.expose('team-plan');
    expect(events.at(-1)).toMatchObject({ flag: 'team-plan', unit: undefined });
  });

  it('remembers up to 10,000 keys, then starts over (an old key may fire once more)', () => {
    const events: ExposureEvent[] = [];
    store = createPollingSnapshotStore({ snapshot: snap('1', true), onExposure: (e) => void events.push(e) });
    const exposeAs = (unit: string) => {
      store?.setContext({ userId: unit });
      store?.expose('new-checkout');
    };
    for (let i = 0; i < 10_000; i++) exposeAs(`u${i}`);
    expect(events).toHaveLength(10_000);
    exposeAs('u0'); // still remembered
    exposeAs('u9999');
    expect(events).toHaveLength(10_000);
    exposeAs('u10000'); // the memory is full: it starts over with this key
    exposeAs('u10000');
    expect(events).toHaveLength(10_001);
    exposeAs('u0'); // forgotten: fires again, once
    exposeAs('u0');
    expect(events.map((e) => e.unit).slice(-2)).toEqual(['u10000', 'u0']);
    expect(events[0]).toEqual({ flag: 'new-checkout', variant: 'on', value: true, reason: 'STATIC', unit: 'u0', timestamp: expect.any(Number) });
  });

  it('keeps no memory without onExposure, and never reports ERROR entries or missing flags', () => {
    const events: ExposureEvent[] = [];
    store = createPollingSnapshotStore({
      snapshot: { version: 'e', flags: { broken: { value: false, reason: 'ERROR', errorCode: 'GENERAL' }, custom: { value: 1, reason: 'EXPERIMENT' as never } } },
      onExposure: (e) => void events.push(e),
    });
    for (const key of ['broken', 'missing', 'constructor', 'custom']) store.expose(key);
    expect(events.map((e) => [e.flag, e.reason])).toEqual([['custom', 'EXPERIMENT']]);
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
