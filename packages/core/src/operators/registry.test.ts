import { describe, expect, it } from 'vitest';
import { createEvaluator, parseDefinitions, type Condition, type Operator } from '@halyard/core';
import { CASE_INSENSITIVE_OPERATORS, OPERATOR_NAMES, operatorCatalog, operatorDefinition, operators, type OperatorName } from './registry';
import type { OperandKind } from './operator';

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

  it('describes each operator\'s operands in a form that agrees with its check (what editors offer is accepted)', () => {
    // One valid and one invalid operand per kind; `check` is the authority, the shape must not contradict it.
    const samples: Record<OperandKind, { good: unknown; bad: unknown }> = {
      none: { good: undefined, bad: 'x' },
      primitive: { good: true, bad: { object: 1 } },
      string: { good: 'a', bad: 1 },
      regex: { good: '^a+$', bad: '(' },
      number: { good: 1.5, bad: '1.5' },
      count: { good: 3, bad: -1 },
      semver: { good: 'v1.2', bad: '1.x' },
      date: { good: '2025-01-31', bad: 'yesterday' },
      segment: { good: 's', bad: 'missing' },
      cidr: { good: '10.0.0.0/8', bad: '10.0.0.0/99' },
    };
    const run = (name: string, values: unknown[]): boolean =>
      operators[name as OperatorName].check(values, { operator: name, caseInsensitive: false, segmentKeys: new Set(['s']), problem: () => undefined });
    expect(operatorCatalog().map((info) => info.name)).toEqual(OPERATOR_NAMES);
    expect(operatorCatalog()).toBe(operatorCatalog());
    for (const info of operatorCatalog()) {
      const { good, bad } = samples[info.operand.kind];
      const valid = info.operand.count === 'none' ? [] : info.operand.count === 'one' ? [good] : [good, good];
      expect(run(info.name, valid), info.name).toBe(true);
      expect(run(info.name, [bad]), info.name).toBe(false);
      if (info.operand.count === 'one') expect(run(info.name, [good, good]), info.name).toBe(false);
      if (info.operand.count !== 'none') expect(run(info.name, []), info.name).toBe(false);
      expect(info.caseInsensitive).toBe(CASE_INSENSITIVE_OPERATORS.includes(info.name));
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
