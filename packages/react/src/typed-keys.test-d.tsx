/**
 * Type tests for typed flag keys, checked by `tsc -p packages/react/tsconfig.json` (this file is not run by vitest).
 * The augmentation below is the ONE register of this package's test program, so every other test file uses these
 * keys; that is how an app sees it too. The unregistered behaviour is tested through `FlagsOf<{}>` here and by
 * @halyard/testing, whose program has no augmentation.
 */
import { expectTypeOf } from 'vitest';
import type { JsonValue, SnapshotFlag } from '@halyard/core';
import {
  Flag,
  useFlag,
  useFlagDetails,
  useFlags,
  useFlagValue,
  useVariant,
  type BooleanFlagKey,
  type FlagKey,
  type FlagsOf,
  type FlagValue,
  type IsRegistered,
} from './index';

declare module '@halyard/core' {
  interface Register {
    flags: {
      'new-checkout': boolean;
      'dark-mode': boolean;
      'button-color': 'blue' | 'green';
      'max-items': number;
      'checkout-experiment': string;
      banner: { text: string };
    };
  }
}

// The augmentation of core's Register reached the hooks (it would be `false` if `declare module` missed).
expectTypeOf<IsRegistered>().toEqualTypeOf<true>();
expectTypeOf<FlagKey>().toEqualTypeOf<
  'new-checkout' | 'dark-mode' | 'button-color' | 'max-items' | 'checkout-experiment' | 'banner'
>();
expectTypeOf<BooleanFlagKey>().toEqualTypeOf<'new-checkout' | 'dark-mode'>();
expectTypeOf<FlagValue<'button-color'>>().toEqualTypeOf<'blue' | 'green'>();

// Without an augmentation, keys are strings and values JSON.
expectTypeOf<IsRegistered<{}>>().toEqualTypeOf<false>();
expectTypeOf<FlagsOf<{}>>().toEqualTypeOf<Record<string, JsonValue>>();
expectTypeOf<FlagsOf<{ flags: { a: boolean } }>>().toEqualTypeOf<{ a: boolean }>();

export function Hooks() {
  expectTypeOf(useFlag('new-checkout')).toEqualTypeOf<boolean>();
  expectTypeOf(useFlag('new-checkout', true)).toEqualTypeOf<boolean>();
  // @ts-expect-error unknown keys are rejected
  useFlag('no-such-flag');
  // @ts-expect-error useFlag only takes boolean flags
  useFlag('button-color');

  expectTypeOf(useFlagValue('button-color', 'blue')).toEqualTypeOf<'blue' | 'green'>();
  expectTypeOf(useFlagValue('max-items', 10)).toEqualTypeOf<number>();
  expectTypeOf(useFlagValue('banner', { text: '' })).toEqualTypeOf<{ text: string }>();
  // @ts-expect-error the default must be a value of the flag
  useFlagValue('button-color', 'red');
  // @ts-expect-error the default must have the flag's type
  useFlagValue('max-items', '10');
  // @ts-expect-error unknown keys are rejected
  useFlagValue('no-such-flag', 1);

  expectTypeOf(useVariant('checkout-experiment')).toEqualTypeOf<string | undefined>();
  // @ts-expect-error unknown keys are rejected
  useVariant('no-such-flag');

  expectTypeOf(useFlagDetails('button-color', 'green').value).toEqualTypeOf<'blue' | 'green'>();
  expectTypeOf(useFlagDetails('button-color').value).toEqualTypeOf<'blue' | 'green' | undefined>();
  // @ts-expect-error unknown keys are rejected
  useFlagDetails('no-such-flag');

  const flags = useFlags();
  expectTypeOf(flags['max-items']).toEqualTypeOf<(Omit<SnapshotFlag, 'value'> & { value: number }) | undefined>();
  // @ts-expect-error unknown keys are rejected
  void flags['no-such-flag'];

  return (
    <>
      <Flag name="new-checkout" on="new" off="old" />
      <Flag name="checkout-experiment" variant="treatment" on="treatment" />
      <Flag name="button-color" value="green">
        green
      </Flag>
      {/* @ts-expect-error a non-boolean flag needs `variant` or `value` */}
      <Flag name="button-color" on="?" />
      {/* @ts-expect-error the value must be one of the flag's values */}
      <Flag name="button-color" value="red" on="?" />
      {/* @ts-expect-error unknown keys are rejected */}
      <Flag name="no-such-flag" on="?" />
    </>
  );
}
