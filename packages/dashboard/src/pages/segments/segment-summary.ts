import type { Condition, SegmentDefinition } from '@halyard/core';
import { PERCENT_SCALE } from '@halyard/core/definitions';

/** The segments a segment references through `inSegment` conditions (nested segments), in order, once each. */
export function referencedSegments(conditions: readonly Condition[] | undefined): string[] {
  const out = new Set<string>();
  for (const condition of conditions ?? []) if (condition.operator === 'inSegment') for (const value of condition.values ?? []) out.add(String(value));
  return [...out];
}

/** The percentage a rollout admits (weight / total), to three decimals. */
export function rolloutPercentage(rollout: { weight: number; total: number }): number {
  return Math.round((rollout.weight / rollout.total) * 100_000) / 1000;
}

/** A rollout of `percentage` % on the document's usual scale (100,000 buckets: three decimals). */
export function rolloutOf(percentage: number): { weight: number; total: number } {
  return { weight: Math.round(percentage * (PERCENT_SCALE / 100)), total: PERCENT_SCALE };
}

/**
 * One line saying who is in a segment, for lists.
 *
 * @example
 * describeSegment({ included: ['u1'], conditions: [{ attribute: 'plan', operator: 'equals', values: ['pro'] }] });
 * // → '1 included · 1 condition'
 */
export function describeSegment(definition: SegmentDefinition): string {
  const parts: string[] = [];
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (definition.included?.length) parts.push(`${definition.included.length} included`);
  if (definition.excluded?.length) parts.push(`${definition.excluded.length} excluded`);
  const conditions = definition.conditions ?? [];
  if (conditions.length) parts.push(count(conditions.length, 'condition'));
  const nested = referencedSegments(conditions);
  if (nested.length) parts.push(`uses ${nested.join(', ')}`);
  if (definition.rollout) parts.push(`${rolloutPercentage(definition.rollout)} % rollout`);
  return parts.length === 0 ? 'Nobody (no members yet)' : parts.join(' · ');
}
