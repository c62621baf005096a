import { afterEach, describe, expect, it } from 'vitest';
import express from 'express';
import { createFlagClient, staticSource } from '@halyard/core';
import { createEventSender } from '@halyard/core/events';
import { halyard } from '@halyard/express';
import { closeIngestServers, ingest, wireProblems } from '../../core/test/events-ingest';
import { DOCUMENT, controlledClient, listen } from '../test/helpers';

afterEach(closeIngestServers);

const user = (req: express.Request) => ({ userId: req.get('x-user') });

describe('halyard({ events })', () => {
  it('sends the exposures of req.flags reads, de-duplicated, when the HTTP server closes', async () => {
    const events = await ingest();
    const { client } = controlledClient(DOCUMENT);
    const app = express();
    app.use(halyard({ client, context: user, events: { url: events.url, sdkKey: 'sdk-express' } }));
    app.get('/', (req, res) => {
      res.json({ on: req.flags.isEnabled('new-checkout'), color: req.flags.getValue('button-color', 'red') });
    });
    const server = await listen(app);
    for (const who of ['alice', 'alice', 'bob']) await (await fetch(server.url, { headers: { 'x-user': who } })).json();
    expect(events.received).toHaveLength(0);
    await server.close();
    // The flush started on close; done once the client has the service's answer.
    await expect.poll(() => client.events?.stats().sent).toBe(4);
    expect(events.received).toHaveLength(1);
    const [post] = events.received;
    expect(post?.headers.authorization).toBe('Bearer sdk-express');
    expect(wireProblems(post?.body)).toEqual([]);
    const sent = (post?.body as { events: Array<Record<string, unknown>> }).events.map(({ time, ...rest }) => rest);
    expect(sent).toEqual([
      { kind: 'exposure', flag: 'new-checkout', variant: 'on', unit: 'alice' },
      { kind: 'exposure', flag: 'button-color', variant: 'green', unit: 'alice' },
      { kind: 'exposure', flag: 'new-checkout', variant: 'off', unit: 'bob' },
      { kind: 'exposure', flag: 'button-color', variant: 'blue', unit: 'bob' },
    ]);
    // The sender belongs to the client now: guard and track in handlers go to the same place.
    expect(client.events?.stats()).toMatchObject({ sent: 4, dropped: 0, failed: 0 });
    await client.close();
  });

  it('a client that already has events needs no adapter option, and refuses a second one', async () => {
    const events = await ingest();
    const client = createFlagClient({ source: staticSource(DOCUMENT), events: createEventSender({ url: events.url }), logger: false });
    expect(() => halyard({ client, context: user, events: { url: events.url } })).toThrow(/@halyard\/express: events are configured twice/);
    const app = express();
    app.use(halyard({ client, context: user }));
    app.get('/', (req, res) => {
      res.json({ on: req.flags.isEnabled('new-checkout') });
    });
    const server = await listen(app);
    await (await fetch(server.url, { headers: { 'x-user': 'alice' } })).json();
    await server.close();
    await expect.poll(() => client.events?.stats().sent).toBe(1);
    expect(events.received).toHaveLength(1);
    await client.close();
  });
});
