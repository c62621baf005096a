import { describe, expect, it } from 'vitest';
import { OPERATOR_NAMES } from '@halyard/core/definitions';
import { OPERATORS, operatorGroups, withOperator } from './operators';

describe('condition editor operators', () => {
  it('offers exactly the registry operators, grouped by operand kind', () => {
    expect(OPERATORS.map((info) => info.name)).toEqual(OPERATOR_NAMES);
    expect(operatorGroups().flatMap((group) => group.operators.map((info) => info.name)).sort()).toEqual([...OPERATOR_NAMES].sort());
  });

  it('keeps operands that still fit, clears the rest, and drops options the new operator does not take', () => {
    expect(withOperator({ attribute: 'plan', operator: 'in', values: ['a', 'b'], caseInsensitive: true }, 'notIn')).toEqual({ attribute: 'plan', operator: 'notIn', values: ['a', 'b'], caseInsensitive: true });
    expect(withOperator({ attribute: 'plan', operator: 'in', values: ['a', 'b'] }, 'equals')).toEqual({ attribute: 'plan', operator: 'equals', values: ['a'] });
    expect(withOperator({ attribute: 'age', operator: 'in', values: ['a'], caseInsensitive: true }, 'gte')).toEqual({ attribute: 'age', operator: 'gte', values: [] });
    expect(withOperator({ attribute: 'x', operator: 'in', values: ['a'] }, 'exists')).toEqual({ attribute: 'x', operator: 'exists' });
    expect(withOperator({ attribute: 'x', operator: 'in', values: ['a'], negate: true }, 'inSegment')).toEqual({ attribute: '', operator: 'inSegment', values: [], negate: true });
  });
});
