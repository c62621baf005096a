// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act } from 'react';
import { hydrateRoot, type Root } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import type { FlagSnapshot } from '@halyard/core';
import { HalyardClientProvider, PagesFlagProvider, useFlag } from '@halyard/next/client';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const snapshot = (version: string, on: boolean): FlagSnapshot => ({
  version,
  flags: { 'new-checkout': { value: on, variant: on ? 'on' : 'off', reason: 'SPLIT' } },
});

function Checkout() {
  return <p>{useFlag('new-checkout') ? 'new' : 'old'}</p>;
}

let root: Root | undefined;
afterEach(() => {
  act(() => root?.unmount());
  root = undefined;
  document.body.innerHTML = '';
});

/** Server-renders, then hydrates in the DOM, recording every recoverable (hydration) error. */
function hydrate(element: React.ReactElement) {
  const container = document.createElement('div');
  container.innerHTML = renderToString(element);
  document.body.append(container);
  const serverHtml = container.innerHTML;
  const errors: unknown[] = [];
  act(() => {
    root = hydrateRoot(container, element, { onRecoverableError: (error) => errors.push(error) });
  });
  return { container, serverHtml, errors };
}

describe('client providers', () => {
  it('HalyardClientProvider hydrates the server HTML without a mismatch, both sides', () => {
    for (const on of [true, false]) {
      const { container, serverHtml, errors } = hydrate(
        <HalyardClientProvider snapshot={snapshot('v1', on)} endpoint="/api/flags" pollInterval={0}>
          <Checkout />
        </HalyardClientProvider>,
      );
      expect(serverHtml).toBe(`<p>${on ? 'new' : 'old'}</p>`);
      expect(container.innerHTML).toBe(serverHtml);
      expect(errors).toEqual([]);
      act(() => root?.unmount());
      root = undefined;
    }
  });

  it('PagesFlagProvider hydrates from pageProps and adopts the snapshot a newly navigated page brings', () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockImplementation(() => new Promise(() => {}));
    const element = (s: FlagSnapshot) => (
      <PagesFlagProvider snapshot={s} pollInterval={0}>
        <Checkout />
      </PagesFlagProvider>
    );
    const { container, errors } = hydrate(element(snapshot('v1', false)));
    expect(errors).toEqual([]);
    expect(container.textContent).toBe('old');
    act(() => root!.render(element(snapshot('v2', true))));
    expect(container.textContent).toBe('new');
    fetchSpy.mockRestore();
  });
});
