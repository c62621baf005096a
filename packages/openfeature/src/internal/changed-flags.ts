import type { Condition, Definitions, FlagDefinition, JsonValue } from '@halyard/core';

/** Structural equality of JSON-shaped values (definitions are plain data after parsing). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const aRecord = a as Record<string, unknown>;
  const bRecord = b as Record<string, unknown>;
  let aCount = 0;
  for (const key in aRecord) {
    if (!Object.prototype.hasOwnProperty.call(aRecord, key) || aRecord[key] === undefined) continue;
    aCount++;
    if (!jsonEqual(aRecord[key], bRecord[key])) return false;
  }
  let bCount = 0;
  for (const key in bRecord) {
    if (Object.prototype.hasOwnProperty.call(bRecord, key) && bRecord[key] !== undefined) bCount++;
  }
  return aCount === bCount;
}

function namesSegment(conditions: readonly Condition[] | undefined, segments: ReadonlySet<string>): boolean {
  for (const condition of conditions ?? []) {
    if (condition.operator !== 'inSegment') continue;
    for (const value of condition.values ?? []) if (segments.has(String(value))) return true;
  }
  return false;
}

function usesSegment(flag: FlagDefinition, segments: ReadonlySet<string>): boolean {
  for (const rule of flag.rules ?? []) if (namesSegment(rule.conditions, segments)) return true;
  return false;
}

/**
 * Keys of the flags whose evaluation may differ between two definitions: flags added, removed or edited, flags
 * whose `inSegment` conditions name an edited segment, and (transitively) flags with a changed prerequisite.
 * Runs once per definitions update, never per evaluation.
 */
export function changedFlags(previous: Definitions, next: Definitions): string[] {
  const changed = new Set<string>();
  for (const key of Object.keys(previous.flags)) if (!(key in next.flags)) changed.add(key);
  for (const [key, flag] of Object.entries(next.flags)) {
    if (!jsonEqual(previous.flags[key] as JsonValue | undefined, flag)) changed.add(key);
  }

  const changedSegments = new Set<string>();
  for (const key of new Set([...Object.keys(previous.segments), ...Object.keys(next.segments)])) {
    if (!jsonEqual(previous.segments[key], next.segments[key])) changedSegments.add(key);
  }
  if (changedSegments.size > 0) {
    // Segments may reference segments: one that names a changed segment has changed too (to a fixpoint).
    let segmentsGrew = true;
    while (segmentsGrew) {
      segmentsGrew = false;
      for (const [key, segment] of Object.entries(next.segments)) {
        if (changedSegments.has(key) || !namesSegment(segment.conditions, changedSegments)) continue;
        changedSegments.add(key);
        segmentsGrew = true;
      }
    }
    for (const [key, flag] of Object.entries(next.flags)) if (usesSegment(flag, changedSegments)) changed.add(key);
  }

  // A flag whose prerequisite changed can change too; repeat until no new flag is added (chains are short).
  let grew = changed.size > 0;
  while (grew) {
    grew = false;
    for (const [key, flag] of Object.entries(next.flags)) {
      if (changed.has(key)) continue;
      if (flag.prerequisites?.some((prerequisite) => changed.has(prerequisite.flag))) {
        changed.add(key);
        grew = true;
      }
    }
  }
  return [...changed];
}
