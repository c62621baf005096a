import { act, render, type RenderOptions, type RenderResult } from '@testing-library/react';
import { createElement, useEffect, useState, type JSXElementConstructor, type ReactElement, type ReactNode } from 'react';
import { createPollingSnapshotStore } from '@halyard/core';
import type { EvaluationContext, ExposureEvent, JsonValue, SnapshotStore } from '@halyard/core';
import { FlagProvider, type FlagKey, type FlagValue } from '@halyard/react';
import { createTestSnapshot, type TestFlagOptions } from './document';

/** Flag values for a test: typed by your `Register` augmentation of `@halyard/core` when there is one. */
export type TestFlags = { readonly [K in FlagKey]?: FlagValue<K> };

interface StoreOptions extends TestFlagOptions {
  /** Receives exposures, as `FlagProvider`'s `onExposure` does. */
  onExposure?: (event: ExposureEvent) => void;
  /** The evaluation context; its `userId` is the exposures' unit. */
  context?: EvaluationContext;
}

function createTestStore(flags: TestFlags, options: StoreOptions): SnapshotStore {
  // No endpoint: the store never touches the network; values only change through setSnapshot.
  return createPollingSnapshotStore({
    snapshot: createTestSnapshot(flags as Record<string, JsonValue>, options),
    onExposure: options.onExposure,
    context: options.context,
  });
}

export interface TestFlagProviderProps extends StoreOptions {
  /** The values every hook below sees; changing the prop updates them like a new snapshot from the server. */
  flags: TestFlags;
  children?: ReactNode;
}

/**
 * A `FlagProvider` serving fixed values without any network, for tests and stories.
 *
 * @example
 * ```tsx
 * render(
 *   <TestFlagProvider flags={{ 'new-checkout': true }}>
 *     <Checkout />
 *   </TestFlagProvider>,
 * );
 * ```
 */
export function TestFlagProvider(props: TestFlagProviderProps): ReactElement {
  const { flags, children, ...options } = props;
  const [store] = useState(() => createTestStore(flags, options));
  const key = JSON.stringify([flags, options.variants, options.reasons]);
  useEffect(() => {
    store.setSnapshot(createTestSnapshot(flags as Record<string, JsonValue>, options));
  }, [key]);
  return createElement(FlagProvider, { store }, children);
}

export interface RenderWithFlagsOptions extends StoreOptions, RenderOptions {}

export type RenderWithFlagsResult = RenderResult & {
  /**
   * Changes some flags (others keep their values; `undefined` removes one) and lets React re-render, inside
   * `act()`: assert the live update right after.
   */
  setFlags(flags: TestFlags): void;
  /** The snapshot store behind the provider. */
  store: SnapshotStore;
};

/**
 * `render` from @testing-library/react inside a provider serving `flags`; `setFlags` changes them mid-test.
 *
 * @example
 * ```tsx
 * const { setFlags } = renderWithFlags(<Checkout />, { 'new-checkout': false });
 * expect(screen.getByText('Checkout')).toBeTruthy();
 * setFlags({ 'new-checkout': true });
 * expect(screen.getByText('Pay now')).toBeTruthy();
 * ```
 */
export function renderWithFlags(
  ui: ReactElement,
  flags: TestFlags = {},
  options: RenderWithFlagsOptions = {},
): RenderWithFlagsResult {
  const { onExposure, context, reasons, variants, wrapper: Inner, ...renderOptions } = options;
  const flagOptions = { reasons, variants };
  let current: TestFlags = { ...flags };
  const store = createTestStore(current, { ...flagOptions, onExposure, context });
  const Wrapper = ({ children }: { children: ReactNode }) =>
    createElement(FlagProvider, { store }, Inner ? createElement(Inner as JSXElementConstructor<{ children: ReactNode }>, null, children) : children);
  const result = render(ui, { ...renderOptions, wrapper: Wrapper });
  return {
    ...result,
    store,
    setFlags(next) {
      current = { ...current, ...next };
      const snapshot = createTestSnapshot(current as Record<string, JsonValue>, flagOptions);
      act(() => store.setSnapshot(snapshot));
    },
  };
}
