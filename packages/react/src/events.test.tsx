import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEventSender, FlagProvider, useFlag } from './index';
import { closeIngestServers, ingest, wireProblems } from '../../core/test/events-ingest';
import { snapshot } from '../test/helpers';

// jsdom has no navigator.sendBeacon: a stub records what the page would hand to the browser.
const beacons: Array<{ url: string; body: string }> = [];
function stubBeacon(accept = true) {
  Object.defineProperty(navigator, 'sendBeacon', {
    configurable: true,
    value: vi.fn((url: string, body: string) => (beacons.push({ url, body }), accept)),
  });
}

afterEach(async () => {
  cleanup();
  beacons.length = 0;
  delete (navigator as { sendBeacon?: unknown }).sendBeacon;
  await closeIngestServers();
});

function Checkout() {
  return <p>{useFlag('new-checkout') ? 'new' : 'old'}</p>;
}

const SNAPSHOT = snapshot('1', { 'new-checkout': true, 'dark-mode': false });

describe('events from React (events={sender}, onExposure={events.exposure})', () => {
  it('records useFlag exposures once and hands them to sendBeacon (client key in the query) when the page is hidden', async () => {
    stubBeacon();
    const events = createEventSender({ url: 'https://flags.example/sdk/v1/events', clientKey: 'client-abc' });
    render(
      <FlagProvider snapshot={SNAPSHOT} context={{ userId: 'u1' }} onExposure={events.exposure}>
        <Checkout />
        <Checkout />
      </FlagProvider>,
    );
    expect(screen.getAllByText('new')).toHaveLength(2);
    expect(events.stats().queued).toBe(1);
    window.dispatchEvent(new Event('pagehide'));
    expect(beacons).toHaveLength(1);
    expect(beacons[0]?.url).toBe('https://flags.example/sdk/v1/events?key=client-abc');
    const body = JSON.parse(beacons[0]!.body) as { events: Array<Record<string, unknown>> };
    expect(wireProblems(body)).toEqual([]);
    expect(body.events.map(({ time, ...rest }) => rest)).toEqual([{ kind: 'exposure', flag: 'new-checkout', variant: 'on', unit: 'u1' }]);
    expect(events.stats()).toMatchObject({ queued: 0, sent: 1 });
    await events.close();
  });

  it('visibilitychange to hidden flushes too; without a beacon the events go by fetch to the real endpoint', async () => {
    const server = await ingest();
    const events = createEventSender({ url: server.url, clientKey: 'client-abc' }); // no sendBeacon at all
    render(
      <FlagProvider snapshot={SNAPSHOT} context={{ userId: 'u2' }} onExposure={events.exposure}>
        <Checkout />
      </FlagProvider>,
    );
    document.dispatchEvent(new Event('visibilitychange'));
    await events.flush();
    expect(server.received).toHaveLength(1);
    expect(server.received[0]?.headers.authorization).toBe('Bearer client-abc');
    expect(wireProblems(server.received[0]?.body)).toEqual([]);
    await events.close();

    stubBeacon();
    const hidden = createEventSender({ url: server.url, clientKey: 'client-abc' });
    hidden.metric('checkout.viewed', 'u2');
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
    delete (document as { visibilityState?: unknown }).visibilityState;
    expect(beacons.map((b) => (JSON.parse(b.body) as { events: Array<{ kind: string }> }).events[0]?.kind)).toEqual(['metric']);
    await hidden.close();
  });

  it('<FlagProvider events={sender}> sends exposures too, alongside onExposure; without it nothing is sent', async () => {
    stubBeacon();
    const events = createEventSender({ url: 'https://flags.example/sdk/v1/events', clientKey: 'client-prop' });
    const seen: string[] = [];
    const { unmount } = render(
      <FlagProvider snapshot={SNAPSHOT} context={{ userId: 'u3' }} events={events} onExposure={(e) => seen.push(e.flag)}>
        <Checkout />
        <Checkout />
      </FlagProvider>,
    );
    expect(events.stats().queued).toBe(1);
    expect(seen).toEqual(['new-checkout']);
    window.dispatchEvent(new Event('pagehide'));
    const body = JSON.parse(beacons[0]!.body) as { events: Array<Record<string, unknown>> };
    expect(body.events.map(({ time, ...rest }) => rest)).toEqual([{ kind: 'exposure', flag: 'new-checkout', variant: 'on', unit: 'u3' }]);
    unmount();

    const unused = createEventSender({ url: 'https://flags.example/sdk/v1/events', clientKey: 'client-none' });
    render(
      <FlagProvider snapshot={SNAPSHOT} context={{ userId: 'u3' }} onExposure={(e) => seen.push(e.flag)}>
        <Checkout />
      </FlagProvider>,
    );
    expect(seen).toEqual(['new-checkout', 'new-checkout']);
    expect(unused.stats().queued).toBe(0);
    await Promise.all([events.close(), unused.close()]);
  });
});
