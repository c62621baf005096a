import { afterEach, describe, expect, it } from 'vitest';
import { flagsDoc, openStream, sendJson, startServer, waitFor, type TestServer } from '../test/helpers/server';
import { createFlagClient } from './client';
import { httpSource } from './http-source';
import type { FlagClient } from './types';

let server: TestServer | undefined;
let client: FlagClient | undefined;

afterEach(async () => {
  client?.close();
  client = undefined;
  await server?.close();
  server = undefined;
});

const fast = { pollInterval: 10, retry: { base: 5, max: 20 } };
const flag = (on: boolean) => ({ variants: { on: true, off: false }, enabled: true, offVariant: 'off', defaultServe: { variant: on ? 'on' : 'off' } });
const patch = (id: number, body: unknown) => `id: ${id}\nevent: patch\ndata: ${JSON.stringify(body)}\n\n`;
const update = (id: number, body: unknown) => `id: ${id}\nevent: update\ndata: ${JSON.stringify(body)}\n\n`;

describe('httpSource applying stream patches (X-Halyard-Stream: delta)', () => {
  it('asks for patches and applies them: changed, added and removed flags, no request besides the stream', async () => {
    let send: (frame: string) => void = () => {};
    server = await startServer((req, res) => {
      if (req.url === '/sdk/v1/stream') {
        send = openStream(res).send;
        send(update(1, flagsDoc(1, true, { old: flag(true) })));
      } else sendJson(res, flagsDoc(1));
    });
    client = createFlagClient({ source: httpSource({ url: `${server.url}/sdk/v1/definitions`, stream: true, ...fast }), logger: false });
    await client.ready();
    expect(server.requests[0]?.headers['x-halyard-stream']).toBe('delta');
    send(patch(2, { base: 1, version: 2, flags: { 'new-checkout': flag(false), added: flag(true) }, removed: { flags: ['old'] } }));
    await waitFor(() => expect(client?.getSnapshot().version).toBe('2'));
    expect(client.isEnabled('new-checkout')).toBe(false);
    expect(client.isEnabled('added')).toBe(true);
    expect(Object.keys(client.getSnapshot().definitions!.flags)).toEqual(['new-checkout', 'added']);
    expect(server.requests.map((r) => r.url)).toEqual(['/sdk/v1/stream']);
  });

  it('never applies a patch onto another version: it fetches the document instead, and resumes from what it holds', async () => {
    let send: (frame: string) => void = () => {};
    const resumedFrom: Array<string | undefined> = [];
    server = await startServer((req, res) => {
      if (req.url === '/sdk/v1/stream') {
        resumedFrom.push(req.headers['last-event-id'] as string | undefined);
        send = openStream(res).send;
        if (resumedFrom.length === 1) send(update(1, flagsDoc(1)));
      } else sendJson(res, flagsDoc(3, false));
    });
    const errors: Error[] = [];
    client = createFlagClient({ source: httpSource({ url: `${server.url}/sdk/v1/definitions`, stream: true, ...fast }), onError: (e) => errors.push(e), logger: false });
    await client.ready();
    // Base 2, but the client holds 1: a bug or a lost event upstream. Applying it would silently diverge.
    send(patch(3, { base: 2, version: 3, flags: { 'new-checkout': flag(true), extra: flag(true) } }));
    await waitFor(() => expect(client?.getSnapshot().version).toBe('3'));
    expect(client.getSnapshot().definitions!.flags).not.toHaveProperty('extra');
    expect(client.isEnabled('new-checkout')).toBe(false);
    expect(server.requests.filter((r) => r.url === '/sdk/v1/definitions')).toHaveLength(1);
    expect(errors).toEqual([]);
    expect(client.status).toBe('ready');
    // The stream stayed up; the next patch from the document's version applies.
    send(patch(4, { base: 3, version: 4, flags: { 'new-checkout': flag(true) } }));
    await waitFor(() => expect(client?.getSnapshot().version).toBe('4'));
    expect(resumedFrom).toEqual([undefined]);
  });

  it('rejects an invalid patch with its path, keeps the last good flags, re-syncs, and resumes from the last applied version', async () => {
    const resumedFrom: Array<string | undefined> = [];
    server = await startServer((req, res) => {
      if (req.url === '/sdk/v1/stream') {
        resumedFrom.push(req.headers['last-event-id'] as string | undefined);
        const stream = openStream(res);
        if (resumedFrom.length === 1) {
          stream.send(update(1, flagsDoc(1)));
          stream.send(patch(2, { base: 1, version: 2, flags: { 'new-checkout': { ...flag(false), defaultServe: { variant: 'missing' } } } }));
        }
      } else sendJson(res, flagsDoc(1));
    });
    const errors: Error[] = [];
    client = createFlagClient({ source: httpSource({ url: `${server.url}/sdk/v1/definitions`, stream: true, ...fast }), onError: (e) => errors.push(e), logger: false });
    await waitFor(() => expect(errors).toHaveLength(1));
    expect(errors[0]?.message).toMatch(/invalid patch/);
    expect(errors[0]?.message).toContain('$.flags["new-checkout"].defaultServe.variant');
    expect(client.getSnapshot().version).toBe('1');
    expect(client.isEnabled('new-checkout')).toBe(true);
    // Re-synced with a full fetch, then the stream resumed from the version last applied.
    await waitFor(() => expect(server?.requests.some((r) => r.url === '/sdk/v1/definitions')).toBe(true));
    await waitFor(() => expect(resumedFrom).toEqual([undefined, '1']));
    await waitFor(() => expect(client?.status).toBe('ready'));
  });

  it('with delta: false asks for whole documents', async () => {
    server = await startServer((req, res) => {
      if (req.url === '/sdk/v1/stream') openStream(res).send(update(1, flagsDoc(1)));
      else sendJson(res, flagsDoc(1));
    });
    client = createFlagClient({ source: httpSource({ url: `${server.url}/sdk/v1/definitions`, stream: true, delta: false, ...fast }), logger: false });
    await client.ready();
    expect(server.requests[0]?.headers).not.toHaveProperty('x-halyard-stream');
  });
});
