import { act, cleanup, render, screen } from '@testing-library/react';
import { Component, StrictMode, useRef, type ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { createSnapshotStore, type ExposureEvent, type SnapshotStore } from '@halyard/core';
import {
  Flag,
  FlagProvider,
  useFlag,
  useFlagDetails,
  useFlags,
  useFlagStatus,
  useFlagValue,
  useVariant,
} from './index';
import { snapshot } from '../test/helpers';

let consoleError: MockInstance<typeof console.error>;
beforeEach(() => {
  consoleError = vi.spyOn(console, 'error');
});
afterEach(() => {
  cleanup();
  // React reports act() problems, key warnings and hydration mismatches through console.error.
  expect(consoleError).not.toHaveBeenCalled();
  consoleError.mockRestore();
});

function storeWith(values: Parameters<typeof snapshot>[1], onExposure?: (event: ExposureEvent) => void): SnapshotStore {
  return createSnapshotStore({ snapshot: snapshot('1', values), onExposure, context: { userId: 'u1' } });
}

describe('hooks read the provider snapshot', () => {
  it('useFlag is true for an on flag and false for an off flag', () => {
    function Show() {
      return (
        <p>
          {String(useFlag('new-checkout'))}/{String(useFlag('dark-mode'))}
        </p>
      );
    }
    render(
      <FlagProvider snapshot={snapshot('1', { 'new-checkout': true, 'dark-mode': false })}>
        <Show />
      </FlagProvider>,
    );
    expect(screen.getByText('true/false')).toBeTruthy();
  });

  it('useFlag is false (or the given default) for a missing flag and for a non-boolean value', () => {
    function Show() {
      // @ts-expect-error not a registered key: reads as false
      const missing = useFlag('missing');
      return <p>{`${missing}/${useFlag('dark-mode')}/${useFlag('new-checkout', true)}/${useFlag('dark-mode', true)}`}</p>;
    }
    render(
      <FlagProvider snapshot={snapshot('1', { 'dark-mode': 'yes' })}>
        <Show />
      </FlagProvider>,
    );
    expect(screen.getByText('false/false/true/true')).toBeTruthy();
  });

  it('reads only real flags, not Object.prototype members', () => {
    function Show() {
      // @ts-expect-error not a registered key
      const details = useFlagDetails('constructor', 'x');
      // @ts-expect-error not a registered key
      return <p>{`${useFlag('toString', true)}|${details.errorCode}`}</p>;
    }
    render(
      <FlagProvider snapshot={snapshot('1', {})}>
        <Show />
      </FlagProvider>,
    );
    expect(screen.getByText('true|FLAG_NOT_FOUND')).toBeTruthy();
  });

  it('useFlagValue returns the value, or the default when missing or of another type', () => {
    function Show() {
      const color = useFlagValue('button-color', 'blue');
      const max = useFlagValue('max-items', 5);
      const banner = useFlagValue('banner', { text: 'default' });
      return <p>{`${color}|${max}|${banner.text}`}</p>;
    }
    render(
      <FlagProvider snapshot={snapshot('1', { 'button-color': 'green', 'max-items': 'ten' })}>
        <Show />
      </FlagProvider>,
    );
    expect(screen.getByText('green|5|default')).toBeTruthy();
  });

  it('useVariant returns the served variant, undefined when missing', () => {
    function Show() {
      return <p>{`${useVariant('checkout-experiment')}|${useVariant('button-color')}`}</p>;
    }
    render(
      <FlagProvider
        snapshot={snapshot('1', { 'checkout-experiment': { value: 'b', variant: 'treatment', reason: 'SPLIT' } })}
      >
        <Show />
      </FlagProvider>,
    );
    expect(screen.getByText('treatment|undefined')).toBeTruthy();
  });

  it('useFlagDetails returns value, variant and reason, and error details for missing and mistyped flags', () => {
    const seen: unknown[] = [];
    function Show() {
      seen.push(useFlagDetails('checkout-experiment', 'control'));
      seen.push(useFlagDetails('button-color', 'blue'));
      seen.push(useFlagDetails('max-items', 3));
      return null;
    }
    render(
      <FlagProvider
        snapshot={snapshot('1', {
          'checkout-experiment': { value: 'b', variant: 'treatment', reason: 'TARGETING_MATCH', ruleId: 'beta' },
          'max-items': 'many',
        })}
      >
        <Show />
      </FlagProvider>,
    );
    expect(seen).toEqual([
      { value: 'b', variant: 'treatment', reason: 'TARGETING_MATCH', ruleId: 'beta', errorCode: undefined },
      { value: 'blue', reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' },
      { value: 3, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' },
    ]);
  });

  it("useFlagValue and useFlagDetails apply core's type-match rule: a null default accepts any type, [] an object", () => {
    const seen: unknown[] = [];
    // Untyped reads, as in an app without a Register: the registered types of this program forbid these defaults.
    const readValue = useFlagValue as (key: string, defaultValue: unknown) => unknown;
    const readDetails = useFlagDetails as (key: string, defaultValue?: unknown) => unknown;
    function Show() {
      seen.push(readValue('button-color', null), readValue('banner', []), readValue('button-color', []), readValue('banner', 'none'));
      seen.push(readDetails('button-color', null), readDetails('banner', []), readDetails('max-items', null));
      return null;
    }
    render(
      <FlagProvider snapshot={snapshot('1', { 'button-color': 'green', banner: { text: 'hi' } })}>
        <Show />
      </FlagProvider>,
    );
    expect(seen).toEqual([
      'green',
      { text: 'hi' },
      [],
      'none',
      { value: 'green', variant: 'v-"green"', reason: 'STATIC', ruleId: undefined, errorCode: undefined },
      { value: { text: 'hi' }, variant: 'v-{"text":"hi"}', reason: 'STATIC', ruleId: undefined, errorCode: undefined },
      { value: null, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' },
    ]);
  });

  it('useFlags returns every flag and useFlagStatus the lifecycle', () => {
    let flags: unknown;
    let status: unknown;
    function Show() {
      flags = useFlags();
      status = useFlagStatus();
      return null;
    }
    const snap = snapshot('1', { 'new-checkout': true, 'max-items': 4 });
    render(
      <FlagProvider snapshot={snap}>
        <Show />
      </FlagProvider>,
    );
    expect(flags).toEqual(snap.flags);
    expect(status).toMatchObject({ status: 'ready', error: undefined });
    expect(typeof (status as { updatedAt: unknown }).updatedAt).toBe('number');
  });

  it('a provider without snapshot and endpoint is loading and serves defaults', () => {
    function Show() {
      return <p>{`${useFlagStatus().status}|${useFlag('new-checkout')}|${useFlagValue('max-items', 7)}`}</p>;
    }
    render(
      <FlagProvider>
        <Show />
      </FlagProvider>,
    );
    expect(screen.getByText('loading|false|7')).toBeTruthy();
  });
});

describe('updates', () => {
  it('re-renders a component only when the flag it reads changes', () => {
    const store = storeWith({ 'new-checkout': false, 'dark-mode': false });
    const renders = { a: 0, b: 0 };
    function A() {
      renders.a++;
      return <p>a:{String(useFlag('new-checkout'))}</p>;
    }
    function B() {
      renders.b++;
      return <p>b:{String(useFlag('dark-mode'))}</p>;
    }
    render(
      <FlagProvider store={store}>
        <A />
        <B />
      </FlagProvider>,
    );
    expect(renders).toEqual({ a: 1, b: 1 });

    act(() => store.setSnapshot(snapshot('2', { 'new-checkout': false, 'dark-mode': true })));
    expect(screen.getByText('b:true')).toBeTruthy();
    expect(renders).toEqual({ a: 1, b: 2 });

    act(() => store.setSnapshot(snapshot('3', { 'new-checkout': true, 'dark-mode': true })));
    expect(screen.getByText('a:true')).toBeTruthy();
    expect(renders).toEqual({ a: 2, b: 2 });
  });

  it('useFlags re-renders on any change; useFlagStatus not on flag changes', () => {
    const store = storeWith({ 'new-checkout': false, 'dark-mode': false });
    const renders = { all: 0, status: 0 };
    function All() {
      renders.all++;
      return <p>keys:{Object.keys(useFlags()).length}</p>;
    }
    function Status() {
      renders.status++;
      useFlagStatus();
      return null;
    }
    render(
      <FlagProvider store={store}>
        <All />
        <Status />
      </FlagProvider>,
    );
    act(() => store.setSnapshot(snapshot('2', { 'new-checkout': false, 'dark-mode': true })));
    // setSnapshot also stamps a new updatedAt, which Status shows; flags alone would not re-render it.
    expect(renders.all).toBe(2);
    const statusRenders = renders.status;
    act(() => store.setSnapshot(snapshot('2', { 'new-checkout': false, 'dark-mode': true })));
    expect(renders).toEqual({ all: 2, status: statusRenders });
  });

  it('useFlagDetails keeps its identity until the flag changes', () => {
    const store = storeWith({ 'new-checkout': false, 'dark-mode': false });
    const seen: unknown[] = [];
    function Show({ tick }: { tick: number }) {
      seen.push(useFlagDetails('new-checkout', false));
      return <p>{tick}</p>;
    }
    const { rerender } = render(
      <FlagProvider store={store}>
        <Show tick={1} />
      </FlagProvider>,
    );
    rerender(
      <FlagProvider store={store}>
        <Show tick={2} />
      </FlagProvider>,
    );
    act(() => store.setSnapshot(snapshot('2', { 'new-checkout': true, 'dark-mode': false })));
    expect(seen).toHaveLength(3);
    expect(seen[1]).toBe(seen[0]);
    expect(seen[2]).not.toBe(seen[1]);
    expect(seen[2]).toMatchObject({ value: true, variant: 'on' });
  });
});

describe('exposures', () => {
  it('fire once per flag and variant however often and wherever the flag is read', async () => {
    const events: ExposureEvent[] = [];
    const store = storeWith({ 'new-checkout': true, 'dark-mode': false }, (event) => events.push(event));
    function Reader({ tick }: { tick: number }) {
      useFlag('new-checkout');
      return <p>{tick}</p>;
    }
    const ui = (tick: number) => (
      <FlagProvider store={store}>
        <Reader tick={tick} />
        <Reader tick={tick} />
        <Flag name="new-checkout" on="on" />
      </FlagProvider>
    );
    const { rerender } = render(ui(1));
    rerender(ui(2));
    rerender(ui(3));
    expect(events.map((e) => [e.flag, e.variant, e.unit])).toEqual([['new-checkout', 'on', 'u1']]);

    // A new variant is a new exposure; an unread flag (dark-mode) never is.
    act(() => store.setSnapshot(snapshot('2', { 'new-checkout': false, 'dark-mode': true })));
    expect(events.map((e) => [e.flag, e.variant])).toEqual([
      ['new-checkout', 'on'],
      ['new-checkout', 'off'],
    ]);
  });

  it('fire from effects: a render that never commits records nothing', () => {
    const onExposure = vi.fn();
    consoleError.mockImplementation(() => {});
    class Boundary extends Component<{ children: ReactNode }, { failed: boolean }> {
      override state = { failed: false };
      static getDerivedStateFromError() {
        return { failed: true };
      }
      override render() {
        return this.state.failed ? <p>failed</p> : this.props.children;
      }
    }
    function ReadsThenThrows(): ReactNode {
      useFlag('new-checkout');
      throw new Error('render failed');
    }
    render(
      <FlagProvider snapshot={snapshot('1', { 'new-checkout': true })} onExposure={onExposure}>
        <Boundary>
          <ReadsThenThrows />
        </Boundary>
      </FlagProvider>,
    );
    expect(screen.getByText('failed')).toBeTruthy();
    expect(onExposure).not.toHaveBeenCalled();
    consoleError.mockReset();
  });

  it('calls the latest onExposure prop without recreating the store', () => {
    const first = vi.fn();
    const second = vi.fn();
    const renders: boolean[] = [];
    function Reader({ flag }: { flag: 'new-checkout' | 'dark-mode' }) {
      renders.push(useFlag(flag));
      return null;
    }
    const { rerender } = render(
      <FlagProvider snapshot={snapshot('1', { 'new-checkout': true, 'dark-mode': true })} onExposure={first}>
        <Reader flag="new-checkout" />
      </FlagProvider>,
    );
    rerender(
      <FlagProvider snapshot={snapshot('1', { 'new-checkout': true, 'dark-mode': true })} onExposure={second}>
        <Reader flag="new-checkout" />
        <Reader flag="dark-mode" />
      </FlagProvider>,
    );
    expect(first.mock.calls.map(([e]) => e.flag)).toEqual(['new-checkout']);
    expect(second.mock.calls.map(([e]) => e.flag)).toEqual(['dark-mode']);
  });
});

describe('<Flag>', () => {
  const snap = snapshot('1', {
    'new-checkout': true,
    'dark-mode': false,
    'button-color': { value: 'green', variant: 'g', reason: 'SPLIT' },
  });

  it('renders `on` for an on flag and `off` for an off flag', () => {
    render(
      <FlagProvider snapshot={snap}>
        <Flag name="new-checkout" on={<b>new checkout</b>} off={<b>old checkout</b>} />
        <Flag name="dark-mode" on={<b>dark</b>} off={<b>light</b>} />
      </FlagProvider>,
    );
    expect(screen.getByText('new checkout')).toBeTruthy();
    expect(screen.getByText('light')).toBeTruthy();
    expect(screen.queryByText('old checkout')).toBeNull();
    expect(screen.queryByText('dark')).toBeNull();
  });

  it('matches a variant or a value, renders children as `on`, and nothing when off is absent', () => {
    const { container } = render(
      <FlagProvider snapshot={snap}>
        <Flag name="button-color" variant="g" on="variant g;" off="not g;" />
        <Flag name="button-color" variant="b" on="variant b;" off="not b;" />
        <Flag name="button-color" value="green">
          green;
        </Flag>
        <Flag name="button-color" value="blue">
          blue;
        </Flag>
        <Flag name="dark-mode" on="dark;" />
      </FlagProvider>,
    );
    expect(container.textContent).toBe('variant g;not b;green;');
  });
});

describe('misuse', () => {
  it.each([
    ['useFlag()', () => useFlag('new-checkout')],
    ['useFlagValue()', () => useFlagValue('max-items', 1)],
    ['useVariant()', () => useVariant('new-checkout')],
    ['useFlagDetails()', () => useFlagDetails('new-checkout')],
    ['useFlags()', () => useFlags()],
    ['useFlagStatus()', () => useFlagStatus()],
    ['<Flag>', () => Flag({ name: 'new-checkout' })],
  ])('%s outside <FlagProvider> throws an error naming the fix', (name, hook) => {
    consoleError.mockImplementation(() => {});
    function Outside() {
      hook();
      return null;
    }
    expect(() => render(<Outside />)).toThrow(`@halyard/react: ${name} must be used inside <FlagProvider>`);
    consoleError.mockReset();
  });
});

describe('StrictMode', () => {
  it('keeps working after effects are double-invoked', () => {
    const store = storeWith({ 'new-checkout': false });
    function Show() {
      const renders = useRef(0);
      renders.current++;
      return <p>{String(useFlag('new-checkout'))}</p>;
    }
    render(
      <StrictMode>
        <FlagProvider snapshot={snapshot('1', { 'new-checkout': false })}>
          <Show />
        </FlagProvider>
        <FlagProvider store={store}>
          <Show />
        </FlagProvider>
      </StrictMode>,
    );
    act(() => store.setSnapshot(snapshot('2', { 'new-checkout': true })));
    expect(screen.getAllByText(/true|false/).map((p) => p.textContent)).toEqual(['false', 'true']);
  });
});
