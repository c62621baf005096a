/**
 * Type tests for flag reads without a `Register` augmentation (checked by `pnpm typecheck`; vitest does not run
 * this file). The registered behaviour is tested in typetest/, a program of its own, since an augmentation would
 * type every file of this one.
 */
import { expectTypeOf } from 'vitest';
import type { EvaluationDetails, FlagClient, FlagHandle, FlagKey, FlagValue, IsRegistered, JsonValue, ServerFlags, Widen } from './index';

declare const client: FlagClient;
declare const flags: ServerFlags;

expectTypeOf<IsRegistered>().toEqualTypeOf<false>();
expectTypeOf<FlagKey>().toEqualTypeOf<string>();
expectTypeOf<FlagValue<'anything'>>().toEqualTypeOf<JsonValue>();
expectTypeOf<Widen<'blue'>>().toEqualTypeOf<string>();
expectTypeOf<Widen<3>>().toEqualTypeOf<number>();
expectTypeOf<Widen<true>>().toEqualTypeOf<boolean>();
expectTypeOf<Widen<null>>().toEqualTypeOf<JsonValue>();
expectTypeOf<Widen<{ a: 1 }>>().toEqualTypeOf<{ a: 1 }>();

// The client: any key; the value's type is the default's, widened.
expectTypeOf(client.isEnabled('new-checkout', { userId: 'u1' })).toEqualTypeOf<boolean>();
expectTypeOf(client.getValue('button-color', 'blue')).toEqualTypeOf<string>();
expectTypeOf(client.getValue('max-items', 10, { userId: 'u1' })).toEqualTypeOf<number>();
expectTypeOf(client.getValue('anything', null)).toEqualTypeOf<JsonValue>();
expectTypeOf(client.getDetails('button-color', 'blue')).toEqualTypeOf<EvaluationDetails<string>>();
expectTypeOf(client.flag('new-checkout')).toEqualTypeOf<FlagHandle<JsonValue>>();
expectTypeOf(client.flag<string>('checkout-theme')).toEqualTypeOf<FlagHandle<string>>();
expectTypeOf(client.flag<string>('checkout-theme').getValue('light', { userId: 'u1' })).toEqualTypeOf<string>();
// @ts-expect-error the default must be JSON
client.getValue('x', () => 1);
// @ts-expect-error handles take the default first, then the context (OpenFeature's order)
client.flag<string>('checkout-theme').getValue({ userId: 'u1' }, 'light');

// The server-side reader (req.flags, getFlags()): the same types, no context argument.
expectTypeOf(flags.isEnabled('new-checkout')).toEqualTypeOf<boolean>();
expectTypeOf(flags.getValue('button-color', 'blue')).toEqualTypeOf<string>();
expectTypeOf(flags.getDetails('button-color', 'blue')).toEqualTypeOf<EvaluationDetails<string>>();
expectTypeOf(flags.getDetails('button-color')).toEqualTypeOf<EvaluationDetails<JsonValue>>();
expectTypeOf(flags.variant('button-color')).toEqualTypeOf<string | undefined>();
