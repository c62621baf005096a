import { readPath, type Attr, type Matcher, type Rec } from '../evaluator/context';
import type { Condition } from '../types';
import { SET_THRESHOLD, equalityOperands, equalityTest } from './equality';
import { anyElement, eachOperand, isPrimitive, isString, operandCount, type OperandCheck, type OperatorDefinition } from './operator';

// Module-local on purpose: see `hasOwnProperty` in ../evaluator/context.ts.
const hasOwnProperty = Object.prototype.hasOwnProperty;

/*
 * Equality (`equals`, `in`, `notIn`: typed, see equality.ts) and substring operators (`contains`, `startsWith`,
 * `endsWith`: strings only, so `contains "99"` does not match the number 99). All honour `caseInsensitive`.
 *
 * Each matcher handles a string attribute inline — the common case, and the one the reference benchmark
 * measures — and hands anything else to one closure (`rest`): other scalars, then arrays, element by element.
 */

/** The non-string attributes of `equals`/`in`/`notIn`: numbers and booleans by typed equality, arrays by any element. */
function membershipRest(test: (value: unknown) => boolean, invert: boolean): (value: unknown) => boolean {
  return (v) => {
    if (typeof v === 'number') return Number.isFinite(v) && test(v) !== invert;
    if (typeof v === 'boolean') return test(v) !== invert;
    return anyElement(v, test, invert);
  };
}

/** `equals`/`in` (and `notIn`, inverted): the attribute equals one of the operands. */
function compileMembership(cond: Condition, { key, parts }: Attr): Matcher {
  const ci = cond.caseInsensitive === true;
  const operands = equalityOperands(cond.values, ci);
  const ops = operands.strings;
  // notIn is "in" inverted; combining it with negate gives "in" again.
  const invert = (cond.negate === true) !== (cond.operator === 'notIn');
  const rest = membershipRest(equalityTest(operands, ci), invert);
  if (ops.length > SET_THRESHOLD) {
    const set = new Set(ops);
    return (ctx) => {
      const v = parts === null ? (ctx as Rec)[key] : readPath(ctx, parts);
      const hit = typeof v === 'string' ? set.has(ci ? v.toLowerCase() : v) !== invert : rest(v);
      return hit && (parts !== null || hasOwnProperty.call(ctx, key));
    };
  }
  if (ops.length === 1) {
    const only = ops[0] as string;
    return (ctx) => {
      const v = parts === null ? (ctx as Rec)[key] : readPath(ctx, parts);
      const hit = typeof v === 'string' ? ((ci ? v.toLowerCase() : v) === only) !== invert : rest(v);
      return hit && (parts !== null || hasOwnProperty.call(ctx, key));
    };
  }
  if (ops.length <= 4) {
    // Short lists (the usual "country in [US, CA, GB]") compare unrolled; missing slots never equal a string.
    const [o0, o1, o2, o3] = ops as [string, string?, string?, string?];
    return (ctx) => {
      const v = parts === null ? (ctx as Rec)[key] : readPath(ctx, parts);
      let hit: boolean;
      if (typeof v === 'string') {
        const s = ci ? v.toLowerCase() : v;
        hit = (s === o0 || s === o1 || s === o2 || s === o3) !== invert;
      } else hit = rest(v);
      return hit && (parts !== null || hasOwnProperty.call(ctx, key));
    };
  }
  return (ctx) => {
    const v = parts === null ? (ctx as Rec)[key] : readPath(ctx, parts);
    let hit: boolean;
    if (typeof v === 'string') {
      const s = ci ? v.toLowerCase() : v;
      let found = false;
      for (let i = 0; i < ops.length; i++) {
        if (ops[i] === s) {
          found = true;
          break;
        }
      }
      hit = found !== invert;
    } else hit = rest(v);
    return hit && (parts !== null || hasOwnProperty.call(ctx, key));
  };
}

/** `contains`/`startsWith`/`endsWith`: the attribute is a string that contains / starts with / ends with an operand. */
function compileSubstring(cond: Condition, { key, parts }: Attr): Matcher {
  const negate = cond.negate === true;
  const ci = cond.caseInsensitive === true;
  const ops = (cond.values ?? []).map((v) => (ci ? String(v).toLowerCase() : String(v)));
  const mode = cond.operator === 'endsWith' ? 2 : cond.operator === 'startsWith' ? 1 : 0;
  const test = (value: string): boolean => {
    const s = ci ? value.toLowerCase() : value;
    for (let i = 0; i < ops.length; i++) {
      const o = ops[i] as string;
      if (mode === 2 ? s.endsWith(o) : mode === 1 ? s.startsWith(o) : s.includes(o)) return true;
    }
    return false;
  };
  const element = (e: unknown): boolean => typeof e === 'string' && test(e);
  if (ops.length === 1 && !ci) {
    const only = ops[0] as string;
    return (ctx) => {
      const v = parts === null ? (ctx as Rec)[key] : readPath(ctx, parts);
      let result: boolean;
      if (typeof v === 'string') result = (mode === 2 ? v.endsWith(only) : mode === 1 ? v.startsWith(only) : v.includes(only)) !== negate;
      else result = anyElement(v, element, negate);
      return result && (parts !== null || hasOwnProperty.call(ctx, key));
    };
  }
  return (ctx) => {
    const v = parts === null ? (ctx as Rec)[key] : readPath(ctx, parts);
    const result = typeof v === 'string' ? test(v) !== negate : anyElement(v, element, negate);
    return result && (parts !== null || hasOwnProperty.call(ctx, key));
  };
}

const checkMany = (values: readonly unknown[], check: OperandCheck): boolean =>
  operandCount(values, check, 'many') && eachOperand(values, check, isPrimitive, 'strings, finite numbers or booleans');

const checkSubstrings = (values: readonly unknown[], check: OperandCheck): boolean =>
  operandCount(values, check, 'many') && eachOperand(values, check, isString, 'strings');

const membership = { caseInsensitive: true, readsAttribute: true, compile: compileMembership } as const;
const substring = { caseInsensitive: true, readsAttribute: true, operand: { kind: 'string', count: 'many' }, check: checkSubstrings, compile: compileSubstring } as const;
const typed = 'a string equals strings only; a number equals that number and its string ("30"); a boolean that boolean and "true"/"false"';

export const stringOperators = {
  equals: {
    ...membership,
    doc: { operands: `exactly one string, number or boolean (${typed})`, description: 'the attribute equals the value' },
    operand: { kind: 'primitive', count: 'one' },
    check: (values, check) =>
      operandCount(values, check, 1, '; use "in" to compare against several values') &&
      eachOperand(values, check, isPrimitive, 'a string, a finite number or a boolean'),
  },
  in: {
    ...membership,
    doc: { operands: 'strings, numbers or booleans (compared as for `equals`)', description: 'the attribute equals one of the values' },
    operand: { kind: 'primitive', count: 'many' },
    check: checkMany,
  },
  notIn: {
    ...membership,
    doc: { operands: 'strings, numbers or booleans (compared as for `equals`)', description: 'the attribute is present and equals none of the values' },
    operand: { kind: 'primitive', count: 'many' },
    check: checkMany,
  },
  contains: { ...substring, doc: { operands: 'strings', description: 'the attribute is a string that contains one of the values' } },
  startsWith: { ...substring, doc: { operands: 'strings', description: 'the attribute is a string that starts with one of the values' } },
  endsWith: { ...substring, doc: { operands: 'strings', description: 'the attribute is a string that ends with one of the values' } },
} as const satisfies Record<string, OperatorDefinition>;
