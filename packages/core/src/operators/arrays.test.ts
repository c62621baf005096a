import { describe, expect, it } from 'vitest';
import { createEvaluator, parseDefinitions } from '@halyard/core';
import type { Condition, EvaluationContext, Evaluator } from '@halyard/core';

type Cond = Partial<Condition> & { operator: Condition['operator'] };

function evaluatorFor(condition: Cond): Evaluator {
  const result = parseDefinitions({
    schemaVersion: 1,
    flags: {
      f: {
        variants: { on: true, off: false },
        enabled: true,
        offVariant: 'off',
        rules: [{ conditions: [{ attribute: 'x', ...condition }], serve: { variant: 'on' } }],
        defaultServe: { variant: 'off' },
      },
    },
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return createEvaluator(result.definitions);
}

/** Whether `condition` matches `context`, checked through getDetails, getValue, isEnabled and a handle alike. */
function matches(condition: Cond, context: EvaluationContext): boolean {
  const ev = evaluatorFor(condition);
  const value = ev.getDetails('f', false, context).value;
  expect(ev.getValue('f', false, context)).toBe(value);
  expect(ev.isEnabled('f', context)).toBe(value);
  expect(ev.flag('f').isEnabled(context)).toBe(value);
  return value;
}

describe('array-valued attributes: an operator matches when any element matches', () => {
  // [condition, an array with a matching element, an array without one]
  const cases: Array<[Cond, unknown[], unknown[]]> = [
    [{ operator: 'equals', values: ['staff'] }, ['beta', 'staff'], ['beta', 'Staff']],
    [{ operator: 'equals', values: ['staff'], caseInsensitive: true }, ['beta', 'STAFF'], ['beta']],
    [{ operator: 'equals', values: [30] }, [1, '30'], [1, 3]],
    [{ operator: 'in', values: ['a', 'b'] }, ['x', 'b'], ['x', 'y']],
    [{ operator: 'in', values: Array.from({ length: 12 }, (_, i) => `g${i}`) }, ['x', 'g11'], ['x', 'g12']],
    [{ operator: 'in', values: [true] }, [false, true], [false, 'yes', 1]],
    [{ operator: 'contains', values: ['@example'] }, ['a@other.io', 'b@example.com'], ['a@other.io', 99]],
    [{ operator: 'startsWith', values: ['adm'] }, ['user', 'admin'], ['user', 'Admin']],
    [{ operator: 'endsWith', values: ['.io'] }, ['a.com', 'b.io'], ['a.com']],
    [{ operator: 'matches', values: ['^team-\\d+$'] }, ['staff', 'team-42'], ['staff', 'team-x']],
    [{ operator: 'lt', values: [10] }, [50, '5'], [50, '10', 'x']],
    [{ operator: 'gte', values: [18] }, [12, 18], [12, 17.9]],
    [{ operator: 'semverGte', values: ['2.0'] }, ['1.9.0', 'v2'], ['1.9.0', '1.10']],
    [{ operator: 'after', values: ['2025-01-01'] }, ['2020-01-01', Date.UTC(2026, 0, 1)], ['2020-01-01', 'soon']],
    [{ operator: 'inCidr', values: ['10.0.0.0/8'] }, ['192.168.0.1', '10.1.2.3'], ['192.168.0.1']],
  ];

  it.each(cases)('%j: any element', (condition, hit, miss) => {
    expect(matches(condition, { x: hit })).toBe(true);
    expect(matches(condition, { x: miss })).toBe(false);
  });

  it.each(cases)('%j: negated, it is the negation of "any element"', (condition, hit, miss) => {
    expect(matches({ ...condition, negate: true }, { x: hit })).toBe(false);
    expect(matches({ ...condition, negate: true }, { x: miss })).toBe(true);
    // An empty array is a present value with no matching element.
    expect(matches(condition, { x: [] })).toBe(false);
    expect(matches({ ...condition, negate: true }, { x: [] })).toBe(true);
  });

  it('notIn is the negation of "in" on arrays, and still false for a missing attribute', () => {
    expect(matches({ operator: 'notIn', values: ['banned'] }, { x: ['beta', 'staff'] })).toBe(true);
    expect(matches({ operator: 'notIn', values: ['banned'] }, { x: ['beta', 'banned'] })).toBe(false);
    expect(matches({ operator: 'notIn', values: ['banned'] }, { x: [] })).toBe(true);
    expect(matches({ operator: 'notIn', values: ['banned'], negate: true }, { x: ['banned'] })).toBe(true);
    expect(matches({ operator: 'notIn', values: ['banned'] }, {})).toBe(false);
  });

  it('compares elements as scalars: nested arrays and objects never match, elements are not coerced', () => {
    expect(matches({ operator: 'in', values: ['a'] }, { x: [['a']] })).toBe(false);
    expect(matches({ operator: 'equals', values: ['a'] }, { x: [{ 0: 'a' }] })).toBe(false);
    expect(matches({ operator: 'contains', values: ['9'] }, { x: [99] })).toBe(false);
    expect(matches({ operator: 'equals', values: ['1'] }, { x: [1, true] })).toBe(false);
  });

  it('reads own elements only: a hole does not read a polluted Array.prototype', () => {
    const proto = Array.prototype as unknown as Record<string, unknown>;
    proto[1] = 'staff';
    try {
      // eslint-disable-next-line no-sparse-arrays
      const sparse = ['beta', , 'x'];
      expect(matches({ operator: 'in', values: ['staff'] }, { x: sparse })).toBe(false);
      expect(matches({ operator: 'containsAny', values: ['staff'] }, { x: sparse })).toBe(false);
      expect(matches({ operator: 'in', values: ['staff'] }, { x: ['beta', 'staff'] })).toBe(true);
    } finally {
      delete proto[1];
    }
  });

  it('works on the safe copy too: an array next to a throwing getter', () => {
    const ctx = {
      x: ['beta', 'staff'],
      get y(): string {
        throw new Error('getter');
      },
    };
    const ev = createEvaluator(
      (() => {
        const r = parseDefinitions({
          schemaVersion: 1,
          flags: {
            f: {
              variants: { on: true, off: false },
              enabled: true,
              offVariant: 'off',
              rules: [{ conditions: [{ attribute: 'y', operator: 'exists' }, { attribute: 'x', operator: 'in', values: ['staff'] }], serve: { variant: 'on' } }, { conditions: [{ attribute: 'x', operator: 'containsAll', values: ['staff', 'beta'] }], serve: { variant: 'on' } }],
              defaultServe: { variant: 'off' },
            },
          },
        });
        if (!r.ok) throw new Error('invalid');
        return r.definitions;
      })(),
    );
    expect(ev.getDetails('f', false, ctx)).toEqual({ value: true, variant: 'on', reason: 'TARGETING_MATCH', ruleId: 'rule-1' });
  });
});

describe('array operators', () => {
  it('containsAll: every value is an element (typed, caseInsensitive applies)', () => {
    expect(matches({ operator: 'containsAll', values: ['beta', 'staff'] }, { x: ['staff', 'x', 'beta'] })).toBe(true);
    expect(matches({ operator: 'containsAll', values: ['beta', 'staff'] }, { x: ['staff', 'x'] })).toBe(false);
    expect(matches({ operator: 'containsAll', values: ['beta', 'STAFF'], caseInsensitive: true }, { x: ['Beta', 'staff'] })).toBe(true);
    expect(matches({ operator: 'containsAll', values: [1, 2] }, { x: [2, '1'] })).toBe(true);
    expect(matches({ operator: 'containsAll', values: ['1'] }, { x: [1] })).toBe(false);
    expect(matches({ operator: 'containsAll', values: ['beta'], negate: true }, { x: ['staff'] })).toBe(true);
    expect(matches({ operator: 'containsAll', values: ['beta'], negate: true }, { x: ['beta'] })).toBe(false);
  });

  it('containsAny: some value is an element', () => {
    expect(matches({ operator: 'containsAny', values: ['beta', 'staff'] }, { x: ['x', 'staff'] })).toBe(true);
    expect(matches({ operator: 'containsAny', values: ['beta', 'staff'] }, { x: ['x', 'y'] })).toBe(false);
    expect(matches({ operator: 'containsAny', values: [true] }, { x: [false, true] })).toBe(true);
    expect(matches({ operator: 'containsAny', values: ['beta'], negate: true }, { x: [] })).toBe(true);
  });

  it('size comparisons and isEmpty compare the number of elements', () => {
    const three = { x: ['a', 'b', 'c'] };
    expect(matches({ operator: 'sizeEq', values: [3] }, three)).toBe(true);
    expect(matches({ operator: 'sizeEq', values: [2] }, three)).toBe(false);
    expect(matches({ operator: 'sizeLt', values: [4] }, three)).toBe(true);
    expect(matches({ operator: 'sizeLt', values: [3] }, three)).toBe(false);
    expect(matches({ operator: 'sizeLte', values: [3] }, three)).toBe(true);
    expect(matches({ operator: 'sizeLte', values: [2] }, three)).toBe(false);
    expect(matches({ operator: 'sizeGt', values: [2] }, three)).toBe(true);
    expect(matches({ operator: 'sizeGt', values: [3] }, three)).toBe(false);
    expect(matches({ operator: 'sizeGte', values: [3] }, three)).toBe(true);
    expect(matches({ operator: 'sizeGte', values: [4] }, three)).toBe(false);
    expect(matches({ operator: 'sizeGt', values: [2], negate: true }, three)).toBe(false);
    expect(matches({ operator: 'isEmpty' }, { x: [] })).toBe(true);
    expect(matches({ operator: 'isEmpty' }, three)).toBe(false);
    expect(matches({ operator: 'isEmpty', negate: true }, three)).toBe(true);
    expect(matches({ operator: 'isEmpty', negate: true }, { x: [] })).toBe(false);
  });

  it('need an array: anything else is not comparable, negated or not', () => {
    for (const x of [undefined, null, 'abc', 3, true, { length: 0 }, { 0: 'beta', length: 1 }]) {
      for (const condition of [
        { operator: 'containsAll', values: ['beta'] },
        { operator: 'containsAny', values: ['beta'] },
        { operator: 'sizeEq', values: [0] },
        { operator: 'sizeLt', values: [5] },
        { operator: 'isEmpty' },
      ] as Cond[]) {
        expect(matches(condition, { x }), `${condition.operator} on ${String(x)}`).toBe(false);
        expect(matches({ ...condition, negate: true }, { x }), `${condition.operator} negated on ${String(x)}`).toBe(false);
      }
    }
  });
});
