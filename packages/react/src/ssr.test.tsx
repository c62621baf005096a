import { act, waitFor } from '@testing-library/react';
import { hydrateRoot, type Root } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { Flag, FlagProvider, useFlag, useFlagValue } from './index';
import { startFlagServer, type FlagServer } from '../test/flag-server';
import { snapshot } from '../test/helpers';

let server: FlagServer;
let consoleError: MockInstance<typeof console.error>;
let root: Root | undefined;
let container: HTMLElement | undefined;

beforeEach(async () => {
  server = await startFlagServer(snapshot('0', {}));
  consoleError = vi.spyOn(console, 'error');
});

afterEach(async () => {
  act(() => root?.unmount());
  container?.remove();
  root = container = undefined;
  consoleError.mockRestore();
  await server.close();
});

describe.each([
  { on: true, label: 'on', expected: 'new checkout|green' },
  { on: false, label: 'off', expected: 'old checkout|blue' },
])('SSR then hydration with the flag $label', ({ on, expected }) => {
  it('hydrates without warnings and the first client render shows the server-rendered value', async () => {
    const ssrSnapshot = snapshot('ssr', { 'new-checkout': on, 'button-color': on ? 'green' : 'blue' });
    const firstRenders: string[] = [];
    function Checkout() {
      const value = `${useFlag('new-checkout') ? 'new checkout' : 'old checkout'}|${useFlagValue('button-color', 'blue')}`;
      firstRenders.push(value);
      return <p id="checkout">{value}</p>;
    }
    const app = (
      <FlagProvider snapshot={ssrSnapshot} endpoint={server.url} pollInterval={20} context={{ userId: 'u1' }}>
        <Checkout />
        <Flag name="new-checkout" on={<span>banner</span>} off={<span>no banner</span>} />
      </FlagProvider>
    );

    const html = renderToString(app);
    expect(html).toContain(expected);
    expect(html).toContain(on ? 'banner' : 'no banner');

    // By the time the browser hydrates, the endpoint already serves the opposite: hydration must still match SSR.
    server.snapshot = snapshot('live', { 'new-checkout': !on, 'button-color': on ? 'blue' : 'green' });
    firstRenders.length = 0;
    container = document.createElement('div');
    container.innerHTML = html;
    document.body.appendChild(container);
    const onRecoverableError = vi.fn();
    await act(async () => {
      root = hydrateRoot(container!, app, { onRecoverableError });
    });

    expect(firstRenders[0]).toBe(expected);
    expect(onRecoverableError).not.toHaveBeenCalled();
    expect(consoleError).not.toHaveBeenCalled();

    // After hydration the provider polls and the live values replace the SSR ones.
    const opposite = on ? 'old checkout|blue' : 'new checkout|green';
    await waitFor(() => expect(container!.querySelector('#checkout')!.textContent).toBe(opposite));
    expect(consoleError).not.toHaveBeenCalled();
  });
});

it('a mismatching client snapshot is reported by React (the test above can fail)', async () => {
  consoleError.mockImplementation(() => {});
  function Checkout() {
    return <p>{useFlag('new-checkout') ? 'new checkout' : 'old checkout'}</p>;
  }
  const html = renderToString(
    <FlagProvider snapshot={snapshot('a', { 'new-checkout': true })}>
      <Checkout />
    </FlagProvider>,
  );
  container = document.createElement('div');
  container.innerHTML = html;
  document.body.appendChild(container);
  const onRecoverableError = vi.fn();
  await act(async () => {
    root = hydrateRoot(
      container!,
      <FlagProvider snapshot={snapshot('b', { 'new-checkout': false })}>
        <Checkout />
      </FlagProvider>,
      { onRecoverableError },
    );
  });
  expect(onRecoverableError).toHaveBeenCalled();
});
