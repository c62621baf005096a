import { describe, expect, it } from 'vitest';
import { createEvaluator, parseDefinitions } from '@halyard/core';

function matcher(patterns: string[], caseInsensitive = false): (x: unknown) => boolean {
  const result = parseDefinitions({
    schemaVersion: 1,
    flags: {
      f: {
        variants: { on: true, off: false },
        enabled: true,
        offVariant: 'off',
        rules: [{ conditions: [{ attribute: 'x', operator: 'matches', values: patterns, caseInsensitive }], serve: { variant: 'on' } }],
        defaultServe: { variant: 'off' },
      },
    },
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  const ev = createEvaluator(result.definitions);
  return (x) => ev.isEnabled('f', { x });
}

describe('matches: patterns valid only without the "u" flag', () => {
  it('compiles them in the classic mode and matches as JavaScript does', () => {
    const email = matcher(['\\@example\\.com$']);
    expect(email('ada@example.com')).toBe(true);
    expect(email('ada@example.org')).toBe(false);
    const brace = matcher(['^a{$']);
    expect(brace('a{')).toBe(true);
    expect(brace('a')).toBe(false);
    const cls = matcher(['^[\\w-.]+@x$']);
    expect(cls('first.last-1@x')).toBe(true);
    expect(cls('first last@x')).toBe(false);
    const ci = matcher(['\\@EXAMPLE\\.com$'], true);
    expect(ci('ada@Example.COM')).toBe(true);
    expect(ci('ada@example.net')).toBe(false);
  });

  it('keeps Unicode mode for patterns valid in it (one pattern list may mix both)', () => {
    const mixed = matcher(['^\\p{Lu}', '\\@corp$']);
    expect(mixed('Élan')).toBe(true);
    expect(mixed('me@corp')).toBe(true);
    expect(mixed('élan')).toBe(false);
    // In Unicode mode "." is one astral character.
    expect(matcher(['^.$'])('\u{1F680}')).toBe(true);
  });
});
