import type { Operator } from '../types';
import { arrayOperators } from './arrays';
import { cidrOperators } from './cidr';
import { dateOperators } from './dates';
import { existsOperators } from './exists';
import type { OperandShape, OperatorDefinition } from './operator';
import { numericOperators } from './numeric';
import { regexOperators } from './regex';
import { segmentOperators } from './segment';
import { semverOperators } from './semver';
import { stringOperators } from './strings';

/**
 * Every condition operator, by name, in documentation order. To add an operator, add it to its family's file (or
 * a new family file spread in here), add its name to `Operator` in types.ts (registry.test.ts fails until the
 * two agree) and run `pnpm --dir packages/core run docs:operators` to regenerate the table in docs/flags.md.
 */
export const operators = {
  ...stringOperators,
  ...regexOperators,
  ...numericOperators,
  ...semverOperators,
  ...dateOperators,
  ...existsOperators,
  ...arrayOperators,
  ...segmentOperators,
  ...cidrOperators,
} as const satisfies Record<Operator, OperatorDefinition>;

/** The registry's operator names: equal to `Operator` (proved by registry.test.ts). */
export type OperatorName = keyof typeof operators;

/** Operator names in documentation order. */
export const OPERATOR_NAMES = Object.freeze(Object.keys(operators)) as readonly Operator[];

/** Operators that compare strings and therefore accept `caseInsensitive`. */
export const CASE_INSENSITIVE_OPERATORS: readonly Operator[] = Object.freeze(OPERATOR_NAMES.filter((name) => operators[name].caseInsensitive));

/** The definition of `name`, or undefined for an unknown operator (own keys only: `"constructor"` is not one). */
export function operatorDefinition(name: string): OperatorDefinition | undefined {
  return Object.hasOwn(operators, name) ? (operators as Record<string, OperatorDefinition>)[name] : undefined;
}

/** One operator as editors need it: its operands (kind, count, prose), what it tests, and which options apply. */
export interface OperatorInfo {
  readonly name: Operator;
  readonly operand: OperandShape;
  /** The operands in words, as in docs/flags.md's operator table. */
  readonly operands: string;
  readonly description: string;
  /** `caseInsensitive` is allowed. */
  readonly caseInsensitive: boolean;
  /** False when `attribute` is ignored (`inSegment`). */
  readonly readsAttribute: boolean;
}

let catalog: readonly OperatorInfo[] | undefined;

/**
 * Every operator in documentation order, for tools that edit conditions (the dashboard's operator picker): read
 * from the registry, so an editor can only offer what the parser accepts. `negate` applies to every operator.
 * A function (built on first call) so bundles that never call it carry none of it.
 *
 * @example
 * import { operatorCatalog } from '@halyard/core/definitions';
 * const single = operatorCatalog().filter((op) => op.operand.count === 'one').map((op) => op.name); // equals, lt, …
 */
export function operatorCatalog(): readonly OperatorInfo[] {
  catalog ??= Object.freeze(
    OPERATOR_NAMES.map((name) => {
      const { doc, operand, caseInsensitive, readsAttribute } = operators[name] as OperatorDefinition;
      return Object.freeze({ name, operand, operands: doc.operands, description: doc.description, caseInsensitive, readsAttribute });
    }),
  );
  return catalog;
}
