import { describe, expect, it } from 'vitest';
import { diffPaths } from './diff-view';

describe('diffPaths', () => {
  it('reports changed leaves by JSON path', () => {
    const before = { enabled: false, rules: [{ conditions: [{ attribute: 'country', values: ['FR'] }] }] };
    const after = { enabled: true, rules: [{ conditions: [{ attribute: 'country', values: ['FR', 'DE'] }] }] };
    expect(diffPaths(before, after)).toEqual([
      { path: 'enabled', kind: 'changed', before: false, after: true },
      { path: 'rules[0].conditions[0].values', kind: 'changed', before: ['FR'], after: ['FR', 'DE'] },
    ]);
  });

  it('reports added and removed keys, and quotes keys that are not identifiers', () => {
    expect(diffPaths({ a: 1, 'x-y': 2 }, { a: 1, b: 3 })).toEqual([
      { path: '["x-y"]', kind: 'removed', before: 2 },
      { path: 'b', kind: 'added', after: 3 },
    ]);
  });

  it('diffs a created resource against nothing and finds no differences in equal values', () => {
    expect(diffPaths(undefined, { key: 'k' })).toEqual([{ path: '(value)', kind: 'added', after: { key: 'k' } }]);
    expect(diffPaths({ a: [1, 2] }, { a: [1, 2] })).toEqual([]);
  });
});
