import { DEFAULT_UNIT_ATTRIBUTE } from '../internal/schema';
import type { CompileEnv } from '../operators/operator';
import { operatorDefinition } from '../operators/registry';
import type { Condition, SegmentDefinition } from '../types';
import { compileRollout } from './bucketing';
import { asString, compilePath, readAttr, type Matcher } from './context';
import { dependencyOrder } from './dependency-order';

const never: Matcher = () => false;
const always: Matcher = () => true;

/**
 * Compiles one condition through its operator's definition. The registry is consulted here, once per condition;
 * what evaluation calls is the closure the operator returns.
 */
export function compileCondition(cond: Condition, env: CompileEnv): Matcher {
  const definition = operatorDefinition(cond.operator);
  // Unreachable for validated definitions; an unknown operator never matches.
  if (definition === undefined) return never;
  return definition.compile(cond, compilePath(cond.attribute), env);
}

/** The conjunction of `matchers`, unrolled for the usual one to three. */
export function allOf(matchers: readonly Matcher[]): Matcher {
  if (matchers.length === 0) return always;
  if (matchers.length === 1) return matchers[0] as Matcher;
  if (matchers.length === 2) {
    const [a, b] = matchers as [Matcher, Matcher];
    return (ctx) => a(ctx) && b(ctx);
  }
  if (matchers.length === 3) {
    const [a, b, c] = matchers as [Matcher, Matcher, Matcher];
    return (ctx) => a(ctx) && b(ctx) && c(ctx);
  }
  return (ctx) => {
    for (let i = 0; i < matchers.length; i++) if (!(matchers[i] as Matcher)(ctx)) return false;
    return true;
  };
}

/**
 * A segment: excluded ids never match, included ids always do, otherwise all conditions and the rollout (whose
 * salt defaults to the segment key); a segment with neither matches only its included ids. `env` holds the
 * segments this one references, compiled first (see `segmentOrder`).
 */
export function compileSegment(key: string, seg: SegmentDefinition, env: CompileEnv): Matcher {
  const attr = compilePath(seg.attribute ?? DEFAULT_UNIT_ATTRIBUTE);
  const included = new Set(seg.included ?? []);
  const excluded = new Set(seg.excluded ?? []);
  const conditions = (seg.conditions ?? []).map((c) => compileCondition(c, env));
  if (seg.rollout !== undefined) conditions.push(compileRollout(seg.rollout, key, env.bucketing));
  const conds = conditions.length === 0 ? null : allOf(conditions);
  const hasLists = included.size > 0 || excluded.size > 0;
  return (ctx) => {
    if (hasLists) {
      const id = asString(readAttr(ctx, attr));
      if (id !== undefined) {
        if (excluded.has(id)) return false;
        if (included.has(id)) return true;
      }
    }
    return conds !== null && conds(ctx);
  };
}

/** Segment keys ordered so every segment comes after the segments it references. */
export function segmentOrder(segments: Readonly<Record<string, SegmentDefinition>>): string[] {
  return dependencyOrder(Object.keys(segments), (key) => {
    const out: string[] = [];
    for (const c of segments[key]?.conditions ?? []) if (c.operator === 'inSegment') for (const v of c.values ?? []) out.push(String(v));
    return out;
  });
}
