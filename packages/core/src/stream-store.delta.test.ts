// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { sendJson, startServer, waitFor, type TestServer } from '../test/helpers/server';
import { createFlagClient } from './client';
import { createSnapshotEventStream, wantsDeltas } from './endpoint';
import { createFlagsHandler } from './flags-handler';
import { parseDefinitions } from './parse-definitions';
import { sseStream } from './sse-stream';
import { withStream, type SnapshotStreamHooks } from './stream-store';
import type { Definitions, FlagSnapshot, SourceUpdate, SnapshotStore } from './types';

let server: TestServer | undefined;
let store: SnapshotStore | undefined;
afterEach(async () => {
  store?.close();
  store = undefined;
  await server?.close();
  server = undefined;
});

const entry = (value: unknown, reason = 'STATIC') => ({ value, reason }) as FlagSnapshot['flags'][string];
const snap = (version: string, flags: FlagSnapshot['flags']): FlagSnapshot => ({ version, flags });

function manualChannel() {
  const channel = { hooks: undefined as SnapshotStreamHooks | undefined };
  const stream = withStream((hooks) => {
    channel.hooks = hooks;
    return () => {};
  });
  return { channel, stream };
}

describe('snapshot patches in the streaming store', () => {
  it('applies a patch onto the snapshot shown; unchanged entries keep their object', async () => {
    const { channel, stream } = manualChannel();
    store = stream({ endpoint: 'http://127.0.0.1:9/flags', pollInterval: 60_000 });
    store.subscribe(() => {});
    channel.hooks!.onOpen();
    channel.hooks!.onPayload(snap('s1', { a: entry(true), b: entry('x'), c: entry(1) }));
    const before = store.getSnapshot().snapshot;
    expect(channel.hooks!.onPatch({ base: 's1', version: 's2', flags: { b: entry('y'), d: entry(null, 'DEFAULT') }, removed: ['c'] })).toBe(true);
    const after = store.getSnapshot().snapshot;
    expect(after).toEqual(snap('s2', { a: entry(true), b: entry('y'), d: entry(null, 'DEFAULT') }));
    expect(after.flags.a).toBe(before.flags.a);
    // A patch to the version already shown changes nothing.
    expect(channel.hooks!.onPatch({ base: 's1', version: 's2', flags: { b: entry('z') } })).toBe(true);
    expect(store.getSnapshot().snapshot).toBe(after);
  });

  it('refuses an invalid patch with its path and keeps the last good flags', () => {
    const { channel, stream } = manualChannel();
    store = stream({ endpoint: 'http://127.0.0.1:9/flags', pollInterval: 60_000 });
    store.subscribe(() => {});
    channel.hooks!.onPayload(snap('s1', { a: entry(true) }));
    expect(() => channel.hooks!.onPatch({ base: 's1', version: 's2', flags: { a: { value: 1, reason: 7 } } })).toThrow('$.flags["a"].reason');
    expect(() => channel.hooks!.onPatch({ base: 's1', version: 's2', removed: 'a' })).toThrow('$.removed');
    expect(() => channel.hooks!.onPatch({ version: 's2' })).toThrow('$.base');
    expect(store.getSnapshot().snapshot).toEqual(snap('s1', { a: entry(true) }));
  });

  it('ignores a patch for another base and fetches the whole snapshot instead', async () => {
    server = await startServer((_req, res) => sendJson(res, snap('fresh', { a: entry(false) })));
    const { channel, stream } = manualChannel();
    store = stream({ endpoint: `${server.url}/flags`, pollInterval: 60_000 });
    store.subscribe(() => {});
    channel.hooks!.onOpen();
    channel.hooks!.onPayload(snap('s1', { a: entry(true) }));
    expect(channel.hooks!.onPatch({ base: 'other', version: 's3', flags: { b: entry(1) } })).toBe(false);
    await waitFor(() => expect(store?.getSnapshot().snapshot.version).toBe('fresh'));
    expect(store.getSnapshot().snapshot.flags).not.toHaveProperty('b');
    expect(server.requests).toHaveLength(1);
  });
});

describe('createSnapshotEventStream with delta', () => {
  it('is asked for with X-Halyard-Stream: delta or ?delta=1', () => {
    expect([wantsDeltas(null, 'delta'), wantsDeltas('1', null), wantsDeltas(null, null), wantsDeltas('0', 'full')]).toEqual([true, true, false, false]);
  });

  function setup(delta: boolean, lastEventId?: string) {
    const listeners = new Set<() => void>();
    const client = { subscribe: (l: () => void) => (listeners.add(l), () => listeners.delete(l)) };
    let snapshot = snap('v1', { a: entry(true), b: entry(1), c: entry('x') });
    const chunks: string[] = [];
    createSnapshotEventStream({ client, evaluate: () => snapshot, write: (c) => chunks.push(c), heartbeatInterval: 0, delta, lastEventId });
    return {
      chunks,
      change(next: FlagSnapshot) {
        snapshot = next;
        listeners.forEach((l) => l());
      },
    };
  }

  it('sends only the entries that changed for this user, nothing when none did, the snapshot when most did', () => {
    const { chunks, change } = setup(true);
    expect(chunks[1]).toMatch(/^event: update\nid: v1\n/);
    change(snap('v1', { a: entry(true), b: entry(1), c: entry('x') }));
    expect(chunks).toHaveLength(2);
    change(snap('v2', { a: entry(false), b: entry(1), c: entry('x') }));
    expect(chunks[2]).toBe('event: patch\nid: v2\ndata: {"base":"v1","version":"v2","flags":{"a":{"value":false,"reason":"STATIC"}}}\n\n');
    change(snap('v3', { a: entry(false), b: entry(1) }));
    expect(chunks[3]).toBe('event: patch\nid: v3\ndata: {"base":"v2","version":"v3","flags":{},"removed":["c"]}\n\n');
    change(snap('v4', { a: entry(1), b: entry(2) }));
    expect(chunks[4]).toMatch(/^event: update\nid: v4\n/);
  });

  it('patches from the version a resuming browser already has, and never without delta', () => {
    const resumed = setup(true, 'v1');
    expect(resumed.chunks).toHaveLength(1);
    resumed.change(snap('v2', { a: entry(false), b: entry(1), c: entry('x') }));
    expect(resumed.chunks[1]).toMatch(/^event: patch\nid: v2\ndata: \{"base":"v1"/);
    const legacy = setup(false);
    legacy.change(snap('v2', { a: entry(false), b: entry(1), c: entry('x') }));
    expect(legacy.chunks[2]).toMatch(/^event: update\nid: v2\n/);
  });
});

describe('sseStream ↔ createFlagsHandler with patches', () => {
  it('keeps the browser snapshot equal to a fresh evaluation through every change, receiving patches', async () => {
    const flag = (on: boolean) => ({ variants: { on: true, off: false }, enabled: true, offVariant: 'off', defaultServe: { variant: on ? 'on' : 'off' } });
    const definitions = (version: number, flags: Record<string, unknown>): Definitions => {
      const result = parseDefinitions({ schemaVersion: 1, version, flags });
      if (!result.ok) throw new Error(JSON.stringify(result.problems));
      return result.definitions;
    };
    let emit: (update: SourceUpdate) => void = () => {};
    const client = createFlagClient({
      source: { name: 'test', start: (e) => ((emit = e), e({ type: 'definitions', definitions: definitions(1, { a: flag(true), b: flag(true), c: flag(false) }) }), () => {}) },
      logger: false,
    });
    const handler = createFlagsHandler({ client, scope: '@test', context: () => ({ userId: 'u1' }), snapshot: (_r, context) => client.evaluateAll(context), report: () => {} });
    const events: string[] = [];
    const headers: Array<string | null> = [];
    // The store's requests go straight into the handler; stream bodies are copied to `events` on the way.
    const viaHandler: typeof fetch = async (input, init) => {
      const request = new Request(new URL(String(input), 'http://app.test'), init);
      const response = await handler(request);
      if (!response.headers.get('content-type')?.includes('text/event-stream')) return response;
      headers.push(request.headers.get('x-halyard-stream'));
      const decoder = new TextDecoder();
      const tap = new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          for (const block of decoder.decode(chunk, { stream: true }).split('\n\n')) if (block.startsWith('event: ')) events.push(block.slice(7, block.indexOf('\n')));
          controller.enqueue(chunk);
        },
      });
      return new Response(response.body!.pipeThrough(tap), { status: response.status, headers: response.headers });
    };
    store = sseStream({ fetch: viaHandler, retry: { base: 5, max: 10 } })({ endpoint: '/api/flags', pollInterval: 60_000, isServer: false, fetch: viaHandler });
    store.subscribe(() => {});
    await waitFor(() => expect(store?.getSnapshot().snapshot).toEqual(client.evaluateAll({ userId: 'u1' })));
    const steps = [
      { a: flag(false), b: flag(true), c: flag(false) },
      { a: flag(false), b: flag(true), c: flag(false), d: flag(true) },
      { a: flag(false), c: flag(false), d: flag(true) },
      { a: flag(true), c: flag(false), d: flag(true) },
    ];
    for (const [i, flags] of steps.entries()) {
      emit({ type: 'definitions', definitions: definitions(i + 2, flags) });
      await waitFor(() => expect(store?.getSnapshot().snapshot).toEqual(client.evaluateAll({ userId: 'u1' })));
    }
    expect(headers[0]).toBe('delta');
    expect(events).toEqual(['update', 'patch', 'patch', 'patch', 'patch']);
  });
});
