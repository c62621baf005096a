/**
 * Type tests for typed flag keys: one `Register` augmentation of `@halyard/core` types the client and every
 * server-side reader. A program of its own (`tsc -p typetest`), so the augmentation does not reach core's sources.
 */
import { expectTypeOf } from 'vitest';
import type { BooleanFlagKey, EvaluationDetails, FlagClient, FlagHandle, FlagKey, FlagValue, IsRegistered, ServerFlags } from '@halyard/core';

declare module '@halyard/core' {
  interface Register {
    flags: {
      'new-checkout': boolean;
      'button-color': 'blue' | 'green';
      'max-items': number;
      banner: { text: string };
    };
  }
}

declare const client: FlagClient;
declare const flags: ServerFlags;

expectTypeOf<IsRegistered>().toEqualTypeOf<true>();
expectTypeOf<FlagKey>().toEqualTypeOf<'new-checkout' | 'button-color' | 'max-items' | 'banner'>();
expectTypeOf<BooleanFlagKey>().toEqualTypeOf<'new-checkout'>();
expectTypeOf<FlagValue<'button-color'>>().toEqualTypeOf<'blue' | 'green'>();

expectTypeOf(client.isEnabled('new-checkout')).toEqualTypeOf<boolean>();
// @ts-expect-error isEnabled takes boolean flags only
client.isEnabled('button-color');
// @ts-expect-error unknown keys are rejected
client.isEnabled('no-such-flag');
expectTypeOf(client.getValue('button-color', 'blue')).toEqualTypeOf<'blue' | 'green'>();
expectTypeOf(client.getValue('banner', { text: '' }, { userId: 'u1' })).toEqualTypeOf<{ text: string }>();
// @ts-expect-error the default must be a value of the flag
client.getValue('button-color', 'red');
// @ts-expect-error unknown keys are rejected
client.getValue('no-such-flag', 1);
expectTypeOf(client.getDetails('max-items', 10)).toEqualTypeOf<EvaluationDetails<number>>();
expectTypeOf(client.flag('button-color')).toEqualTypeOf<FlagHandle<'blue' | 'green'>>();
expectTypeOf(client.flag('new-checkout').getValue(false)).toEqualTypeOf<boolean>();
// @ts-expect-error unknown keys are rejected
client.flag('no-such-flag');

expectTypeOf(flags.isEnabled('new-checkout')).toEqualTypeOf<boolean>();
// @ts-expect-error isEnabled takes boolean flags only
flags.isEnabled('max-items');
expectTypeOf(flags.getValue('max-items', 10)).toEqualTypeOf<number>();
// @ts-expect-error the default must be a value of the flag
flags.getValue('max-items', 'ten');
expectTypeOf(flags.getDetails('banner', { text: '' })).toEqualTypeOf<EvaluationDetails<{ text: string }>>();
expectTypeOf(flags.getDetails('banner')).toEqualTypeOf<EvaluationDetails<{ text: string } | null>>();
// @ts-expect-error unknown keys are rejected
flags.variant('no-such-flag');
