import type { JsonValue } from '@halyard/core';

/** A test runner's `describe`: Vitest, Jest, Mocha and `node:test` all have this shape. */
export type DescribeFn = (name: string, fn: () => void) => unknown;

/** The `forEachFlagState` overloads, the same from every entry (`@halyard/testing`, `/vitest`, `/node-test`). */
export interface ForEachFlagState {
  /** One `describe` block per state of a boolean flag: `true`, then `false`. */
  (key: string, fn: (state: boolean, flags: Record<string, boolean>) => void): void;
  /** One `describe` block per state in `states` (distinct JSON values). */
  <const T extends JsonValue>(key: string, states: readonly T[], fn: (state: T, flags: Record<string, T>) => void): void;
}

/**
 * Builds `forEachFlagState` over a runner's `describe`. `describe` is a function returning the runner's
 * describe, called when tests are registered: the main entry looks it up on `globalThis` then, so it imports no
 * test runner (vitest is an optional peer, and jest or node:test users have none of it installed).
 */
export function createForEachFlagState(getDescribe: () => DescribeFn): ForEachFlagState {
  return function forEachFlagState(
    key: string,
    statesOrFn: readonly JsonValue[] | ((state: boolean, flags: Record<string, boolean>) => void),
    maybeFn?: (state: JsonValue, flags: Record<string, JsonValue>) => void,
  ): void {
    const states = typeof statesOrFn === 'function' ? [true, false] : statesOrFn;
    const fn = (typeof statesOrFn === 'function' ? statesOrFn : maybeFn) as
      | ((state: JsonValue, flags: Record<string, JsonValue>) => void)
      | undefined;
    if (typeof fn !== 'function') {
      throw new TypeError('@halyard/testing: forEachFlagState(key, states, fn) needs a function that registers tests');
    }
    const names = states.map((state) => JSON.stringify(state));
    if (states.length === 0 || new Set(names).size !== names.length) {
      throw new TypeError(`@halyard/testing: forEachFlagState("${key}") needs a list of distinct states, e.g. [true, false]`);
    }
    const describe = getDescribe();
    states.forEach((state, i) => describe(`when ${key} is ${names[i]}`, () => fn(state, { [key]: state })));
  } as ForEachFlagState;
}

/** The global `describe` of Jest, Mocha, Bun or Vitest with `globals: true`; a clear error without one. */
export function globalDescribe(): DescribeFn {
  const describe = (globalThis as { describe?: unknown }).describe;
  if (typeof describe !== 'function') {
    throw new TypeError(
      "@halyard/testing: forEachFlagState() found no global describe(); with Vitest import it from '@halyard/testing/vitest', with node:test from '@halyard/testing/node-test'",
    );
  }
  return describe as DescribeFn;
}

/**
 * Registers one `describe` block per state of a flag, so every flag-dependent behaviour is tested on every path.
 * The body receives the state and `{ [key]: state }`, ready for `renderWithFlags`, `createTestClient` or
 * `TestFlagProvider`. Without `states`, a boolean flag's `[true, false]` is used.
 *
 * This one uses the runner's global `describe` (Jest, Mocha, Bun, Vitest with `globals: true`), so importing
 * `@halyard/testing` never loads a test runner. Vitest without globals: `@halyard/testing/vitest`; node:test:
 * `@halyard/testing/node-test` (same signature).
 *
 * @example
 * ```tsx
 * forEachFlagState('new-checkout', (on, flags) => {
 *   it('checks out', () => {
 *     renderWithFlags(<Cart />, flags);
 *     expect(screen.getByRole('button', { name: on ? 'Pay now' : 'Checkout' })).toBeTruthy();
 *   });
 * });
 * forEachFlagState('button-color', ['blue', 'green'], (color) => { it(`renders ${color}`, () => {}); });
 * ```
 */
export const forEachFlagState = createForEachFlagState(globalDescribe);
