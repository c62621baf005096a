import { describe, expect, it } from 'vitest';
import { compareSemver, parseSemver, type SemVer } from './semver';

const v = (s: string): SemVer => {
  const parsed = parseSemver(s);
  if (parsed === undefined) throw new Error(`invalid ${s}`);
  return parsed;
};

describe('semver', () => {
  it.each(['0', '1', '1.2', 'v1.2.3', 'v0', '0.0.0', '1.2.3', '10.20.30', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-0.3.7', '1.0.0-x.7.z.92', '1.0.0+20130313144700', '1.0.0-beta+exp.sha.5114f85', '1.0.0-x-y-z.--'])(
    'parses %s',
    (s) => {
      expect(parseSemver(s)).toBeDefined();
    },
  );

  it.each(['', 'v', '1.', '1..2', '1.2.3.4', 'V1.2.3', 'vv1', '=1.2.3', '01.2.3', '1.02', '01', '1.02.3', '1.2.3-01', '1.2.3-', '1.2.3+', '1.2.3 ', ' 1.2.3', '1.2.3-alpha..1', '99999999999999999999.0.0', `1.2.3-${'a'.repeat(300)}`])(
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

  it.each([
    ['2', '2.0.0'],
    ['2.0', '2.0.0'],
    ['v2', '2.0.0'],
    ['v1.2', '1.2.0'],
    ['v1.2.3-beta.1', '1.2.3-beta.1'],
    ['1.2-rc.1', '1.2.0-rc.1'],
    ['3+build.5', '3.0.0'],
  ])('reads %s as %s (1–3 numeric parts, missing parts 0, optional "v")', (written, full) => {
    expect(parseSemver(written)).toEqual(parseSemver(full));
    expect(compareSemver(v(written), v(full))).toBe(0);
  });

  it('orders short forms by precedence', () => {
    expect(compareSemver(v('2'), v('1.9.9'))).toBeGreaterThan(0);
    expect(compareSemver(v('v2.1'), v('2.0.5'))).toBeGreaterThan(0);
    expect(compareSemver(v('2-beta'), v('2'))).toBeLessThan(0);
  });

  it('ignores build metadata', () => {
    expect(compareSemver(v('1.0.0+a'), v('1.0.0+b'))).toBe(0);
    expect(compareSemver(v('1.0.0-rc.1+a'), v('1.0.0-rc.1'))).toBe(0);
  });
});
