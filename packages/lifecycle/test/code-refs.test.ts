import { describe, expect, it } from 'vitest';
import type { FlagDefinition } from '@halyard/core';
import { checkCodeRefs, scanPaths, scanSource } from '../src/index';

const ROOT = new URL('./fixtures/code-refs/', import.meta.url).pathname;
const boolean = (extra: Partial<FlagDefinition> = {}): FlagDefinition => ({ variants: { on: true, off: false }, enabled: true, defaultServe: { variant: 'off' }, ...extra });
const FLAGS: Record<string, FlagDefinition> = {
  'new-checkout': boolean(),
  'old-banner': boolean({ expiresAt: '2020-01-01' }),
  'button-color': { variants: { blue: 'blue', green: 'green' }, enabled: true, defaultServe: { variant: 'blue' } },
  'checkout-theme': { variants: { dark: 'dark', light: 'light' }, enabled: true, defaultServe: { variant: 'dark' } },
  'max-items': { variants: { few: 10 }, enabled: true, defaultServe: { variant: 'few' } },
  'nobody-reads-me': boolean(),
};

describe('scanSource', () => {
  it('finds hooks, <Flag name>, client and reader methods, OpenFeature getters, keys in constants', () => {
    const { references, dynamic } = scanPaths([ROOT], { root: ROOT });
    expect(references.map((r) => `${r.file}:${r.line}:${r.column} ${r.via} ${r.key}`)).toEqual([
      'src/checkout.tsx:6:27 useFlag new-checkout',
      'src/checkout.tsx:7:30 useFlagValue button-color',
      'src/checkout.tsx:8:28 useVariant checkout-theme',
      'src/checkout.tsx:9:34 useFlagDetails max-items',
      'src/checkout.tsx:13:18 <Flag> old-banner',
      'src/checkout.tsx:14:19 <Flag> new-checkout',
      'src/server/routes.ts:4:27 .isEnabled new-chekout',
      'src/server/routes.ts:8:25 .getValue max-items',
      'src/server/routes.ts:8:79 .getBooleanValue button-color',
    ]);
    // A hook whose key is a variable is reported; `map.getValue?.(1)` is not a flag read.
    expect(dynamic).toEqual([{ file: 'src/checkout.tsx', line: 10, column: 27, via: 'useFlag', expression: 'name' }]);
  });

  it('reads JS and JSX too', () => {
    expect(scanSource("client.isEnabled('a'); const el = <Flag name='b' />;", 'x.jsx').references.map((r) => r.key)).toEqual(['a', 'b']);
  });

  it('applies text patterns to other languages', () => {
    const { references } = scanPaths([`${ROOT}scripts`], { root: ROOT, patterns: ['is_enabled\\("(?<key>[a-z0-9-]+)"'] });
    expect(references.map((r) => `${r.file}:${r.line}:${r.column} ${r.key}`)).toEqual(['scripts/job.py:1:23 old-banner', 'scripts/job.py:3:26 typo-flag']);
  });
});

describe('checkCodeRefs', () => {
  it('reports unknown keys with a suggestion, expired flags still read, and flags nothing reads', () => {
    const report = checkCodeRefs(scanPaths([ROOT], { root: ROOT }), FLAGS, { now: new Date('2026-01-01') });
    expect(report.unknown.map((r) => [r.key, r.file, r.line, r.suggestion])).toEqual([['new-chekout', 'src/server/routes.ts', 4, 'did you mean "new-checkout"? ']]);
    expect(report.expired.map((r) => [r.key, r.file, r.line])).toEqual([['old-banner', 'src/checkout.tsx', 13]]);
    expect(report.unused).toEqual(['nobody-reads-me']);
    expect(report.files).toBe(3);
  });
});
