import { readAttr, type Attr, type Matcher } from '../evaluator/context';
import type { Condition } from '../types';
import { equalityOperands, equalityTest } from './equality';
import { eachOperand, isCount, isPrimitive, operandCount, type OperandCheck, type OperatorDefinition } from './operator';

// Module-local on purpose: see `hasOwnProperty` in ../evaluator/context.ts.
const hasOwnProperty = Object.prototype.hasOwnProperty;

/*
 * Operators on the array itself. The attribute must be an array (`groups: ["beta", "staff"]`); anything else —
 * missing, a string, an object — is not comparable, so the condition is false whether or not it is negated.
 * Elements compare by typed equality (equality.ts) and must be own (a hole does not read `Array.prototype`).
 * Every other operator already matches an array when any element matches (see `anyElement` in operator.ts).
 */

/** Whether some own element of `list` passes `test`. */
function someElement(list: readonly unknown[], test: (value: unknown) => boolean): boolean {
  for (let i = 0; i < list.length; i++) if (test(list[i]) && hasOwnProperty.call(list, i)) return true;
  return false;
}

/** `containsAll`: every operand is an element; `containsAny`: some operand is. */
function compileContains(cond: Condition, attr: Attr): Matcher {
  const negate = cond.negate === true;
  const ci = cond.caseInsensitive === true;
  const values = cond.values ?? [];
  const tests = cond.operator === 'containsAll' ? values.map((v) => equalityTest(equalityOperands([v], ci), ci)) : [equalityTest(equalityOperands(values, ci), ci)];
  return (ctx) => {
    const v = readAttr(ctx, attr);
    if (!Array.isArray(v)) return false;
    let hit = true;
    for (let i = 0; i < tests.length && hit; i++) hit = someElement(v, tests[i] as (value: unknown) => boolean);
    return hit !== negate;
  };
}

/** Size comparisons and `isEmpty` (size 0) against the array's length. */
function compileSize(cond: Condition, attr: Attr): Matcher {
  const negate = cond.negate === true;
  const op = cond.operator;
  const n = op === 'isEmpty' ? 0 : Number((cond.values ?? [])[0]);
  return (ctx) => {
    const v = readAttr(ctx, attr);
    if (!Array.isArray(v)) return false;
    const size = v.length;
    const hit = op === 'sizeLt' ? size < n : op === 'sizeLte' ? size <= n : op === 'sizeGt' ? size > n : op === 'sizeGte' ? size >= n : size === n;
    return hit !== negate;
  };
}

const checkElements = (values: readonly unknown[], check: OperandCheck): boolean =>
  operandCount(values, check, 'many') && eachOperand(values, check, isPrimitive, 'strings, finite numbers or booleans');

const checkSize = (values: readonly unknown[], check: OperandCheck): boolean =>
  operandCount(values, check, 1) && eachOperand(values, check, isCount, 'a non-negative integer (the number of elements)');

const contains = { caseInsensitive: true, readsAttribute: true, operand: { kind: 'primitive', count: 'many' }, check: checkElements, compile: compileContains } as const;
const size = { caseInsensitive: false, readsAttribute: true, operand: { kind: 'count', count: 'one' }, check: checkSize, compile: compileSize } as const;
const elements = 'strings, numbers or booleans (compared as for `equals`)';
const count = 'one non-negative integer';

export const arrayOperators = {
  containsAll: { ...contains, doc: { operands: elements, description: 'the attribute is an array that contains every value' } },
  containsAny: { ...contains, doc: { operands: elements, description: 'the attribute is an array that contains at least one of the values' } },
  sizeEq: { ...size, doc: { operands: count, description: 'the attribute is an array of exactly that many elements' } },
  sizeLt: { ...size, doc: { operands: count, description: 'the attribute is an array of fewer elements' } },
  sizeLte: { ...size, doc: { operands: count, description: 'the attribute is an array of at most that many elements' } },
  sizeGt: { ...size, doc: { operands: count, description: 'the attribute is an array of more elements' } },
  sizeGte: { ...size, doc: { operands: count, description: 'the attribute is an array of at least that many elements' } },
  isEmpty: {
    ...size,
    doc: { operands: 'none', description: 'the attribute is an empty array; with `negate`, a non-empty one' },
    operand: { kind: 'none', count: 'none' },
    check(values, check) {
      if (values.length === 0) return true;
      check.problem('"isEmpty" takes no values; remove "values"');
      return false;
    },
  },
} as const satisfies Record<string, OperatorDefinition>;
