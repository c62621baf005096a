import { describe, expect, it } from 'vitest';
import type { FlagDefinition } from './types';
import { lintDocument, lintFlags, parseLifetimes, soleVariant } from './flag-lifecycle';

const NOW = new Date('2026-06-15T12:00:00Z');
const flag = (extra: Partial<FlagDefinition> = {}): FlagDefinition => ({
  owner: 'growth',
  variants: { on: true, off: false },
  enabled: true,
  defaultServe: { split: [{ variant: 'on', weight: 50 }, { variant: 'off', weight: 50 }] },
  ...extra,
});

describe('lintFlags', () => {
  it('fails on a passed expiresAt, naming the flag, its owner and how long ago', () => {
    const result = lintFlags([{ key: 'old-banner', definition: flag({ expiresAt: '2026-06-01' }) }, { key: 'new-checkout', definition: flag({ expiresAt: '2026-07-01' }) }], { now: NOW });
    expect(result).toMatchObject({ errors: 1, warnings: 0, flags: 2 });
    expect(result.findings).toEqual([
      expect.objectContaining({ flag: 'old-banner', rule: 'expired', severity: 'error', owner: 'growth', days: 14, path: '$.flags["old-banner"].expiresAt' }),
    ]);
    expect(result.findings[0]!.message).toMatch(/^flag "old-banner" expired 14 days ago \(2026-06-01; owner growth\)/);
  });

  it('an expiry at a time counts from that instant; today reads "today"', () => {
    const result = lintFlags([{ key: 'a', definition: flag({ expiresAt: '2026-06-15T08:00:00Z' }) }], { now: NOW });
    expect(result.findings[0]).toMatchObject({ rule: 'expired', days: 0 });
    expect(result.findings[0]!.message).toContain('expired today');
    expect(lintFlags([{ key: 'a', definition: flag({ expiresAt: '2026-06-15T18:00:00Z' }) }], { now: NOW }).errors).toBe(0);
  });

  it('warns past the lifetime of a kind (release and experiment 40 days; operational, permission never), configurable', () => {
    const createdAt = '2026-04-01T00:00:00Z'; // 75 days before NOW
    const flags: Array<{ key: string; definition: FlagDefinition; createdAt: string }> = (['release', 'experiment', 'operational', 'permission'] as const).map((kind) => ({ key: kind, definition: flag({ kind }), createdAt }));
    flags.push({ key: 'no-kind', definition: flag(), createdAt });
    const result = lintFlags(flags, { now: NOW });
    expect(result.findings.filter((f) => f.rule === 'lifetime').map((f) => [f.flag, f.days])).toEqual([
      ['experiment', 35],
      ['no-kind', 35],
      ['release', 35],
    ]);
    const custom = lintFlags(flags, { now: NOW, lifetimes: { release: 100, operational: 30 } });
    expect(custom.findings.filter((f) => f.rule === 'lifetime').map((f) => f.flag)).toEqual(['experiment', 'operational']); // no kind: a release flag
    // A future expiresAt is a stated intent: no lifetime warning.
    expect(lintFlags([{ key: 'r', definition: flag({ expiresAt: '2027-01-01' }), createdAt }], { now: NOW }).warnings).toBe(0);
  });

  it('warns on a flag serving one variant to everyone, unchanged for N days', () => {
    const updatedAt = '2026-05-01T00:00:00Z'; // 45 days
    const single = flag({ defaultServe: { variant: 'on' } });
    expect(lintFlags([{ key: 'done', definition: single, updatedAt }], { now: NOW }).findings).toEqual([
      expect.objectContaining({ rule: 'single-variant', severity: 'warning', days: 45 }),
    ]);
    expect(lintFlags([{ key: 'done', definition: single, updatedAt }], { now: NOW, unchangedDays: 60 }).findings).toEqual([]);
    expect(lintFlags([{ key: 'split', definition: flag(), updatedAt }], { now: NOW }).findings).toEqual([]);
    // Operational flags are kill switches: one variant for months is their normal state.
    expect(lintFlags([{ key: 'kill', definition: { ...single, kind: 'operational' }, updatedAt }], { now: NOW }).findings).toEqual([]);
  });

  it('warns on flags no SDK evaluated for N days, and on flags without an owner', () => {
    const result = lintFlags(
      [
        { key: 'idle', definition: flag(), lastEvaluatedAt: '2026-04-01T00:00:00Z' },
        { key: 'busy', definition: flag(), lastEvaluatedAt: '2026-06-15T00:00:00Z' },
        { key: 'orphan', definition: flag({ owner: undefined }) },
      ],
      { now: NOW },
    );
    expect(result.findings.map((f) => [f.flag, f.rule])).toEqual([
      ['idle', 'not-evaluated'],
      ['orphan', 'no-owner'],
    ]);
    expect(lintFlags([{ key: 'orphan', definition: flag({ owner: undefined }) }], { now: NOW, requireOwner: false }).findings).toEqual([]);
  });

  it('with lastEvaluatedAt null (events on, no evaluation seen), warns only once the flag is older than the limit', () => {
    const result = lintFlags(
      [
        { key: 'old', definition: flag(), createdAt: '2026-04-01T00:00:00Z', lastEvaluatedAt: null },
        { key: 'new', definition: flag(), createdAt: '2026-06-10T00:00:00Z', lastEvaluatedAt: null },
        { key: 'unknown-age', definition: flag(), lastEvaluatedAt: null },
      ],
      { now: NOW, lifetimes: { release: null } },
    );
    expect(result.findings.map((f) => [f.flag, f.rule, f.days])).toEqual([['old', 'not-evaluated', undefined]]);
    expect(result.findings[0]!.message).toContain('has not been evaluated by any SDK for 30 days or more');
    expect(lintFlags([{ key: 'new', definition: flag(), createdAt: '2026-06-10T00:00:00Z', lastEvaluatedAt: null }], { now: NOW, notEvaluatedDays: 2 }).findings.map((f) => f.rule)).toEqual(['not-evaluated']);
  });

  it('lists errors before warnings', () => {
    const result = lintFlags([{ key: 'a', definition: flag({ owner: undefined }) }, { key: 'z', definition: flag({ expiresAt: '2020-01-01' }) }], { now: NOW });
    expect(result.findings.map((f) => f.severity)).toEqual(['error', 'warning']);
  });
});

describe('soleVariant', () => {
  it('is the variant everyone gets, if there is one', () => {
    expect(soleVariant(flag({ defaultServe: { variant: 'on' } }))).toBe('on');
    expect(soleVariant(flag({ enabled: false, offVariant: 'off' }))).toBe('off');
    expect(soleVariant(flag({ defaultServe: { split: [{ variant: 'on', weight: 0 }, { variant: 'off', weight: 7 }] } }))).toBe('off');
    expect(soleVariant(flag())).toBeUndefined();
    expect(soleVariant(flag({ defaultServe: { variant: 'on' }, rules: [{ conditions: [], serve: { variant: 'off' } }] }))).toBeUndefined();
  });
});

describe('lintDocument and parseLifetimes', () => {
  it('returns the parser problems of an invalid document', () => {
    const result = lintDocument({ schemaVersion: 1, flags: { a: { ...flag(), expiresAt: 'soon' } } });
    expect(result).toMatchObject({ ok: false, problems: [{ path: '$.flags["a"].expiresAt' }] });
  });

  it('parses kind=days|never lists and rejects anything else', () => {
    expect(parseLifetimes('release=30, operational=never')).toEqual({ release: 30, operational: null });
    expect(() => parseLifetimes('feature=3')).toThrow(/<kind>=<days\|never>/);
    expect(() => parseLifetimes('release=soon')).toThrow(/lifetime "release=soon"/);
  });
});
