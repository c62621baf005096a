import type { AddressInfo } from 'node:net';
import { createEvaluator, parseDefinitions } from '@halyard/core';
import type { Definitions, EvaluationContext, FlagSource, FlagsDocument, SourceUpdate } from '@halyard/core';

/** A document exercising every flag type, targets, rules, splits, a kill switch and a segment. */
export function flagsDocument(version = '1'): FlagsDocument {
  return {
    schemaVersion: 1,
    version,
    segments: {
      internal: { conditions: [{ attribute: 'email', operator: 'endsWith', values: ['@example.com'] }] },
    },
    flags: {
      'new-checkout': {
        variants: { on: true, off: false },
        enabled: true,
        offVariant: 'off',
        targets: [{ variant: 'on', values: ['beta-user'] }],
        rules: [{ id: 'enterprise', conditions: [{ attribute: 'plan', operator: 'equals', values: ['enterprise'] }], serve: { variant: 'on' } }],
        defaultServe: { variant: 'off' },
      },
      'checkout-theme': {
        variants: { light: 'light', dark: 'dark' },
        enabled: true,
        offVariant: 'light',
        rules: [{ id: 'north-america', conditions: [{ attribute: 'country', operator: 'in', values: ['US', 'CA'] }], serve: { variant: 'dark' } }],
        defaultServe: { variant: 'light' },
      },
      'max-items': {
        variants: { small: 10, large: 50 },
        enabled: true,
        offVariant: 'small',
        rules: [{ id: 'staff', conditions: [{ attribute: 'email', operator: 'inSegment', values: ['internal'] }], serve: { variant: 'large' } }],
        defaultServe: { variant: 'small' },
      },
      'banner-config': {
        variants: { plain: { text: 'Welcome', color: 'grey' }, sale: { text: 'Sale!', color: 'red', items: [1, 2] } },
        enabled: true,
        offVariant: 'plain',
        rules: [{ id: 'sale-countries', conditions: [{ attribute: 'country', operator: 'equals', values: ['GB'] }], serve: { variant: 'sale' } }],
        defaultServe: { variant: 'plain' },
      },
      'killed-feature': {
        variants: { on: true, off: false },
        enabled: false,
        offVariant: 'off',
        defaultServe: { variant: 'on' },
      },
      'ab-test': {
        variants: { control: 'control', treatment: 'treatment' },
        enabled: true,
        offVariant: 'control',
        defaultServe: { split: [{ variant: 'control', weight: 1 }, { variant: 'treatment', weight: 1 }] },
      },
      'needs-checkout': {
        variants: { on: true, off: false },
        enabled: true,
        offVariant: 'off',
        prerequisites: [{ flag: 'new-checkout', variants: ['on'] }],
        defaultServe: { variant: 'on' },
      },
    },
  };
}

export function definitionsOf(document: FlagsDocument): Definitions {
  const result = parseDefinitions(document);
  if (!result.ok) throw new Error(`invalid test document: ${JSON.stringify(result.problems)}`);
  return result.definitions;
}

/** A FlagSource the test drives: publish documents and failures whenever it likes. */
export function controlledSource(initial?: FlagsDocument) {
  let emit: ((update: SourceUpdate) => void) | undefined;
  const state = { started: 0, stopped: 0 };
  const source: FlagSource = {
    name: 'controlled',
    start(next) {
      state.started++;
      emit = next;
      if (initial !== undefined) next({ type: 'definitions', definitions: definitionsOf(initial) });
      return () => {
        state.stopped++;
        emit = undefined;
      };
    },
  };
  return {
    source,
    state,
    publish(document: FlagsDocument) {
      if (emit === undefined) throw new Error('controlledSource: not started or already stopped');
      emit({ type: 'definitions', definitions: definitionsOf(document) });
    },
    fail(message: string) {
      if (emit === undefined) throw new Error('controlledSource: not started or already stopped');
      emit({ type: 'error', error: new Error(message) });
    },
  };
}

/** Resolves with the first call's argument. */
export function nextCall<T>(register: (handler: (value: T) => void) => void): Promise<T> {
  return new Promise((resolve) => register(resolve));
}

/** A real HTTP endpoint answering `POST {context}` with the evaluated snapshot, like an app's `/api/flags`. */
export async function startSnapshotServer(initial: FlagsDocument) {
  const { createServer } = await import('node:http');
  let evaluator = createEvaluator(definitionsOf(initial));
  const contexts: unknown[] = [];
  let failing = false;
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/api/flags') {
        response.writeHead(404).end();
        return;
      }
      if (failing) {
        response.writeHead(503, { 'content-type': 'text/plain' }).end('down for maintenance');
        return;
      }
      let context: EvaluationContext | undefined;
      try {
        context = (JSON.parse(body) as { context?: EvaluationContext }).context;
      } catch {
        response.writeHead(400).end();
        return;
      }
      contexts.push(context);
      const snapshot = evaluator.evaluateAll(context);
      const etag = `"${snapshot.version}"`;
      if (request.headers['if-none-match'] === etag) {
        response.writeHead(304, { etag }).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json', etag }).end(JSON.stringify(snapshot));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}/api/flags`,
    contexts,
    publish(document: FlagsDocument) {
      evaluator = createEvaluator(definitionsOf(document));
    },
    setFailing(value: boolean) {
      failing = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A real HTTP flag service speaking the SDK protocol `httpSource` uses: `GET /sdk/v1/definitions` (the document)
 * and `GET /sdk/v1/stream` (SSE: `event: update`, `id: <version>`, `data: <document>`), behind a bearer SDK key.
 */
export async function startDefinitionsServer(initial: FlagsDocument, sdkKey: string) {
  const { createServer } = await import('node:http');
  let document = initial;
  const streams = new Set<import('node:http').ServerResponse>();
  const frame = () => `event: update\nid: ${document.version}\ndata: ${JSON.stringify(document)}\n\n`;
  const server = createServer((request, response) => {
    if (request.headers.authorization !== `Bearer ${sdkKey}`) {
      response.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unknown SDK key"}');
      return;
    }
    if (request.url === '/sdk/v1/definitions') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(document));
    } else if (request.url === '/sdk/v1/stream') {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      response.write(frame());
      streams.add(response);
      response.on('close', () => streams.delete(response));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sdk/v1/definitions`,
    get streams() {
      return streams.size;
    },
    publish(next: FlagsDocument) {
      document = next;
      for (const stream of streams) stream.write(frame());
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
