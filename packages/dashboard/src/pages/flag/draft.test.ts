import { describe, expect, it } from 'vitest';
import type { FlagDefinition } from '@halyard/core';
import { mapProblems } from '../../lib/problem-fields';
import { composeDefinition, flagFieldPaths, renameVariant, rolloutOf, variantRows, variantTextError, withRollout } from './draft';

const flag: FlagDefinition = {
  variants: { on: true, off: false },
  enabled: true,
  offVariant: 'off',
  targets: [{ variant: 'on', values: ['qa-1'] }],
  rules: [{ conditions: [{ attribute: 'plan', operator: 'in', values: ['pro'] }], serve: { split: [{ variant: 'on', percentage: 50 }, { variant: 'off', percentage: 50 }] } }],
  defaultServe: { variant: 'off' },
};

describe('flag page draft', () => {
  it('renames a variant everywhere it is referenced', () => {
    const renamed = renameVariant(flag, 'off', 'control');
    expect(renamed.offVariant).toBe('control');
    expect(renamed.defaultServe).toEqual({ variant: 'control' });
    expect(renamed.rules![0]!.serve).toEqual({ split: [{ variant: 'on', percentage: 50 }, { variant: 'control', percentage: 50 }] });
    expect(renamed.targets).toEqual([{ variant: 'on', values: ['qa-1'] }]);
  });

  it('composes the definition from JSON rows and leaves empty optional fields out', () => {
    const rows = variantRows(flag);
    expect(composeDefinition({ ...flag, targets: [], description: '' }, rows)).toEqual({ ...flag, targets: undefined, description: undefined, variants: { on: true, off: false } });
    const bad = rows.map((row) => (row.name === 'on' ? { ...row, text: '{oops' } : row));
    expect(variantTextError(bad[0]!, bad)).toMatch(/Not valid JSON/);
    expect(() => composeDefinition(flag, bad)).toThrow();
    const duplicate = rows.map((row) => ({ ...row, name: 'on' }));
    expect(variantTextError(duplicate[0]!, duplicate)).toMatch(/unique/);
  });

  it('moves a rollout in 0.1 steps without floating-point residue and keeps the bucketing', () => {
    const serve = withRollout({ split: [{ variant: 'on', percentage: 10 }, { variant: 'off', percentage: 90 }], bucketBy: 'accountId', salt: 's' }, 'on', 'off', 33.3);
    expect(serve).toEqual({ split: [{ variant: 'on', percentage: 33.3 }, { variant: 'off', percentage: 66.7 }], bucketBy: 'accountId', salt: 's' });
    expect(rolloutOf(serve)).toEqual({ variant: 'on', percentage: 33.3, rest: 'off' });
    expect(rolloutOf({ variant: 'on' })).toBeUndefined();
    expect(withRollout({ variant: 'on' }, 'on', 'off', 140)).toEqual({ split: [{ variant: 'on', percentage: 100 }, { variant: 'off', percentage: 0 }] });
  });

  it('names the fields the page renders, so service problems land on them', () => {
    const fields = flagFieldPaths(flag, variantRows(flag));
    const mapped = mapProblems(
      [
        { path: '$.flags["f"].rules[0].serve.split', message: 'percentages add up to 95' },
        { path: '$.flags["f"].rules[0].conditions[0].values[0]', message: 'bad value' },
        { path: '$.flags["f"].variants["on"]', message: 'too big' },
        { path: '$.flags["f"].breaker.errorRate', message: 'not shown on the page' },
      ],
      'f',
      fields,
    );
    expect(mapped.fields).toEqual({ 'rules[0].serve.split': 'percentages add up to 95', 'rules[0].conditions[0].values': 'bad value', 'variants.on': 'too big' });
    expect(mapped.unmapped).toHaveLength(1);
  });
});
