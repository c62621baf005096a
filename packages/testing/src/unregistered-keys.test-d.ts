/**
 * Type tests (checked by `tsc -p packages/testing/tsconfig.json`): this program does not augment
 * `@halyard/core`'s `Register`, so keys are plain strings and values JSON, as in an app that never registers.
 */
import { expectTypeOf } from 'vitest';
import type { JsonValue } from '@halyard/core';
import type { BooleanFlagKey, FlagKey, FlagValue, IsRegistered, useFlag, useFlagValue } from '@halyard/react';
import type { TestFlags } from './react';

expectTypeOf<IsRegistered>().toEqualTypeOf<false>();
expectTypeOf<FlagKey>().toEqualTypeOf<string>();
expectTypeOf<BooleanFlagKey>().toEqualTypeOf<string>();
expectTypeOf<FlagValue<'anything'>>().toEqualTypeOf<JsonValue>();
expectTypeOf<Parameters<typeof useFlag>[0]>().toEqualTypeOf<string>();
// Unregistered values widen: a literal default gives its primitive type.
expectTypeOf<ReturnType<typeof useFlagValue<string, 'blue'>>>().toEqualTypeOf<string>();
// A null default accepts a flag of any type, so the value is any JSON value.
expectTypeOf<ReturnType<typeof useFlagValue<string, null>>>().toEqualTypeOf<JsonValue>();
expectTypeOf<TestFlags>().toEqualTypeOf<{ readonly [x: string]: JsonValue | undefined }>();
