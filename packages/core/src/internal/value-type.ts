import type { FlagType, JsonValue } from '../types';

/*
 * The one rule for "does this flag value match the caller's default?", shared by the evaluator, the server-side
 * reader (`req.flags`, Next's `getFlags()`), the React hooks and the OpenFeature providers. Before it lived here it
 * was written five times and the copies disagreed (a `null` default, an array default on an object flag).
 *
 * - A flag's type is `boolean`, `string`, `number` or `json`; objects, arrays and `null` values are all `json`.
 * - A default of `null` or `undefined` accepts a flag of any type (it is how callers say "no default").
 * - Any other default must have the flag's type; `[]` and `{}` are both `json`.
 * - A default that is not JSON at all (a function, a symbol, a bigint) matches no flag.
 *
 * Tags are small integers so the evaluator's hot path compares numbers, not strings.
 */

/** Type tags: indexes into `VALUE_TYPE_NAMES`. */
export const BOOLEAN_TAG = 0;
export const STRING_TAG = 1;
export const NUMBER_TAG = 2;
export const JSON_TAG = 3;
/** A default that accepts any flag type (`null`/`undefined`). */
export const ANY_TAG = -1;
/** A default that matches no flag type (not a JSON value). */
export const NONE_TAG = -2;

export const VALUE_TYPE_NAMES: readonly FlagType[] = ['boolean', 'string', 'number', 'json'];

/** The type tag of a flag value (0–3); `null`, arrays and objects are `json`. */
export function valueTypeTag(value: JsonValue | unknown): number {
  switch (typeof value) {
    case 'boolean':
      return BOOLEAN_TAG;
    case 'string':
      return STRING_TAG;
    case 'number':
      return NUMBER_TAG;
    default:
      return JSON_TAG;
  }
}

/** The type tag a caller's default asks for: 0–3, `ANY_TAG` for null/undefined, `NONE_TAG` for non-JSON values. */
export function defaultTypeTag(defaultValue: unknown): number {
  switch (typeof defaultValue) {
    case 'boolean':
      return BOOLEAN_TAG;
    case 'string':
      return STRING_TAG;
    case 'number':
      return NUMBER_TAG;
    case 'object':
      return defaultValue === null ? ANY_TAG : JSON_TAG;
    case 'undefined':
      return ANY_TAG;
    default:
      return NONE_TAG;
  }
}

/** The flag type of a value (`json` for objects, arrays and null). */
export function valueType(value: JsonValue | unknown): FlagType {
  return VALUE_TYPE_NAMES[valueTypeTag(value)] as FlagType;
}

/** Whether a flag value of type tag `flagTag` may be returned to a caller whose default has tag `defaultTag`. */
export function tagsMatch(flagTag: number, defaultTag: number): boolean {
  return defaultTag === ANY_TAG || defaultTag === flagTag;
}

/**
 * Whether `value` (a flag's value) may be returned to a caller who passed `defaultValue`.
 *
 * @example
 * matchesDefaultType('blue', null); // true: a null default accepts any type
 * matchesDefaultType({ a: 1 }, []); // true: both are json
 * matchesDefaultType('true', false); // false: a string flag read with a boolean default
 */
export function matchesDefaultType(value: JsonValue, defaultValue: unknown): boolean {
  return tagsMatch(valueTypeTag(value), defaultTypeTag(defaultValue));
}

/** The TYPE_MISMATCH message every reader uses, naming the package that reports it. */
export function typeMismatchMessage(scope: string, key: string, flagType: FlagType, defaultValue: unknown): string {
  const tag = defaultTypeTag(defaultValue);
  const wanted = tag === NONE_TAG ? `a ${typeof defaultValue}` : `a ${VALUE_TYPE_NAMES[tag] ?? 'json'}`;
  return `${scope}: flag ${JSON.stringify(key)} is a ${flagType} flag but the default value is ${wanted}; pass a default of the flag's type`;
}
