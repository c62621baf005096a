import { readPath, type Attr, type Matcher, type Rec } from '../evaluator/context';
import { checkRegex, regexFlags } from '../internal/regex-guard';
import type { Condition } from '../types';
import { anyElement, eachOperand, isString, operandCount, type OperatorDefinition } from './operator';

// Module-local on purpose: see `hasOwnProperty` in ../evaluator/context.ts.
const hasOwnProperty = Object.prototype.hasOwnProperty;

/**
 * Strings longer than this never match `matches`. The regex guard admits at most quadratic backtracking, which
 * costs ~2.5 ms at 1,024 characters but ~140 ms at 10,000 for something as plain as `[0-9]+x` on hostile input.
 */
export const MAX_MATCH_SUBJECT_LENGTH = 1_024;

function compileMatches(cond: Condition, { key, parts }: Attr): Matcher {
  const negate = cond.negate === true;
  const ci = cond.caseInsensitive === true;
  const regexes = (cond.values ?? []).map((p) => new RegExp(String(p), regexFlags(String(p), ci)));
  const hit = (s: string): boolean => {
    for (let i = 0; i < regexes.length; i++) if ((regexes[i] as RegExp).test(s)) return true;
    return false;
  };
  // Strings only: `matches "^1"` does not match the number 1. A string over the cap is not comparable.
  const element = (e: unknown): boolean => typeof e === 'string' && e.length <= MAX_MATCH_SUBJECT_LENGTH && hit(e);
  return (ctx) => {
    const v = parts === null ? (ctx as Rec)[key] : readPath(ctx, parts);
    let result: boolean;
    if (typeof v === 'string') {
      if (v.length > MAX_MATCH_SUBJECT_LENGTH) return false;
      result = hit(v) !== negate;
    } else result = anyElement(v, element, negate);
    return result && (parts !== null || hasOwnProperty.call(ctx, key));
  };
}

export const regexOperators = {
  matches: {
    doc: {
      operands: 'regular expressions (JavaScript syntax: Unicode mode, the `u` flag, when the pattern is valid in it, else the classic mode, so `\\@` or `[\\w-.]` work)',
      description: `the attribute is a string that matches one of them; compiled once, patterns that can backtrack catastrophically (\`(a+)+\`) are refused, strings over ${MAX_MATCH_SUBJECT_LENGTH.toLocaleString('en-US')} characters never match`,
    },
    operand: { kind: 'regex', count: 'many' },
    caseInsensitive: true,
    readsAttribute: true,
    check(values, check) {
      let good = operandCount(values, check, 'many') && eachOperand(values, check, isString, 'regular expression strings');
      if (!good) return false;
      for (let i = 0; i < values.length; i++) {
        const pattern = values[i] as string;
        const problem = checkRegex(pattern, regexFlags(pattern, check.caseInsensitive));
        if (problem !== undefined) {
          check.problem(`regular expression ${JSON.stringify(pattern)} is refused: ${problem}`, i);
          good = false;
        }
      }
      return good;
    },
    compile: compileMatches,
  },
} as const satisfies Record<string, OperatorDefinition>;
