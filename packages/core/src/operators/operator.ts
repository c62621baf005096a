import type { BucketingAlgorithm } from '../evaluator/bucketing';
import type { Attr, Matcher } from '../evaluator/context';
import { describe } from '../internal/json-shape';
import type { Condition } from '../types';

/*
 * What one operator is: its documentation, how `parseDefinitions` validates its operands, and how
 * `createEvaluator` compiles a condition that uses it into a matcher. Families of operators live in one file each
 * (`strings.ts`, `numeric.ts`, …) and `registry.ts` collects them; the parser, the evaluator and the generated
 * operator table in docs/flags.md all read the registry, so a new operator is one entry in one family file.
 *
 * `compile` runs once per condition when definitions are compiled and returns a closure; evaluation calls that
 * closure and never looks at the registry.
 *
 * Array-valued attributes: every operator that compares a scalar matches an array when any element matches
 * (`anyElement`), and its negation (`negate`, `notIn`) is the negation of that. Matchers test the scalar type they
 * compare first and reach the array branch only when that test fails, so scalar reads pay nothing for arrays.
 */

/** Where an operator reports operand problems; paths and the surrounding condition are the parser's business. */
export interface OperandCheck {
  readonly operator: string;
  /** The condition's `caseInsensitive` (only string operators accept it). */
  readonly caseInsensitive: boolean;
  /** Keys of the document's segments. */
  readonly segmentKeys: ReadonlySet<string>;
  /** Reports a problem at `values` (no index) or at `values[index]`. */
  problem(message: string, index?: number): void;
}

/** What a condition is compiled against besides the condition itself. */
export interface CompileEnv {
  /** Compiled segments by key; segments are compiled after the segments they reference. */
  readonly segmentMatchers: ReadonlyMap<string, Matcher>;
  /** Pluggable bucketing algorithms by name (`createEvaluator(defs, { bucketing })`); murmur3 needs none. */
  readonly bucketing?: ReadonlyMap<string, BucketingAlgorithm>;
}

/** Documentation of an operator, rendered into docs/flags.md by `pnpm --dir packages/core run docs:operators`. */
export interface OperatorDoc {
  /** The operands it takes, e.g. "one number". */
  readonly operands: string;
  /** What it tests, one sentence. */
  readonly description: string;
}

/**
 * What kind of value an operator's `values` hold, machine-readable, so editors offer a fitting input (the dashboard's
 * condition editor): `primitive` strings, numbers or booleans; `string`; `regex` (pattern strings); `number` finite;
 * `count` a non-negative integer; `semver` a version string; `date` an ISO-8601 string or epoch ms; `segment` segment
 * keys; `cidr` IP addresses or ranges; `none` no values. `check` stays the authority on what is valid.
 */
export type OperandKind = 'none' | 'primitive' | 'string' | 'regex' | 'number' | 'count' | 'semver' | 'date' | 'segment' | 'cidr';

/** The operands an operator takes: their kind and how many (`none`, exactly `one`, or `many`: at least one). */
export interface OperandShape {
  readonly kind: OperandKind;
  readonly count: 'none' | 'one' | 'many';
}

export interface OperatorDefinition {
  readonly doc: OperatorDoc;
  /** The operands' kind and count (for editors; registry.test.ts proves it agrees with `check`). */
  readonly operand: OperandShape;
  /** The operator compares strings, so `caseInsensitive` is allowed. */
  readonly caseInsensitive: boolean;
  /** False when `attribute` is ignored (`inSegment`). */
  readonly readsAttribute: boolean;
  /** Validates the operands (`values`, already known to be an array); reports every problem and returns false on any. */
  check(values: readonly unknown[], check: OperandCheck): boolean;
  /**
   * Compiles a validated condition. A value the operator cannot compare (missing, inherited, wrong type,
   * unparseable) makes the matcher false whether or not the condition is negated; only a real comparison result
   * is inverted by `negate` (`exists` and `inSegment` are defined for every context and simply invert).
   */
  compile(condition: Condition, attr: Attr, env: CompileEnv): Matcher;
}

// ---------------------------------------------------------------------------------------------------------------
// Matching arrays

// Module-local on purpose: see `hasOwnProperty` in ../evaluator/context.ts.
const hasOwnProperty = Object.prototype.hasOwnProperty;

/**
 * The any-element rule, for an attribute that is not a scalar the operator compares: for an array, whether some
 * element `hit`s, inverted by `invert`; anything else (missing, objects, other scalars) is not comparable and
 * gives false, inverted or not. An array — even an empty one — is a present value, so `invert` applies to it.
 * Elements are compared as scalars (a nested array never hits) and must be own (a hole never reads
 * `Array.prototype`).
 */
export function anyElement(value: unknown, hit: (element: unknown) => boolean, invert: boolean): boolean {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) {
    if (hit(value[i]) && hasOwnProperty.call(value, i)) return !invert;
  }
  return invert;
}

// ---------------------------------------------------------------------------------------------------------------
// Operand checks the families share

/** `values` holds exactly one operand, or (`'many'`) at least one. */
export function operandCount(values: readonly unknown[], check: OperandCheck, exact: 1 | 'many', hint = ''): boolean {
  if (exact === 'many') {
    if (values.length > 0) return true;
    check.problem(`"${check.operator}" needs at least one value in "values"`);
    return false;
  }
  if (values.length === exact) return true;
  check.problem(`"${check.operator}" takes exactly ${exact} value, got ${values.length}${hint}`);
  return false;
}

/** Every operand satisfies `test`; each one that does not is reported as "expects <expected>". */
export function eachOperand(values: readonly unknown[], check: OperandCheck, test: (value: unknown) => boolean, expected: string): boolean {
  let good = true;
  for (let i = 0; i < values.length; i++) {
    if (!test(values[i])) {
      check.problem(`"${check.operator}" expects ${expected}, got ${describe(values[i])}`, i);
      good = false;
    }
  }
  return good;
}

export const isString = (x: unknown): boolean => typeof x === 'string';
export const isFiniteNumber = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x);
export const isPrimitive = (x: unknown): boolean => typeof x === 'string' || typeof x === 'boolean' || isFiniteNumber(x);
export const isCount = (x: unknown): boolean => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
