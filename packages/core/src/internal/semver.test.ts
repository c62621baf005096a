import { describe, expect, it } from 'vitest';
import { compareSemver, parseSemver, type SemVer } from './semver';

const v = (s: string): SemVer => {
  const parsed = parseSemver(s);
  if (parsed === undefined) throw new Error(`invalid ${s}`);
  return parsed;
};

describe('semver', () => {
  it.each(['0.0.0', '1.2.3', '10.20.30', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-0.3.7', '1.0.0-x.7.z.92', '1.0.0+20130313144700', '1.0.0-beta+exp.sha.5114f85', '1.0.0-x-y-z.--'])(
    'parses %s',
    (s) => {
      expect(parseSemver(s)).toBeDefined();
    },
  );

  it.each(['', '1', '1.2', 'v1.2.3', '01.2.3', '1.02.3', '1.2.3-01', '1.2.3-', '1.2.3+', '1.2.3 ', ' 1.2.3', '1.2.3-alpha..1', '99999999999999999999.0.0', `1.2.3-${'a'.repeat(300)}`])(
    'rejects %j',
    (s) => {
      expect(parseSemver(s)).toBeUndefined();
    },
  );

  it('orders versions by semver.org precedence', () => {
    const ordered = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.1', '1.1.0', '1.10.0', '2.0.0'];
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) {
        const c = compareSemver(v(ordered[i] as string), v(ordered[j] as string));
        expect(Math.sign(c), `${ordered[i]} vs ${ordered[j]}`).toBe(Math.sign(i - j));
      }
    }
  });

  it('ignores build metadata', () => {
    expect(compareSemver(v('1.0.0+a'), v('1.0.0+b'))).toBe(0);
    expect(compareSemver(v('1.0.0-rc.1+a'), v('1.0.0-rc.1'))).toBe(0);
  });
});
