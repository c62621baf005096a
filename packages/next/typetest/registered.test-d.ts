/** `getFlags()` and `evaluateInMiddleware()` typed by one `Register` augmentation of `@halyard/core` (`tsc -p typetest`). */
import { expectTypeOf } from 'vitest';
import type { EvaluationDetails } from '@halyard/core';
import type { Halyard } from '@halyard/next';
import { evaluateInMiddleware } from '@halyard/next/middleware';

declare module '@halyard/core' {
  interface Register {
    flags: { 'new-checkout': boolean; 'button-color': 'blue' | 'green'; 'max-items': number };
  }
}

declare const halyard: Halyard;

export async function page(request: Request) {
  const flags = await halyard.getFlags();
  expectTypeOf(flags.isEnabled('new-checkout')).toEqualTypeOf<boolean>();
  expectTypeOf(flags.getValue('button-color', 'green')).toEqualTypeOf<'blue' | 'green'>();
  expectTypeOf(flags.getDetails('max-items', 10)).toEqualTypeOf<EvaluationDetails<number>>();
  // @ts-expect-error unknown keys are rejected
  flags.getValue('no-such-flag', 1);
  // @ts-expect-error the default must be a value of the flag
  flags.getValue('button-color', 'red');
  const edge = await evaluateInMiddleware(request, { definitions: { schemaVersion: 1, flags: {} }, context: () => ({}) });
  expectTypeOf(edge.getValue('max-items', 1)).toEqualTypeOf<number>();
}
