import { afterEach, describe, expect, it } from 'vitest';
import type { ExposureEvent } from '@halyard/core';
import { createHalyard, type NextContextFn } from '@halyard/next';
import { closeIngestServers, ingest, wireProblems } from '../../core/test/events-ingest';
import { DOCUMENT, controlledClient, testRequest } from '../test/helpers';

afterEach(closeIngestServers);

const context: NextContextFn = ({ cookies }) => ({ userId: cookies.get('uid')?.value });

describe('createHalyard({ events })', () => {
  it('sends the exposures of getFlags() reads (from the request snapshot), de-duplicated, alongside onExposure', async () => {
    const server = await ingest();
    const { client } = controlledClient(DOCUMENT);
    const seen: ExposureEvent[] = [];
    let uid = 'alice';
    const { getFlagsFor } = createHalyard({
      client,
      context,
      request: () => testRequest({ cookies: { uid } }),
      onExposure: (e) => seen.push(e),
      events: { url: server.url, sdkKey: 'sdk-next' },
    });
    for (uid of ['alice', 'alice', 'bob']) {
      const flags = await getFlagsFor({ headers: {}, cookies: { uid } });
      flags.isEnabled('new-checkout');
    }
    expect(client.events).toBeDefined();
    await client.close();
    expect(server.received).toHaveLength(1);
    expect(server.received[0]?.headers.authorization).toBe('Bearer sdk-next');
    expect(wireProblems(server.received[0]?.body)).toEqual([]);
    const sent = (server.received[0]?.body as { events: Array<Record<string, unknown>> }).events.map(({ time, ...rest }) => rest);
    expect(sent).toEqual([
      { kind: 'exposure', flag: 'new-checkout', variant: 'on', unit: 'alice' },
      { kind: 'exposure', flag: 'new-checkout', variant: 'off', unit: 'bob' },
    ]);
    expect(seen.map((e) => e.unit)).toEqual(['alice', 'bob']);
  });
});
