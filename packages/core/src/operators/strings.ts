import { asString, readPath, type Attr, type Matcher, type Rec } from '../evaluator/context';
import type { Condition } from '../types';
import { eachOperand, isPrimitive, isString, operandCount, type OperandCheck, type OperatorDefinition } from './operator';

// Module-local on purpose: see `hasOwnProperty` in ../evaluator/context.ts.
const hasOwnProperty = Object.prototype.hasOwnProperty;

/*
 * String operators compare string forms: strings as they are, finite numbers and booleans as `String(v)` (so
 * `equals 30` matches `30` and `"30"`); anything else never matches. All honour `caseInsensitive`.
 */

/** `in`/`notIn` operand lists longer than this are looked up in a Set instead of scanned. */
const SET_THRESHOLD = 8;

function operandStrings(values: readonly (string | number | boolean)[] | undefined, ci: boolean): string[] {
  const out: string[] = [];
  for (const v of values ?? []) {
    const s = asString(v);
    if (s !== undefined) out.push(ci ? s.toLowerCase() : s);
  }
  return out;
}

/** `equals`/`in` (and `notIn`, inverted): the attribute's string form is one of the operands. */
function compileMembership(cond: Condition, { key, parts }: Attr): Matcher {
  const ci = cond.caseInsensitive === true;
  const ops = operandStrings(cond.values, ci);
  // notIn is "in" inverted; combining it with negate gives "in" again.
  const invert = (cond.negate === true) !== (cond.operator === 'notIn');
  if (ops.length > SET_THRESHOLD) {
    const set = new Set(ops);
    return (ctx) => {
      const v = parts === null ? (ctx as Rec)[key] : readPath(ctx, parts);
      let s = typeof v === 'string' ? v : asString(v);
      if (s === undefined) return false;
      if (ci) s = s.toLowerCase();
      return set.has(s) !== invert && (parts !== null || hasOwnProperty.call(ctx, key));
    };
  }
  if (ops.length === 1) {
    const only = ops[0] as string;
    return (ctx) => {
      const v = parts === null ? (ctx as Rec)[key] : readPath(ctx, parts);
      let s = typeof v === 'string' ? v : asString(v);
      if (s === undefined) return false;
      if (ci) s = s.toLowerCase();
      return (s === only) !== invert && (parts !== null || hasOwnProperty.call(ctx, key));
    };
  }
  if (ops.length <= 4) {
    // Short lists (the usual "country in [US, CA, GB]") compare unrolled; missing slots never equal a string.
    const [o0, o1, o2, o3] = ops as [string, string?, string?, string?];
    return (ctx) => {
      const v = parts === null ? (ctx as Rec)[key] : readPath(ctx, parts);
      let s = typeof v === 'string' ? v : asString(v);
      if (s === undefined) return false;
      if (ci) s = s.toLowerCase();
      const hit = s === o0 || s === o1 || s === o2 || s === o3;
      return hit !== invert && (parts !== null || hasOwnProperty.call(ctx, key));
    };
  }
  return (ctx) => {
    const v = parts === null ? (ctx as Rec)[key] : readPath(ctx, parts);
    let s = typeof v === 'string' ? v : asString(v);
    if (s === undefined) return false;
    if (ci) s = s.toLowerCase();
    let hit = false;
    for (let i = 0; i < ops.length; i++) {
      if (ops[i] === s) {
        hit = true;
        break;
      }
    }
    return hit !== invert && (parts !== null || hasOwnProperty.call(ctx, key));
  };
}

/** `contains`/`startsWith`/`endsWith`: the attribute's string form contains / starts with / ends with any operand. */
function compileSubstring(cond: Condition, { key, parts }: Attr): Matcher {
  const negate = cond.negate === true;
  const ci = cond.caseInsensitive === true;
  const ops = operandStrings(cond.values, ci);
  const mode = cond.operator === 'endsWith' ? 2 : cond.operator === 'startsWith' ? 1 : 0;
  if (ops.length === 1 && !ci) {
    const only = ops[0] as string;
    return (ctx) => {
      const v = parts === null ? (ctx as Rec)[key] : readPath(ctx, parts);
      const s = typeof v === 'string' ? v : asString(v);
      if (s === undefined) return false;
      const hit = mode === 2 ? s.endsWith(only) : mode === 1 ? s.startsWith(only) : s.includes(only);
      return hit !== negate && (parts !== null || hasOwnProperty.call(ctx, key));
    };
  }
  return (ctx) => {
    const v = parts === null ? (ctx as Rec)[key] : readPath(ctx, parts);
    let s = typeof v === 'string' ? v : asString(v);
    if (s === undefined) return false;
    if (ci) s = s.toLowerCase();
    let hit = false;
    for (let i = 0; i < ops.length && !hit; i++) {
      const o = ops[i] as string;
      hit = mode === 2 ? s.endsWith(o) : mode === 1 ? s.startsWith(o) : s.includes(o);
    }
    return hit !== negate && (parts !== null || hasOwnProperty.call(ctx, key));
  };
}

const checkMany = (values: readonly unknown[], check: OperandCheck): boolean =>
  operandCount(values, check, 'many') && eachOperand(values, check, isPrimitive, 'strings, finite numbers or booleans');

const checkSubstrings = (values: readonly unknown[], check: OperandCheck): boolean =>
  operandCount(values, check, 'many') && eachOperand(values, check, isString, 'strings');

const membership = { caseInsensitive: true, readsAttribute: true, compile: compileMembership } as const;
const substring = { caseInsensitive: true, readsAttribute: true, check: checkSubstrings, compile: compileSubstring } as const;

export const stringOperators = {
  equals: {
    ...membership,
    doc: { operands: 'exactly one string, number or boolean', description: 'the attribute equals the value' },
    check: (values, check) =>
      operandCount(values, check, 1, '; use "in" to compare against several values') &&
      eachOperand(values, check, isPrimitive, 'a string, a finite number or a boolean'),
  },
  in: {
    ...membership,
    doc: { operands: 'strings, numbers or booleans', description: 'the attribute equals one of the values' },
    check: checkMany,
  },
  notIn: {
    ...membership,
    doc: { operands: 'strings, numbers or booleans', description: 'the attribute is present and equals none of the values' },
    check: checkMany,
  },
  contains: { ...substring, doc: { operands: 'strings', description: 'the attribute contains one of the values' } },
  startsWith: { ...substring, doc: { operands: 'strings', description: 'the attribute starts with one of the values' } },
  endsWith: { ...substring, doc: { operands: 'strings', description: 'the attribute ends with one of the values' } },
} as const satisfies Record<string, OperatorDefinition>;
