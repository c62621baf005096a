import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSnapshotStore } from '@halyard/core';
import type { FlagSnapshot } from '@halyard/core';
import { createFlagsRoute, type NextContextFn } from '@halyard/next';
import { DOCUMENT, controlledClient, instrumentSubscribers, serveRoute, withAi } from '../test/helpers';

const context: NextContextFn = ({ cookies }) => ({ userId: cookies.get('uid')?.value });
let closeServer: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeServer?.();
  closeServer = undefined;
});

function post(body: unknown, headers: Record<string, string> = {}, url = 'http://localhost/api/flags') {
  return new Request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

describe('createFlagsRoute()', () => {
  it('POST and GET answer the per-user snapshot with ETag, private no-store and Vary: Cookie', async () => {
    const { client } = controlledClient(DOCUMENT);
    const { GET, POST } = createFlagsRoute({ client, context });
    const alice = await POST(post({ context: {} }, { cookie: 'uid=alice' }));
    const snapshot = (await alice.json()) as FlagSnapshot;
    expect(snapshot).toEqual(client.evaluateAll({ userId: 'alice' }));
    expect(alice.headers.get('etag')).toBe(`"${snapshot.version}"`);
    expect(alice.headers.get('cache-control')).toBe('private, no-store');
    expect(alice.headers.get('vary')).toMatch(/Cookie/);
    const bob = (await (await GET(new Request('http://localhost/api/flags', { headers: { cookie: 'uid=bob' } }))).json()) as FlagSnapshot;
    expect(bob.flags['new-checkout']?.value).toBe(false);
    expect(snapshot.flags['new-checkout']?.value).toBe(true);
  });

  it('answers 304 for a matching If-None-Match, 200 after a change', async () => {
    const { client, publish } = controlledClient(DOCUMENT);
    const { POST } = createFlagsRoute({ client, context });
    const etag = (await POST(post({}, { cookie: 'uid=bob' }))).headers.get('etag')!;
    const same = await POST(post({}, { cookie: 'uid=bob', 'if-none-match': etag }));
    expect(same.status).toBe(304);
    expect((await POST(post({}, { cookie: 'uid=alice', 'if-none-match': etag }))).status).toBe(200);
    publish(withAi(true, 2));
    expect((await POST(post({}, { cookie: 'uid=bob', 'if-none-match': etag }))).status).toBe(200);
  });

  it('ignores browser-sent context unless allowed; server attributes win', async () => {
    const { client } = controlledClient(DOCUMENT);
    const strict = createFlagsRoute({ client, context });
    const spoofed = (await (await strict.POST(post({ context: { userId: 'alice' } }, { cookie: 'uid=bob' }))).json()) as FlagSnapshot;
    expect(spoofed.flags['new-checkout']?.value).toBe(false);
    expect((await strict.POST(post('{oops', { cookie: 'uid=bob' }))).status).toBe(200);

    const open = createFlagsRoute({ client, context: () => ({}), allowClientContext: ['userId'] });
    const allowed = (await (await open.POST(post({ context: { userId: 'alice', plan: 'pro' } }))).json()) as FlagSnapshot;
    expect(allowed.flags['new-checkout']?.value).toBe(true);
    const serverWins = createFlagsRoute({ client, context, allowClientContext: ['userId'] });
    const won = (await (await serverWins.POST(post({ context: { userId: 'alice' } }, { cookie: 'uid=bob' }))).json()) as FlagSnapshot;
    expect(won.flags['new-checkout']?.value).toBe(false);
    expect((await open.POST(post('{oops'))).status).toBe(400);
    expect((await open.POST(post({ context: [1] }))).status).toBe(400);
  });

  it('answers 503 with Retry-After while no flags are loaded', async () => {
    const { client } = controlledClient(undefined);
    const { POST } = createFlagsRoute({ client, context, readyTimeout: 10, onError: () => {} });
    const response = await POST(post({}));
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
  });

  it('streams updates over SSE, skipping what the browser already has, and unsubscribes on disconnect', async () => {
    const base = controlledClient(DOCUMENT);
    const { client, counts } = instrumentSubscribers(base.client);
    const { GET } = createFlagsRoute({ client, context });
    const controller = new AbortController();
    const current = base.client.evaluateAll({ userId: 'bob' }).version;
    const response = await GET(
      new Request('http://localhost/api/flags?stream=1', { headers: { cookie: 'uid=bob', 'last-event-id': current }, signal: controller.signal }),
    );
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        text += decoder.decode(value);
      }
    };
    await readUntil('halyard flags stream');
    expect(text).not.toContain('event: update');
    base.publish(withAi(true, 2));
    await readUntil('event: update');
    const data = JSON.parse(/^data: (.*)$/m.exec(text)![1]!) as FlagSnapshot;
    expect(data.flags['ai-recommendations']?.value).toBe(true);
    expect(counts.subscribers).toBe(1);
    controller.abort();
    await vi.waitFor(() => expect(counts.subscribers).toBe(0));
  });

  it('keeps a real browser snapshot store fresh over HTTP: polling with ETags, and the SSE stream', async () => {
    const { client, publish } = controlledClient(DOCUMENT);
    const server = await serveRoute(createFlagsRoute({ client, context: () => ({}), allowClientContext: ['userId'] }));
    closeServer = server.close;

    const polling = createSnapshotStore({ endpoint: server.url, context: { userId: 'alice' }, pollInterval: 30, isServer: false });
    const streaming = createSnapshotStore({ endpoint: server.url, context: { userId: 'alice' }, stream: true, pollInterval: 60_000, isServer: false });
    const offs = [polling.subscribe(() => {}), streaming.subscribe(() => {})];
    try {
      for (const store of [polling, streaming]) {
        await vi.waitFor(() => expect(store.getSnapshot().snapshot.flags['new-checkout']?.value).toBe(true));
      }
      publish(withAi(true, 2));
      for (const store of [polling, streaming]) {
        await vi.waitFor(() => expect(store.getSnapshot().snapshot.flags['ai-recommendations']?.value).toBe(true));
      }
    } finally {
      offs.forEach((off) => off());
      polling.close();
      streaming.close();
    }
  });
});
