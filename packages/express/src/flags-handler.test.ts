import { afterEach, describe, expect, it, vi } from 'vitest';
import express from 'express';
import { createSnapshotStore, encodeContextParam } from '@halyard/core';
import type { FlagSnapshot } from '@halyard/core';
import { flagsHandler } from '@halyard/express';
import { DOCUMENT, controlledClient, instrument, listen, type Running } from '../test/helpers';

let running: Running | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const context = (req: express.Request) => ({ userId: req.get('x-user') });

async function serve(options: Partial<Parameters<typeof flagsHandler>[0]> & Pick<Parameters<typeof flagsHandler>[0], 'client'>, before?: (app: express.Express) => void) {
  const app = express();
  before?.(app);
  app.all('/api/flags', flagsHandler({ context, ...options }));
  running = await listen(app);
  return `${running.url}/api/flags`;
}

function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

describe('flagsHandler()', () => {
  it('answers POST and GET with the per-user snapshot, an ETag and private no-store caching', async () => {
    const { client } = controlledClient(DOCUMENT);
    const url = await serve({ client });
    const alice = await post(url, { context: {} }, { 'x-user': 'alice' });
    expect(alice.status).toBe(200);
    const snapshot = (await alice.json()) as FlagSnapshot;
    expect(snapshot).toEqual(client.evaluateAll({ userId: 'alice' }));
    expect(alice.headers.get('etag')).toBe(`"${snapshot.version}"`);
    expect(alice.headers.get('cache-control')).toBe('private, no-store');
    expect(alice.headers.get('vary')).toMatch(/Cookie/);
    expect(alice.headers.get('vary')).toMatch(/Authorization/);

    const bob = await fetch(url, { headers: { 'x-user': 'bob' } });
    const bobSnapshot = (await bob.json()) as FlagSnapshot;
    expect(bobSnapshot.flags['new-checkout']?.value).toBe(false);
    expect(snapshot.flags['new-checkout']?.value).toBe(true);
    expect(bob.headers.get('etag')).not.toBe(alice.headers.get('etag'));
  });

  it('answers 304 when If-None-Match matches, and 200 again once the flags change', async () => {
    const { client, publish } = controlledClient(DOCUMENT);
    const url = await serve({ client });
    const first = await post(url, { context: {} }, { 'x-user': 'bob' });
    const etag = first.headers.get('etag')!;
    const again = await post(url, { context: {} }, { 'x-user': 'bob', 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect((await post(url, {}, { 'x-user': 'bob', 'if-none-match': `W/${etag}, "other"` })).status).toBe(304);
    // Another user's ETag does not match: the answer is per user.
    expect((await post(url, {}, { 'x-user': 'alice', 'if-none-match': etag })).status).toBe(200);
    publish({ ...DOCUMENT, version: 2, flags: { ...DOCUMENT.flags, 'ai-recommendations': { ...DOCUMENT.flags['ai-recommendations']!, enabled: true } } });
    const changed = await post(url, {}, { 'x-user': 'bob', 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(((await changed.json()) as FlagSnapshot).flags['ai-recommendations']?.value).toBe(true);
  });

  it('ignores client-sent context by default: the server decides who is asking', async () => {
    const { client } = controlledClient(DOCUMENT);
    const url = await serve({ client });
    const response = await post(url, { context: { userId: 'alice' } }, { 'x-user': 'bob' });
    expect(((await response.json()) as FlagSnapshot).flags['new-checkout']?.value).toBe(false);
    // Not even a malformed body matters when no attribute is accepted.
    expect((await post(url, '{not json', { 'x-user': 'bob' })).status).toBe(200);
  });

  it('accepts only the attributes named in allowClientContext, server attributes winning', async () => {
    const plan = {
      ...DOCUMENT,
      flags: {
        ...DOCUMENT.flags,
        beta: {
          variants: { on: true, off: false },
          enabled: true,
          offVariant: 'off',
          rules: [{ conditions: [{ attribute: 'locale', operator: 'equals' as const, values: ['fr'] }], serve: { variant: 'on' } }],
          defaultServe: { variant: 'off' },
        },
      },
    };
    const { client } = controlledClient(plan);
    const url = await serve({ client, allowClientContext: ['locale', 'userId'] });
    const fr = (await (await post(url, { context: { locale: 'fr', userId: 'alice' } }, { 'x-user': 'bob' })).json()) as FlagSnapshot;
    expect(fr.flags.beta?.value).toBe(true);
    // userId is allowed, but the server derived one (bob) wins.
    expect(fr.flags['new-checkout']?.value).toBe(false);
    const en = (await (await post(url, { context: { locale: 'en' } }, { 'x-user': 'bob' })).json()) as FlagSnapshot;
    expect(en.flags.beta?.value).toBe(false);
    // Works with express.json() mounted before it, too.
    await running!.close();
    const url2 = await serve({ client, allowClientContext: ['locale'] }, (app) => app.use(express.json()));
    const viaParser = (await (await post(url2, { context: { locale: 'fr' } })).json()) as FlagSnapshot;
    expect(viaParser.flags.beta?.value).toBe(true);
  });

  it('rejects malformed bodies (when it reads them), oversized bodies and other methods', async () => {
    const { client } = controlledClient(DOCUMENT);
    const url = await serve({ client, allowClientContext: ['locale'], bodyLimit: 100 });
    const bad = await post(url, '{not json');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/@halyard\/express: .*must be JSON/);
    expect((await post(url, { context: 'fr' })).status).toBe(400);
    expect((await post(url, { context: { locale: 'x'.repeat(200) } })).status).toBe(413);
    const put = await fetch(url, { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD, POST');
  });

  it('answers 503 with Retry-After until the client has flags, logging nothing fatal', async () => {
    const { client } = controlledClient(undefined);
    const url = await serve({ client });
    const response = await post(url, {});
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
  });

  it('still answers when the context function throws (anonymous context, logged)', async () => {
    const { client } = controlledClient(DOCUMENT);
    const onError = vi.fn();
    const url = await serve({
      client,
      onError,
      context: () => {
        throw new Error('no session');
      },
    });
    const response = await post(url, {});
    expect(response.status).toBe(200);
    expect(((await response.json()) as FlagSnapshot).flags['new-checkout']?.value).toBe(false);
    expect(String(onError.mock.calls[0]?.[0])).toMatch(/no session/);
  });

  it('keeps a real browser snapshot store in sync: 200, then 304s, then the change', async () => {
    const { client, publish } = controlledClient(DOCUMENT);
    const seen: string[] = [];
    const url = await serve({ client }, (app) =>
      app.use((req, _res, next) => {
        seen.push(`${req.method} ${req.get('if-none-match') ?? '-'}`);
        next();
      }),
    );
    const store = createSnapshotStore({ endpoint: url, pollInterval: 50, isServer: false, headers: { 'x-user': 'bob' } });
    const off = store.subscribe(() => {});
    try {
      await vi.waitFor(() => expect(store.getSnapshot().status).toBe('ready'));
      await vi.waitFor(() => expect(seen.length).toBeGreaterThanOrEqual(3));
      expect(seen[1]).toMatch(/^POST "/);
      expect(store.getSnapshot().snapshot.flags['ai-recommendations']?.value).toBe(false);
      publish({ ...DOCUMENT, version: 2, flags: { ...DOCUMENT.flags, 'ai-recommendations': { ...DOCUMENT.flags['ai-recommendations']!, enabled: true } } });
      await vi.waitFor(() => expect(store.getSnapshot().snapshot.flags['ai-recommendations']?.value).toBe(true));
    } finally {
      off();
      store.close();
    }
  });

  describe('server-sent events', () => {
    async function openStream(url: string, headers: Record<string, string> = {}) {
      const controller = new AbortController();
      const response = await fetch(url, { headers, signal: controller.signal });
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      return {
        response,
        /** Reads until `count` update events have arrived; returns their parsed data and ids. */
        async next(count = 1) {
          const events: Array<{ id: string; data: FlagSnapshot }> = [];
          for (;;) {
            let end: number;
            while ((end = buffer.indexOf('\n\n')) !== -1) {
              const block = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              if (!block.startsWith('event: update')) continue;
              const id = /^id: (.*)$/m.exec(block)?.[1] ?? '';
              const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null') as FlagSnapshot;
              events.push({ id, data });
              if (events.length === count) return events;
            }
            const { value, done } = await reader.read();
            if (done) throw new Error('stream ended');
            buffer += decoder.decode(value, { stream: true });
          }
        },
        /** Everything received so far that was not consumed. */
        pending: () => buffer,
        close: () => controller.abort(),
      };
    }

    it('pushes the current snapshot, then a new one when definitions change, and unsubscribes on close', async () => {
      const { client: base, publish } = controlledClient(DOCUMENT);
      const { client, counts } = instrument(base);
      const url = await serve({ client });
      const stream = await openStream(`${url}?stream=1`, { 'x-user': 'bob' });
      expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(stream.response.headers.get('cache-control')).toMatch(/private, no-store/);
      const [first] = await stream.next();
      expect(first!.data).toEqual(base.evaluateAll({ userId: 'bob' }));
      expect(first!.id).toBe(first!.data.version);
      expect(counts.subscribers).toBe(1);

      // A change that does not affect bob's flags sends nothing; one that does sends the new snapshot.
      publish({ ...DOCUMENT, version: 2, flags: { ...DOCUMENT.flags, 'new-checkout': { ...DOCUMENT.flags['new-checkout']!, targets: [{ variant: 'on', values: ['carol'] }] } } });
      publish({ ...DOCUMENT, version: 3, flags: { ...DOCUMENT.flags, 'ai-recommendations': { ...DOCUMENT.flags['ai-recommendations']!, enabled: true } } });
      const [second] = await stream.next();
      expect(second!.data.flags['ai-recommendations']?.value).toBe(true);
      expect(stream.pending()).not.toContain('event: update');

      stream.close();
      await vi.waitFor(() => expect(counts.subscribers).toBe(0));
    });

    it('skips the initial event when Last-Event-ID is already the current version', async () => {
      const { client, publish } = controlledClient(DOCUMENT);
      const url = await serve({ client });
      const version = client.evaluateAll({ userId: 'bob' }).version;
      const stream = await openStream(`${url}?stream=1`, { 'x-user': 'bob', 'last-event-id': version });
      publish({ ...DOCUMENT, version: 2, flags: { ...DOCUMENT.flags, 'ai-recommendations': { ...DOCUMENT.flags['ai-recommendations']!, enabled: true } } });
      const [event] = await stream.next();
      expect(event!.data.flags['ai-recommendations']?.value).toBe(true);
      stream.close();
    });

    it('reads allowed attributes from the context parameter and a real store receives pushes', async () => {
      const { client, publish } = controlledClient(DOCUMENT);
      const url = await serve({ client, allowClientContext: ['userId'], context: () => ({}) });
      const stream = await openStream(`${url}?stream=1&context=${encodeContextParam({ userId: 'alice', other: 1 })}`);
      const [event] = await stream.next();
      expect(event!.data.flags['new-checkout']?.value).toBe(true);
      stream.close();
      expect((await fetch(`${url}?stream=1&context=%%%`)).status).toBe(400);

      const store = createSnapshotStore({ endpoint: url, stream: true, context: { userId: 'alice' }, pollInterval: 60_000, isServer: false });
      const off = store.subscribe(() => {});
      try {
        await vi.waitFor(() => expect(store.getSnapshot().snapshot.flags['new-checkout']?.value).toBe(true));
        publish({ ...DOCUMENT, version: 2, flags: { ...DOCUMENT.flags, 'ai-recommendations': { ...DOCUMENT.flags['ai-recommendations']!, enabled: true } } });
        // pollInterval is a minute: only the stream can deliver this in time.
        await vi.waitFor(() => expect(store.getSnapshot().snapshot.flags['ai-recommendations']?.value).toBe(true));
      } finally {
        off();
        store.close();
      }
    });

    it('can be switched off', async () => {
      const { client } = controlledClient(DOCUMENT);
      const url = await serve({ client, stream: false });
      const response = await fetch(`${url}?stream=1`);
      expect(response.headers.get('content-type')).toMatch(/json/);
    });
  });
});
