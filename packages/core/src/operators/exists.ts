import { readPath, type Attr, type Matcher, type Rec } from '../evaluator/context';
import type { Condition } from '../types';
import type { OperatorDefinition } from './operator';

// Module-local on purpose: see `hasOwnProperty` in ../evaluator/context.ts.
const hasOwnProperty = Object.prototype.hasOwnProperty;

/** Presence: defined for every context, so `negate` simply inverts it ("the attribute is missing"). */
function compileExists(cond: Condition, { key, parts }: Attr): Matcher {
  const negate = cond.negate === true;
  return (ctx) => {
    const v = parts === null ? (ctx as Rec)[key] : readPath(ctx, parts);
    const present = v !== undefined && v !== null && (parts !== null || hasOwnProperty.call(ctx, key));
    return present !== negate;
  };
}

export const existsOperators = {
  exists: {
    doc: { operands: 'none', description: 'the attribute is present (not undefined or null); with `negate`, it is missing' },
    operand: { kind: 'none', count: 'none' },
    caseInsensitive: false,
    readsAttribute: true,
    check(values, check) {
      if (values.length === 0) return true;
      check.problem('"exists" takes no values; remove "values"');
      return false;
    },
    compile: compileExists,
  },
} as const satisfies Record<string, OperatorDefinition>;
