import { createEvaluator, createFlagClient, httpSource, parseDefinitions } from '@halyard/core';
import type { Definitions, FlagClient } from '@halyard/core';
import { applyDefinitionsPatch } from '@halyard/core/definitions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HalyardServer } from '../src/index';
import { REDIS_URL, booleanFlag, call, createKey, createStorage, startServer, uniqueName, type TestStorage } from './helpers';

interface RawEvent {
  event: string;
  id: string | undefined;
  data: any;
}

/** Every event of one stream, whatever its type (helpers' SseClient keeps only `update`). */
class EventReader {
  readonly events: RawEvent[] = [];
  contentEncoding: string | null = null;
  private readonly controller = new AbortController();
  private wake: Array<() => void> = [];

  static async open(url: string, token: string, headers: Record<string, string> = {}): Promise<EventReader> {
    const reader = new EventReader();
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, ...headers }, signal: reader.controller.signal });
    expect(response.status).toBe(200);
    reader.contentEncoding = response.headers.get('content-encoding');
    void reader.read(response).catch(() => {});
    return reader;
  }

  private async read(response: Response): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        let id: string | undefined;
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('id: ')) id = line.slice(4);
          else if (line.startsWith('data: ')) data.push(line.slice(6));
        }
        if (data.length > 0) this.events.push({ event, id, data: JSON.parse(data.join('\n')) });
        for (const wake of this.wake.splice(0)) wake();
      }
    }
  }

  async waitForCount(count: number, timeoutMs = 10_000): Promise<RawEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length < count) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`expected ${count} events, got ${JSON.stringify(this.events.map((e) => `${e.event} ${e.id}`))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.wake.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.events;
  }

  close(): void {
    this.controller.abort();
  }
}

function parsed(document: unknown): Definitions {
  const result = parseDefinitions(document);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.definitions;
}

async function fullFetch(url: string, sdk: string): Promise<Definitions> {
  const response = await call(url, 'GET', '/sdk/v1/definitions', { token: sdk });
  expect(response.status).toBe(200);
  return parsed(response.body);
}

async function until(check: () => boolean | Promise<boolean>, what: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A streaming httpSource client that counts its requests for the whole document (resyncs show up there). */
function streamingClient(url: string, sdk: string): { client: FlagClient; documentRequests: () => number; streamHeaders: Array<Record<string, string>> } {
  let documents = 0;
  const streamHeaders: Array<Record<string, string>> = [];
  const countingFetch: typeof fetch = (input, init) => {
    const target = String(input instanceof Request ? input.url : input);
    if (target.includes('/sdk/v1/definitions')) documents++;
    else streamHeaders.push({ ...(init?.headers as Record<string, string>) });
    return fetch(input, init);
  };
  const client = createFlagClient({ source: httpSource({ url: `${url}/sdk/v1/definitions`, sdkKey: sdk, stream: true, fetch: countingFetch }), logger: false });
  return { client, documentRequests: () => documents, streamHeaders };
}

const DELTA = { 'x-halyard-stream': 'delta' };
const F = '/api/v1/environments/staging/flags';
const S = '/api/v1/environments/staging/segments';

describe('delta streams (GET /sdk/v1/stream with X-Halyard-Stream: delta)', () => {
  let storage: TestStorage;
  let server: HalyardServer;
  let admin: string;
  let sdk: string;

  beforeAll(async () => {
    storage = createStorage('postgres');
    server = await startServer(storage);
    admin = server.bootstrapToken!;
    sdk = await createKey(server.url, admin, { type: 'sdk', environment: 'staging', name: 'deltas' });
    // Enough flags that a few changes weigh less than the document (a longer chain is answered with the document).
    const fillers = Array.from({ length: 20 }, (_, i) => `filler-${String(i).padStart(2, '0')}`);
    for (const key of ['alpha', 'beta', 'gamma', ...fillers]) {
      await call(server.url, 'POST', F, { token: admin, body: { key, definition: { ...booleanFlag(true), description: `The ${key} flag, described at some length` } } });
    }
  });

  afterAll(async () => {
    await server?.close();
    await storage?.drop();
  });

  it('sends a toggle as a one-flag patch to delta streams (gzip or not) and the whole document to the others', async () => {
    const streams = await Promise.all([
      EventReader.open(`${server.url}/sdk/v1/stream`, sdk, DELTA),
      // `?delta=1` is the same request for clients that cannot set headers (EventSource).
      EventReader.open(`${server.url}/sdk/v1/stream?delta=1`, sdk, { 'accept-encoding': 'identity' }),
      EventReader.open(`${server.url}/sdk/v1/stream`, sdk),
    ]);
    try {
      expect(streams.map((s) => s.contentEncoding)).toEqual(['gzip', null, 'gzip']);
      const first = await Promise.all(streams.map(async (s) => (await s.waitForCount(1))[0]!));
      expect(first.map((e) => e.event)).toEqual(['update', 'update', 'update']);
      const base = first[0]!.data;

      const toggled = await call(server.url, 'POST', `${F}/beta/toggle`, { token: admin, body: { enabled: false } });
      expect(toggled.status).toBe(200);
      const [gzipDelta, plainDelta, legacy] = await Promise.all(streams.map(async (s) => (await s.waitForCount(2))[1]!));
      const current = await fullFetch(server.url, sdk);
      for (const event of [gzipDelta!, plainDelta!]) {
        expect(event.event).toBe('patch');
        expect(event.id).toBe(current.version);
        expect(event.data).toMatchObject({ base: base.version, version: Number(current.version) });
        expect(Object.keys(event.data)).toEqual(['base', 'version', 'flags']);
        expect(Object.keys(event.data.flags)).toEqual(['beta']);
        const result = applyDefinitionsPatch(parsed(base), event.data);
        expect(result.ok && result.definitions).toEqual(current);
      }
      expect(legacy!.event).toBe('update');
      expect(parsed(legacy!.data)).toEqual(current);
    } finally {
      for (const s of streams) s.close();
    }
  });

  it('resumes from a recent Last-Event-ID with the patches since, from an unknown one with the document', async () => {
    const start = await fullFetch(server.url, sdk);
    await call(server.url, 'POST', `${F}/alpha/toggle`, { token: admin, body: { enabled: false } });
    await call(server.url, 'POST', F, { token: admin, body: { key: 'delta', definition: booleanFlag(false) } });
    await call(server.url, 'DELETE', `${F}/gamma`, { token: admin });
    const end = await fullFetch(server.url, sdk);

    const resumed = await EventReader.open(`${server.url}/sdk/v1/stream`, sdk, { ...DELTA, 'last-event-id': start.version });
    const unknown = await EventReader.open(`${server.url}/sdk/v1/stream`, sdk, { ...DELTA, 'last-event-id': '1' });
    const legacy = await EventReader.open(`${server.url}/sdk/v1/stream`, sdk, { 'last-event-id': start.version });
    const current = await EventReader.open(`${server.url}/sdk/v1/stream`, sdk, { ...DELTA, 'last-event-id': end.version });
    try {
      const patches = await resumed.waitForCount(3);
      expect(patches.map((e) => e.event)).toEqual(['patch', 'patch', 'patch']);
      expect(patches.at(-1)!.id).toBe(end.version);
      let held = start;
      for (const patch of patches) {
        const result = applyDefinitionsPatch(held, patch.data);
        if (!result.ok) throw new Error(JSON.stringify(result));
        held = result.definitions;
      }
      expect(held).toEqual(end);
      expect(Object.keys(held.flags)).toEqual(Object.keys(end.flags));
      expect((await unknown.waitForCount(1))[0]).toMatchObject({ event: 'update', id: end.version });
      expect((await legacy.waitForCount(1))[0]).toMatchObject({ event: 'update', id: end.version });

      // A client that is current gets nothing on connect; the next change is a patch from its version.
      await call(server.url, 'POST', `${F}/alpha/toggle`, { token: admin, body: { enabled: true } });
      const [next] = await current.waitForCount(1);
      expect(next).toMatchObject({ event: 'patch', data: { base: Number(end.version) } });
    } finally {
      for (const s of [resumed, unknown, legacy, current]) s.close();
    }
  });

  it('keeps httpSource identical to a full fetch through toggles, new and removed segments, and a reordering import', async () => {
    const { client, documentRequests, streamHeaders } = streamingClient(server.url, sdk);
    try {
      await client.ready();
      expect(streamHeaders[0]).toMatchObject(DELTA);
      const steps: Array<() => Promise<unknown>> = [
        () => call(server.url, 'POST', S, { token: admin, body: { key: 'staff', definition: { included: ['u1'] } } }),
        () =>
          call(server.url, 'POST', F, {
            token: admin,
            body: { key: 'aa-first', definition: { ...booleanFlag(false), rules: [{ conditions: [{ operator: 'inSegment', values: ['staff'] }], serve: { variant: 'on' } }] } },
          }),
        () => call(server.url, 'POST', `${F}/aa-first/toggle`, { token: admin, body: { enabled: true } }),
        () => call(server.url, 'DELETE', `${F}/aa-first`, { token: admin }),
        () => call(server.url, 'DELETE', `${S}/staff`, { token: admin }),
        async () => {
          const document = (await call(server.url, 'GET', '/api/v1/environments/staging/document', { token: admin })).body;
          const flags = { ...document.flags, '0-new': booleanFlag(true) };
          delete flags.alpha;
          return call(server.url, 'PUT', '/api/v1/environments/staging/document', { token: admin, body: { schemaVersion: 1, flags, segments: document.segments } });
        },
      ];
      for (const step of steps) {
        const response = (await step()) as { status: number };
        expect(response.status).toBeLessThan(300);
        const expected = await fullFetch(server.url, sdk);
        await until(() => client.getSnapshot().version === expected.version, () => `version ${expected.version}`);
        const held = client.getSnapshot().definitions!;
        expect(held).toEqual(expected);
        expect(Object.keys(held.flags)).toEqual(Object.keys(expected.flags));
        // Same key order, so the same evaluation order and the same snapshot version as a fresh fetch.
        expect(client.evaluateAll({ userId: 'u1' })).toEqual(createEvaluator(expected).evaluateAll({ userId: 'u1' }));
      }
      // Every change was applied as a patch (or a document on the stream): no re-sync ever fetched the document.
      expect(documentRequests()).toBe(0);
      expect(client.getSnapshot().status).toBe('ready');
    } finally {
      client.close();
    }
  });
});

describe('delta streams on three instances sharing PostgreSQL and Redis', () => {
  let storage: TestStorage;
  let servers: HalyardServer[] = [];
  let admin: string;
  let sdk: string;

  beforeAll(async () => {
    storage = createStorage('postgres');
    const redisChannel = uniqueName('halyard-deltas');
    servers = await Promise.all([0, 1, 2].map(() => startServer(storage, { redisUrl: REDIS_URL, redisChannel })));
    admin = servers.map((s) => s.bootstrapToken).find(Boolean)!;
    sdk = await createKey(servers[0]!.url, admin, { type: 'sdk', environment: 'production', name: 'fleet-deltas' });
    await call(servers[0]!.url, 'POST', '/api/v1/environments/production/flags', { token: admin, body: { key: 'shared', definition: booleanFlag(true) } });
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await storage?.drop();
  });

  it('converges a streaming client on each instance after every write, bursts included, by patches alone', async () => {
    const P = '/api/v1/environments/production/flags';
    const clients = servers.map((s) => streamingClient(s.url, sdk));
    // A raw delta stream on an instance that never commits anything itself: it learns of changes by NOTIFY/Redis.
    const raw = await EventReader.open(`${servers[2]!.url}/sdk/v1/stream`, sdk, DELTA);
    try {
      await Promise.all(clients.map((c) => c.client.ready()));
      const converge = async () => {
        // The newest version any instance serves: the writer has it at once (read-your-writes), the others soon.
        const documents = await Promise.all(servers.map((s) => fullFetch(s.url, sdk)));
        const expected = documents.reduce((a, b) => (Number(b.version) > Number(a.version) ? b : a));
        await until(() => clients.every((c) => c.client.getSnapshot().version === expected.version), () => `all clients at ${expected.version} (${clients.map((c) => `${c.client.getSnapshot().version} ${c.client.getSnapshot().status} ${c.client.getSnapshot().error?.message}`).join(', ')})`);
        for (const c of clients) {
          expect(c.client.getSnapshot().definitions).toEqual(expected);
          expect(Object.keys(c.client.getSnapshot().definitions!.flags)).toEqual(Object.keys(expected.flags));
        }
        return expected;
      };
      for (let i = 0; i < 6; i++) {
        const via = servers[i % 3]!;
        if (i % 2 === 0) await call(via.url, 'POST', `${P}/shared/toggle`, { token: admin, body: { enabled: i % 4 === 0 ? false : true } });
        else await call(via.url, 'POST', P, { token: admin, body: { key: `f-${i}`, definition: booleanFlag(i % 3 === 0) } });
        await converge();
      }
      // A burst from all three at once: other instances may skip versions and diff against what they last had.
      await Promise.all(servers.map((s, i) => call(s.url, 'POST', P, { token: admin, body: { key: `burst-${i}`, definition: booleanFlag(true) } })));
      await Promise.all(servers.map((s, i) => call(s.url, 'POST', `${P}/burst-${i}/toggle`, { token: admin, body: { enabled: false } })));
      const final = await converge();
      for (const c of clients) expect(c.documentRequests()).toBe(0);
      // Instance 2 diffed each version it loaded against the one it had before, whoever wrote them.
      await until(() => raw.events.at(-1)?.id === final.version, () => `the raw stream at ${final.version}`);
      const [first, ...changes] = raw.events;
      expect(first!.event).toBe('update');
      expect(changes.length).toBeGreaterThan(0);
      let held = parsed(first!.data);
      for (const change of changes) {
        expect(change.event).toBe('patch');
        const result = applyDefinitionsPatch(held, change.data);
        if (!result.ok) throw new Error(JSON.stringify(result));
        held = result.definitions;
      }
      expect(held).toEqual(final);
    } finally {
      raw.close();
      for (const c of clients) c.client.close();
    }
  });
});
