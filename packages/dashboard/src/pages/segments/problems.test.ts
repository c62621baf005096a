import { describe, expect, it } from 'vitest';
import { segmentProblems } from './problems';
import { describeSegment, referencedSegments, rolloutOf, rolloutPercentage } from './segment-summary';

describe('segmentProblems', () => {
  const fields = ['included', 'excluded', 'conditions', 'conditions[0].values', 'rollout.weight'];

  it('places document paths of this segment at the deepest rendered field', () => {
    const mapped = segmentProblems(
      [
        { path: '$.segments["beta"].conditions[0].values[1]', message: 'must be a string' },
        { path: '$.definition.included', message: 'duplicate id "u1"' },
        { path: 'rollout.weight', message: 'must be ≤ total' },
      ],
      'beta',
      fields,
    );
    expect(mapped.fields).toEqual({ 'conditions[0].values': 'must be a string', included: 'duplicate id "u1"', 'rollout.weight': 'must be ≤ total' });
    expect(mapped.unmapped).toEqual([]);
  });

  it('leaves problems of other segments and flags for the summary, with their own paths', () => {
    const problems = [
      { path: '$.segments["other"].conditions', message: 'segment cycle: other → beta → other' },
      { path: '$.flags["beta"].rules[0]', message: 'unknown segment' },
    ];
    expect(segmentProblems(problems, 'beta', fields)).toEqual({ fields: {}, unmapped: problems });
  });
});

describe('segment summary', () => {
  it('lists nested segment references once and describes members', () => {
    const conditions = [
      { attribute: '', operator: 'inSegment' as const, values: ['staff', 'pilot'] },
      { attribute: 'x', operator: 'inSegment' as const, values: ['staff'] },
    ];
    expect(referencedSegments(conditions)).toEqual(['staff', 'pilot']);
    expect(describeSegment({ included: ['u1'], conditions, rollout: { weight: 5000, total: 100000 } })).toBe('1 included · 2 conditions · uses staff, pilot · 5 % rollout');
    expect(describeSegment({})).toBe('Nobody (no members yet)');
  });

  it('converts percentages to rollouts on the 100,000 scale and back', () => {
    expect(rolloutOf(12.345)).toEqual({ weight: 12345, total: 100000 });
    expect(rolloutPercentage({ weight: 1, total: 3 })).toBe(33.333);
  });
});
