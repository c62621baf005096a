// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { Flag, useFlag, useFlagValue, useVariant } from '@halyard/react';
import { forEachFlagState } from './vitest';
import { renderWithFlags, TestFlagProvider } from './react';

let consoleError: MockInstance<typeof console.error>;
beforeEach(() => {
  consoleError = vi.spyOn(console, 'error');
});
afterEach(() => {
  cleanup();
  expect(consoleError).not.toHaveBeenCalled();
  consoleError.mockRestore();
});

function Checkout() {
  const on = useFlag('new-checkout');
  const color = useFlagValue('button-color', 'blue');
  return <button className={color}>{on ? 'Pay now' : 'Checkout'}</button>;
}

describe('renderWithFlags', () => {
  forEachFlagState('new-checkout', (on, flags) => {
    it('renders the matching checkout', () => {
      renderWithFlags(<Checkout />, flags);
      expect(screen.getByRole('button').textContent).toBe(on ? 'Pay now' : 'Checkout');
    });
  });

  forEachFlagState('button-color', ['blue', 'green'], (color) => {
    it('colors the button', () => {
      renderWithFlags(<Checkout />, { 'button-color': color });
      expect(screen.getByRole('button').className).toBe(color);
    });
  });

  it('setFlags updates values live, keeping the others', () => {
    const { setFlags } = renderWithFlags(<Checkout />, { 'new-checkout': false, 'button-color': 'green' });
    expect(screen.getByRole('button').textContent).toBe('Checkout');
    setFlags({ 'new-checkout': true });
    expect(screen.getByRole('button').textContent).toBe('Pay now');
    expect(screen.getByRole('button').className).toBe('green');
    setFlags({ 'button-color': undefined });
    expect(screen.getByRole('button').className).toBe('blue');
  });

  it('re-renders only components whose flag changed', () => {
    const renders = vi.fn();
    function Other() {
      renders(useFlag('dark-mode'));
      return null;
    }
    const { setFlags } = renderWithFlags(
      <>
        <Checkout />
        <Other />
      </>,
      { 'new-checkout': false, 'dark-mode': true },
    );
    setFlags({ 'new-checkout': true });
    expect(renders).toHaveBeenCalledTimes(1);
  });

  it('passes variants, reasons, exposures and a wrapper through', () => {
    const onExposure = vi.fn();
    function Wrapper({ children }: { children: ReactNode }) {
      return <main>{children}</main>;
    }
    function Experiment() {
      return <p>{useVariant('checkout-experiment')}</p>;
    }
    const { container } = renderWithFlags(
      <Experiment />,
      { 'checkout-experiment': 'b' },
      { variants: { 'checkout-experiment': 'treatment' }, onExposure, context: { userId: 'u1' }, wrapper: Wrapper },
    );
    expect(container.innerHTML).toBe('<main><p>treatment</p></main>');
    expect(onExposure).toHaveBeenCalledWith(
      expect.objectContaining({ flag: 'checkout-experiment', variant: 'treatment', unit: 'u1', reason: 'STATIC' }),
    );
  });

  it('needs no network', () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const { store } = renderWithFlags(<Checkout />, { 'new-checkout': true });
    expect(store.getSnapshot().status).toBe('ready');
    expect(fetchSpy).not.toHaveBeenCalled();
  });
});

describe('TestFlagProvider', () => {
  forEachFlagState('new-checkout', (on) => {
    it('serves the flags to hooks and <Flag>', () => {
      render(
        <TestFlagProvider flags={{ 'new-checkout': on }}>
          <Checkout />
          <Flag name="new-checkout" on={<span>banner</span>} off={<span>no banner</span>} />
        </TestFlagProvider>,
      );
      expect(screen.getByRole('button').textContent).toBe(on ? 'Pay now' : 'Checkout');
      expect(screen.getByText(on ? 'banner' : 'no banner')).toBeTruthy();
    });
  });

  it('follows changes of the flags prop', () => {
    const { rerender } = render(
      <TestFlagProvider flags={{ 'new-checkout': false }}>
        <Checkout />
      </TestFlagProvider>,
    );
    rerender(
      <TestFlagProvider flags={{ 'new-checkout': true }}>
        <Checkout />
      </TestFlagProvider>,
    );
    expect(screen.getByRole('button').textContent).toBe('Pay now');
  });

  it('reports exposures', () => {
    const onExposure = vi.fn();
    render(
      <TestFlagProvider flags={{ 'new-checkout': true }} onExposure={onExposure}>
        <Checkout />
      </TestFlagProvider>,
    );
    expect(onExposure).toHaveBeenCalledTimes(1);
  });
});

it('act() is not needed around setFlags (it wraps itself)', () => {
  const { setFlags } = renderWithFlags(<Checkout />, { 'new-checkout': false });
  act(() => {});
  setFlags({ 'new-checkout': true });
  expect(screen.getByRole('button').textContent).toBe('Pay now');
});
