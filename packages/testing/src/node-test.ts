import { describe } from 'node:test';
import { createForEachFlagState } from './internal/for-each-flag-state';

export type { ForEachFlagState } from './internal/for-each-flag-state';

/**
 * `forEachFlagState` registering `node:test` `describe` blocks: one per state of a flag.
 *
 * @example
 * ```ts
 * import { it } from 'node:test';
 * import assert from 'node:assert/strict';
 * import { createTestClient } from '@halyard/testing';
 * import { forEachFlagState } from '@halyard/testing/node-test';
 *
 * forEachFlagState('new-checkout', (on, flags) => {
 *   it('prices the cart', () => {
 *     assert.equal(priceCart(createTestClient(flags)), on ? 90 : 100);
 *   });
 * });
 * ```
 */
export const forEachFlagState = createForEachFlagState(() => describe);
