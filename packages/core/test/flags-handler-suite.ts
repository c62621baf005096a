/**
 * The flags endpoint's behaviour, once, for every adapter. `@halyard/express` (a real Express app) and
 * `@halyard/next` (the route's handlers behind a Node HTTP shell, as `next start` runs them) each call
 * `flagsHandlerSuite` with a factory that serves the endpoint over real HTTP on port 0; the expectations below are
 * the same for both, so status codes, headers, limits, HEAD/405, the 503 policy, ETag/304 and SSE cannot drift.
 *
 * The server context of every adapter is `userFrom(<x-user header>)` (each reads the header its own way).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFlagClient, createSnapshotStore, encodeContextParam, parseDefinitions } from '@halyard/core';
import type { FlagClient, FlagSnapshot, FlagsDocument, SourceUpdate } from '@halyard/core';

/** What the suite asks an adapter to serve; everything but `client` is the adapter's own option of that name. */
export interface SuiteEndpointOptions {
  client: FlagClient;
  allowClientContext?: string[];
  bodyLimit?: number;
  stream?: boolean;
  heartbeatInterval?: number;
  readyTimeout?: number;
  onError?: (error: Error) => void;
}

export interface ServedEndpoint {
  /** The endpoint's absolute URL. */
  url: string;
  close(): Promise<void>;
}

/** The server context every adapter derives: `{ userId }` from the `x-user` header, `{}` without one. */
export function userFrom(header: string | null | undefined): { userId?: string } {
  return header ? { userId: header } : {};
}

/** Serves the adapter's flags endpoint over real HTTP, its context being `userFrom(x-user header)`. */
export type EndpointFactory = (options: SuiteEndpointOptions) => Promise<ServedEndpoint>;

export const SUITE_DOCUMENT: FlagsDocument = {
  schemaVersion: 1,
  version: 1,
  flags: {
    'new-checkout': {
      variants: { on: true, off: false },
      enabled: true,
      offVariant: 'off',
      targets: [{ variant: 'on', values: ['alice'] }],
      defaultServe: { variant: 'off' },
    },
    'ai-recommendations': { variants: { on: true, off: false }, enabled: false, offVariant: 'off', defaultServe: { variant: 'on' } },
    locale: {
      variants: { on: true, off: false },
      enabled: true,
      offVariant: 'off',
      rules: [{ conditions: [{ attribute: 'locale', operator: 'equals', values: ['fr'] }], serve: { variant: 'on' } }],
      defaultServe: { variant: 'off' },
    },
    'team-plan': {
      variants: { a: 'a', b: 'b' },
      enabled: true,
      offVariant: 'a',
      defaultServe: { split: [{ variant: 'a', weight: 1 }, { variant: 'b', weight: 1 }], bucketBy: 'accountId' },
    },
  },
};

export function withAi(enabled: boolean, version: number): FlagsDocument {
  return { ...SUITE_DOCUMENT, version, flags: { ...SUITE_DOCUMENT.flags, 'ai-recommendations': { ...SUITE_DOCUMENT.flags['ai-recommendations']!, enabled } } };
}

/** A real client over a source the test drives: publish documents, fail, or never load. Counts subscribers. */
export function drivenClient(initial: FlagsDocument | undefined) {
  let emit: ((update: SourceUpdate) => void) | undefined;
  const client = createFlagClient({
    source: {
      name: 'suite',
      start(e) {
        emit = e;
        if (initial !== undefined) publishTo(e, initial);
        return () => {
          emit = undefined;
        };
      },
    },
    logger: false,
  });
  const counts = { subscribers: 0 };
  const counted: FlagClient = {
    ...client,
    get status() {
      return client.status;
    },
    subscribe(listener) {
      counts.subscribers++;
      const off = client.subscribe(listener);
      return () => {
        counts.subscribers--;
        off();
      };
    },
  };
  return {
    client: counted,
    counts,
    publish: (document: FlagsDocument) => emit && publishTo(emit, document),
    fail: (message: string) => emit?.({ type: 'error', error: new Error(message) }),
  };
}

function publishTo(emit: (update: SourceUpdate) => void, document: FlagsDocument): void {
  const result = parseDefinitions(document);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  emit({ type: 'definitions', definitions: result.definitions });
}

/** Reads server-sent events from a fetch response. */
async function openStream(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const fill = async (): Promise<void> => {
    const { value, done } = await reader.read();
    if (done) throw new Error('stream ended');
    buffer += decoder.decode(value, { stream: true });
  };
  return {
    response,
    /** Reads until `count` update events have arrived; returns their ids and parsed data. */
    async next(count = 1) {
      const events: Array<{ id: string; data: FlagSnapshot }> = [];
      for (;;) {
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!block.startsWith('event: update')) continue;
          events.push({ id: /^id: (.*)$/m.exec(block)?.[1] ?? '', data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null') as FlagSnapshot });
          if (events.length === count) return events;
        }
        await fill();
      }
    },
    /** Reads until the raw text contains `needle`. */
    async until(needle: string) {
      while (!buffer.includes(needle)) await fill();
    },
    pending: () => buffer,
    close: () => controller.abort(),
  };
}

export function flagsHandlerSuite(adapter: string, serve: EndpointFactory): void {
  describe(`${adapter}: the flags endpoint (shared suite)`, () => {
    let served: ServedEndpoint | undefined;
    afterEach(async () => {
      await served?.close();
      served = undefined;
    });
    async function endpoint(options: SuiteEndpointOptions): Promise<string> {
      await served?.close();
      served = await serve({ onError: () => {}, ...options });
      return served.url;
    }
    const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

    it('answers POST and GET with the per-user snapshot, a strong ETag, private no-store and Vary', async () => {
      const { client } = drivenClient(SUITE_DOCUMENT);
      const url = await endpoint({ client });
      const alice = await post(url, { context: {} }, { 'x-user': 'alice' });
      expect(alice.status).toBe(200);
      expect(alice.headers.get('content-type')).toBe('application/json; charset=utf-8');
      const snapshot = (await alice.json()) as FlagSnapshot;
      expect(snapshot.flags['new-checkout']).toEqual({ value: true, variant: 'on', reason: 'TARGETING_MATCH', ruleId: 'target' });
      expect(alice.headers.get('etag')).toBe(`"${snapshot.version}"`);
      expect(alice.headers.get('cache-control')).toBe('private, no-store');
      expect(alice.headers.get('vary')).toBe('Cookie, Authorization');
      const bob = await fetch(url, { headers: { 'x-user': 'bob' } });
      expect(bob.status).toBe(200);
      expect(((await bob.json()) as FlagSnapshot).flags['new-checkout']?.value).toBe(false);
      expect(bob.headers.get('etag')).not.toBe(alice.headers.get('etag'));
    });

    it('answers HEAD like GET without a body, and other methods with 405 and Allow', async () => {
      const { client } = drivenClient(SUITE_DOCUMENT);
      const url = await endpoint({ client });
      const get = await fetch(url, { headers: { 'x-user': 'bob' } });
      const head = await fetch(url, { method: 'HEAD', headers: { 'x-user': 'bob' } });
      expect(head.status).toBe(200);
      expect(await head.text()).toBe('');
      for (const name of ['etag', 'cache-control', 'vary', 'content-type']) expect(head.headers.get(name)).toBe(get.headers.get(name));
      for (const method of ['PUT', 'PATCH', 'DELETE']) {
        const response = await fetch(url, { method });
        expect(response.status).toBe(405);
        expect(response.headers.get('allow')).toBe('GET, HEAD, POST');
        expect(((await response.json()) as { error: string }).error).toMatch(new RegExp(`answers GET, HEAD and POST, not ${method}`));
      }
    });

    it('answers 304 when If-None-Match matches (strong, weak, lists), 200 for others and after a change', async () => {
      const { client, publish } = drivenClient(SUITE_DOCUMENT);
      const url = await endpoint({ client });
      const etag = (await post(url, {}, { 'x-user': 'bob' })).headers.get('etag')!;
      const same = await post(url, {}, { 'x-user': 'bob', 'if-none-match': etag });
      expect(same.status).toBe(304);
      expect(same.headers.get('etag')).toBe(etag);
      expect(await same.text()).toBe('');
      expect((await fetch(url, { headers: { 'x-user': 'bob', 'if-none-match': `"other", W/${etag}` } })).status).toBe(304);
      expect((await fetch(url, { method: 'HEAD', headers: { 'x-user': 'bob', 'if-none-match': etag } })).status).toBe(304);
      expect((await post(url, {}, { 'x-user': 'alice', 'if-none-match': etag })).status).toBe(200);
      publish(withAi(true, 2));
      const changed = await post(url, {}, { 'x-user': 'bob', 'if-none-match': etag });
      expect(changed.status).toBe(200);
      expect(((await changed.json()) as FlagSnapshot).flags['ai-recommendations']?.value).toBe(true);
    });

    it('takes browser-sent attributes only when allowed, the server winning; bad input is 400', async () => {
      const { client } = drivenClient(SUITE_DOCUMENT);
      let url = await endpoint({ client });
      const spoofed = (await (await post(url, { context: { userId: 'alice', locale: 'fr' } }, { 'x-user': 'bob' })).json()) as FlagSnapshot;
      expect(spoofed.flags['new-checkout']?.value).toBe(false);
      expect(spoofed.flags.locale?.value).toBe(false);
      // Nothing allowed: the body is not even read.
      expect((await post(url, '{not json', { 'x-user': 'bob' })).status).toBe(200);

      url = await endpoint({ client, allowClientContext: ['locale', 'userId'] });
      const fr = (await (await post(url, { context: { locale: 'fr', userId: 'alice' } }, { 'x-user': 'bob' })).json()) as FlagSnapshot;
      expect(fr.flags.locale?.value).toBe(true);
      expect(fr.flags['new-checkout']?.value).toBe(false); // userId is allowed, but the server's (bob) wins
      expect((await post(url, '')).status).toBe(200);
      const bad = await post(url, '{not json');
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toMatch(/must be JSON/);
      expect((await post(url, { context: 'fr' })).status).toBe(400);
      expect((await post(url, [1])).status).toBe(400);
    });

    it('limits the body in bytes, not characters: 413 past bodyLimit', async () => {
      const { client } = drivenClient(SUITE_DOCUMENT);
      const url = await endpoint({ client, allowClientContext: ['locale'], bodyLimit: 100 });
      const ascii = JSON.stringify({ context: { locale: 'x'.repeat(60) } });
      expect(Buffer.byteLength(ascii)).toBeLessThanOrEqual(100);
      expect((await post(url, ascii)).status).toBe(200);
      // 60 characters but 120 bytes of UTF-8: over the limit, though a character count would pass it.
      const wide = JSON.stringify({ context: { locale: 'é'.repeat(60) } });
      expect(wide.length).toBeLessThanOrEqual(100);
      const tooLarge = await post(url, wide);
      expect(tooLarge.status).toBe(413);
      expect(((await tooLarge.json()) as { error: string }).error).toMatch(/larger than 100 bytes/);
      expect((await post(url, { context: { locale: 'x'.repeat(200) } })).status).toBe(413);
    });

    describe('before the first flags (the 503 policy)', () => {
      it('waits up to readyTimeout for them and answers 200 when they arrive in time', async () => {
        const late = drivenClient(undefined);
        const url = await endpoint({ client: late.client, readyTimeout: 10_000 });
        const pending = post(url, {}, { 'x-user': 'alice' });
        setTimeout(() => late.publish(SUITE_DOCUMENT), 30);
        const response = await pending;
        expect(response.status).toBe(200);
        expect(((await response.json()) as FlagSnapshot).flags['new-checkout']?.value).toBe(true);
      });

      it('answers 503 with Retry-After and no-store once the wait is over, and reports it', async () => {
        const { client } = drivenClient(undefined);
        const onError = vi.fn();
        const url = await endpoint({ client, readyTimeout: 20, onError });
        for (const response of [await post(url, {}), await fetch(url), await fetch(`${url}?stream=1`)]) {
          expect(response.status).toBe(503);
          expect(response.headers.get('retry-after')).toBe('1');
          expect(response.headers.get('cache-control')).toBe('no-store');
          expect(((await response.json()) as { error: string }).error).toMatch(/flags are not loaded yet; retry shortly/);
        }
        expect(String(onError.mock.calls[0]?.[0])).toMatch(/no flags loaded after 20 ms/);
      });

      it('answers 503 at once when the source already failed (a broken source holds no request)', async () => {
        const broken = drivenClient(undefined);
        broken.fail('flag service down');
        // A wait would outlast the test's timeout: only an immediate answer passes.
        const url = await endpoint({ client: broken.client, readyTimeout: 600_000 });
        expect((await post(url, {})).status).toBe(503);
      });

      it('answers at once with readyTimeout 0', async () => {
        const { client } = drivenClient(undefined);
        const url = await endpoint({ client, readyTimeout: 0 });
        expect((await fetch(url)).status).toBe(503);
      });
    });

    it('marks the exposure unit of splits not bucketed by userId in the snapshot', async () => {
      const { client } = drivenClient(SUITE_DOCUMENT);
      const url = await endpoint({ client, allowClientContext: ['accountId'] });
      const snapshot = (await (await post(url, { context: { accountId: 'acct-7' } }, { 'x-user': 'bob' })).json()) as FlagSnapshot;
      expect(snapshot.flags['team-plan']).toMatchObject({ reason: 'SPLIT', unitBy: 'accountId' });
      expect(snapshot.flags['new-checkout']?.unitBy).toBeUndefined();
    });

    describe('server-sent events', () => {
      it('pushes the snapshot, then each change of it, with heartbeats, and unsubscribes on disconnect', async () => {
        const driven = drivenClient(SUITE_DOCUMENT);
        const url = await endpoint({ client: driven.client, heartbeatInterval: 20 });
        const stream = await openStream(`${url}?stream=1`, { 'x-user': 'bob' });
        expect(stream.response.status).toBe(200);
        expect(stream.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
        expect(stream.response.headers.get('cache-control')).toBe('private, no-store, no-transform');
        expect(stream.response.headers.get('vary')).toBe('Cookie, Authorization');
        expect(stream.response.headers.get('x-accel-buffering')).toBe('no');
        const [first] = await stream.next();
        expect(first!.id).toBe(first!.data.version);
        expect(first!.data.flags['new-checkout']?.value).toBe(false);
        expect(driven.counts.subscribers).toBe(1);
        await stream.until(': ping');
        // A change that leaves bob's flags alone sends nothing; one that changes them sends the new snapshot.
        driven.publish({
          ...SUITE_DOCUMENT,
          version: 2,
          flags: { ...SUITE_DOCUMENT.flags, 'new-checkout': { ...SUITE_DOCUMENT.flags['new-checkout']!, targets: [{ variant: 'on', values: ['carol'] }] } },
        });
        driven.publish(withAi(true, 3));
        const [second] = await stream.next();
        expect(second!.data.flags['ai-recommendations']?.value).toBe(true);
        expect(stream.pending()).not.toContain('event: update');
        stream.close();
        await vi.waitFor(() => expect(driven.counts.subscribers).toBe(0));
      });

      it('negotiates by Accept too, skips what Last-Event-ID says the browser has, and can be switched off', async () => {
        const driven = drivenClient(SUITE_DOCUMENT);
        let url = await endpoint({ client: driven.client });
        const current = (await ((await fetch(url, { headers: { 'x-user': 'bob' } })).json() as Promise<FlagSnapshot>)).version;
        const stream = await openStream(url, { 'x-user': 'bob', accept: 'text/event-stream', 'last-event-id': current });
        await stream.until('halyard flags stream');
        driven.publish(withAi(true, 2));
        const [event] = await stream.next();
        expect(event!.data.flags['ai-recommendations']?.value).toBe(true);
        expect(event!.id).not.toBe(current);
        stream.close();

        url = await endpoint({ client: driven.client, stream: false });
        const plain = await fetch(`${url}?stream=1`);
        expect(plain.headers.get('content-type')).toBe('application/json; charset=utf-8');
      });

      it('reads allowed attributes from the context parameter (400 when undecodable); a real store receives pushes', async () => {
        const driven = drivenClient(SUITE_DOCUMENT);
        const url = await endpoint({ client: driven.client, allowClientContext: ['userId'] });
        const stream = await openStream(`${url}?stream=1&context=${encodeContextParam({ userId: 'alice', other: 1 })}`);
        const [event] = await stream.next();
        expect(event!.data.flags['new-checkout']?.value).toBe(true);
        stream.close();
        expect((await fetch(`${url}?stream=1&context=%%%`)).status).toBe(400);

        const store = createSnapshotStore({ endpoint: url, stream: true, context: { userId: 'alice' }, pollInterval: 60_000, isServer: false });
        const polling = createSnapshotStore({ endpoint: url, context: { userId: 'alice' }, pollInterval: 30, isServer: false });
        const offs = [store.subscribe(() => {}), polling.subscribe(() => {})];
        try {
          for (const s of [store, polling]) await vi.waitFor(() => expect(s.getSnapshot().snapshot.flags['new-checkout']?.value).toBe(true));
          driven.publish(withAi(true, 2));
          // The stream store polls once a minute: only the stream can deliver this in time.
          for (const s of [store, polling]) await vi.waitFor(() => expect(s.getSnapshot().snapshot.flags['ai-recommendations']?.value).toBe(true));
        } finally {
          offs.forEach((off) => off());
          store.close();
          polling.close();
        }
      });
    });
  });
}
