import type { FlagDefinition } from '@halyard/core';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors';
import { rolloutServe } from './rollout';

const boolean = (extra: Partial<FlagDefinition> = {}): FlagDefinition =>
  ({ variants: { on: true, off: false }, enabled: true, offVariant: 'off', defaultServe: { variant: 'off' }, ...extra }) as FlagDefinition;

const problemPath = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.problems?.[0]?.path;
    throw error;
  }
  return undefined;
};

describe('rolloutServe: which variant a rollout moves and what the others get', () => {
  it('rolls out the other of two variants when the flag has no offVariant', () => {
    const definition = { variants: { on: true, off: false }, enabled: true, defaultServe: { variant: 'off' } };
    expect(rolloutServe(definition, { percentage: 10 }).split).toEqual([
      { variant: 'on', percentage: 10 },
      { variant: 'off', percentage: 90 },
    ]);
  });

  it('rolls out the true variant; everyone else gets offVariant', () => {
    expect(rolloutServe(boolean(), { percentage: 25 })).toEqual({
      split: [
        { variant: 'on', percentage: 25 },
        { variant: 'off', percentage: 75 },
      ],
    });
  });

  it('finds "on" without a true value, and the other of two variants without offVariant', () => {
    const named = { variants: { on: 'new', legacy: 'old' }, enabled: true, offVariant: 'on', defaultServe: { variant: 'legacy' } } as unknown as FlagDefinition;
    expect(rolloutServe(named, { percentage: 10 }).split).toEqual([
      { variant: 'on', percentage: 10 },
      { variant: 'legacy', percentage: 90 },
    ]);
  });

  it('keeps an existing split’s bucketBy, salt and seed so ramping up only adds units', () => {
    const ramping = boolean({ defaultServe: { split: [{ variant: 'on', percentage: 5 }, { variant: 'off', percentage: 95 }], bucketBy: 'accountId', salt: 's', seed: 7 } as never });
    expect(rolloutServe(ramping, { percentage: 33.333 })).toEqual({
      split: [
        { variant: 'on', percentage: 33.333 },
        { variant: 'off', percentage: 66.667 },
      ],
      bucketBy: 'accountId',
      salt: 's',
      seed: 7,
    });
  });

  it('keeps an imported vendor bucketing, so ramping an imported rollout re-buckets nobody', () => {
    const imported = boolean({ defaultServe: { split: [{ variant: 'on', weight: 3000 }, { variant: 'off', weight: 7000 }], bucketBy: 'id', salt: 'gb', bucketing: { algorithm: 'growthbook-v2' } } as never });
    expect(rolloutServe(imported, { percentage: 40 })).toMatchObject({ bucketBy: 'id', salt: 'gb', bucketing: { algorithm: 'growthbook-v2' } });
  });

  it('takes explicit variant and rest', () => {
    const multi = { variants: { a: 'A', b: 'B', c: 'C' }, enabled: true, offVariant: 'a', defaultServe: { variant: 'a' } } as unknown as FlagDefinition;
    expect(rolloutServe(multi, { percentage: 10, variant: 'c', rest: 'b' }).split).toEqual([
      { variant: 'c', percentage: 10 },
      { variant: 'b', percentage: 90 },
    ]);
  });

  it('refuses what it cannot decide, naming the field', () => {
    const multi = { variants: { a: 'A', b: 'B', c: 'C' }, enabled: true, offVariant: 'a', defaultServe: { variant: 'a' } } as unknown as FlagDefinition;
    expect(problemPath(() => rolloutServe(multi, { percentage: 10 }))).toBe('$.variant');
    expect(problemPath(() => rolloutServe(multi, { percentage: 10, variant: 'a' }))).toBe('$.rest');
    expect(problemPath(() => rolloutServe(boolean(), { percentage: 10, rest: 'on' }))).toBe('$.rest');
    for (const percentage of [-1, 101, 1.0001, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(problemPath(() => rolloutServe(boolean(), { percentage })), String(percentage)).toBe('$.percentage');
    }
  });
});
