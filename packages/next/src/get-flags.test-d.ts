/**
 * Type tests for `getFlags()` without a `Register` augmentation (checked by `pnpm typecheck`, not run by vitest);
 * typetest/ checks it with one.
 */
import { expectTypeOf } from 'vitest';
import type { EvaluationDetails, ServerFlags } from '@halyard/core';
import type { Halyard } from './index';

declare const halyard: Halyard;

export async function page() {
  const flags = await halyard.getFlags();
  expectTypeOf(flags).toEqualTypeOf<ServerFlags>();
  expectTypeOf(flags.getValue('button-color', 'blue')).toEqualTypeOf<string>();
  expectTypeOf(flags.getDetails('max-items', 10)).toEqualTypeOf<EvaluationDetails<number>>();
}
