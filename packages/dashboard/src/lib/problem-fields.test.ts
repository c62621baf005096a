import { describe, expect, it } from 'vitest';
import { fieldDomId, fieldPath, mapProblems, parsePath, relativeToFlag } from './problem-fields';

const FIELDS = ['variants', 'variants.on', 'variants["dark-mode"]', 'rules[1]', 'rules[1].serve', 'rules[1].conditions[0].values', 'rules[1].conditions[0].operator', 'defaultServe', 'description'];

describe('problem paths → flag page fields', () => {
  it('parses document, body and relative paths', () => {
    expect(parsePath('$.flags["new-checkout"].rules[1].conditions[0].values[0]')).toEqual(['flags', 'new-checkout', 'rules', 1, 'conditions', 0, 'values', 0]);
    expect(parsePath('flags.x.rules[1]')).toEqual(['flags', 'x', 'rules', 1]);
    expect(parsePath('$.definition.rules[0]')).toEqual(['definition', 'rules', 0]);
    expect(parsePath('rules[1].serve')).toEqual(['rules', 1, 'serve']);
    expect(parsePath('$.variants["a\\"b"]')).toEqual(['variants', 'a"b']);
    expect(parsePath('$.rules[')).toBeUndefined();
    expect(parsePath('x'.repeat(3_000))).toBeUndefined();
  });

  it('makes paths relative to the flag, and leaves other flags and segments out', () => {
    expect(relativeToFlag('$.flags["f"].rules[0].serve.variant', 'f')).toBe('rules[0].serve.variant');
    expect(relativeToFlag('flags.f.defaultServe', 'f')).toBe('defaultServe');
    expect(relativeToFlag('$.definition.variants["dark-mode"]', 'f')).toBe('variants["dark-mode"]');
    expect(relativeToFlag('rules[2]', 'f')).toBe('rules[2]');
    expect(relativeToFlag('$.flags["other"].prerequisites', 'f')).toBeUndefined();
    expect(relativeToFlag('$.segments["beta"].conditions', 'f')).toBeUndefined();
    expect(relativeToFlag('$.flags["f"]', 'f')).toBe('');
  });

  it('places each problem at the deepest rendered field on its path; the rest is unmapped', () => {
    const mapped = mapProblems(
      [
        { path: '$.flags["f"].rules[1].conditions[0].values[0]', message: '"semverGt" expects a version' },
        { path: 'flags.f.rules[1].conditions[0].values[1]', message: 'second bad value' },
        { path: '$.flags["f"].rules[1].serve.variant', message: 'unknown variant "onn"' },
        { path: '$.definition.variants["dark-mode"]', message: 'too big' },
        { path: 'rules[1].conditions[3].attribute', message: 'bad attribute' },
        { path: '$.flags["f"]', message: 'is too large' },
        { path: '$.flags["other"].prerequisites[0].flag', message: 'cycle' },
        { path: '$.flags["f"].owner', message: 'too long' },
      ],
      'f',
      FIELDS,
    );
    expect(mapped.fields).toEqual({
      'rules[1].conditions[0].values': '"semverGt" expects a version; second bad value',
      'rules[1].serve': 'unknown variant "onn"',
      'variants["dark-mode"]': 'too big',
      'rules[1]': 'bad attribute',
    });
    expect(mapped.unmapped.map((problem) => problem.message)).toEqual(['is too large', 'cycle', 'too long']);
  });

  it('gives every field path a DOM id usable as a URL fragment', () => {
    expect(fieldDomId(fieldPath('rules', 1, 'conditions', 0, 'values'))).toBe('field-rules-1-conditions-0-values');
    expect(fieldDomId('variants["dark-mode"]')).toBe('field-variants-dark-mode');
    expect(fieldDomId('')).toBe('field-flag');
    expect(fieldPath('variants', 'a.b')).toBe('variants["a.b"]');
  });
});
