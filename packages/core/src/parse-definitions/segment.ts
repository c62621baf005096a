import { has, isObj, own, describe } from '../internal/json-shape';
import { KEY_PATTERN, KEY_RULE } from '../internal/schema';
import type { SegmentDefinition } from '../types';
import { field, type Checker } from './checker';
import { checkConditions } from './condition';

const SEGMENT_FIELDS = ['description', 'conditions', 'included', 'excluded', 'attribute'];

/** One segment: `conditions` (no segment references), `included`/`excluded` unit ids and their `attribute`. */
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
    const conditions = checkConditions(c, own(v, 'conditions'), field(path, 'conditions'), true);
    if (conditions === undefined) ok = false;
    else out.conditions = conditions;
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