import { describe, expect, it } from 'vitest';
import { MAX_PATTERN_LENGTH, checkRegex, regexFlags } from './regex-guard';

describe('checkRegex', () => {
  it.each([
    '^user-\\d+$',
    '^[a-z0-9._%+-]+@example\\.com$',
    '^(ab|cd)+$',
    '(?:x|y)*z',
    '^(foo|bar)$',
    '\\bword\\b',
    '^\\p{Lu}',
    '(?<year>\\d{4})-(?<month>\\d{2})',
    '(?<=@)example',
    'a{2,5}',
    '(abc)?d',
    '(ab){3}',
    '[(]+',
    '\\(a+\\)+',
    '日本+',
    '^\\w+\\s+\\d+$',
    '[^,]*,[^,]*,[^,]*',
    '^\\d+\\d+x',
    '^.*foo.*$',
    'foo',
    '^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$',
    '^\\w+-\\d{1,5}$',
  ])('accepts %s', (pattern) => {
    expect(checkRegex(pattern, 'u')).toBeUndefined();
  });

  it.each([
    ['(a+)+', /nested quantifier/],
    ['^(a+)+$', /nested quantifier/],
    ['(a*)*', /nested quantifier/],
    ['(.*)*', /nested quantifier/],
    ['(.*a){2,}', /nested quantifier/],
    ['(\\w+\\s?)*$', /nested quantifier/],
    ['((ab)*c)+', /nested quantifier/],
    ['(?:a+){2,10}', /nested quantifier/],
    ['(a|a)*', /repeated alternation/],
    ['(a|ab)+', /repeated alternation/],
    ['(\\w|_)+', /repeated alternation/],
    ['(a|)+', /repeated alternation/],
    ['.*a.*b', /power 3/],
    ['.*foo.*', /drop redundant/],
    ['\\d+\\d+x', /power 3/],
    ['^\\d+\\d+\\d+x', /power 3/],
    ['^[a-z]+[a-z0-9]*[0-9a-z]+!', /power 3/],
    ['x(?=.*a.*b)', /power 3/],
    ['(?:a.*)b.*c', /power 3/],
    ['(a)\\1', /backreferences/],
    ['(?<n>a)\\k<n>', /backreferences/],
    ['(a', /not a valid regular expression/],
    ['\\-', /not a valid regular expression/],
  ])('refuses %s', (pattern, message) => {
    expect(checkRegex(pattern, 'u')).toMatch(message);
  });

  describe('patterns valid only without the "u" flag', () => {
    it.each(['\\@example\\.com$', 'a{', 'a{2', '^[\\w-.]+@x$', '\\p{Foo}', '\\u{zz}+', '^\\xZ+$', '\\c1', ']', '^\\-\\d+$'])('compiles %s in the classic mode and accepts it', (pattern) => {
      expect(regexFlags(pattern, false)).toBe('');
      expect(regexFlags(pattern, true)).toBe('i');
      expect(checkRegex(pattern, '')).toBeUndefined();
    });

    it.each([
      ['^(\\@+)+$', /nested quantifier/],
      ['(\\@|\\@x)+', /repeated alternation/],
      ['[\\w-.]+\\w+!', /power 3/],
      ['.*\\@.*\\@', /power 3/],
      // Outside Unicode mode "." matches each half of a surrogate pair, so the astral character does not separate the runs.
      ['\\@.*\u{1F680}.*x', /power 3/],
      ['\\@(a)\\1', /backreferences/],
    ])('still refuses %s', (pattern, message) => {
      expect(regexFlags(pattern, false)).toBe('');
      expect(checkRegex(pattern, '')).toMatch(message);
    });

    it('keeps Unicode mode for patterns valid in it', () => {
      expect(regexFlags('^\\p{Lu}', false)).toBe('u');
      expect(regexFlags('^[a-z]+$', true)).toBe('iu');
      expect(checkRegex('a{(', '')).toMatch(/not a valid regular expression/);
    });
  });

  it('folds case for alternatives when compiled case-insensitively', () => {
    expect(checkRegex('(A|b)+', 'u')).toBeUndefined();
    expect(checkRegex('(A|a)+', 'iu')).toMatch(/repeated alternation/);
  });

  it('caps the pattern length', () => {
    expect(checkRegex('a'.repeat(MAX_PATTERN_LENGTH), 'u')).toBeUndefined();
    expect(checkRegex('a'.repeat(MAX_PATTERN_LENGTH + 1), 'u')).toMatch(/limit is 500/);
  });
});
