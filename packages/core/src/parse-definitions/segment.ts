import { has, isObj, own, describe } from '../internal/json-shape';
import { KEY_PATTERN, KEY_RULE } from '../internal/schema';
import type { SegmentDefinition } from '../types';
import { field, type Checker } from './checker';
import { checkConditions } from './condition';
import { checkRollout } from './serve';

const SEGMENT_FIELDS = ['description', 'conditions', 'rollout', 'included', 'excluded', 'attribute'];

/**
 * One segment: `conditions` (which may reference other segments; graph.ts rejects cycles), a `rollout` gate,
 * `included`/`excluded` unit ids and their `attribute`.
 */
export function checkSegment(c: Checker, key: string, v: unknown, path: string): SegmentDefinition | undefined {
  let ok = true;
  if (!KEY_PATTERN.test(key)) {
    c.add(path, `segment key ${JSON.stringify(key)} is invalid: ${KEY_RULE}`);
    ok = false;
  }
  if (!isObj(v)) {
    c.add(path, `a segment must be an object with "conditions", "included" and/or "excluded", got ${describe(v)}`);
    return undefined;
  }
  c.fields(v, path, SEGMENT_FIELDS, 'a segment');
  const out: SegmentDefinition = {};
  const description = c.optionalString(v, path, 'description');
  if (description !== undefined) out.description = description;
  else if (has(v, 'description')) ok = false;
  if (has(v, 'conditions')) {
    const conditions = checkConditions(c, own(v, 'conditions'), field(path, 'conditions'));
    if (conditions === undefined) ok = false;
    else out.conditions = conditions;
  }
  if (has(v, 'rollout')) {
    const rollout = checkRollout(c, own(v, 'rollout'), field(path, 'rollout'), 'a segment rollout');
    if (rollout === undefined) ok = false;
    else out.rollout = rollout;
  }
  for (const name of ['included', 'excluded'] as const) {
    if (!has(v, name)) continue;
    const list = c.stringArray(own(v, name), field(path, name), name, false);
    if (list === undefined) ok = false;
    else out[name] = list;
  }
  if (has(v, 'attribute')) {
    const a = c.attributePath(own(v, 'attribute'), field(path, 'attribute'), 'attribute');
    if (a === undefined) ok = false;
    else out.attribute = a;
  }
  return ok ? out : undefined;
}

/** The segments a segment's conditions reference (`inSegment`), for the cycle check. */
export function segmentReferences(segment: SegmentDefinition): string[] {
  const out: string[] = [];
  for (const cond of segment.conditions ?? []) {
    if (cond.operator !== 'inSegment') continue;
    for (const ref of cond.values ?? []) if (typeof ref === 'string' && !out.includes(ref)) out.push(ref);
  }
  return out;
}
