import { describe, expect, it } from 'vitest';
import type { FlagSummary } from '../../api/flags';
import { applyFilters, facetValues, readFilters, statusLabel, withFilter } from './filters';

const state = (status: 'on' | 'off' | 'rolling-out' | 'archived', updatedAt: string, extra: { lifecycle?: 'active' | 'stale' | 'expired'; rollout?: number } = {}) => ({
  status,
  enabled: status !== 'off',
  lifecycle: extra.lifecycle ?? ('active' as const),
  version: 1,
  updatedAt,
  ...(extra.rollout === undefined ? {} : { rollout: extra.rollout }),
});

const flags: FlagSummary[] = [
  { key: 'checkout', description: 'New checkout flow', kind: 'release', owner: 'payments', tags: ['web'], environments: { prod: state('on', '2026-01-03T00:00:00Z'), dev: state('off', '2026-01-01T00:00:00Z') } },
  { key: 'banner', description: 'Holiday banner', kind: 'ops', owner: 'growth', tags: ['web', 'marketing'], environments: { prod: state('rolling-out', '2026-01-05T00:00:00Z', { rollout: 25 }) } },
  { key: 'old-search', kind: 'release', owner: 'search', tags: [], environments: { prod: state('off', '2026-01-02T00:00:00Z', { lifecycle: 'stale' }) } },
];
const keys = (list: FlagSummary[]) => list.map((flag) => flag.key);
const filters = (query: string) => readFilters(new URLSearchParams(query));

describe('flags list filters', () => {
  it('sorts by key by default and by the environment’s last update on request', () => {
    expect(keys(applyFilters(flags, 'prod', filters('')))).toEqual(['banner', 'checkout', 'old-search']);
    expect(keys(applyFilters(flags, 'prod', filters('sort=updated')))).toEqual(['banner', 'checkout', 'old-search']);
    // in dev only checkout was ever updated: the others sort last, by key
    expect(keys(applyFilters(flags, 'dev', filters('sort=updated')))).toEqual(['checkout', 'banner', 'old-search']);
  });

  it('searches key and description, case-insensitively', () => {
    expect(keys(applyFilters(flags, 'prod', filters('q=HOLIDAY')))).toEqual(['banner']);
    expect(keys(applyFilters(flags, 'prod', filters('q=search')))).toEqual(['old-search']);
  });

  it('filters by tag, kind, owner and status (serving state or lifecycle) in the current environment', () => {
    expect(keys(applyFilters(flags, 'prod', filters('tag=marketing')))).toEqual(['banner']);
    expect(keys(applyFilters(flags, 'prod', filters('kind=release')))).toEqual(['checkout', 'old-search']);
    expect(keys(applyFilters(flags, 'prod', filters('owner=payments')))).toEqual(['checkout']);
    expect(keys(applyFilters(flags, 'prod', filters('status=rolling-out')))).toEqual(['banner']);
    expect(keys(applyFilters(flags, 'prod', filters('status=stale')))).toEqual(['old-search']);
    expect(keys(applyFilters(flags, 'dev', filters('status=off')))).toEqual(['checkout']);
    expect(keys(applyFilters(flags, 'dev', filters('status=on')))).toEqual([]);
  });

  it('ignores unknown status and sort values from a hand-edited URL', () => {
    expect(filters('status=bogus&sort=nope')).toMatchObject({ status: undefined, sort: 'key' });
  });

  it('keeps default values out of the URL', () => {
    expect(withFilter(new URLSearchParams('q=a&sort=updated'), 'sort', 'key').toString()).toBe('q=a');
    expect(withFilter(new URLSearchParams('q=a'), 'q', '').toString()).toBe('');
    expect(withFilter(new URLSearchParams(''), 'tag', 'web').toString()).toBe('tag=web');
  });

  it('lists facet values and labels states', () => {
    expect(facetValues(flags, (flag) => flag.tags)).toEqual(['marketing', 'web']);
    expect(facetValues(flags, (flag) => [flag.owner])).toEqual(['growth', 'payments', 'search']);
    expect(statusLabel(flags[1]!.environments.prod!)).toBe('rolling out 25%');
  });
});
