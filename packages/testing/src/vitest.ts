import { describe } from 'vitest';
import { createForEachFlagState } from './internal/for-each-flag-state';

export type { ForEachFlagState } from './internal/for-each-flag-state';

/**
 * `forEachFlagState` registering Vitest `describe` blocks (no `globals: true` needed): one per state of a flag.
 *
 * @example
 * ```tsx
 * import { it, expect } from 'vitest';
 * import { forEachFlagState } from '@halyard/testing/vitest';
 * import { renderWithFlags } from '@halyard/testing/react';
 *
 * forEachFlagState('new-checkout', (on, flags) => {
 *   it('shows the right checkout', () => {
 *     renderWithFlags(<Cart />, flags);
 *     expect(screen.getByRole('button').textContent).toBe(on ? 'Pay now' : 'Checkout');
 *   });
 * });
 * ```
 */
export const forEachFlagState = createForEachFlagState(() => describe);
