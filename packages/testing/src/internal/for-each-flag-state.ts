import { describe } from 'vitest';
import type { JsonValue } from '@halyard/core';

/**
 * Registers one vitest `describe` block per state of a flag, so every flag-dependent behaviour is tested on both
 * (all) paths. The body receives the state and `{ [key]: state }`, ready to hand to `renderWithFlags`,
 * `createTestClient` or `TestFlagProvider`. Without `states`, a boolean flag's `[true, false]` is used.
 *
 * @example
 * ```tsx
 * forEachFlagState('new-checkout', (on, flags) => {
 *   it('checks out', async () => {
 *     renderWithFlags(<Cart />, flags);
 *     expect(screen.getByRole('button', { name: on ? 'Pay now' : 'Checkout' })).toBeTruthy();
 *   });
 * });
 * forEachFlagState('button-color', ['blue', 'green'], (color) => { it(`renders ${color}`, () => {}); });
 * ```
 */
export function forEachFlagState(key: string, fn: (state: boolean, flags: Record<string, boolean>) => void): void;
export function forEachFlagState<const T extends JsonValue>(
  key: string,
  states: readonly T[],
  fn: (state: T, flags: Record<string, T>) => void,
): void;
export function forEachFlagState(
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
  states.forEach((state, i) => describe(`when ${key} is ${names[i]}`, () => fn(state, { [key]: state })));
}
