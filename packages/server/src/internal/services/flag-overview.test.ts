import type { FlagDefinition } from '@halyard/core';
import { describe, expect, it } from 'vitest';
import { buildOverview, rolloutOf, stateOf } from './flag-overview';

const flag = (definition: Partial<FlagDefinition>, extra: Record<string, unknown> = {}) => ({
  key: 'f',
  environment: 'development',
  version: 3,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
  definition: { variants: { on: true, off: false }, enabled: true, offVariant: 'off', defaultServe: { variant: 'on' }, ...definition } as FlagDefinition,
  lifecycle: { status: 'active' as const, findings: [] },
  ...extra,
});

describe('rolloutOf', () => {
  it('is the share of the rolled-out variant in a split default serve, with 0.001 % resolution', () => {
    expect(rolloutOf(flag({ defaultServe: { split: [{ variant: 'on', percentage: 12.345 }, { variant: 'off', percentage: 87.655 }] } }).definition)).toBe(12.345);
    expect(rolloutOf(flag({ defaultServe: { split: [{ variant: 'off', weight: 3 }, { variant: 'on', weight: 1 }] } }).definition)).toBe(25);
    // Multivariate: the first slice that is not the off variant.
    const multi = flag({ variants: { a: 'a', b: 'b', c: 'c' }, offVariant: 'a', defaultServe: { split: [{ variant: 'a', percentage: 50 }, { variant: 'b', percentage: 30 }, { variant: 'c', percentage: 20 }] } });
    expect(rolloutOf(multi.definition)).toBe(30);
  });

  it('is undefined for a single-variant default serve', () => {
    expect(rolloutOf(flag({}).definition)).toBeUndefined();
  });
});

describe('stateOf', () => {
  it('says archived, off, rolling out or on', () => {
    expect(stateOf(flag({}, { archivedAt: '2026-01-03T00:00:00.000Z' })).status).toBe('archived');
    expect(stateOf(flag({ enabled: false })).status).toBe('off');
    const rolling = stateOf(flag({ defaultServe: { split: [{ variant: 'on', percentage: 10 }, { variant: 'off', percentage: 90 }] } }));
    expect(rolling).toMatchObject({ status: 'rolling-out', rollout: 10, enabled: true, version: 3, lifecycle: 'active' });
    expect(stateOf(flag({ defaultServe: { split: [{ variant: 'on', percentage: 100 }, { variant: 'off', percentage: 0 }] } })).status).toBe('on');
    expect(stateOf(flag({}))).not.toHaveProperty('rollout');
  });
});

describe('buildOverview', () => {
  it('merges environments per flag, metadata from the first environment that has it', () => {
    const overview = buildOverview(
      ['development', 'production'],
      new Map([
        ['development', [flag({ owner: 'team-a', tags: ['x'] }, { key: 'b' }), flag({}, { key: 'a' })]],
        ['production', [flag({ owner: 'team-b', enabled: false }, { key: 'b', environment: 'production' })]],
      ]),
    );
    expect(overview.environments).toEqual(['development', 'production']);
    expect(overview.flags.map((f) => f.key)).toEqual(['a', 'b']);
    const b = overview.flags[1]!;
    expect(b).toMatchObject({ owner: 'team-a', tags: ['x'] });
    expect(b.environments.production?.status).toBe('off');
    expect(overview.flags[0]!.environments).not.toHaveProperty('production');
    expect(overview.flags[0]!.tags).toEqual([]);
  });
});
