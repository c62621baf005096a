import { afterAll, describe, expect, it } from 'vitest';
import { forEachFlagState } from './index';

// The main entry's forEachFlagState uses the runner's global describe, as Jest (and Vitest with `globals: true`)
// provides it. Installing Vitest's real describe as that global runs the same path.
const globals = globalThis as { describe?: unknown };

describe('forEachFlagState from @halyard/testing (global describe)', () => {
  it('without a global describe, names the runner-specific entries', () => {
    expect(globals.describe).toBeUndefined();
    expect(() => forEachFlagState('new-checkout', () => {})).toThrow(
      "@halyard/testing: forEachFlagState() found no global describe(); with Vitest import it from '@halyard/testing/vitest', with node:test from '@halyard/testing/node-test'",
    );
  });

  const seen: Array<[boolean, string | undefined]> = [];
  globals.describe = describe;
  try {
    forEachFlagState('new-checkout', (on) => {
      it('registers under the global describe', () => {
        seen.push([on, expect.getState().currentTestName]);
      });
    });
  } finally {
    delete globals.describe;
  }

  afterAll(() => {
    const prefix = 'forEachFlagState from @halyard/testing (global describe) > when new-checkout is';
    expect(seen).toEqual([
      [true, `${prefix} true > registers under the global describe`],
      [false, `${prefix} false > registers under the global describe`],
    ]);
  });
});
