// @vitest-environment jsdom
import { act, type ReactElement } from 'react';
import { hydrateRoot, type Root } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FlagsDocument } from '@halyard/core';
import { createHalyard, type NextContextFn } from '@halyard/next';
import { HalyardClientProvider, PagesFlagProvider, useFlag, useFlagValue, type HalyardClientProviderProps, type PagesFlagProviderProps } from '@halyard/next/client';
import { DOCUMENT, controlledClient, testRequest } from '../test/helpers';

// jsdom has no navigator.sendBeacon: a stub records what the page hands the browser when it is hidden.
const beacons: Array<{ url: string; body: string }> = [];
const roots: Root[] = [];

beforeAll(() => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
  Object.defineProperty(navigator, 'sendBeacon', { configurable: true, value: (url: string, body: string) => (beacons.push({ url, body }), true) });
});

function cleanup(): void {
  for (const root of roots.splice(0)) act(() => root.unmount());
  document.body.innerHTML = '';
  beacons.length = 0;
}
afterEach(cleanup);

// A flag bucketed by another attribute than userId: its exposures belong to the account, not the user.
const PLANS: FlagsDocument = {
  ...DOCUMENT,
  flags: {
    ...DOCUMENT.flags,
    'team-plan': {
      variants: { a: 'a', b: 'b' },
      enabled: true,
      offVariant: 'a',
      defaultServe: { split: [{ variant: 'a', weight: 1 }, { variant: 'b', weight: 1 }], bucketBy: 'accountId' },
    },
  },
};

// The context holds more than units (an email): none of it but the units may reach the page.
const context: NextContextFn = ({ cookies }) => ({ userId: cookies.get('uid')?.value, accountId: cookies.get('acct')?.value, email: 'secret@example.com' });

function Checkout() {
  const next = useFlag('new-checkout');
  const color = useFlagValue('button-color', 'none');
  const plan = useFlagValue('team-plan', 'a');
  return <p data-color={color} data-plan={plan}>{next ? 'New checkout' : 'Old checkout'}</p>;
}

/**
 * What Next does with `<HalyardProvider>`: render it to HTML on the server, send the client component's props
 * across the boundary as data (JSON here; Next's RSC payload), and hydrate the same tree in the browser.
 */
async function serveAndHydrate(element: ReactElement<HalyardClientProviderProps>): Promise<{ html: string; wire: string }> {
  const html = renderToString(element);
  const { children: _children, ...props } = element.props;
  const wire = JSON.stringify(props);
  const container = document.createElement('div');
  container.innerHTML = html;
  document.body.append(container);
  await act(async () => {
    roots.push(hydrateRoot(container, <HalyardClientProvider {...(JSON.parse(wire) as HalyardClientProviderProps)}><Checkout /></HalyardClientProvider>));
  });
  return { html, wire };
}

/** Hides the page until the lazily loaded sender of `clientKey` has handed its events to sendBeacon; returns them. */
async function pageHide(clientKey: string): Promise<Array<Record<string, unknown>>> {
  const url = `https://flags.example/sdk/v1/events?key=${clientKey}`;
  const mine = () => beacons.filter((b) => b.url === url);
  await vi.waitFor(() => {
    window.dispatchEvent(new Event('pagehide'));
    expect(mine().length).toBeGreaterThan(0);
  });
  return mine().flatMap((b) => (JSON.parse(b.body) as { events: Array<Record<string, unknown>> }).events.map(({ time: _time, ...rest }) => rest));
}

describe('createHalyard({ browserEvents }): exposures of client components, from the browser', () => {
  it('sends useFlag reads after hydration with the client key, attributed to the server’s unit per flag (both users)', async () => {
    const { client } = controlledClient(PLANS);
    for (const [uid, acct, variant, color] of [
      ['alice', 'acct-1', 'on', 'green'],
      ['bob', 'acct-2', 'off', 'blue'],
    ] as const) {
      const clientKey = `client-${uid}`;
      const { HalyardProvider } = createHalyard({
        client,
        context,
        request: () => testRequest({ cookies: { uid, acct } }),
        browserEvents: { url: 'https://flags.example/sdk/v1/events', clientKey },
      });
      const element = (await HalyardProvider({ children: <Checkout /> })) as ReactElement<HalyardClientProviderProps>;
      const { wire } = await serveAndHydrate(element);
      // Only the units cross into the page, once per attribute: no email, no other attribute of the context.
      expect(JSON.parse(wire).exposures).toEqual({ units: { userId: uid, accountId: acct }, exposed: [] });
      expect(wire).not.toContain('secret@example.com');
      expect(document.querySelector('p')?.dataset.color).toBe(color);

      const plan = client.evaluateAll({ userId: uid, accountId: acct }).flags['team-plan']?.variant;
      expect(await pageHide(clientKey)).toEqual([
        { kind: 'exposure', flag: 'new-checkout', variant, unit: uid },
        { kind: 'exposure', flag: 'button-color', variant: color, unit: uid },
        { kind: 'exposure', flag: 'team-plan', variant: plan, unit: acct },
      ]);
      cleanup();
    }
  });

  it('reports a flag once when the server already recorded it for this request, and each flag once per unit', async () => {
    const { client } = controlledClient(PLANS);
    const snapshot = client.evaluateAll({ userId: 'alice', accountId: 'acct-1' });
    const element = (
      <HalyardClientProvider
        snapshot={snapshot}
        endpoint="/api/flags"
        events={{ url: 'https://flags.example/sdk/v1/events', clientKey: 'client-dedupe' }}
        exposures={{ units: { userId: 'alice', accountId: 'acct-1' }, exposed: ['new-checkout', 'team-plan'] }}
      >
        <Checkout />
        <Checkout />
      </HalyardClientProvider>
    );
    await serveAndHydrate(element as ReactElement<HalyardClientProviderProps>);
    expect(await pageHide('client-dedupe')).toEqual([{ kind: 'exposure', flag: 'button-color', variant: 'green', unit: 'alice' }]);
  });

  it('without browserEvents the page gets neither units nor a sender, and nothing is sent', async () => {
    const { client } = controlledClient(PLANS);
    const { HalyardProvider } = createHalyard({ client, context, request: () => testRequest({ cookies: { uid: 'alice', acct: 'acct-1' } }) });
    const element = (await HalyardProvider({ children: <Checkout /> })) as ReactElement<HalyardClientProviderProps>;
    const { wire } = await serveAndHydrate(element);
    expect(JSON.parse(wire)).not.toHaveProperty('exposures');
    expect(wire).not.toContain('alice');
    expect(document.querySelector('p')?.textContent).toBe('New checkout');
    window.dispatchEvent(new Event('pagehide'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(beacons).toEqual([]);
  });

  it('refuses an SDK key in browserEvents (it would ship in the page) and needs an endpoint', () => {
    const { client } = controlledClient(PLANS);
    expect(() => createHalyard({ client, context, browserEvents: { clientKey: 'c', url: 'https://x', sdkKey: 's' } as never })).toThrow(/must not hold an sdkKey/);
    expect(() => createHalyard({ client, context, browserEvents: { clientKey: 'c' } })).toThrow(/needs \{ url \}/);
    expect(() => createHalyard({ client, context, browserEvents: { url: 'https://x' } as never })).toThrow(/needs \{ clientKey/);
  });
});

describe('Pages Router: withFlags({ browserEvents }) + PagesFlagProvider', () => {
  const withFlagsFor = (browserEvents?: { url: string; clientKey: string }) => {
    const { client } = controlledClient(PLANS);
    const { withFlags } = createHalyard({ client, context, ...(browserEvents && { browserEvents }) });
    return { client, getProps: async (uid: string, acct: string) => {
      const result = await withFlags()({ req: { headers: {}, cookies: { uid, acct } } } as never);
      // What Next does with page props: JSON in __NEXT_DATA__, parsed by the browser.
      return JSON.parse(JSON.stringify((result as { props: Record<string, unknown> }).props)) as Record<string, unknown>;
    } };
  };

  /** `_app` as the docs write it, server-rendered then hydrated; returns a re-render for a navigation. */
  async function app(pageProps: Record<string, unknown>) {
    // Each page is its own component (Next renders `<Component {...pageProps} />`), so a navigation remounts it.
    const element = (props: Record<string, unknown>) => (
      <PagesFlagProvider snapshot={props.halyardSnapshot as PagesFlagProviderProps['snapshot']} events={props.halyardEvents as PagesFlagProviderProps['events']} pollInterval={0}>
        <Checkout key={String(props.page)} />
      </PagesFlagProvider>
    );
    const container = document.createElement('div');
    container.innerHTML = renderToString(element(pageProps));
    document.body.append(container);
    const root = await act(async () => hydrateRoot(container, element(pageProps)));
    roots.push(root);
    return (next: Record<string, unknown>) => act(async () => root.render(element(next)));
  }

  it('sends the reads with the client key and the server’s units, and a navigated page’s units replace them', async () => {
    const { client, getProps } = withFlagsFor({ url: 'https://flags.example/sdk/v1/events', clientKey: 'client-pages' });
    const first = await getProps('alice', 'acct-1');
    expect(first.halyardEvents).toEqual({ events: { url: 'https://flags.example/sdk/v1/events', clientKey: 'client-pages' }, exposures: { units: { userId: 'alice', accountId: 'acct-1' }, exposed: [] } });
    expect(JSON.stringify(first)).not.toContain('secret@example.com');
    const navigate = await app(first);
    expect(document.querySelector('p')?.dataset.color).toBe('green');
    const alicePlan = client.evaluateAll({ userId: 'alice', accountId: 'acct-1' }).flags['team-plan']?.variant;
    expect(await pageHide('client-pages')).toEqual([
      { kind: 'exposure', flag: 'new-checkout', variant: 'on', unit: 'alice' },
      { kind: 'exposure', flag: 'button-color', variant: 'green', unit: 'alice' },
      { kind: 'exposure', flag: 'team-plan', variant: alicePlan, unit: 'acct-1' },
    ]);
    beacons.length = 0;

    // bob signs in on the same tab: the next page's getServerSideProps brings his snapshot and units
    await navigate({ ...(await getProps('bob', 'acct-2')), page: 'account' });
    expect(document.querySelector('p')?.textContent).toBe('Old checkout');
    const bobPlan = client.evaluateAll({ userId: 'bob', accountId: 'acct-2' }).flags['team-plan']?.variant;
    expect(await pageHide('client-pages')).toEqual([
      { kind: 'exposure', flag: 'new-checkout', variant: 'off', unit: 'bob' },
      { kind: 'exposure', flag: 'button-color', variant: 'blue', unit: 'bob' },
      { kind: 'exposure', flag: 'team-plan', variant: bobPlan, unit: 'acct-2' },
    ]);
  });

  it('without browserEvents the page props carry no units and nothing is sent', async () => {
    const { getProps } = withFlagsFor();
    const props = await getProps('alice', 'acct-1');
    expect(props).not.toHaveProperty('halyardEvents');
    expect(JSON.stringify(props)).not.toContain('alice');
    await app(props);
    expect(document.querySelector('p')?.textContent).toBe('New checkout');
    window.dispatchEvent(new Event('pagehide'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(beacons).toEqual([]);
  });
});
