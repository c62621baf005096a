import { afterEach, describe, expect, it, vi } from 'vitest';
import { bucketOf, createEvaluator, isSplitServe, isVariantServe, murmur3, parseDefinitions } from '@halyard/core';
import type { Condition, Definitions, EvaluationContext, Evaluator, JsonValue } from '@halyard/core';

type AnyRecord = Record<string, unknown>;

function defs(flags: AnyRecord, segments?: AnyRecord): Definitions {
  const result = parseDefinitions({ schemaVersion: 1, flags, ...(segments ? { segments } : {}) });
  if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
  return result.definitions;
}

const evaluator = (flags: AnyRecord, segments?: AnyRecord): Evaluator => createEvaluator(defs(flags, segments));

const boolFlag = (extra: AnyRecord = {}): AnyRecord => ({
  variants: { on: true, off: false },
  enabled: true,
  offVariant: 'off',
  defaultServe: { variant: 'off' },
  ...extra,
});

/** A flag that serves "on" when `condition` matches, "off" otherwise. */
const conditionFlag = (condition: Partial<Condition> & { operator: Condition['operator'] }): AnyRecord =>
  boolFlag({ rules: [{ conditions: [{ attribute: 'x', ...condition }], serve: { variant: 'on' } }] });

/**
 * Evaluates `condition` against `context` through every public path and checks they agree — getDetails(),
 * getValue() and isEnabled() — so the allocation-free paths cannot drift from the detailed one.
 */
function matches(condition: Partial<Condition> & { operator: Condition['operator'] }, context: EvaluationContext | undefined, segments?: AnyRecord): boolean {
  const ev = evaluator({ f: conditionFlag(condition) }, segments);
  const details = ev.getDetails('f', false, context);
  const value = ev.getValue('f', false, context);
  const enabled = ev.isEnabled('f', context);
  expect(details.reason).toBe(details.value ? 'TARGETING_MATCH' : 'DEFAULT');
  expect(value).toBe(details.value);
  expect(enabled).toBe(details.value);
  return details.value;
}

describe('getDetails — reasons', () => {
  it('STATIC: a flag without targets, rules or prerequisites', () => {
    const ev = evaluator({ f: boolFlag({ defaultServe: { variant: 'on' } }) });
    expect(ev.getDetails('f', false, {})).toEqual({ value: true, variant: 'on', reason: 'STATIC' });
  });

  it('DISABLED: serves the off variant', () => {
    const ev = evaluator({ f: boolFlag({ enabled: false, defaultServe: { variant: 'on' }, rules: [{ conditions: [], serve: { variant: 'on' } }] }) });
    expect(ev.getDetails('f', true, { userId: 'u' })).toEqual({ value: false, variant: 'off', reason: 'DISABLED' });
    expect(ev.getValue('f', true, { userId: 'u' })).toBe(false);
  });

  it('TARGETING_MATCH from targets reports ruleId "target" and wins over rules', () => {
    const ev = evaluator({
      f: boolFlag({
        targets: [{ variant: 'on', values: ['u1', 'u2'] }],
        rules: [{ id: 'all', conditions: [], serve: { variant: 'off' } }],
      }),
    });
    expect(ev.getDetails('f', false, { userId: 'u2' })).toEqual({ value: true, variant: 'on', reason: 'TARGETING_MATCH', ruleId: 'target' });
    expect(ev.getDetails('f', false, { userId: 'u3' })).toEqual({ value: false, variant: 'off', reason: 'TARGETING_MATCH', ruleId: 'all' });
  });

  it('targets compare numbers as strings and honour a custom attribute', () => {
    const ev = evaluator({
      f: boolFlag({ targets: [{ variant: 'on', values: ['42'] }, { variant: 'on', values: ['a@x.io'], attribute: 'user.email' }] }),
    });
    expect(ev.getDetails('f', false, { userId: 42 as unknown as string }).ruleId).toBe('target');
    expect(ev.getDetails('f', false, { user: { email: 'a@x.io' } }).reason).toBe('TARGETING_MATCH');
    expect(ev.getDetails('f', false, { user: { email: 'b@x.io' } }).reason).toBe('DEFAULT');
  });

  it('TARGETING_MATCH from a rule reports the rule id (default "rule-<index>")', () => {
    const ev = evaluator({
      f: boolFlag({
        rules: [
          { conditions: [{ attribute: 'plan', operator: 'equals', values: ['free'] }], serve: { variant: 'off' } },
          { conditions: [{ attribute: 'plan', operator: 'equals', values: ['pro'] }], serve: { variant: 'on' } },
          { id: 'beta', conditions: [{ attribute: 'beta', operator: 'equals', values: [true] }], serve: { variant: 'on' } },
        ],
      }),
    });
    expect(ev.getDetails('f', false, { plan: 'pro' })).toEqual({ value: true, variant: 'on', reason: 'TARGETING_MATCH', ruleId: 'rule-1' });
    expect(ev.getDetails('f', false, { beta: true }).ruleId).toBe('beta');
    expect(ev.getDetails('f', false, { plan: 'none' })).toEqual({ value: false, variant: 'off', reason: 'DEFAULT' });
  });

  it('SPLIT from a rule reports ruleId and bucket', () => {
    const ev = evaluator({
      f: boolFlag({ rules: [{ id: 'r', conditions: [], serve: { split: [{ variant: 'on', weight: 1 }, { variant: 'off', weight: 1 }] } }] }),
    });
    const d = ev.getDetails('f', false, { userId: 'user-1' });
    expect(d.reason).toBe('SPLIT');
    expect(d.ruleId).toBe('r');
    expect(d.bucket).toBe(bucketOf('f', 'user-1', 2));
    expect(d.variant).toBe(d.bucket === 0 ? 'on' : 'off');
  });

  it('SPLIT from defaultServe reports the bucket and no ruleId', () => {
    const ev = evaluator({ f: boolFlag({ defaultServe: { split: [{ variant: 'on', percentage: 25 }, { variant: 'off', percentage: 75 }] } }) });
    const d = ev.getDetails('f', false, { userId: 'user-1' });
    expect(Object.keys(d).sort()).toEqual(['bucket', 'reason', 'value', 'variant']);
    expect(d.bucket).toBe(bucketOf('f', 'user-1', 100_000));
    expect(d.value).toBe((d.bucket as number) < 25_000);
  });

  it('DEFAULT: defaultServe variant when the flag has targets, rules or prerequisites', () => {
    expect(evaluator({ f: boolFlag({ targets: [] }) }).getDetails('f', false, {}).reason).toBe('STATIC');
    expect(evaluator({ f: boolFlag({ targets: [{ variant: 'on', values: ['x'] }] }) }).getDetails('f', false, {}).reason).toBe('DEFAULT');
    expect(evaluator({ f: boolFlag({ rules: [{ conditions: [{ attribute: 'a', operator: 'exists' }], serve: { variant: 'on' } }] }) }).getDetails('f', false, {}).reason).toBe('DEFAULT');
    expect(evaluator({ f: boolFlag({ prerequisites: [{ flag: 'g', variants: ['on'] }] }), g: boolFlag({ defaultServe: { variant: 'on' } }) }).getDetails('f', false, {}).reason).toBe('DEFAULT');
  });

  it('PREREQUISITE_FAILED: serves the off variant with a detail', () => {
    const ev = evaluator({
      f: boolFlag({ defaultServe: { variant: 'on' }, prerequisites: [{ flag: 'g', variants: ['on'] }] }),
      g: boolFlag({ rules: [{ conditions: [{ attribute: 'plan', operator: 'equals', values: ['pro'] }], serve: { variant: 'on' } }] }),
    });
    expect(ev.getDetails('f', false, { plan: 'pro' })).toEqual({ value: true, variant: 'on', reason: 'DEFAULT' });
    expect(ev.getDetails('f', false, { plan: 'free' })).toEqual({
      value: false,
      variant: 'off',
      reason: 'PREREQUISITE_FAILED',
      detail: 'prerequisite flag "g" did not serve one of: on',
    });
  });
});

describe('getDetails — errors', () => {
  const ev = evaluator({
    b: boolFlag(),
    s: { variants: { a: 'A' }, enabled: true, offVariant: 'a', defaultServe: { variant: 'a' } },
    n: { variants: { one: 1 }, enabled: true, offVariant: 'one', defaultServe: { variant: 'one' } },
    j: { variants: { cfg: { x: 1 } }, enabled: true, offVariant: 'cfg', defaultServe: { variant: 'cfg' } },
  });

  it('FLAG_NOT_FOUND names the key and returns the default', () => {
    const d = ev.getDetails('nope', 'fallback', {});
    expect(d).toMatchObject({ value: 'fallback', reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' });
    expect(d.errorMessage).toContain('"nope"');
    expect(d.variant).toBeUndefined();
    expect(ev.getValue('nope', 'fallback', {})).toBe('fallback');
    expect(ev.isEnabled('nope', {})).toBe(false);
  });

  it('FLAG_NOT_FOUND for inherited names ("constructor", "__proto__")', () => {
    for (const key of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(ev.getDetails(key, 1, {}).errorCode).toBe('FLAG_NOT_FOUND');
    }
  });

  it.each([
    ['b', 'x', 'a string'],
    ['b', 1, 'a number'],
    ['b', {}, 'a json'],
    ['s', true, 'a boolean'],
    ['n', '1', 'a string'],
    ['j', 1, 'a number'],
  ] as const)('TYPE_MISMATCH: flag %s with default %j', (key, defaultValue, described) => {
    const d = ev.getDetails(key, defaultValue as JsonValue, {});
    expect(d).toMatchObject({ value: defaultValue, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' });
    expect(d.errorMessage).toContain(described);
    expect(ev.getValue(key, defaultValue as JsonValue, {})).toBe(defaultValue);
  });

  it('a null default accepts any type; arrays count as json', () => {
    expect(ev.getDetails('s', null, {}).value).toBe('A');
    expect(ev.getDetails('j', [], {}).value).toEqual({ x: 1 });
    expect(ev.getValue('n', null, {})).toBe(1);
  });

  it('isEnabled is true only for boolean flags serving true', () => {
    const e = evaluator({ on: boolFlag({ defaultServe: { variant: 'on' } }), off: boolFlag(), s: { variants: { a: 'true' }, enabled: true, offVariant: 'a', defaultServe: { variant: 'a' } } });
    expect(e.isEnabled('on')).toBe(true);
    expect(e.isEnabled('off')).toBe(false);
    expect(e.isEnabled('s')).toBe(false);
  });

  it('GENERAL: anything unexpected returns the default instead of throwing', () => {
    const e = evaluator({ f: conditionFlag({ operator: 'endsWith', values: ['@x.io'] }) });
    const spy = vi.spyOn(String.prototype, 'endsWith').mockImplementation(() => {
      throw new Error('hostile environment');
    });
    try {
      const d = e.getDetails('f', true, { x: 'a@x.io' });
      expect(d).toMatchObject({ value: true, reason: 'ERROR', errorCode: 'GENERAL' });
      expect(d.errorMessage).toContain('hostile environment');
      expect(e.getValue('f', true, { x: 'a@x.io' })).toBe(true);
      expect(e.isEnabled('f', { x: 'a@x.io' })).toBe(false);
      expect(e.evaluateAll({ x: 'a@x.io' }).flags.f).toEqual({ value: null, reason: 'ERROR', errorCode: 'GENERAL' });
      // The JSON form and the version agree with the object form on the error entry too.
      expect(e.evaluateAllJson({ x: 'a@x.io' }).json).toBe(JSON.stringify(e.evaluateAll({ x: 'a@x.io' })));
    } finally {
      spy.mockRestore();
    }
    expect(e.getDetails('f', false, { x: 'a@x.io' }).value).toBe(true);
  });
});

describe('operators', () => {
  it('equals: the operand type decides — strings equal strings; numbers and booleans also their string form', () => {
    expect(matches({ operator: 'equals', values: ['pro'] }, { x: 'pro' })).toBe(true);
    expect(matches({ operator: 'equals', values: ['pro'] }, { x: 'Pro' })).toBe(false);
    expect(matches({ operator: 'equals', values: ['pro'], caseInsensitive: true }, { x: 'PRO' })).toBe(true);
    expect(matches({ operator: 'equals', values: [30] }, { x: 30 })).toBe(true);
    expect(matches({ operator: 'equals', values: [30] }, { x: '30' })).toBe(true);
    expect(matches({ operator: 'equals', values: [30] }, { x: '030' })).toBe(false);
    expect(matches({ operator: 'equals', values: [30] }, { x: 31 })).toBe(false);
    expect(matches({ operator: 'equals', values: [0] }, { x: -0 })).toBe(true);
    expect(matches({ operator: 'equals', values: [true] }, { x: true })).toBe(true);
    expect(matches({ operator: 'equals', values: [true] }, { x: 'true' })).toBe(true);
    expect(matches({ operator: 'equals', values: [true] }, { x: false })).toBe(false);
    // A string operand is not compared with the string form of a number or a boolean.
    expect(matches({ operator: 'equals', values: ['30'] }, { x: 30 })).toBe(false);
    expect(matches({ operator: 'equals', values: ['30'] }, { x: '30' })).toBe(true);
    expect(matches({ operator: 'equals', values: ['true'] }, { x: true })).toBe(false);
    expect(matches({ operator: 'equals', values: [1] }, { x: true })).toBe(false);
    // Typed values are present and comparable: negation applies.
    expect(matches({ operator: 'equals', values: ['30'], negate: true }, { x: 30 })).toBe(true);
    expect(matches({ operator: 'notIn', values: ['true'] }, { x: true })).toBe(true);
    expect(matches({ operator: 'notIn', values: [true] }, { x: true })).toBe(false);
  });

  it('equals never matches objects, NaN or missing values, negated or not', () => {
    for (const x of [{}, { pro: 'pro' }, Number.NaN, Number.POSITIVE_INFINITY, null, undefined]) {
      expect(matches({ operator: 'equals', values: ['pro'] }, { x })).toBe(false);
      expect(matches({ operator: 'equals', values: ['pro'], negate: true }, { x })).toBe(false);
    }
  });

  it('negate inverts a real comparison only', () => {
    expect(matches({ operator: 'equals', values: ['pro'], negate: true }, { x: 'free' })).toBe(true);
    expect(matches({ operator: 'equals', values: ['pro'], negate: true }, { x: 'pro' })).toBe(false);
    expect(matches({ operator: 'equals', values: ['pro'], negate: true }, {})).toBe(false);
  });

  it('in / notIn, small and large operand lists, case-insensitive', () => {
    // Every compiled shape: single value, unrolled (≤ 4), scanned (≤ 8) and Set lookup (> 8).
    const others = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`);
    for (const values of [['US'], ['CA', 'US'], ['US', 'CA', 'GB'], [...others(3), 'US'], [...others(5), 'US'], [...others(8), 'US'], [...others(50), 'US']]) {
      expect(matches({ operator: 'in', values }, { x: 'US' })).toBe(true);
      expect(matches({ operator: 'in', values }, { x: 'us' })).toBe(false);
      expect(matches({ operator: 'in', values, caseInsensitive: true }, { x: 'us' })).toBe(true);
      expect(matches({ operator: 'in', values }, { x: 'FR' })).toBe(false);
      expect(matches({ operator: 'in', values, negate: true }, { x: 'FR' })).toBe(true);
      expect(matches({ operator: 'notIn', values }, { x: 'FR' })).toBe(true);
      expect(matches({ operator: 'notIn', values }, { x: 'US' })).toBe(false);
      expect(matches({ operator: 'notIn', values, negate: true }, { x: 'US' })).toBe(true);
      expect(matches({ operator: 'notIn', values }, {})).toBe(false);
      expect(matches({ operator: 'notIn', values, caseInsensitive: true }, { x: 'us' })).toBe(false);
    }
    expect(matches({ operator: 'in', values: [1, 2, 3] }, { x: 2 })).toBe(true);
    expect(matches({ operator: 'in', values: [1, 2, 3] }, { x: '2' })).toBe(true);
    expect(matches({ operator: 'in', values: ['1', '2', '3'] }, { x: 2 })).toBe(false);
    expect(matches({ operator: 'in', values: [true] }, { x: true })).toBe(true);
    expect(matches({ operator: 'in', values: [false, 'x'] }, { x: false })).toBe(true);
    expect(matches({ operator: 'in', values: ['false', 'x'] }, { x: false })).toBe(false);
    const many = Array.from({ length: 20 }, (_, i) => i);
    expect(matches({ operator: 'in', values: many }, { x: 7 })).toBe(true);
    expect(matches({ operator: 'in', values: many }, { x: '7' })).toBe(true);
    expect(matches({ operator: 'notIn', values: many }, { x: 70 })).toBe(true);
  });

  it('contains / startsWith / endsWith (any of the values)', () => {
    expect(matches({ operator: 'contains', values: ['@'] }, { x: 'a@b' })).toBe(true);
    expect(matches({ operator: 'contains', values: ['@'], negate: true }, { x: 'a@b' })).toBe(false);
    expect(matches({ operator: 'contains', values: ['B'], caseInsensitive: true }, { x: 'a@b' })).toBe(true);
    expect(matches({ operator: 'startsWith', values: ['a', 'z'] }, { x: 'a@b' })).toBe(true);
    expect(matches({ operator: 'contains', values: ['zz', 'b'] }, { x: 'a@b' })).toBe(true);
    expect(matches({ operator: 'contains', values: ['z'] }, { x: 'a@b' })).toBe(false);
    expect(matches({ operator: 'startsWith', values: ['adm'] }, { x: 'admin' })).toBe(true);
    expect(matches({ operator: 'startsWith', values: ['ADM'] }, { x: 'admin' })).toBe(false);
    expect(matches({ operator: 'startsWith', values: ['ADM'], caseInsensitive: true }, { x: 'admin' })).toBe(true);
    expect(matches({ operator: 'endsWith', values: ['@example.com'] }, { x: 'a@example.com' })).toBe(true);
    expect(matches({ operator: 'endsWith', values: ['@example.com'] }, { x: 'a@example.org' })).toBe(false);
    expect(matches({ operator: 'endsWith', values: ['@example.com'], negate: true }, { x: 'a@example.org' })).toBe(true);
    expect(matches({ operator: 'endsWith', values: ['@EXAMPLE.com'], caseInsensitive: true }, { x: 'a@Example.COM' })).toBe(true);
    expect(matches({ operator: 'endsWith', values: ['x'], negate: true }, {})).toBe(false);
  });

  it('string operators match strings only: numbers and booleans are not coerced, negated or not', () => {
    for (const [operator, operand, x] of [
      ['contains', '99', 99],
      ['contains', '23', 1234],
      ['startsWith', 'true', true],
      ['endsWith', 'se', false],
      ['matches', '^\\d+$', 42],
      ['matches', '^true$', true],
    ] as const) {
      expect(matches({ operator, values: [operand] }, { x }), `${operator} ${operand}`).toBe(false);
      expect(matches({ operator, values: [operand], negate: true }, { x }), `${operator} ${operand} negated`).toBe(false);
      expect(matches({ operator, values: [operand] }, { x: String(x) }), `${operator} ${operand} on a string`).toBe(true);
    }
    expect(matches({ operator: 'contains', values: ['9'], caseInsensitive: true }, { x: 99 })).toBe(false);
  });

  it('matches: regex, any of the values, case-insensitive, length cap', () => {
    expect(matches({ operator: 'matches', values: ['^user-\\d+$'] }, { x: 'user-42' })).toBe(true);
    expect(matches({ operator: 'matches', values: ['^user-\\d+$'] }, { x: 'user-x' })).toBe(false);
    expect(matches({ operator: 'matches', values: ['^nope$', '^USER'], caseInsensitive: true }, { x: 'user-1' })).toBe(true);
    expect(matches({ operator: 'matches', values: ['^user'], negate: true }, { x: 'admin' })).toBe(true);
    expect(matches({ operator: 'matches', values: ['^\\p{L}+$'] }, { x: '日本' })).toBe(true);
    // Subjects over 1,024 characters never match (a bound on backtracking), negated or not.
    expect(matches({ operator: 'matches', values: ['a'] }, { x: `${'b'.repeat(1023)}a` })).toBe(true);
    expect(matches({ operator: 'matches', values: ['a'] }, { x: `${'b'.repeat(1024)}a` })).toBe(false);
    expect(matches({ operator: 'matches', values: ['a'], negate: true }, { x: `${'b'.repeat(1024)}c` })).toBe(false);
  });

  it('matches has no state between calls (no global flag)', () => {
    const ev = evaluator({ f: conditionFlag({ operator: 'matches', values: ['a'] }) });
    for (let i = 0; i < 3; i++) expect(ev.getValue('f', false, { x: 'aaa' })).toBe(true);
  });

  it('numeric operators accept numbers and decimal numeric strings', () => {
    expect(matches({ operator: 'lt', values: [10] }, { x: 9 })).toBe(true);
    expect(matches({ operator: 'lt', values: [10] }, { x: 10 })).toBe(false);
    expect(matches({ operator: 'lte', values: [10] }, { x: 10 })).toBe(true);
    expect(matches({ operator: 'gt', values: [10] }, { x: '10.5' })).toBe(true);
    expect(matches({ operator: 'gte', values: [10] }, { x: '1e1' })).toBe(true);
    expect(matches({ operator: 'gte', values: [-1.5] }, { x: '-1.5' })).toBe(true);
    expect(matches({ operator: 'gt', values: [10] }, { x: 5 })).toBe(false);
    expect(matches({ operator: 'gt', values: [10], negate: true }, { x: 5 })).toBe(true);
    for (const x of ['', ' 11', '0x20', 'eleven', Number.NaN, Number.POSITIVE_INFINITY, true, null, {}]) {
      expect(matches({ operator: 'gt', values: [10] }, { x }), String(x)).toBe(false);
      expect(matches({ operator: 'gt', values: [10], negate: true }, { x }), String(x)).toBe(false);
    }
  });

  it('semver operators follow semver.org precedence including prereleases', () => {
    const cmp = (op: Condition['operator'], operand: string, x: unknown) => matches({ operator: op, values: [operand] }, { x });
    expect(cmp('semverEq', '1.2.3', '1.2.3')).toBe(true);
    expect(cmp('semverEq', '1.2.3', '1.2.3+build.7')).toBe(true);
    expect(cmp('semverGt', '1.2.3', '1.10.0')).toBe(true);
    expect(cmp('semverLt', '1.0.0', '1.0.0-alpha')).toBe(true);
    expect(cmp('semverLt', '1.0.0-alpha.1', '1.0.0-alpha')).toBe(true);
    expect(cmp('semverLt', '1.0.0-alpha.beta', '1.0.0-alpha.1')).toBe(true);
    expect(cmp('semverLt', '1.0.0-beta.11', '1.0.0-beta.2')).toBe(true);
    expect(cmp('semverLt', '1.0.0-rc.1', '1.0.0-beta.11')).toBe(true);
    expect(cmp('semverGte', '2.0.0', '2.0.0')).toBe(true);
    expect(cmp('semverLte', '2.0.0', '2.0.1')).toBe(false);
    expect(cmp('semverGt', '1.0.0', 2)).toBe(false);
    expect(cmp('semverGt', '1.0.0', '2.0.0.0')).toBe(false);
    expect(matches({ operator: 'semverGt', values: ['1.0.0'], negate: true }, { x: 'garbage' })).toBe(false);
    expect(matches({ operator: 'semverGt', values: ['1.0.0'], negate: true }, { x: '0.9.0' })).toBe(true);
  });

  it('semver operators read versions as people write them: 1–3 parts and an optional "v", in rule and context', () => {
    const cmp = (op: Condition['operator'], operand: string, x: unknown) => matches({ operator: op, values: [operand] }, { x });
    for (const [a, b] of [['2', '2.0.0'], ['2.0', '2'], ['v2', '2.0'], ['v1.2.3-beta.1', '1.2.3-beta.1'], ['1.4', 'v1.4.0+build.9']]) {
      expect(cmp('semverEq', a as string, b), `${a} = ${b}`).toBe(true);
      expect(cmp('semverEq', b as string, a), `${b} = ${a}`).toBe(true);
    }
    expect(cmp('semverGt', '1.9', 'v2')).toBe(true);
    expect(cmp('semverGt', '2', '2.0.1')).toBe(true);
    expect(cmp('semverLt', 'v3', '3-rc.1')).toBe(true);
    expect(cmp('semverGte', '2.1', '2.0.9')).toBe(false);
    expect(cmp('semverEq', '2', '2.0.0.0')).toBe(false);
    expect(cmp('semverEq', '2', 'V2')).toBe(false);
    expect(matches({ operator: 'semverEq', values: ['2'], negate: true }, { x: 'two' })).toBe(false);
  });

  it('before / after accept ISO strings, epoch ms and Dates (UTC when no offset)', () => {
    const t = '2025-01-01T00:00:00Z';
    expect(matches({ operator: 'before', values: [t] }, { x: '2024-12-31T23:59:59Z' })).toBe(true);
    expect(matches({ operator: 'before', values: [t] }, { x: '2025-01-01' })).toBe(false);
    expect(matches({ operator: 'after', values: [t] }, { x: '2025-01-01T00:00:00.001' })).toBe(true);
    expect(matches({ operator: 'after', values: [t] }, { x: '2025-01-01T01:00:00+02:00' })).toBe(false);
    expect(matches({ operator: 'after', values: [t] }, { x: Date.UTC(2025, 0, 2) })).toBe(true);
    expect(matches({ operator: 'after', values: [Date.UTC(2025, 0, 1)] }, { x: new Date(Date.UTC(2026, 0, 1)) })).toBe(true);
    expect(matches({ operator: 'after', values: [t] }, { x: 'tomorrow' })).toBe(false);
    expect(matches({ operator: 'after', values: [t], negate: true }, { x: 'tomorrow' })).toBe(false);
    expect(matches({ operator: 'after', values: [t], negate: true }, { x: '2020-01-01' })).toBe(true);
    expect(matches({ operator: 'after', values: [t] }, { x: new Date(Number.NaN) })).toBe(false);
    expect(matches({ operator: 'after', values: [t] }, { x: Object.create(Date.prototype) as unknown })).toBe(false);
  });

  it('exists: present unless undefined or null; negate inverts unconditionally', () => {
    expect(matches({ operator: 'exists' }, { x: '' })).toBe(true);
    expect(matches({ operator: 'exists' }, { x: 0 })).toBe(true);
    expect(matches({ operator: 'exists' }, { x: false })).toBe(true);
    expect(matches({ operator: 'exists' }, { x: null })).toBe(false);
    expect(matches({ operator: 'exists' }, {})).toBe(false);
    expect(matches({ operator: 'exists', negate: true }, {})).toBe(true);
    expect(matches({ operator: 'exists', negate: true }, { x: 1 })).toBe(false);
  });

  it('inSegment: included, excluded, conditions; empty segments never match', () => {
    const segments = {
      beta: { included: ['u1', 'u3'], excluded: ['u2', 'u3'], conditions: [{ attribute: 'plan', operator: 'equals', values: ['pro'] }] },
      staff: { attribute: 'email', included: ['a@x.io'] },
      empty: {},
      listOnly: { included: ['u1'] },
    };
    const inSeg = (values: string[], context: EvaluationContext, negate = false) => matches({ operator: 'inSegment', values, negate }, context, segments);
    expect(inSeg(['beta'], { userId: 'u1' })).toBe(true);
    expect(inSeg(['beta'], { userId: 'u2', plan: 'pro' })).toBe(false);
    expect(inSeg(['beta'], { userId: 'u3' })).toBe(false); // excluded wins over included
    expect(inSeg(['beta'], { userId: 'u9', plan: 'pro' })).toBe(true);
    expect(inSeg(['beta'], { plan: 'pro' })).toBe(true);
    expect(inSeg(['beta'], { userId: 'u9', plan: 'free' })).toBe(false);
    expect(inSeg(['staff'], { email: 'a@x.io' })).toBe(true);
    expect(inSeg(['staff'], { userId: 'a@x.io' })).toBe(false);
    expect(inSeg(['empty'], { userId: 'u1' })).toBe(false);
    expect(inSeg(['listOnly'], { userId: 'u2' })).toBe(false);
    expect(inSeg(['empty', 'staff'], { email: 'a@x.io' })).toBe(true);
    expect(inSeg(['beta'], { userId: 'u9', plan: 'free' }, true)).toBe(true);
    expect(inSeg(['empty'], {}, true)).toBe(true);
  });
});

describe('attribute access', () => {
  it('resolves dot paths through own properties', () => {
    expect(matches({ attribute: 'account.plan', operator: 'equals', values: ['pro'] }, { account: { plan: 'pro' } })).toBe(true);
    expect(matches({ attribute: 'a.b.c', operator: 'equals', values: [1] }, { a: { b: { c: 1 } } })).toBe(true);
    expect(matches({ attribute: 'a.b.c', operator: 'equals', values: [1] }, { a: { b: 'str' } })).toBe(false);
    expect(matches({ attribute: 'a.length', operator: 'equals', values: [1] }, { a: 'x' })).toBe(false);
  });

  it('never indexes into arrays: "groups.0" and "groups.length" read as missing', () => {
    expect(matches({ attribute: 'a.0', operator: 'equals', values: ['x'] }, { a: ['x'] })).toBe(false);
    expect(matches({ attribute: 'a.0', operator: 'exists' }, { a: ['x'] })).toBe(false);
    expect(matches({ attribute: 'a.0', operator: 'exists', negate: true }, { a: ['x'] })).toBe(true);
    expect(matches({ attribute: 'a.length', operator: 'equals', values: [1] }, { a: ['x'] })).toBe(false);
    expect(matches({ attribute: 'a.0.b', operator: 'equals', values: ['x'] }, { a: [{ b: 'x' }] })).toBe(false);
    expect(matches({ attribute: 'a.b', operator: 'in', values: ['x'] }, { a: { b: ['x'] } })).toBe(true);
  });

  it('never reads inherited properties (prototype pollution, class prototypes)', () => {
    const proto = { x: 'pro', account: { plan: 'pro' } };
    const ctx = Object.create(proto) as EvaluationContext;
    expect(matches({ operator: 'equals', values: ['pro'] }, ctx)).toBe(false);
    expect(matches({ operator: 'in', values: ['pro', 'a'] }, ctx)).toBe(false);
    expect(matches({ operator: 'endsWith', values: ['ro'] }, ctx)).toBe(false);
    expect(matches({ operator: 'exists' }, ctx)).toBe(false);
    expect(matches({ operator: 'exists', negate: true }, ctx)).toBe(true);
    expect(matches({ operator: 'gt', values: [0] }, Object.create({ x: 5 }) as EvaluationContext)).toBe(false);
    expect(matches({ attribute: 'account.plan', operator: 'equals', values: ['pro'] }, ctx)).toBe(false);
    class User {
      get x(): string {
        return 'pro';
      }
    }
    expect(matches({ operator: 'equals', values: ['pro'] }, new User() as unknown as EvaluationContext)).toBe(false);
    const polluted = Object.prototype as unknown as AnyRecord;
    polluted.x = 'pro';
    try {
      expect(matches({ operator: 'equals', values: ['pro'] }, {})).toBe(false);
      expect(matches({ operator: 'equals', values: ['pro'] }, { x: 'pro' })).toBe(true);
    } finally {
      delete polluted.x;
    }
  });

  it('"constructor", "__proto__" and friends do not resolve to magic values', () => {
    for (const attribute of ['constructor', '__proto__', 'toString', 'constructor.name', '__proto__.constructor.name', 'hasOwnProperty']) {
      expect(matches({ attribute, operator: 'exists' }, {}), attribute).toBe(false);
      expect(matches({ attribute, operator: 'equals', values: ['Object'] }, {}), attribute).toBe(false);
    }
    const parsed = JSON.parse('{"__proto__": {"x": "pro"}, "constructor": "c"}') as EvaluationContext;
    expect(matches({ operator: 'equals', values: ['pro'] }, parsed)).toBe(false);
    expect(matches({ attribute: '__proto__.x', operator: 'equals', values: ['pro'] }, parsed)).toBe(true);
    expect(matches({ attribute: 'constructor', operator: 'equals', values: ['c'] }, parsed)).toBe(true);
  });

  it('works with null-prototype contexts and treats non-object contexts as empty', () => {
    const ctx = Object.assign(Object.create(null) as EvaluationContext, { x: 'pro' });
    expect(matches({ operator: 'equals', values: ['pro'] }, ctx)).toBe(true);
    for (const weird of [undefined, null, 'x', 42, true]) {
      expect(matches({ operator: 'exists', negate: true }, weird as unknown as EvaluationContext)).toBe(true);
    }
  });

  it('a throwing getter or proxy trap makes the condition not match (not an error)', () => {
    const throwing = {
      plan: 'pro',
      get x(): string {
        throw new Error('getter');
      },
    };
    const ev = evaluator({
      f: boolFlag({
        rules: [
          { id: 'x', conditions: [{ attribute: 'x', operator: 'equals', values: ['a'] }], serve: { variant: 'on' } },
          { id: 'plan', conditions: [{ attribute: 'plan', operator: 'equals', values: ['pro'] }], serve: { variant: 'on' } },
        ],
      }),
    });
    expect(ev.getDetails('f', false, throwing)).toEqual({ value: true, variant: 'on', reason: 'TARGETING_MATCH', ruleId: 'plan' });
    const proxy = new Proxy({ plan: 'pro' }, {
      get() {
        throw new Error('trap');
      },
    });
    expect(ev.getDetails('f', false, proxy).reason).toBe('DEFAULT');
    const revocable = Proxy.revocable({}, {});
    revocable.revoke();
    expect(ev.getDetails('f', false, revocable.proxy as EvaluationContext).reason).toBe('DEFAULT');
    expect(ev.evaluateAll(proxy).flags.f?.reason).toBe('DEFAULT');
  });

  it('handles cyclic contexts and huge strings', () => {
    const cyclic: AnyRecord = { plan: 'pro' };
    cyclic.self = cyclic;
    expect(matches({ attribute: 'self.self.self.plan', operator: 'equals', values: ['pro'] }, cyclic)).toBe(true);
    const huge = 'x'.repeat(5_000_000);
    expect(matches({ operator: 'startsWith', values: ['xx'] }, { x: huge })).toBe(true);
    expect(matches({ operator: 'matches', values: ['^x+$'] }, { x: huge })).toBe(false);
    expect(matches({ operator: 'gt', values: [1] }, { x: huge })).toBe(false);
    expect(matches({ operator: 'semverGt', values: ['1.0.0'] }, { x: huge })).toBe(false);
  });
});

describe('splits', () => {
  const splitFlag = (split: unknown[], extra: AnyRecord = {}) => boolFlag({ defaultServe: { split, ...extra } });

  it('assigns by cumulative weight using bucketOf()', () => {
    const ev = evaluator({
      f: { variants: { a: 'a', b: 'b', c: 'c' }, enabled: true, offVariant: 'a', defaultServe: { split: [{ variant: 'a', weight: 2 }, { variant: 'b', weight: 0 }, { variant: 'c', weight: 3 }] } },
    });
    for (let i = 0; i < 200; i++) {
      const unit = `u${i}`;
      const bucket = bucketOf('f', unit, 5);
      const d = ev.getDetails('f', 'x', { userId: unit });
      expect(d.bucket).toBe(bucket);
      expect(d.variant).toBe(bucket < 2 ? 'a' : 'c');
    }
  });

  it('honours bucketBy, salt and seed', () => {
    const ev = evaluator({ f: splitFlag([{ variant: 'on', percentage: 50 }, { variant: 'off', percentage: 50 }], { bucketBy: 'account.id', salt: 'shared', seed: 86028157 }) });
    const d = ev.getDetails('f', false, { userId: 'ignored', account: { id: 'acme' } });
    expect(d.bucket).toBe(murmur3('shared:acme', 86028157) % 100_000);
  });

  it('stringifies numeric units like String(n)', () => {
    const ev = evaluator({ f: splitFlag([{ variant: 'on', weight: 1 }, { variant: 'off', weight: 999 }]) });
    expect(ev.getDetails('f', false, { userId: 42 as unknown as string }).bucket).toBe(bucketOf('f', '42', 1000));
    expect(ev.getDetails('f', false, { userId: 1.5 as unknown as string }).bucket).toBe(bucketOf('f', '1.5', 1000));
  });

  it('a unit without the bucketBy attribute skips a rule split and continues with the next rule', () => {
    const ev = evaluator({
      f: boolFlag({
        rules: [
          { id: 'split', conditions: [], serve: { split: [{ variant: 'on', weight: 1 }], bucketBy: 'deviceId' } },
          { id: 'next', conditions: [], serve: { variant: 'off' } },
        ],
      }),
    });
    expect(ev.getDetails('f', false, { deviceId: 'd1' })).toMatchObject({ reason: 'SPLIT', ruleId: 'split', variant: 'on' });
    expect(ev.getDetails('f', false, { userId: 'u1' })).toEqual({ value: false, variant: 'off', reason: 'TARGETING_MATCH', ruleId: 'next' });
    for (const deviceId of [null, true, {}, ['d1']]) {
      expect(ev.getDetails('f', false, { deviceId }).ruleId).toBe('next');
    }
  });

  it('a unit without the bucketBy attribute gets the off variant from a default split, with a detail', () => {
    const ev = evaluator({ f: boolFlag({ offVariant: 'off', defaultServe: { split: [{ variant: 'on', weight: 1 }] } }) });
    const d = ev.getDetails('f', true, {});
    expect(d).toEqual({ value: false, variant: 'off', reason: 'DEFAULT', detail: 'unit has no "userId" attribute; split skipped' });
    expect(ev.getDetails('f', true, {})).toBe(d); // precomputed
    const ev2 = evaluator({ f: boolFlag({ defaultServe: { split: [{ variant: 'on', weight: 1 }], bucketBy: 'org.id' } }) });
    expect(ev2.getDetails('f', true, { userId: 'u' }).detail).toBe('unit has no "org.id" attribute; split skipped');
    expect(ev2.getDetails('f', true, { org: Object.create({ id: 'inherited' }) as unknown }).reason).toBe('DEFAULT');
  });

  it('an inherited unit attribute does not enter the split', () => {
    const ev = evaluator({ f: boolFlag({ defaultServe: { split: [{ variant: 'on', weight: 1 }] } }) });
    expect(ev.getDetails('f', false, Object.create({ userId: 'u1' }) as EvaluationContext).reason).toBe('DEFAULT');
  });

  it('more than four slices, zero weights included, pick the slice whose bounds hold the bucket', () => {
    const weights = [3, 0, 5, 1, 0, 7, 4];
    const variants = Object.fromEntries(weights.map((_, i) => [`v${i}`, i]));
    const ev = evaluator({ f: { variants, enabled: true, offVariant: 'v0', defaultServe: { split: weights.map((weight, i) => ({ variant: `v${i}`, weight })) } } });
    const total = weights.reduce((a, b) => a + b, 0);
    const seen = new Set<number>();
    for (let i = 0; i < 400; i++) {
      const unit = `unit-${i}`;
      const bucket = bucketOf('f', unit, total);
      let expected = 0;
      for (let sum = 0; expected < weights.length; expected++) {
        sum += weights[expected] as number;
        if (bucket < sum) break;
      }
      seen.add(expected);
      expect(ev.getDetails('f', 0, { userId: unit })).toMatchObject({ value: expected, reason: 'SPLIT', bucket });
      expect(ev.flag<number>('f').getValue(-1, { userId: unit })).toBe(expected);
    }
    expect([...seen].sort()).toEqual([0, 2, 3, 5, 6]); // every non-empty slice, none of the empty ones
  });

  it('buckets non-ASCII unit ids by their UTF-8 bytes', () => {
    const ev = evaluator({ f: splitFlag([{ variant: 'on', weight: 1 }, { variant: 'off', weight: 99_999 }]) });
    for (const unit of ['é', 'usér-1', 'user-1é', 'abcdéfgh', '日本語', '🚀-1', 'a\ud800b']) {
      expect(ev.getDetails('f', false, { userId: unit }).bucket, unit).toBe(bucketOf('f', unit, 100_000));
    }
  });

  it('ignores a polluted Object.prototype unit and reads own units of ordinary and null-prototype objects', () => {
    const ev = evaluator({ f: splitFlag([{ variant: 'on', weight: 1 }, { variant: 'off', weight: 1 }]) });
    const proto = Object.prototype as Record<string, unknown>;
    proto.userId = 'polluted';
    try {
      expect(ev.getDetails('f', false, {}).reason).toBe('DEFAULT');
      expect(ev.flag('f').getDetails(false, {}).reason).toBe('DEFAULT');
      expect(ev.getDetails('f', false, { userId: 'u1' }).bucket).toBe(bucketOf('f', 'u1', 2));
    } finally {
      delete proto.userId;
    }
    const bare = Object.assign(Object.create(null) as EvaluationContext, { userId: 'u2' });
    expect(ev.getDetails('f', false, bare).bucket).toBe(bucketOf('f', 'u2', 2));
    class Session {
      get userId(): string {
        return 'from-the-class';
      }
    }
    expect(ev.getDetails('f', false, new Session() as unknown as EvaluationContext).reason).toBe('DEFAULT');
  });

  it('100 % and 0 % slices are absolute', () => {
    const ev = evaluator({ f: splitFlag([{ variant: 'on', percentage: 100 }, { variant: 'off', percentage: 0 }]) });
    for (let i = 0; i < 500; i++) expect(ev.getValue('f', false, { userId: `u${i}` })).toBe(true);
  });
});

describe('flag handles', () => {
  const ev = evaluator({
    on: boolFlag({ defaultServe: { variant: 'on' } }),
    off: boolFlag(),
    disabled: boolFlag({ enabled: false, defaultServe: { variant: 'on' } }),
    rollout: boolFlag({ defaultServe: { split: [{ variant: 'on', weight: 1 }, { variant: 'off', weight: 1 }] } }),
    rule: boolFlag({ rules: [{ id: 'pro', conditions: [{ attribute: 'plan', operator: 'equals', values: ['pro'] }], serve: { variant: 'on' } }] }),
    theme: {
      variants: { light: 'light', dark: 'dark' },
      enabled: true,
      offVariant: 'light',
      targets: [{ variant: 'dark', values: ['vip'] }],
      defaultServe: { split: [{ variant: 'light', weight: 1 }, { variant: 'dark', weight: 1 }] },
    },
    gated: boolFlag({ defaultServe: { variant: 'on' }, prerequisites: [{ flag: 'rule', variants: ['on'] }] }),
  });
  const contexts: Array<EvaluationContext | undefined> = [
    undefined,
    {},
    { userId: 'u1' },
    { userId: 'u2', plan: 'pro' },
    { userId: 'vip' },
    { userId: 42 as unknown as string },
    Object.create({ userId: 'inherited', plan: 'pro' }) as EvaluationContext,
  ];

  it('answer exactly like the by-key methods, for every flag shape, on both paths', () => {
    const seen = new Set<string>();
    for (const key of ev.keys()) {
      const handle = ev.flag(key);
      expect(handle.key).toBe(key);
      for (const ctx of contexts) {
        const details = ev.getDetails(key, null, ctx);
        seen.add(`${key}:${String(details.value)}`);
        expect(handle.getDetails(null, ctx)).toEqual(details);
        expect(handle.getValue(null, ctx)).toBe(ev.getValue(key, null, ctx));
        expect(handle.isEnabled(ctx)).toBe(ev.isEnabled(key, ctx));
      }
    }
    // Both paths of every boolean flag (except the constant ones) and both variants of the string flag occur.
    for (const [key, values] of [['rollout', ['true', 'false']], ['rule', ['true', 'false']], ['gated', ['true', 'false']], ['theme', ['light', 'dark']]] as const) {
      for (const v of values) expect(seen, `${key} → ${v}`).toContain(`${key}:${v}`);
    }
  });

  it('static and disabled flags answer constants', () => {
    const on = ev.flag('on');
    const disabled = ev.flag('disabled');
    for (const ctx of contexts) {
      expect(on.isEnabled(ctx)).toBe(true);
      expect(on.getValue(false, ctx)).toBe(true);
      expect(disabled.isEnabled(ctx)).toBe(false);
      expect(disabled.getValue(true, ctx)).toBe(false);
    }
    expect(on.getDetails(false)).toBe(ev.getDetails('on', false, {})); // the shared frozen details
    expect(disabled.getDetails(true, {})).toEqual({ value: false, variant: 'off', reason: 'DISABLED' });
  });

  it('split handles report the bucket, and the off variant with a detail when the unit is missing', () => {
    const theme = ev.flag<string>('theme');
    expect(theme.getDetails('light', { userId: 'u7' })).toEqual(ev.getDetails('theme', 'light', { userId: 'u7' }));
    expect(theme.getDetails('light', { userId: 'u7' }).bucket).toBe(bucketOf('theme', 'u7', 2));
    const rollout = ev.flag('rollout');
    expect(rollout.getDetails(true, {})).toEqual({ value: false, variant: 'off', reason: 'DEFAULT', detail: 'unit has no "userId" attribute; split skipped' });
    const units = Array.from({ length: 40 }, (_, i) => `unit-${i}`);
    expect(units.map((u) => rollout.isEnabled({ userId: u }))).toEqual(units.map((u) => bucketOf('rollout', u, 2) === 0));
  });

  it('one handle per defined key', () => {
    expect(ev.flag('rule')).toBe(ev.flag('rule'));
    expect(Object.isFrozen(ev.flag('rule'))).toBe(true);
  });

  it('an unknown key gives a handle that returns the default with FLAG_NOT_FOUND, call after call', () => {
    const missing = ev.flag<string>('nope');
    for (let i = 0; i < 3; i++) {
      expect(missing.getValue('fallback', { userId: 'u1' })).toBe('fallback');
      expect(missing.isEnabled({ userId: 'u1' })).toBe(false);
      const d = missing.getDetails('fallback');
      expect(d).toMatchObject({ value: 'fallback', reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' });
      expect(d.errorMessage).toContain('"nope"');
    }
    for (const key of ['constructor', '__proto__', 42, null, Symbol('k'), { toString: () => { throw new Error('no'); } }]) {
      const h = ev.flag(key as string);
      expect(h.getDetails(1, {}).errorCode).toBe('FLAG_NOT_FOUND');
      expect(h.getValue(1, {})).toBe(1);
      expect(typeof h.key).toBe('string');
    }
  });

  it('a default of another type gives the default (TYPE_MISMATCH), and isEnabled is false for non-boolean flags', () => {
    const theme = ev.flag('theme');
    expect(theme.getValue(1, { userId: 'vip' })).toBe(1);
    const d = theme.getDetails(true, { userId: 'vip' });
    expect(d).toMatchObject({ value: true, reason: 'ERROR', errorCode: 'TYPE_MISMATCH' });
    expect(d.errorMessage).toContain('is a string flag but the default value is a boolean');
    expect(theme.isEnabled({ userId: 'vip' })).toBe(false);
    for (const key of ['on', 'rollout', 'rule']) {
      expect(ev.flag(key).getValue('x', { userId: 'u2', plan: 'pro' })).toBe('x');
      expect(ev.flag(key).getDetails('x', { plan: 'pro' }).errorCode).toBe('TYPE_MISMATCH');
    }
    expect(ev.flag('theme').getValue(null, { userId: 'vip' })).toBe('dark'); // null accepts any type
  });

  it('never throw: hostile contexts fall back to a safe copy, and failures return the default (GENERAL)', () => {
    const throwing = Object.defineProperty({ plan: 'pro' }, 'userId', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    }) as EvaluationContext;
    const trap = new Proxy({ userId: 'u1' }, {
      get() {
        throw new Error('trap');
      },
      getPrototypeOf() {
        throw new Error('trap');
      },
    }) as EvaluationContext;
    const protoTrap = new Proxy({ userId: 'u1', plan: 'pro' }, {
      getPrototypeOf() {
        throw new Error('trap');
      },
    }) as EvaluationContext;
    for (const key of ev.keys()) {
      const handle = ev.flag(key);
      for (const ctx of [throwing, trap, protoTrap, 'not an object' as unknown as EvaluationContext]) {
        expect(handle.getDetails(null, ctx)).toEqual(ev.getDetails(key, null, ctx));
        expect(handle.getValue(null, ctx)).toBe(ev.getValue(key, null, ctx));
        expect(handle.isEnabled(ctx)).toBe(ev.isEnabled(key, ctx));
      }
    }
    expect(ev.flag('rule').isEnabled(throwing)).toBe(true); // the getter is skipped; plan still matches
    expect(ev.flag('rollout').getDetails(true, throwing).reason).toBe('DEFAULT'); // the unit is unreadable
    expect(ev.flag('rollout').getDetails(true, protoTrap).bucket).toBe(bucketOf('rollout', 'u1', 2)); // retried on a copy

    const e = evaluator({ f: conditionFlag({ operator: 'endsWith', values: ['@x.io'] }) });
    const handle = e.flag('f');
    const spy = vi.spyOn(String.prototype, 'endsWith').mockImplementation(() => {
      throw new Error('hostile environment');
    });
    try {
      const d = handle.getDetails(true, { x: 'a@x.io' });
      expect(d).toMatchObject({ value: true, reason: 'ERROR', errorCode: 'GENERAL' });
      expect(d.errorMessage).toContain('hostile environment');
      expect(handle.getValue(true, { x: 'a@x.io' })).toBe(true);
      expect(handle.isEnabled({ x: 'a@x.io' })).toBe(false);
    } finally {
      spy.mockRestore();
    }
    expect(handle.isEnabled({ x: 'a@x.io' })).toBe(true);
  });
});

describe('prerequisites', () => {
  it('evaluates chains in order', () => {
    const ev = evaluator({
      top: boolFlag({ defaultServe: { variant: 'on' }, prerequisites: [{ flag: 'mid', variants: ['on'] }] }),
      mid: boolFlag({ defaultServe: { variant: 'on' }, prerequisites: [{ flag: 'base', variants: ['on'] }] }),
      base: boolFlag({ rules: [{ conditions: [{ attribute: 'beta', operator: 'equals', values: [true] }], serve: { variant: 'on' } }] }),
    });
    expect(ev.getDetails('top', false, { beta: true }).value).toBe(true);
    expect(ev.getDetails('top', false, { beta: false })).toMatchObject({ value: false, reason: 'PREREQUISITE_FAILED' });
    expect(ev.getDetails('mid', false, { beta: false }).reason).toBe('PREREQUISITE_FAILED');
  });

  it('a disabled prerequisite always fails its dependents, whatever its off variant', () => {
    const ev = evaluator({
      needsOff: boolFlag({ defaultServe: { variant: 'on' }, prerequisites: [{ flag: 'killed', variants: ['off'] }] }),
      needsAny: boolFlag({ defaultServe: { variant: 'on' }, prerequisites: [{ flag: 'killed', variants: ['on', 'off'] }] }),
      needsOn: boolFlag({ defaultServe: { variant: 'on' }, prerequisites: [{ flag: 'killed', variants: ['on'] }] }),
      killed: boolFlag({ enabled: false, defaultServe: { variant: 'on' } }),
      grandchild: boolFlag({ defaultServe: { variant: 'on' }, prerequisites: [{ flag: 'needsAny', variants: ['off'] }] }),
      live: boolFlag({ defaultServe: { variant: 'off' } }),
      needsLiveOff: boolFlag({ defaultServe: { variant: 'on' }, prerequisites: [{ flag: 'live', variants: ['off'] }] }),
    });
    for (const key of ['needsOff', 'needsAny', 'needsOn']) {
      expect(ev.getDetails(key, true, {}), key).toEqual({ value: false, variant: 'off', reason: 'PREREQUISITE_FAILED', detail: 'prerequisite flag "killed" is disabled' });
    }
    // needsAny failed its prerequisite and serves "off": that does not satisfy "needsAny must serve off".
    expect(ev.getDetails('grandchild', true, {})).toMatchObject({ value: false, reason: 'PREREQUISITE_FAILED' });
    // An enabled prerequisite that serves its "off" variant by targeting satisfies a dependent asking for it.
    expect(ev.getDetails('needsLiveOff', false, {})).toEqual({ value: true, variant: 'on', reason: 'DEFAULT' });
    // Switching the parent on brings the children back.
    const on = evaluator({
      needsOff: boolFlag({ defaultServe: { variant: 'on' }, prerequisites: [{ flag: 'parent', variants: ['on'] }] }),
      parent: boolFlag({ defaultServe: { variant: 'on' } }),
    });
    expect(on.getValue('needsOff', false, {})).toBe(true);
  });

  it('supports diamonds, multiple prerequisites and split prerequisites', () => {
    const ev = evaluator({
      top: boolFlag({ defaultServe: { variant: 'on' }, prerequisites: [{ flag: 'l', variants: ['on'] }, { flag: 'r', variants: ['on', 'off'] }] }),
      l: boolFlag({ defaultServe: { variant: 'on' }, prerequisites: [{ flag: 'exp', variants: ['b'] }] }),
      r: boolFlag({ defaultServe: { variant: 'on' }, prerequisites: [{ flag: 'exp', variants: ['a', 'b'] }] }),
      exp: { variants: { a: 'a', b: 'b' }, enabled: true, offVariant: 'a', defaultServe: { split: [{ variant: 'a', weight: 1 }, { variant: 'b', weight: 1 }] } },
    });
    for (let i = 0; i < 50; i++) {
      const ctx = { userId: `u${i}` };
      const inB = ev.getValue<string>('exp', '', ctx) === 'b';
      const d = ev.getDetails('top', false, ctx);
      expect(d.value).toBe(inB);
      // The prerequisite's split must not leak its bucket into this flag's details.
      expect(d.bucket).toBeUndefined();
    }
  });
});

describe('evaluateAll', () => {
  const ev = evaluator({
    a: boolFlag({ defaultServe: { variant: 'on' } }),
    b: boolFlag({ rules: [{ id: 'pro', conditions: [{ attribute: 'plan', operator: 'equals', values: ['pro'] }], serve: { variant: 'on' } }] }),
    c: { variants: { x: { size: 1 }, y: { size: 2 } }, enabled: true, offVariant: 'x', defaultServe: { split: [{ variant: 'x', weight: 1 }, { variant: 'y', weight: 1 }] } },
    d: boolFlag({ enabled: false }),
  });

  it('evaluates every flag into a serialisable snapshot', () => {
    const snap = ev.evaluateAll({ userId: 'u1', plan: 'pro' });
    expect(Object.keys(snap.flags)).toEqual(['a', 'b', 'c', 'd']);
    expect(snap.flags.a).toEqual({ value: true, variant: 'on', reason: 'STATIC' });
    expect(snap.flags.b).toEqual({ value: true, variant: 'on', reason: 'TARGETING_MATCH', ruleId: 'pro' });
    expect(snap.flags.c?.reason).toBe('SPLIT');
    expect(snap.flags.c?.value).toEqual(ev.getValue('c', null, { userId: 'u1' }));
    expect(snap.flags.d).toEqual({ value: false, variant: 'off', reason: 'DISABLED' });
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
    expect(snap.version).toMatch(/^[0-9a-f]{16}$/);
  });

  it('serves the template’s likely outcome and every other one alike (widest slice, rule misses and hits, a left-out disabled flag)', () => {
    const e = evaluator({
      wide: { variants: { a: 'a', b: 'b', c: 'c' }, enabled: true, offVariant: 'a', defaultServe: { split: [{ variant: 'a', weight: 1 }, { variant: 'b', weight: 2 }, { variant: 'c', weight: 1 }] } },
      rule: boolFlag({ rules: [{ id: 'pro', conditions: [{ attribute: 'plan', operator: 'equals', values: ['pro'] }], serve: { variant: 'on' } }] }),
      gone: { variants: { on: true }, enabled: false, defaultServe: { variant: 'on' } },
      last: boolFlag({ defaultServe: { variant: 'on' } }),
    });
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const context = { userId: `u${i}`, plan: i % 2 === 0 ? 'pro' : 'free' };
      const snap = e.evaluateAll(context);
      expect(Object.keys(snap.flags)).toEqual(['wide', 'rule', 'last']);
      for (const key of ['wide', 'rule', 'last']) {
        const { value, variant, reason } = e.getDetails(key, null, context);
        expect(snap.flags[key]).toMatchObject({ value, variant, reason });
        seen.add(`${key}:${variant}`);
      }
      expect(JSON.stringify(snap)).toBe(e.evaluateAllJson(context).json);
    }
    // Both sides of each guess were served: the widest slice (b) and the others, the rule's miss and its hit.
    expect([...seen].sort()).toEqual(['last:on', 'rule:off', 'rule:on', 'wide:a', 'wide:b', 'wide:c']);
  });

  it('equal content gives equal versions; different content different versions', () => {
    const s1 = ev.evaluateAll({ userId: 'u1', plan: 'pro' });
    const s2 = ev.evaluateAll({ userId: 'u1', plan: 'pro', unrelated: 1 });
    expect(s2.version).toBe(s1.version);
    expect(s2.flags.a).toBe(s1.flags.a); // shared frozen entries
    const s3 = ev.evaluateAll({ userId: 'u1', plan: 'free' });
    expect(s3.version).not.toBe(s1.version);
    // Find a unit in the other slice of c: a different value means a different version.
    const other = Array.from({ length: 100 }, (_, i) => `u${i}`).find((u) => ev.getValue('c', null, { userId: u }) !== ev.getValue('c', null, { userId: 'u1' })) as string;
    expect(ev.evaluateAll({ userId: other, plan: 'pro' }).version).not.toBe(s1.version);
  });

  it('versions depend on content only, not on the definitions version or unrelated edits', () => {
    const base = { a: boolFlag({ defaultServe: { variant: 'on' } }) };
    const v1 = createEvaluator(defs(base)).evaluateAll({}).version;
    const result = parseDefinitions({ schemaVersion: 1, version: 'other', flags: { a: { ...boolFlag({ defaultServe: { variant: 'on' } }), description: 'edited' } } });
    if (!result.ok) throw new Error('invalid');
    expect(createEvaluator(result.definitions).evaluateAll({}).version).toBe(v1);
    expect(createEvaluator(defs({ a: boolFlag() })).evaluateAll({}).version).not.toBe(v1);
  });

  it('names the exposure unit of splits bucketed by another attribute, and a changed bucketBy changes the version', () => {
    const everyone = (bucketBy?: string): AnyRecord =>
      boolFlag({ defaultServe: { split: [{ variant: 'on', weight: 1 }], ...(bucketBy === undefined ? {} : { bucketBy }) } });
    const context = { userId: 'u1', accountId: 'acme' };
    const byAccount = createEvaluator(defs({ f: everyone('accountId') })).evaluateAll(context);
    const byUser = createEvaluator(defs({ f: everyone() })).evaluateAll(context);
    expect(byAccount.flags.f).toEqual({ value: true, variant: 'on', reason: 'SPLIT', unitBy: 'accountId' });
    expect(byUser.flags.f).toEqual({ value: true, variant: 'on', reason: 'SPLIT' });
    // Same value for this unit either way, but browsers must learn the new unit attribute: not a 304.
    expect(byAccount.version).not.toBe(byUser.version);
  });
});

describe('createEvaluator', () => {
  it('exposes definitions, has() and keys()', () => {
    const d = defs({ a: boolFlag(), b: boolFlag() });
    const ev = createEvaluator(d);
    expect(ev.definitions).toBe(d);
    expect(ev.has('a')).toBe(true);
    expect(ev.has('constructor')).toBe(false);
    expect(ev.keys()).toEqual(['a', 'b']);
  });

  it('validates definitions that did not come from parseDefinitions', () => {
    const hand = { schemaVersion: 1, version: '1', segments: {}, flags: { a: boolFlag({ defaultServe: { variant: 'on' } }) } } as unknown as Definitions;
    const ev = createEvaluator(hand);
    expect(ev.isEnabled('a')).toBe(true);
    expect(Object.isFrozen(ev.definitions)).toBe(true);
    const bad = { schemaVersion: 1, version: '1', segments: {}, flags: { a: { variants: {} } } } as unknown as Definitions;
    expect(() => createEvaluator(bad)).toThrow(/@halyard\/core: createEvaluator\(\) needs valid definitions[\s\S]*\$\.flags\["a"\]\.variants/);
  });

  it('returns shared frozen details for static outcomes (no allocation per call)', () => {
    const ev = evaluator({
      a: boolFlag({ defaultServe: { variant: 'on' } }),
      b: boolFlag({ rules: [{ conditions: [{ attribute: 'plan', operator: 'in', values: ['pro'] }], serve: { variant: 'on' } }] }),
    });
    const first = ev.getDetails('a', false, {});
    expect(ev.getDetails('a', false, { userId: 'other' })).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(ev.getDetails('b', false, { plan: 'pro' })).toBe(ev.getDetails('b', false, { plan: 'pro', x: 1 }));
  });
});

describe('helpers', () => {
  it('bucketOf validates its total', () => {
    expect(bucketOf('s', 'u', 1)).toBe(0);
    expect(() => bucketOf('s', 'u', 0)).toThrow(RangeError);
    expect(() => bucketOf('s', 'u', 1.5)).toThrow(/integer total/);
    expect(bucketOf('s', 7, 100)).toBe(bucketOf('s', '7', 100));
  });

  it('isSplitServe / isVariantServe', () => {
    expect(isSplitServe({ split: [] })).toBe(true);
    expect(isSplitServe({ variant: 'a' })).toBe(false);
    expect(isVariantServe({ variant: 'a' })).toBe(true);
    expect(isVariantServe({ split: [] })).toBe(false);
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});
