import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { StrictMode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import type { EvaluationContext } from '@halyard/core';
import { FlagProvider, sseStream, useFlag, useFlagStatus, type FlagProviderProps } from './index';
import { startFlagServer, type FlagServer } from '../test/flag-server';
import { eventually, snapshot } from '../test/helpers';

const OFF = snapshot('1', { 'new-checkout': false, 'dark-mode': false });
const ON = snapshot('2', { 'new-checkout': true, 'dark-mode': false });

let server: FlagServer;
let consoleError: MockInstance<typeof console.error>;

beforeEach(async () => {
  server = await startFlagServer(OFF);
  consoleError = vi.spyOn(console, 'error');
});

afterEach(async () => {
  cleanup();
  vi.useRealTimers();
  vi.restoreAllMocks();
  setVisibility(undefined);
  await server.close();
  // act() warnings and hydration errors arrive through console.error.
  expect(consoleError).not.toHaveBeenCalled();
});

function Show() {
  const on = useFlag('new-checkout');
  const { status } = useFlagStatus();
  return <p data-testid="out">{`${on ? 'on' : 'off'} ${status}`}</p>;
}
const out = () => screen.getByTestId('out').textContent;

function App(props: Omit<FlagProviderProps, 'children'>) {
  return (
    <FlagProvider endpoint={server.url} {...props}>
      <Show />
    </FlagProvider>
  );
}

/** jsdom is always "visible"; tests flip it like a browser tab does. `undefined` restores jsdom's own getters. */
function setVisibility(state: DocumentVisibilityState | undefined): void {
  if (state === undefined) {
    delete (document as { visibilityState?: unknown }).visibilityState;
    delete (document as { hidden?: unknown }).hidden;
    return;
  }
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => state === 'hidden' });
  document.dispatchEvent(new Event('visibilitychange'));
}

describe('polling', () => {
  it('fetches at once without a snapshot, POSTing the context', async () => {
    server.snapshot = ON;
    render(<App context={{ userId: 'u1', plan: 'pro' }} />);
    expect(out()).toBe('off loading');
    await waitFor(() => expect(out()).toBe('on ready'));
    expect(server.requests).toEqual([
      expect.objectContaining({ method: 'POST', context: { userId: 'u1', plan: 'pro' }, ifNoneMatch: undefined }),
    ]);
  });

  it('polls every 30 s by default, starting one interval after a fresh snapshot', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    render(<App snapshot={OFF} />);
    server.snapshot = ON;
    await act(() => vi.advanceTimersByTimeAsync(29_999));
    // Nothing was due, so nothing is in flight: the one pending timer is the poll.
    expect(vi.getTimerCount()).toBe(1);
    expect(server.requests).toHaveLength(0);
    await act(() => vi.advanceTimersByTimeAsync(1));
    await eventually(() => expect(out()).toBe('on ready'));
    expect(server.requests).toHaveLength(1);
  });

  it('sends If-None-Match and keeps the flags on 304 Not Modified', async () => {
    const renders = vi.fn();
    function Counted() {
      renders(useFlag('new-checkout'));
      return null;
    }
    render(
      <FlagProvider endpoint={server.url} pollInterval={20}>
        <Show />
        <Counted />
      </FlagProvider>,
    );
    await waitFor(() => expect(out()).toBe('off ready'));
    await waitFor(() => expect(server.requests.length).toBeGreaterThanOrEqual(3));
    expect(server.requests[0]!.ifNoneMatch).toBeUndefined();
    expect(server.requests.slice(1).every((r) => r.ifNoneMatch === '"1"')).toBe(true);
    // The 304s changed nothing: one render for loading, one for the first answer.
    expect(renders.mock.calls).toEqual([[false], [false]]);

    server.snapshot = ON;
    await waitFor(() => expect(out()).toBe('on ready'));
  });

  it('keeps the last good flags on failures (stale), reports them, and retries with backoff', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const onError = vi.fn();
    server.respond = () => ({ status: 500 });
    render(<App snapshot={ON} onError={onError} />);
    await act(() => vi.advanceTimersByTimeAsync(30_000));
    await eventually(() => expect(out()).toBe('on stale'));
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: expect.stringContaining('HTTP 500') }));

    // The retry comes after the backoff delay (100 ms with this random draw), not after another poll interval.
    server.respond = () => ({ snapshot: server.snapshot });
    server.snapshot = OFF;
    await act(() => vi.advanceTimersByTimeAsync(100));
    await eventually(() => expect(out()).toBe('off ready'));
    expect(server.requests).toHaveLength(2);
  });

  it('is in error (with defaults) when the first fetch fails', async () => {
    server.respond = () => ({ body: '{"not":"a snapshot"}', status: 200 });
    const onError = vi.fn();
    render(<App onError={onError} />);
    await waitFor(() => expect(out()).toBe('off error'));
    expect(onError).toHaveBeenCalled();
  });
});

describe('visibility and connectivity', () => {
  it('pauses while the tab is hidden and fetches at once when it returns after an interval', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    render(<App snapshot={OFF} />);
    expect(vi.getTimerCount()).toBe(1);
    act(() => setVisibility('hidden'));
    expect(vi.getTimerCount()).toBe(0);
    await act(() => vi.advanceTimersByTimeAsync(120_000));
    expect(server.requests).toHaveLength(0);

    server.snapshot = ON;
    act(() => setVisibility('visible'));
    await eventually(() => expect(out()).toBe('on ready'));
    expect(server.requests).toHaveLength(1);
  });

  it('refetches when the browser comes back online', async () => {
    render(<App snapshot={OFF} />);
    server.snapshot = ON;
    act(() => {
      window.dispatchEvent(new Event('online'));
    });
    await waitFor(() => expect(out()).toBe('on ready'));
  });
});

describe('context', () => {
  it('changing it refetches while the old values stay on screen; equal literals do not refetch', async () => {
    const byUser: Record<string, typeof ON> = { u1: ON, u2: OFF, u3: ON };
    let hold = false;
    server.respond = (request) => (hold ? { hold: true } : { snapshot: byUser[String(request.context?.userId)]! });
    const ui = (context: EvaluationContext) => <App snapshot={ON} context={context} />;
    const { rerender } = render(ui({ userId: 'u1' }));

    // A new but equal object literal on every render is not a change.
    rerender(ui({ userId: 'u1' }));

    hold = true;
    rerender(ui({ userId: 'u2' }));
    await waitFor(() => expect(server.requests).toHaveLength(1));
    expect(server.requests[0]!.context).toEqual({ userId: 'u2' });
    // The answer for u2 is still pending: u1's value stays, no flash of defaults, no loading state.
    expect(out()).toBe('on ready');

    server.snapshot = byUser.u2!;
    server.release();
    await waitFor(() => expect(out()).toBe('off ready'));

    hold = false;
    rerender(ui({ userId: 'u3' }));
    await waitFor(() => expect(out()).toBe('on ready'));
    expect(server.requests.map((r) => r.context?.userId)).toEqual(['u2', 'u3']);
  });
});

describe('lifecycle', () => {
  it('unmounting aborts the request in flight', async () => {
    server.respond = () => ({ hold: true });
    const { unmount } = render(<App />);
    await waitFor(() => expect(server.requests).toHaveLength(1));
    unmount();
    await server.aborted;
  });

  it('stops polling after unmount', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const { unmount } = render(<App snapshot={OFF} />);
    expect(vi.getTimerCount()).toBe(1);
    unmount();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(server.requests).toHaveLength(0);
  });

  it('keeps fetching under StrictMode, which runs effect cleanups and setups twice', async () => {
    server.snapshot = ON;
    render(
      <StrictMode>
        <App pollInterval={20} />
      </StrictMode>,
    );
    await waitFor(() => expect(out()).toBe('on ready'));
    server.snapshot = OFF;
    await waitFor(() => expect(out()).toBe('off ready'));
  });
});

describe('stream', () => {
  it('receives updates over server-sent events instead of polling', async () => {
    render(<App snapshot={OFF} stream={sseStream()} />);
    await waitFor(() => expect(server.streams).toHaveLength(1));
    act(() => server.push(ON));
    await waitFor(() => expect(out()).toBe('on ready'));
    expect(server.requests).toHaveLength(0);
  });

  it('falls back to polling when the stream is unavailable', async () => {
    server.streamStatus = 404;
    server.snapshot = ON;
    render(<App snapshot={OFF} stream={sseStream()} />);
    await waitFor(() => expect(out()).toBe('on ready'));
    expect(server.streams.length).toBeGreaterThanOrEqual(1);
    expect(server.requests.length).toBeGreaterThanOrEqual(1);
  });
});
