/**
 * Type tests for `req.flags` without a `Register` augmentation (checked by `pnpm typecheck`, not run by vitest);
 * typetest/ checks it with one.
 */
import { expectTypeOf } from 'vitest';
import type { Request } from 'express';
import type { EvaluationDetails, JsonValue, ServerFlags } from '@halyard/core';
import './index';

declare const req: Request;

expectTypeOf(req.flags).toEqualTypeOf<ServerFlags>();
expectTypeOf(req.flags.isEnabled('new-checkout')).toEqualTypeOf<boolean>();
expectTypeOf(req.flags.getValue('button-color', 'blue')).toEqualTypeOf<string>();
expectTypeOf(req.flags.getDetails('page-size', 10)).toEqualTypeOf<EvaluationDetails<number>>();
expectTypeOf(req.flags.getDetails('anything')).toEqualTypeOf<EvaluationDetails<JsonValue>>();
