import { afterEach, describe, expect, it } from 'vitest';
import { createFlagClient, staticSource, type FlagsDocument } from '@halyard/core';
import { createEventSender, createHttpEventSink } from '@halyard/core/events';
import { closeIngestServers, ingest, wireProblems } from '../../test/events-ingest';

afterEach(closeIngestServers);

const DOCUMENT: FlagsDocument = {
  schemaVersion: 1,
  version: 1,
  flags: {
    'new-checkout': { variants: { on: true, off: false }, enabled: true, offVariant: 'off', targets: [{ variant: 'on', values: ['alice'] }], defaultServe: { variant: 'off' } },
  },
};

describe('events over HTTP (a real server on port 0)', () => {
  it('a client sends exposures, outcomes and metrics in the wire format, with its key, on close()', async () => {
    const { url, received } = await ingest();
    const client = createFlagClient({ source: staticSource(DOCUMENT), events: createEventSender({ url, sdkKey: 'sdk-test-key' }), logger: false });
    await client.ready();
    client.isEnabled('new-checkout', { userId: 'alice' });
    await client.guard('new-checkout', { userId: 'bob' }, { on: () => 1, off: () => 2 });
    client.track('purchase', { userId: 'alice' }, 49.9);
    expect(received).toHaveLength(0); // nothing is sent from inside a read
    await client.close();
    expect(received).toHaveLength(1);
    const [post] = received;
    expect(post?.method).toBe('POST');
    expect(post?.url).toBe('/sdk/v1/events');
    expect(post?.headers.authorization).toBe('Bearer sdk-test-key');
    expect(post?.headers['content-type']).toBe('application/json');
    expect(wireProblems(post?.body)).toEqual([]);
    expect((post?.body as { events: Array<{ kind: string }> }).events.map((e) => e.kind)).toEqual(['exposure', 'exposure', 'outcome', 'metric']);
    expect(client.events?.stats()).toEqual({ queued: 0, sent: 4, dropped: 0, failed: 0 });
  });

  it('a 400 is reported with the problem’s detail and not retried', async () => {
    const { url, received } = await ingest((_r, res) =>
      res.writeHead(400, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ title: 'Bad Request', detail: '/events/0/name: bad' })),
    );
    const errors: Error[] = [];
    const sender = createEventSender({ url, sdkKey: 'k', onError: (e) => errors.push(e) });
    sender.metric('m', 'u');
    await sender.flush();
    await sender.flush();
    expect(received).toHaveLength(1);
    expect(errors[0]?.message).toBe(`@halyard/core: POST ${url} answered HTTP 400 (/events/0/name: bad); 1 events discarded`);
    expect(sender.stats()).toMatchObject({ queued: 0, failed: 1 });
    await sender.close();
  });

  it('a 503 with Retry-After keeps the events for later; a request that hangs times out', async () => {
    const { url } = await ingest((_r, res) => res.writeHead(503, { 'retry-after': '30' }).end());
    const errors: Error[] = [];
    const sender = createEventSender({ url, onError: (e) => errors.push(e) });
    sender.metric('m', 'u');
    await sender.flush();
    expect(errors[0]?.message).toMatch(/answered HTTP 503; 1 events kept, retrying in 3\d(\.\d)? s/);
    expect(sender.stats()).toMatchObject({ queued: 1, sent: 0 });
    await sender.close(); // one last try (no retries): the service is still busy, so they count as failed
    expect(sender.stats()).toMatchObject({ queued: 0, sent: 0, failed: 1 });

    const hanging = await ingest(() => {});
    const sink = createHttpEventSink({ url: hanging.url, timeout: 50 });
    const result = await sink.send('{"sdk":{"name":"t","version":"0"},"events":[]}', 0);
    expect(result).toMatchObject({ ok: false, retry: true });
    expect(!result.ok && result.error.message).toMatch(/timed out after 50 ms/);
  });

  it('beacons carry only a client key, in the query string; a server key never goes into a URL', () => {
    const calls: Array<[string, string]> = [];
    const record = (u: string, body: string) => (calls.push([u, body]), true);
    const browser = createHttpEventSink({ url: 'https://flags.example/sdk/v1/events', clientKey: 'client key/1', sendBeacon: record });
    expect(browser.beacon?.('{"x":1}')).toBe(true);
    expect(calls).toEqual([['https://flags.example/sdk/v1/events?key=client%20key%2F1', '{"x":1}']]);
    const server = createHttpEventSink({ url: 'https://flags.example/sdk/v1/events', sdkKey: 'secret', sendBeacon: record });
    expect(server.beacon).toBeUndefined();
    expect(() => createHttpEventSink({ url: '' })).toThrow(/events need \{ url \}/);
    expect(() => createHttpEventSink({ url: 'https://x', sdkKey: 'a', clientKey: 'b' })).toThrow(/not both/);
  });
});
