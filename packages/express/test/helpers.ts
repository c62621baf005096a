import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createFlagClient, parseDefinitions } from '@halyard/core';
import type { Definitions, ExposureEvent, FlagClient, FlagsDocument, SourceUpdate } from '@halyard/core';
import type { Express } from 'express';

/** The document most tests use: a targeted boolean, a 50/50 string experiment, a kill-switched flag. */
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
    'ai-recommendations': {
      variants: { on: true, off: false },
      enabled: false,
      offVariant: 'off',
      defaultServe: { variant: 'on' },
    },
    limits: {
      variants: { small: { max: 1 }, big: { max: 10 } },
      enabled: true,
      offVariant: 'small',
      defaultServe: { variant: 'big' },
    },
  },
};

export function definitions(document: FlagsDocument): Definitions {
  const result = parseDefinitions(document);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.definitions;
}

/** A client over a source the test drives by hand (push new documents, fail, or never load). */
export function controlledClient(initial: FlagsDocument | undefined, onExposure?: (event: ExposureEvent) => void) {
  let emit: ((update: SourceUpdate) => void) | undefined;
  const client = createFlagClient({
    source: {
      name: 'test',
      start(e) {
        emit = e;
        if (initial !== undefined) e({ type: 'definitions', definitions: definitions(initial) });
        return () => {
          emit = undefined;
        };
      },
    },
    onExposure,
    logger: false,
  });
  return {
    client,
    publish(document: FlagsDocument) {
      emit?.({ type: 'definitions', definitions: definitions(document) });
    },
  };
}

/** Counts subscribe/unsubscribe and getDetails calls of a client (to check laziness and cleanup). */
export function instrument(client: FlagClient) {
  const counts = { getDetails: 0, evaluateAll: 0, subscribers: 0 };
  const wrapped: FlagClient = {
    ...client,
    ready: () => client.ready(),
    get status() {
      return client.status;
    },
    isEnabled: (k, c) => client.isEnabled(k, c),
    getValue: (k, d, c) => client.getValue(k, d, c),
    getDetails: (k, d, c) => {
      counts.getDetails++;
      return client.getDetails(k, d, c);
    },
    evaluateAll: (c) => {
      counts.evaluateAll++;
      return client.evaluateAll(c);
    },
    subscribe: (listener) => {
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

export interface Running {
  url: string;
  close(): Promise<void>;
}

export async function listen(app: Express): Promise<Running> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
