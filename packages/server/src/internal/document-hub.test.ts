import type { ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { FlagsDocument } from '@halyard/core';
import { afterEach, describe, expect, it } from 'vitest';
import { DocumentHub } from './document-hub';

// The hub's fan-out logic against recording responses; real sockets, databases and instances are in
// test/stream-deltas.test.ts.

const flag = (on: boolean, description = 'a flag with a description long enough to make patches worth it') => ({
  variants: { on: true, off: false },
  enabled: on,
  offVariant: 'off',
  defaultServe: { variant: 'on' },
  description,
});

function doc(version: number, flags: Record<string, ReturnType<typeof flag>>): FlagsDocument {
  return { schemaVersion: 1, version, flags, segments: {} };
}

const many = (version: number, changed: Record<string, ReturnType<typeof flag>> = {}) =>
  doc(version, { ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`f${i}`, flag(true)])), ...changed });

/** A response that records what the hub writes, decoded to `event id` lines. */
function recorder(gzip = false) {
  const chunks: Buffer[] = [];
  const res = {
    destroyed: false,
    writableEnded: false,
    writableLength: 0,
    write(chunk: Buffer) {
      chunks.push(gzip ? gunzipSync(chunk) : chunk);
      return true;
    },
    on() {
      return res;
    },
    end() {
      res.writableEnded = true;
    },
  };
  const events = () =>
    Buffer.concat(chunks)
      .toString()
      .split('\n\n')
      .filter((block) => block.startsWith('event: '))
      .map((block) => {
        const [event, id, data] = block.split('\n');
        return { event: event!.slice(7), id: id!.slice(4), data: JSON.parse(data!.slice(6)) as Record<string, unknown> };
      });
  return { res: res as unknown as ServerResponse, events };
}

let hub: DocumentHub | undefined;
afterEach(() => hub?.close());

function createHub(): DocumentHub {
  const store = { documents: { load: async () => undefined }, environments: { versions: async () => new Map() } };
  hub = new DocumentHub({ store: store as never, heartbeatMs: 60_000, onError: () => {} });
  return hub;
}

describe('DocumentHub delta streams', () => {
  it('diffs concurrent publishes against the version each replaces: one contiguous chain', async () => {
    const h = createHub();
    await h.publish('prod', many(1));
    const delta = recorder(true);
    const full = recorder();
    h.attach('prod', h.peek('prod')!, delta.res, 'k', '1', true, true);
    h.attach('prod', h.peek('prod')!, full.res, 'k', undefined, false, false);
    // Not awaited one by one: the second build starts before the first is installed.
    await Promise.all([h.publish('prod', many(2, { f1: flag(false) })), h.publish('prod', many(3, { f1: flag(false), f2: flag(false) }))]);
    expect(delta.events().map((e) => [e.event, e.id, e.data.base])).toEqual([
      ['patch', '2', 1],
      ['patch', '3', 2],
    ]);
    expect(Object.keys(delta.events()[1]!.data.flags as object)).toEqual(['f2']);
    expect(full.events().map((e) => [e.event, e.id])).toEqual([
      ['update', '1'],
      ['update', '2'],
      ['update', '3'],
    ]);
  });

  it('resumes from a kept version with its patches, and sends the document when the chain would outweigh it', async () => {
    const h = createHub();
    await h.publish('prod', many(1));
    await h.publish('prod', many(2, { f1: flag(false) }));
    await h.publish('prod', many(3, { f1: flag(false), f2: flag(false) }));
    const resumed = recorder();
    h.attach('prod', h.peek('prod')!, resumed.res, 'k', '1', false, true);
    expect(resumed.events().map((e) => [e.event, e.id])).toEqual([
      ['patch', '2'],
      ['patch', '3'],
    ]);
    const stranger = recorder();
    h.attach('prod', h.peek('prod')!, stranger.res, 'k', '7', false, true);
    expect(stranger.events().map((e) => [e.event, e.id])).toEqual([['update', '3']]);

    // Every flag rewritten twice: two such patches weigh more than the document, so only the last one is kept.
    const rewrite = (version: number, text: string) => doc(version, Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`f${i}`, flag(true, text)])));
    await h.publish('prod', rewrite(4, 'x'.repeat(20)));
    await h.publish('prod', rewrite(5, 'y'.repeat(20)));
    expect(h.peek('prod')!.patches.map((p) => `${p.base}→${p.version}`)).toEqual(['4→5']);
    const behind = recorder();
    h.attach('prod', h.peek('prod')!, behind.res, 'k', '3', false, true);
    expect(behind.events().map((e) => [e.event, e.id])).toEqual([['update', '5']]);
  });
});
