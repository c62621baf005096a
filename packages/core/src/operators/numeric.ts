import { asNumber, readPath, type Attr, type Matcher, type Rec } from '../evaluator/context';
import type { Condition } from '../types';
import { anyElement, eachOperand, isFiniteNumber, operandCount, type OperandCheck, type OperatorDefinition } from './operator';

// Module-local on purpose: see `hasOwnProperty` in ../evaluator/context.ts.
const hasOwnProperty = Object.prototype.hasOwnProperty;

/** Numeric comparison against `values[0]`; the attribute may be a finite number or a decimal numeric string. */
function compileComparison(cond: Condition, { key, parts }: Attr): Matcher {
  const negate = cond.negate === true;
  const operand = Number((cond.values ?? [])[0]);
  const op = cond.operator;
  const compare = (n: number): boolean => (op === 'lt' ? n < operand : op === 'lte' ? n <= operand : op === 'gt' ? n > operand : n >= operand);
  const element = (e: unknown): boolean => {
    const n = asNumber(e);
    return n === n && compare(n);
  };
  return (ctx) => {
    const v = parts === null ? (ctx as Rec)[key] : readPath(ctx, parts);
    const n = asNumber(v);
    // NaN: not a number; an array compares element by element.
    const hit = n === n ? compare(n) !== negate : anyElement(v, element, negate);
    return hit && (parts !== null || hasOwnProperty.call(ctx, key));
  };
}

const checkOne = (values: readonly unknown[], check: OperandCheck): boolean =>
  operandCount(values, check, 1) && eachOperand(values, check, isFiniteNumber, 'a finite number (not a numeric string)');

const comparison = { caseInsensitive: false, readsAttribute: true, operand: { kind: 'number', count: 'one' }, check: checkOne, compile: compileComparison } as const;
const operands = 'one number; the attribute may be a number or a decimal numeric string ("42", "-1.5")';

export const numericOperators = {
  lt: { ...comparison, doc: { operands, description: 'the attribute is less than the value' } },
  lte: { ...comparison, doc: { operands, description: 'the attribute is less than or equal to the value' } },
  gt: { ...comparison, doc: { operands, description: 'the attribute is greater than the value' } },
  gte: { ...comparison, doc: { operands, description: 'the attribute is greater than or equal to the value' } },
} as const satisfies Record<string, OperatorDefinition>;
