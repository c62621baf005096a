import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_BODY_LIMIT,
  DEFAULT_HEARTBEAT_INTERVAL,
  resolveEndpointOptions,
  wantsEventStream,
  contextFromBody,
  contextFromBodyText,
  contextFromParam,
  createProblemReporter,
  createSnapshotEventStream,
  FlagsRequestError,
  ifNoneMatch,
  mergeClientContext,
  parseFlagsBody,
  pickClientContext,
  readBodyText,
  snapshotETag,
  waitForFlags,
  DEFAULT_READY_TIMEOUT,
} from './endpoint';
import { encodeContextParam } from './snapshot-store';
import type { FlagSnapshot } from './types';

function fakeClient(version = 'v1') {
  const listeners = new Set<() => void>();
  const client = {
    version,
    getSnapshot: () => ({ version: client.version }) as never,
    subscribe(listener: () => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit: () => listeners.forEach((l) => l()),
    listeners,
  };
  return client;
}

describe('createProblemReporter', () => {
  it('reports a keyed problem once per definitions version, unkeyed ones every time', () => {
    const client = fakeClient();
    const seen: string[] = [];
    const report = createProblemReporter(client, (error: Error, where: string) => seen.push(`${error.message}@${where}`));
    report(new Error('a'), 'k', 'r1');
    report(new Error('a'), 'k', 'r2');
    report(new Error('b'), undefined, 'r3');
    report(new Error('b'), undefined, 'r4');
    client.version = 'v2';
    report(new Error('a'), 'k', 'r5');
    expect(seen).toEqual(['a@r1', 'b@r3', 'b@r4', 'a@r5']);
  });

  it('forgets everything beyond maxKeys instead of growing', () => {
    const seen: string[] = [];
    const report = createProblemReporter(fakeClient(), (error: Error) => seen.push(error.message), 2);
    report(new Error('1'), '1');
    report(new Error('2'), '2');
    report(new Error('3'), '3'); // clears, remembers only 3
    report(new Error('1'), '1');
    report(new Error('3'), '3');
    expect(seen).toEqual(['1', '2', '3', '1']);
  });

  it('never lets a throwing onError escape', () => {
    const report = createProblemReporter(fakeClient(), () => {
      throw new Error('logger down');
    });
    expect(() => report(new Error('x'), undefined)).not.toThrow();
  });
});

describe('ETags', () => {
  it('quotes the snapshot version', () => {
    expect(snapshotETag({ version: 'abc' })).toBe('"abc"');
  });

  it.each([
    [undefined, false],
    [null, false],
    ['"abc"', true],
    ['W/"abc"', true],
    ['"x", W/"abc"', true],
    [' * ', true],
    ['"abcd"', false],
    ['abc', false],
    ['', false],
  ])('If-None-Match %j matches "abc": %s', (header, expected) => {
    expect(ifNoneMatch(header, '"abc"')).toBe(expected);
  });
});

describe('client context', () => {
  const allowed = new Set(['locale', 'userId']);

  it('lets server attributes win over client ones', () => {
    expect(mergeClientContext({ userId: 'server' }, { userId: 'client', locale: 'de' })).toEqual({ userId: 'server', locale: 'de' });
    const server = { userId: 's' };
    expect(mergeClientContext(server, undefined)).toBe(server);
  });

  it('keeps only allowed own attributes', () => {
    expect(pickClientContext({ locale: 'de', plan: 'pro' }, new Set(['locale']), 'x', '@halyard/t')).toEqual({ locale: 'de' });
    expect(pickClientContext(Object.create({ locale: 'inherited' }), allowed, 'x', '@halyard/t')).toEqual({});
    expect(pickClientContext({ locale: 'de' }, new Set(), 'x', '@halyard/t')).toBeUndefined();
    expect(pickClientContext(null, allowed, 'x', '@halyard/t')).toBeUndefined();
  });

  it('rejects non-objects with a 400 naming the input', () => {
    for (const raw of ['de', 1, [1]]) {
      let caught: unknown;
      try {
        pickClientContext(raw, allowed, 'body.context', '@halyard/t');
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(FlagsRequestError);
      expect(caught).toMatchObject({ status: 400, message: '@halyard/t: body.context must be a JSON object' });
    }
  });

  it('parses bodies: empty means none, garbage and non-objects are 400s', () => {
    expect(contextFromBodyText('  ', allowed, '@halyard/t')).toBeUndefined();
    expect(contextFromBodyText('{"context":{"locale":"fr","x":1}}', allowed, '@halyard/t')).toEqual({ locale: 'fr' });
    expect(contextFromBodyText('{}', allowed, '@halyard/t')).toBeUndefined();
    expect(() => contextFromBodyText('{nope', allowed, '@halyard/t')).toThrow('@halyard/t: the flags request body must be JSON like {"context":{...}}');
    expect(() => contextFromBodyText('[1]', allowed, '@halyard/t')).toThrow('@halyard/t: the flags request body must be a JSON object');
    expect(() => parseFlagsBody('', '@halyard/t')).toThrow(FlagsRequestError);
    expect(() => contextFromBody('text', allowed, '@halyard/t')).toThrow(FlagsRequestError);
  });

  it('decodes the stream parameter only when something is allowed', () => {
    const param = encodeContextParam({ locale: 'de', userId: 'u', plan: 'pro' });
    expect(contextFromParam(param, allowed, '@halyard/t')).toEqual({ locale: 'de', userId: 'u' });
    expect(contextFromParam(param, new Set(), '@halyard/t')).toBeUndefined();
    expect(contextFromParam(null, allowed, '@halyard/t')).toBeUndefined();
    expect(() => contextFromParam('%%%', allowed, '@halyard/t')).toThrow(FlagsRequestError);
  });
});

describe('createSnapshotEventStream', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup(options: { lastEventId?: string; heartbeatInterval?: number } = {}) {
    const client = fakeClient();
    let snapshot: FlagSnapshot = { version: 'v1', flags: {} };
    const chunks: string[] = [];
    const evaluate = vi.fn(() => snapshot);
    const onClose = vi.fn();
    const events = createSnapshotEventStream({ client, evaluate, write: (c) => chunks.push(c), onClose, ...options });
    return { client, chunks, events, onClose, evaluate, set: (s: FlagSnapshot) => (snapshot = s) };
  }

  it('sends the snapshot at once, then only when its version changes', () => {
    const { client, chunks, set } = setup({ heartbeatInterval: 0 });
    expect(chunks).toEqual([': halyard flags stream\n\n', 'event: update\nid: v1\ndata: {"version":"v1","flags":{}}\n\n']);
    client.emit();
    expect(chunks).toHaveLength(2);
    set({ version: 'v2', flags: { f: { value: true, reason: 'STATIC' } } } as FlagSnapshot);
    client.emit();
    expect(chunks[2]).toBe('event: update\nid: v2\ndata: {"version":"v2","flags":{"f":{"value":true,"reason":"STATIC"}}}\n\n');
  });

  it('does not repeat the version a reconnecting browser already has', () => {
    const { chunks } = setup({ lastEventId: 'v1', heartbeatInterval: 0 });
    expect(chunks).toEqual([': halyard flags stream\n\n']);
  });

  it('pings on the heartbeat interval and stops everything on close', () => {
    vi.useFakeTimers();
    const { client, chunks, events, onClose } = setup({ heartbeatInterval: 1000 });
    vi.advanceTimersByTime(2000);
    expect(chunks.filter((c) => c === ': ping\n\n')).toHaveLength(2);
    events.close();
    events.close();
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(events.closed).toBe(true);
    expect(client.listeners.size).toBe(0);
    const count = chunks.length;
    vi.advanceTimersByTime(5000);
    expect(chunks).toHaveLength(count);
  });

  it('closes when a write throws, and reports evaluation errors without closing', () => {
    const client = fakeClient();
    const onEvaluateError = vi.fn();
    let fail = false;
    let throwOnEvaluate = false;
    const events = createSnapshotEventStream({
      client,
      heartbeatInterval: 0,
      evaluate: () => {
        if (throwOnEvaluate) throw new Error('boom');
        return { version: String(Math.random()), flags: {} };
      },
      write: () => {
        if (fail) throw new Error('gone');
      },
      onEvaluateError,
    });
    throwOnEvaluate = true;
    client.emit();
    expect(onEvaluateError).toHaveBeenCalledWith(new Error('boom'));
    expect(events.closed).toBe(false);
    throwOnEvaluate = false;
    fail = true;
    client.emit();
    expect(events.closed).toBe(true);
    expect(client.listeners.size).toBe(0);
  });

  it('does not subscribe when the connection is already gone', () => {
    const client = fakeClient();
    const events = createSnapshotEventStream({
      client,
      evaluate: () => ({ version: 'v', flags: {} }),
      write: () => {
        throw new Error('gone');
      },
    });
    expect(events.closed).toBe(true);
    expect(client.listeners.size).toBe(0);
  });
});

describe('resolveEndpointOptions / wantsEventStream', () => {
  it('applies the documented defaults and keeps explicit values', () => {
    const d = resolveEndpointOptions({});
    expect([...d.allowed]).toEqual([]);
    expect(d).toMatchObject({ stream: true, heartbeatInterval: DEFAULT_HEARTBEAT_INTERVAL, bodyLimit: DEFAULT_BODY_LIMIT, readyTimeout: DEFAULT_READY_TIMEOUT });
    const e = resolveEndpointOptions({ allowClientContext: ['locale'], stream: false, heartbeatInterval: 5, bodyLimit: 10, readyTimeout: 0 });
    expect(e.allowed.has('locale')).toBe(true);
    expect(e).toMatchObject({ stream: false, heartbeatInterval: 5, bodyLimit: 10, readyTimeout: 0 });
  });

  it('asks for the stream only with ?stream=1 or an event-stream Accept header', () => {
    expect(wantsEventStream('1', null)).toBe(true);
    expect(wantsEventStream(null, 'text/event-stream')).toBe(true);
    expect(wantsEventStream('0', 'application/json')).toBe(false);
    expect(wantsEventStream(undefined, undefined)).toBe(false);
  });
});

describe('readBodyText', () => {
  const request = (body: BodyInit, headers: Record<string, string> = {}) => new Request('http://localhost/', { method: 'POST', body, headers });

  it('counts bytes, not characters', async () => {
    expect(await readBodyText(request('é'.repeat(5)), 10, '@halyard/test')).toBe('ééééé');
    await expect(readBodyText(request('é'.repeat(6)), 10, '@halyard/test')).rejects.toMatchObject({ status: 413, message: '@halyard/test: the flags request body is larger than 10 bytes' });
  });

  it('refuses at once when Content-Length says the body is too large, and reads no body as empty', async () => {
    await expect(readBodyText(request('{}', { 'content-length': '100000' }), 10, '@halyard/test')).rejects.toBeInstanceOf(FlagsRequestError);
    expect(await readBodyText(new Request('http://localhost/'), 10, '@halyard/test')).toBe('');
  });
});

describe('waitForFlags', () => {
  const pending = () => {
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    const ready = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
    ready.catch(() => {});
    let definitions: object | undefined;
    return {
      client: { ready: () => ready, getSnapshot: () => ({ definitions }) as never },
      load: () => ((definitions = {}), resolve()),
      fail: () => reject(new Error('down')),
    };
  };

  it('resolves true once flags arrive within the timeout, false after it', async () => {
    const late = pending();
    const waiting = waitForFlags(late.client, 60_000);
    late.load();
    expect(await waiting).toBe(true);
    expect(await waitForFlags(pending().client, 1)).toBe(false);
    expect(await waitForFlags(pending().client, 0)).toBe(false);
  });

  it('answers at once when the source already failed', async () => {
    const broken = pending();
    broken.fail();
    expect(await waitForFlags(broken.client, 600_000)).toBe(false);
  });
});
