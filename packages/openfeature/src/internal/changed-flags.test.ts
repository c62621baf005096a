import { parseDefinitions, type Definitions, type FlagsDocument } from '@halyard/core';
import { describe, expect, it } from 'vitest';
import { changedFlags } from './changed-flags';

function definitions(document: FlagsDocument): Definitions {
  const result = parseDefinitions(document);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.definitions;
}

const flag = (segment: string) => ({
  variants: { on: true, off: false },
  enabled: true,
  offVariant: 'off',
  rules: [{ conditions: [{ attribute: '', operator: 'inSegment' as const, values: [segment] }], serve: { variant: 'on' } }],
  defaultServe: { variant: 'off' },
});

function document(betaCountries: string[]): FlagsDocument {
  return {
    schemaVersion: 1,
    flags: { direct: flag('beta'), nested: flag('beta-staff'), unrelated: { ...flag('other'), description: 'x' } },
    segments: {
      beta: { conditions: [{ attribute: 'country', operator: 'in', values: betaCountries }] },
      'beta-staff': { conditions: [{ attribute: '', operator: 'inSegment', values: ['beta'] }, { attribute: 'staff', operator: 'exists' }] },
      other: { conditions: [{ attribute: 'plan', operator: 'equals', values: ['pro'] }] },
    },
  };
}

describe('changedFlags', () => {
  it('marks flags that reach an edited segment through another segment', () => {
    const changed = changedFlags(definitions(document(['US'])), definitions(document(['US', 'CA'])));
    expect(changed.sort()).toEqual(['direct', 'nested']);
  });

  it('marks nothing when no segment or flag changed', () => {
    expect(changedFlags(definitions(document(['US'])), definitions(document(['US'])))).toEqual([]);
  });
});
