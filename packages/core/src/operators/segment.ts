import type { Attr, Matcher } from '../evaluator/context';
import { describe, quoteList } from '../internal/json-shape';
import type { Condition } from '../types';
import { operandCount, type CompileEnv, type OperatorDefinition } from './operator';

/** Segment membership: defined for every context, so `negate` simply inverts it. */
function compileInSegment(cond: Condition, _attr: Attr, env: CompileEnv): Matcher {
  const negate = cond.negate === true;
  const matchers: Matcher[] = [];
  for (const s of cond.values ?? []) {
    const m = env.segmentMatchers.get(String(s));
    if (m !== undefined) matchers.push(m);
  }
  return (ctx) => {
    let hit = false;
    for (let i = 0; i < matchers.length && !hit; i++) hit = (matchers[i] as Matcher)(ctx);
    return hit !== negate;
  };
}

export const segmentOperators = {
  inSegment: {
    doc: { operands: 'segment keys (the attribute is ignored)', description: 'the context is a member of one of the segments' },
    operand: { kind: 'segment', count: 'many' },
    caseInsensitive: false,
    readsAttribute: false,
    check(values, check) {
      // Inside a segment this references other segments; parse-definitions/graph.ts rejects cycles.
      if (!operandCount(values, check, 'many')) return false;
      let good = true;
      for (let i = 0; i < values.length; i++) {
        const s = values[i];
        if (typeof s !== 'string' || !check.segmentKeys.has(s)) {
          check.problem(`unknown segment ${describe(s)}; known segments: ${quoteList([...check.segmentKeys])}`, i);
          good = false;
        }
      }
      return good;
    },
    compile: compileInSegment,
  },
} as const satisfies Record<string, OperatorDefinition>;
