/** `req.flags` typed by one `Register` augmentation of `@halyard/core` (a program of its own: `tsc -p typetest`). */
import { expectTypeOf } from 'vitest';
import express from 'express';
import type { EvaluationDetails } from '@halyard/core';
import '@halyard/express';

declare module '@halyard/core' {
  interface Register {
    flags: { 'new-checkout': boolean; 'button-color': 'blue' | 'green'; 'page-size': number };
  }
}

const app = express();
app.get('/', (req, res) => {
  expectTypeOf(req.flags.isEnabled('new-checkout')).toEqualTypeOf<boolean>();
  expectTypeOf(req.flags.getValue('button-color', 'blue')).toEqualTypeOf<'blue' | 'green'>();
  expectTypeOf(req.flags.getDetails('page-size', 10)).toEqualTypeOf<EvaluationDetails<number>>();
  expectTypeOf(req.flags.variant('button-color')).toEqualTypeOf<string | undefined>();
  // @ts-expect-error unknown keys are rejected
  req.flags.getValue('no-such-flag', 1);
  // @ts-expect-error the default must be a value of the flag
  req.flags.getValue('page-size', 'ten');
  // @ts-expect-error isEnabled takes boolean flags only
  req.flags.isEnabled('button-color');
  res.end();
});
