// Every closed-form export against reference values computed independently by test/fixtures/generate.py (SciPy,
// NumPy, mpmath). Regenerate with `pnpm --dir packages/stats run fixtures` after changing a formula on purpose.
import { describe, expect, it } from 'vitest';
import * as stats from '../src/index';
import reference from './fixtures/reference.json';

const relativeTolerance = 1e-6;
// Values that are exactly 0 in exact arithmetic (a lift of 0, a CI bound on 0) come out as ±1e-17 in floating point.
const absoluteFloor = 1e-14;

/** Compares numbers to 1e-6 relative, everything else exactly; returns the paths that differ. */
function differences(actual: unknown, expected: unknown, path = '$'): string[] {
  if (typeof expected === 'number') {
    if (typeof actual !== 'number') return [`${path}: expected ${expected}, got ${String(actual)}`];
    const ok = Math.abs(actual - expected) <= relativeTolerance * Math.abs(expected) + absoluteFloor;
    return ok ? [] : [`${path}: expected ${expected}, got ${actual} (relative error ${Math.abs(actual - expected) / Math.abs(expected)})`];
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return [`${path}: expected ${expected.length} items, got ${JSON.stringify(actual)}`];
    return expected.flatMap((item, i) => differences(actual[i], item, `${path}[${i}]`));
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null) return [`${path}: expected an object, got ${String(actual)}`];
    const record = actual as Record<string, unknown>;
    const keys = new Set([...Object.keys(expected), ...Object.keys(record)]);
    return [...keys].flatMap((key) => differences(record[key], (expected as Record<string, unknown>)[key], `${path}.${key}`));
  }
  return Object.is(actual, expected) ? [] : [`${path}: expected ${String(expected)}, got ${String(actual)}`];
}

const functions = reference.functions as Record<string, { args: unknown[]; expected: unknown }[]>;
const exported = stats as unknown as Record<string, (...args: unknown[]) => unknown>;

describe('reference values (SciPy)', () => {
  it('covers every exported function', () => {
    const names = Object.keys(stats).filter((name) => typeof exported[name] === 'function');
    expect(Object.keys(functions).sort()).toEqual(names.sort());
  });

  for (const [name, cases] of Object.entries(functions)) {
    it(`${name}: ${cases.length} cases agree to 1e-6 relative`, () => {
      const fn = exported[name];
      expect(fn, `${name} is exported`).toBeTypeOf('function');
      const failures = cases.flatMap(({ args, expected }) =>
        differences(fn?.(...args), expected).map((failure) => `${name}(${JSON.stringify(args)}) ${failure}`),
      );
      expect(failures).toEqual([]);
    });
  }

  it('the comparison itself can fail', () => {
    expect(differences(1.000002, 1)).toHaveLength(1);
    expect(differences({ a: [1, true] }, { a: [1, false] })).toHaveLength(1);
    expect(differences({ a: 1, extra: 2 }, { a: 1 })).toHaveLength(1);
  });
});
