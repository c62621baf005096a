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
 */

/** Where an operator reports operand problems; paths and the surrounding condition are the parser's business. */
export interface OperandCheck {
  readonly operator: string;
  /** The condition's `caseInsensitive` (only string operators accept it). */
  readonly caseInsensitive: boolean;
  /** True inside a segment's conditions: segments cannot reference segments. */
  readonly inSegment: boolean;
  /** Keys of the document's segments. */
  readonly segmentKeys: ReadonlySet<string>;
  /** Reports a problem at `values` (no index) or at `values[index]`. */
  problem(message: string, index?: number): void;
  /** Reports a problem at `operator`. */
  operatorProblem(message: string): void;
}

/** What a condition is compiled against besides the condition itself. */
export interface CompileEnv {
  /** Compiled segments by key (empty while segments themselves are compiled: they cannot nest). */
  readonly segmentMatchers: ReadonlyMap<string, Matcher>;
}

/** Documentation of an operator, rendered into docs/flags.md by `pnpm --dir packages/core run docs:operators`. */
export interface OperatorDoc {
  /** The operands it takes, e.g. "one number". */
  readonly operands: string;
  /** What it tests, one sentence. */
  readonly description: string;
}

export interface OperatorDefinition {
  readonly doc: OperatorDoc;
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
