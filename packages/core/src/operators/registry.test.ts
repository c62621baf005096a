import { describe, expect, it } from 'vitest';
import { createEvaluator, parseDefinitions, type Condition, type Operator } from '@halyard/core';
import { CASE_INSENSITIVE_OPERATORS, OPERATOR_NAMES, operatorDefinition, operators, type OperatorName } from './registry';

// `Operator` (types.ts, the public type) and the registry's keys must be the same set: adding an operator to one
// without the other fails type checking here.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const sameNames: Equal<Operator, OperatorName> = true;

/** A valid operand list for every operator, so each one can be compiled and run. */
const SAMPLE_VALUES: Record<Operator, Condition['values']> = {
  equals: ['a'],
  in: ['a', 'b'],
  notIn: ['a'],
  contains: ['a'],
  startsWith: ['a'],
  endsWith: ['a'],
  matches: ['^a'],
  lt: [1],
  lte: [1],
  gt: [1],
  gte: [1],
  semverEq: ['1.0.0'],
  semverLt: ['1.0.0'],
  semverLte: ['1.0.0'],
  semverGt: ['1.0.0'],
  semverGte: ['1.0.0'],
  before: ['2025-01-01'],
  after: ['2025-01-01'],
  exists: undefined,
  containsAll: ['a'],
  containsAny: ['a', 1],
  sizeEq: [1],
  sizeLt: [1],
  sizeLte: [1],
  sizeGt: [1],
  sizeGte: [1],
  isEmpty: undefined,
  inSegment: ['s'],
  inCidr: ['10.0.0.0/8'],
};

describe('operator registry', () => {
  it('names every operator of the Operator type, in documentation order', () => {
    expect(sameNames).toBe(true);
    expect(OPERATOR_NAMES).toEqual(Object.keys(SAMPLE_VALUES));
    expect(CASE_INSENSITIVE_OPERATORS).toEqual(['equals', 'in', 'notIn', 'contains', 'startsWith', 'endsWith', 'matches', 'containsAll', 'containsAny']);
  });

  it('documents every operator', () => {
    for (const name of OPERATOR_NAMES) {
      expect(operators[name].doc.operands.length, name).toBeGreaterThan(0);
      expect(operators[name].doc.description.length, name).toBeGreaterThan(0);
    }
  });

  it('looks up own keys only', () => {
    expect(operatorDefinition('in')).toBe(operators.in);
    expect(operatorDefinition('constructor')).toBeUndefined();
    expect(operatorDefinition('__proto__')).toBeUndefined();
  });

  it('validates and compiles every operator through the parser and the evaluator', () => {
    for (const operator of OPERATOR_NAMES) {
      const condition: Condition = { attribute: 'x', operator };
      const values = SAMPLE_VALUES[operator];
      if (values !== undefined) condition.values = values;
      const result = parseDefinitions({
        schemaVersion: 1,
        segments: { s: { included: ['u1'] } },
        flags: { f: { variants: { on: true, off: false }, enabled: true, offVariant: 'off', rules: [{ conditions: [condition], serve: { variant: 'on' } }], defaultServe: { variant: 'off' } } },
      });
      expect(result.problems, operator).toBeUndefined();
      const evaluator = createEvaluator(result.definitions!);
      // The attribute `x` is missing and `u2` is not in segment `s`: no operator matches.
      expect(evaluator.isEnabled('f', { userId: 'u2' }), operator).toBe(false);
    }
  });

  it('reports operand problems at the operand path, with the operator in the message', () => {
    const result = parseDefinitions({
      schemaVersion: 1,
      flags: {
        f: {
          variants: { on: true, off: false },
          enabled: true,
          offVariant: 'off',
          rules: [{ conditions: [{ attribute: 'v', operator: 'semverGt', values: ['v1.0.x'] }], serve: { variant: 'on' } }],
          defaultServe: { variant: 'off' },
        },
      },
    });
    expect(result.problems).toEqual([
      {
        path: '$.flags["f"].rules[0].conditions[0].values[0]',
        message: '"semverGt" expects a version such as "1.4.0", "2.0", "v3" or "2.0.0-beta.1", got the string "v1.0.x"',
      },
    ]);
  });
});
