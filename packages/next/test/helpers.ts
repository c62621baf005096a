import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { createFlagClient, parseDefinitions } from '@halyard/core';
import type { ExposureEvent, FlagsDocument, SourceUpdate } from '@halyard/core';

export const DOCUMENT: FlagsDocument = {
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
    'button-color': {
      variants: { blue: 'blue', green: 'green' },
      enabled: true,
      offVariant: 'blue',
      targets: [{ variant: 'green', values: ['alice'] }],
      defaultServe: { variant: 'blue' },
    },
    'ai-recommendations': { variants: { on: true, off: false }, enabled: false, offVariant: 'off', defaultServe: { variant: 'on' } },
  },
};

export function withAi(enabled: boolean, version: number): FlagsDocument {
  return { ...DOCUMENT, version, flags: { ...DOCUMENT.flags, 'ai-recommendations': { ...DOCUMENT.flags['ai-recommendations']!, enabled } } };
}

/** A real client over a source the test drives (publish new documents, or never load). */
export function controlledClient(initial: FlagsDocument | undefined, onExposure?: (event: ExposureEvent) => void) {
  let emit: ((update: SourceUpdate) => void) | undefined;
  const client = createFlagClient({
    source: {
      name: 'test',
      start(e) {
        emit = e;
        if (initial !== undefined) publishTo(e, initial);
        return () => {
          emit = undefined;
        };
      },
    },
    onExposure,
    logger: false,
  });
  return { client, publish: (document: FlagsDocument) => emit && publishTo(emit, document) };
}

function publishTo(emit: (update: SourceUpdate) => void, document: FlagsDocument): void {
  const result = parseDefinitions(document);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  emit({ type: 'definitions', definitions: result.definitions });
}

/**
 * Serves route handlers over real HTTP the way Next's Node server does: each method goes to the handler the route
 * exports under that name, a method it does not export gets Next's own bare 405, and HEAD falls back to GET.
 */
export async function serveRoute(exported: object) {
  const route = exported as Partial<Record<string, (request: Request) => Promise<Response>>>;
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    const controller = new AbortController();
    res.on('close', () => controller.abort());
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
    const method = req.method ?? 'GET';
    const hasBody = method !== 'GET' && method !== 'HEAD';
    const request = new Request(`http://${req.headers.host}${req.url}`, {
      method,
      headers,
      body: hasBody ? (Readable.toWeb(req) as ReadableStream) : undefined,
      signal: controller.signal,
      // @ts-expect-error Node's fetch needs this for streamed bodies
      duplex: 'half',
    });
    const handler = route[method] ?? (method === 'HEAD' ? route.GET : undefined);
    const response = handler === undefined ? new Response(null, { status: 405 }) : await handler(request);
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (!response.body) {
      res.end();
      return;
    }
    const reader = response.body.getReader();
    res.on('close', () => void reader.cancel().catch(() => {}));
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
      if (done) break;
      res.write(value);
    }
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/flags`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A fixed request for `createHalyard({ request })` (what @halyard/testing/next's testRequest does). */
export function testRequest(init: { cookies?: Record<string, string>; headers?: Record<string, string> } = {}) {
  const cookies = new Map(Object.entries(init.cookies ?? {}));
  return {
    cookies: {
      get: (name: string) => (cookies.has(name) ? { name, value: cookies.get(name) as string } : undefined),
      has: (name: string) => cookies.has(name),
      getAll: () => [...cookies].map(([name, value]) => ({ name, value })),
    },
    headers: new Headers(init.headers),
  };
}

/** Counts the subscribers of a client (to check that streams clean up). */
export function instrumentSubscribers(client: import('@halyard/core').FlagClient) {
  const counts = { subscribers: 0 };
  const wrapped: import('@halyard/core').FlagClient = {
    ...client,
    ready: () => client.ready(),
    get status() {
      return client.status;
    },
    isEnabled: (k, c) => client.isEnabled(k, c),
    getValue: (k, d, c) => client.getValue(k, d, c),
    getDetails: (k, d, c) => client.getDetails(k, d, c),
    flag: (k) => client.flag(k),
    evaluateAll: (c) => client.evaluateAll(c),
    subscribe(listener) {
      counts.subscribers++;
      const off = client.subscribe(listener);
      return () => {
        counts.subscribers--;
        off();
      };
    },
    getSnapshot: () => client.getSnapshot(),
    close: () => client.close(),
  };
  return { client: wrapped, counts };
}
