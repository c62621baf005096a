import { afterAll, describe, expect, it } from 'vitest';
import { forEachFlagState } from './vitest';

describe('forEachFlagState from @halyard/testing/vitest', () => {
  const booleans: Array<[boolean, Record<string, boolean>, string | undefined]> = [];
  forEachFlagState('new-checkout', (on, flags) => {
    it('runs once per state', () => {
      booleans.push([on, flags, expect.getState().currentTestName]);
    });
  });

  const colors: string[] = [];
  forEachFlagState('button-color', ['blue', 'green'], (color, flags) => {
    it('runs once per state', () => {
      expect(flags).toEqual({ 'button-color': color });
      colors.push(color);
    });
  });

  afterAll(() => {
    const prefix = 'forEachFlagState from @halyard/testing/vitest > when new-checkout is';
    expect(booleans).toEqual([
      [true, { 'new-checkout': true }, `${prefix} true > runs once per state`],
      [false, { 'new-checkout': false }, `${prefix} false > runs once per state`],
    ]);
    expect(colors).toEqual(['blue', 'green']);
  });

  it('refuses an empty or duplicated list of states, or a missing body', () => {
    expect(() => forEachFlagState('x', [], () => {})).toThrow('@halyard/testing: forEachFlagState("x") needs a list of distinct states');
    expect(() => forEachFlagState('x', [true, true], () => {})).toThrow('distinct states');
    expect(() => forEachFlagState('x', [true] as never)).toThrow('needs a function that registers tests');
  });
});
