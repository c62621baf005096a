import { asString, readAttr, type Attr, type Matcher } from '../evaluator/context';
import { checkRegex } from '../internal/regex-guard';
import type { Condition } from '../types';
import { eachOperand, isString, operandCount, type OperatorDefinition } from './operator';

/**
 * Strings longer than this never match `matches`. The regex guard admits at most quadratic backtracking, which
 * costs ~2.5 ms at 1,024 characters but ~140 ms at 10,000 for something as plain as `[0-9]+x` on hostile input.
 */
export const MAX_MATCH_SUBJECT_LENGTH = 1_024;

function compileMatches(cond: Condition, attr: Attr): Matcher {
  const negate = cond.negate === true;
  const regexes = (cond.values ?? []).map((p) => new RegExp(String(p), cond.caseInsensitive === true ? 'iu' : 'u'));
  return (ctx) => {
    const s = asString(readAttr(ctx, attr));
    if (s === undefined || s.length > MAX_MATCH_SUBJECT_LENGTH) return false;
    let hit = false;
    for (let i = 0; i < regexes.length && !hit; i++) hit = (regexes[i] as RegExp).test(s);
    return hit !== negate;
  };
}

export const regexOperators = {
  matches: {
    doc: {
      operands: 'regular expressions (JavaScript syntax, `u` flag)',
      description: `the attribute's string form matches one of them; compiled once, patterns that can backtrack catastrophically (\`(a+)+\`) are refused, strings over ${MAX_MATCH_SUBJECT_LENGTH.toLocaleString('en-US')} characters never match`,
    },
    caseInsensitive: true,
    readsAttribute: true,
    check(values, check) {
      let good = operandCount(values, check, 'many') && eachOperand(values, check, isString, 'regular expression strings');
      if (!good) return false;
      for (let i = 0; i < values.length; i++) {
        const problem = checkRegex(values[i] as string, check.caseInsensitive ? 'iu' : 'u');
        if (problem !== undefined) {
          check.problem(`regular expression ${JSON.stringify(values[i])} is refused: ${problem}`, i);
          good = false;
        }
      }
      return good;
    },
    compile: compileMatches,
  },
} as const satisfies Record<string, OperatorDefinition>;
