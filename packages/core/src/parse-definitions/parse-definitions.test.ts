import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDefinitions } from '@halyard/core';
import type { DefinitionProblem, FlagsDocument } from '@halyard/core';

const boolFlag = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  variants: { on: true, off: false },
  enabled: true,
  offVariant: 'off',
  defaultServe: { variant: 'on' },
  ...extra,
});

const docWith = (flags: Record<string, unknown>, extra: Record<string, unknown> = {}): unknown => ({ schemaVersion: 1, flags, ...extra });

function problems(input: unknown): DefinitionProblem[] {
  const result = parseDefinitions(input);
  if (result.ok) throw new Error('expected problems, got ok');
  return result.problems;
}

/** Asserts that one problem has exactly this path and a message matching `message`. */
function expectProblem(input: unknown, path: string, message: RegExp): void {
  const found = problems(input);
  const atPath = found.filter((p) => p.path === path);
  expect(atPath, `problems: ${JSON.stringify(found, null, 2)}`).not.toHaveLength(0);
  expect(atPath.some((p) => message.test(p.message)), `messages at ${path}: ${atPath.map((p) => p.message).join(' | ')}`).toBe(true);
}

function ok(input: unknown) {
  const result = parseDefinitions(input);
  if (!result.ok) throw new Error(`expected ok: ${JSON.stringify(result.problems, null, 2)}`);
  return result.definitions;
}

describe('parseDefinitions — valid documents', () => {
  it('accepts a complete document and normalises it', () => {
    const input: FlagsDocument = {
      schemaVersion: 1,
      version: 7,
      segments: { beta: { included: ['u1'], conditions: [{ attribute: 'plan', operator: 'equals', values: ['pro'] }] } },
      flags: {
        'new-checkout': {
          description: 'New checkout',
          owner: 'payments',
          tags: ['checkout'],
          kind: 'release',
          expiresAt: '2030-01-01',
          variants: { on: true, off: false },
          enabled: true,
          offVariant: 'off',
          targets: [{ variant: 'on', values: ['qa-1'] }],
          rules: [
            { conditions: [{ attribute: '', operator: 'inSegment', values: ['beta'] }], serve: { variant: 'on' } },
            { id: 'ca', conditions: [{ attribute: 'country', operator: 'in', values: ['CA'] }], serve: { split: [{ variant: 'on', weight: 1 }, { variant: 'off', weight: 3 }] } },
          ],
          defaultServe: { split: [{ variant: 'on', percentage: 12.5 }, { variant: 'off', percentage: 87.5 }], bucketBy: 'account.id', salt: 's', seed: 86028157 },
        },
        theme: { variants: { light: 'light', dark: 'dark' }, enabled: true, offVariant: 'light', defaultServe: { variant: 'dark' }, prerequisites: [{ flag: 'new-checkout', variants: ['on'] }] },
      },
    };
    const defs = ok(input);
    expect(defs.version).toBe('7');
    expect(defs.schemaVersion).toBe(1);
    const flag = defs.flags['new-checkout'];
    expect(flag?.type).toBe('boolean');
    expect(flag?.rules?.map((r) => r.id)).toEqual(['rule-0', 'ca']);
    expect(defs.flags.theme?.type).toBe('string');
    expect(defs.flags.theme?.prerequisites).toEqual([{ flag: 'new-checkout', variants: ['on'] }]);
    expect(defs.segments.beta?.included).toEqual(['u1']);
  });

  it('deep-freezes the result and never shares objects with the input', () => {
    const input = docWith({ a: boolFlag({ variants: { on: { x: [1] }, off: { x: [] } } }) }) as { flags: { a: { variants: { on: { x: number[] } } } } };
    const defs = ok(input);
    expect(Object.isFrozen(defs)).toBe(true);
    expect(Object.isFrozen(defs.flags)).toBe(true);
    const a = defs.flags.a;
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a?.variants)).toBe(true);
    expect(Object.isFrozen((a?.variants.on as { x: number[] }).x)).toBe(true);
    input.flags.a.variants.on.x.push(2);
    expect(a?.variants.on).toEqual({ x: [1] });
  });

  it('uses null-prototype records, so "constructor" and "toString" are ordinary keys', () => {
    const defs = ok(docWith({ constructor: boolFlag(), toString: boolFlag() }));
    expect(Object.getPrototypeOf(defs.flags)).toBeNull();
    expect(Object.keys(defs.flags)).toEqual(['constructor', 'toString']);
    expect(defs.flags.hasOwnProperty).toBeUndefined();
  });

  it('derives a stable content-hash version when the document has none', () => {
    const a = ok(docWith({ x: boolFlag(), y: boolFlag({ enabled: false }) }));
    const b = ok({ flags: { y: { enabled: false, offVariant: 'off', variants: { off: false, on: true }, defaultServe: { variant: 'on' } }, x: boolFlag() }, schemaVersion: 1 });
    const c = ok(docWith({ x: boolFlag(), y: boolFlag() }));
    expect(a.version).toMatch(/^[0-9a-f]{16}$/);
    // Key order does not matter: the hash is over canonical JSON.
    expect(b.version).toBe(a.version);
    expect(c.version).not.toBe(a.version);
  });

  it('accepts the JSON text of a document', () => {
    expect(ok(JSON.stringify(docWith({ a: boolFlag() }))).flags.a?.enabled).toBe(true);
    expectProblem('{"schemaVersion": 1,', '$', /not valid JSON/);
  });

  it('accepts $schema, empty flags and optional arrays', () => {
    const defs = ok({ $schema: 'https://example.invalid/schema.json', schemaVersion: 1, flags: {} });
    expect(Object.keys(defs.flags)).toHaveLength(0);
    ok(docWith({ a: boolFlag({ targets: [], rules: [], prerequisites: [], tags: [] }) }));
  });

  it('accepts json variants (objects and arrays) and explicit types', () => {
    const defs = ok(
      docWith({
        cfg: boolFlag({ type: 'json', variants: { small: { size: 1, tags: ['a'] }, big: [1, 2] }, offVariant: 'small', defaultServe: { variant: 'big' } }),
        n: boolFlag({ type: 'number', variants: { one: 1, two: 2.5 }, offVariant: 'one', defaultServe: { variant: 'two' } }),
      }),
    );
    expect(defs.flags.cfg?.variants.big).toEqual([1, 2]);
    expect(defs.flags.n?.type).toBe('number');
  });

  it('keeps a JSON "__proto__" key as plain data', () => {
    const input = JSON.parse('{"schemaVersion":1,"flags":{"a":{"variants":{"x":{"__proto__":{"polluted":true}},"y":{}},"enabled":true,"offVariant":"y","defaultServe":{"variant":"x"}}}}') as unknown;
    const defs = ok(input);
    const x = defs.flags.a?.variants.x as Record<string, unknown>;
    expect(Object.hasOwn(x, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(x)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('parseDefinitions — document shape', () => {
  it.each([null, undefined, 42, 'x', [], true])('rejects a non-object document (%s)', (input) => {
    const found = problems(input);
    expect(found[0]?.path).toBe('$');
  });

  it('requires schemaVersion 1', () => {
    expectProblem({ flags: {} }, '$.schemaVersion', /must be 1/);
    expectProblem({ schemaVersion: 2, flags: {} }, '$.schemaVersion', /must be 1, got number 2/);
  });

  it('requires flags to be an object', () => {
    expectProblem({ schemaVersion: 1 }, '$.flags', /required/);
    expectProblem({ schemaVersion: 1, flags: [] }, '$.flags', /must be an object/);
  });

  it('rejects unknown top-level fields with a suggestion', () => {
    expectProblem({ schemaVersion: 1, flags: {}, segment: {} }, '$.segment', /unknown field "segment".*did you mean "segments"/);
  });

  it('validates version', () => {
    expectProblem(docWith({}, { version: '' }), '$.version', /non-empty string/);
    expectProblem(docWith({}, { version: Number.NaN }), '$.version', /finite number/);
    expectProblem(docWith({}, { version: {} }), '$.version', /non-empty string/);
  });

  it('reports every problem, not just the first', () => {
    const found = problems({
      schemaVersion: 3,
      flags: { 'bad key': boolFlag(), ok: boolFlag({ enable: true, offVariant: 'nope' }) },
      extra: 1,
    });
    const paths = found.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['$.schemaVersion', '$.extra', '$.flags["bad key"]', '$.flags["ok"].enable', '$.flags["ok"].offVariant']));
  });
});

describe('parseDefinitions — flags', () => {
  it('validates flag keys', () => {
    expectProblem(docWith({ '': boolFlag() }), '$.flags[""]', /flag key "" is invalid: use 1–200 characters/);
    expectProblem(docWith({ 'has space': boolFlag() }), '$.flags["has space"]', /invalid/);
    expectProblem(docWith({ _x: boolFlag() }), '$.flags["_x"]', /starting with a letter or digit/);
    expectProblem(docWith({ ['a'.repeat(201)]: boolFlag() }), `$.flags["${'a'.repeat(201)}"]`, /invalid/);
    ok(docWith({ 'a.b_c:d-9': boolFlag() }));
  });

  it('rejects a flag that is not an object', () => {
    expectProblem(docWith({ a: [] }), '$.flags["a"]', /must be an object/);
  });

  it('rejects unknown flag fields (typos) with a suggestion', () => {
    expectProblem(docWith({ a: boolFlag({ enable: true }) }), '$.flags["a"].enable', /unknown field "enable".*did you mean "enabled"/);
    expectProblem(docWith({ a: boolFlag({ 'default-serve': 1 }) }), '$.flags["a"]["default-serve"]', /unknown field/);
  });

  it('requires enabled, variants and defaultServe', () => {
    const found = problems(docWith({ a: {} }));
    expect(found.map((p) => p.path)).toEqual(expect.arrayContaining(['$.flags["a"].variants', '$.flags["a"].enabled', '$.flags["a"].defaultServe']));
    expect(found.map((p) => p.path)).not.toContain('$.flags["a"].offVariant');
    expectProblem(docWith({ a: boolFlag({ enabled: 'yes' }) }), '$.flags["a"].enabled', /true or false/);
  });

  it('makes offVariant optional, but checks it when given', () => {
    const { offVariant: _omitted, ...withoutOff } = boolFlag();
    const definitions = ok(docWith({ a: withoutOff }));
    expect(definitions.flags.a).not.toHaveProperty('offVariant');
    expectProblem(docWith({ a: boolFlag({ offVariant: 'gone' }) }), '$.flags["a"].offVariant', /unknown variant "gone"; known variants: on, off/);
    expectProblem(docWith({ a: boolFlag({ offVariant: null }) }), '$.flags["a"].offVariant', /must be a variant name/);
  });

  it('validates variants', () => {
    expectProblem(docWith({ a: boolFlag({ variants: {} }) }), '$.flags["a"].variants', /non-empty object/);
    expectProblem(docWith({ a: boolFlag({ variants: { on: true, off: 'no' } }) }), '$.flags["a"].variants["off"]', /wrong value type: variant "off" is a string but variant "on" is a boolean/);
    expectProblem(docWith({ a: boolFlag({ type: 'string' }) }), '$.flags["a"].variants["on"]', /wrong value type: variant "on" is a boolean but the flag's "type" is "string"/);
    expectProblem(docWith({ a: boolFlag({ variants: { on: true, off: null } }) }), '$.flags["a"].variants["off"]', /wrong value type/);
    expectProblem(docWith({ a: boolFlag({ variants: { on: 1, off: Number.POSITIVE_INFINITY }, offVariant: 'on' }) }), '$.flags["a"].variants["off"]', /wrong value type/);
    expectProblem(docWith({ a: boolFlag({ variants: { on: true, 'o f': false } }) }), '$.flags["a"].variants["o f"]', /variant name "o f" is invalid/);
    expectProblem(docWith({ a: boolFlag({ type: 'list' }) }), '$.flags["a"].type', /unknown type.*boolean, string, number, json/);
  });

  it('validates JSON variant values deeply', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expectProblem(docWith({ a: boolFlag({ variants: { on: cyclic, off: {} } }) }), '$.flags["a"].variants["on"]["self"]', /cycle/);
    expectProblem(docWith({ a: boolFlag({ variants: { on: { d: new Date(0) }, off: {} } }) }), '$.flags["a"].variants["on"]["d"]', /plain objects/);
    expectProblem(docWith({ a: boolFlag({ variants: { on: { n: Number.NaN }, off: {} } }) }), '$.flags["a"].variants["on"]["n"]', /finite number/);
    expectProblem(docWith({ a: boolFlag({ variants: { on: { f: () => 1 }, off: {} } }) }), '$.flags["a"].variants["on"]["f"]', /not a JSON value/);
    let deep: unknown = 1;
    for (let i = 0; i < 80; i++) deep = [deep];
    expect(problems(docWith({ a: boolFlag({ variants: { on: deep, off: [] } }) })).some((p) => /deeper than 64/.test(p.message))).toBe(true);
  });

  it('validates offVariant and variant references with the known variants', () => {
    expectProblem(docWith({ a: boolFlag({ offVariant: 'x' }) }), '$.flags["a"].offVariant', /unknown variant "x"; known variants: on, off/);
    expectProblem(docWith({ a: boolFlag({ defaultServe: { variant: 'x' } }) }), '$.flags["a"].defaultServe.variant', /unknown variant "x"; known variants: on, off/);
  });

  it('validates metadata fields', () => {
    expectProblem(docWith({ a: boolFlag({ kind: 'feature' }) }), '$.flags["a"].kind', /unknown kind.*release, experiment, operational, permission/);
    expectProblem(docWith({ a: boolFlag({ expiresAt: 'next week' }) }), '$.flags["a"].expiresAt', /ISO-8601/);
    expectProblem(docWith({ a: boolFlag({ expiresAt: '2025-02-30' }) }), '$.flags["a"].expiresAt', /ISO-8601/);
    expectProblem(docWith({ a: boolFlag({ tags: 'x' }) }), '$.flags["a"].tags', /array of strings/);
    expectProblem(docWith({ a: boolFlag({ tags: ['x', 1] }) }), '$.flags["a"].tags[1]', /must be strings/);
    expectProblem(docWith({ a: boolFlag({ description: 1 }) }), '$.flags["a"].description', /must be a string/);
    expectProblem(docWith({ a: boolFlag({ owner: false }) }), '$.flags["a"].owner', /must be a string/);
  });
});

describe('parseDefinitions — serves and splits', () => {
  const split = (slices: unknown, extra: Record<string, unknown> = {}) => docWith({ a: boolFlag({ defaultServe: { split: slices, ...extra } }) });
  const base = '$.flags["a"].defaultServe';

  it('requires exactly one of variant / split', () => {
    expectProblem(docWith({ a: boolFlag({ defaultServe: {} }) }), base, /either "variant".*or "split"/);
    expectProblem(docWith({ a: boolFlag({ defaultServe: { variant: 'on', split: [] } }) }), base, /both "variant" and "split"/);
    expectProblem(docWith({ a: boolFlag({ defaultServe: { variant: 'on', seed: 1 } }) }), `${base}.seed`, /only apply to "split"/);
  });

  it('accepts weights and percentages', () => {
    ok(split([{ variant: 'on', weight: 1 }, { variant: 'off', weight: 0 }]));
    ok(split([{ variant: 'on', percentage: 33.333 }, { variant: 'off', percentage: 66.667 }]));
    ok(split([{ variant: 'on', percentage: 100 }, { variant: 'off', percentage: 0 }]));
  });

  it('rejects empty or malformed splits', () => {
    expectProblem(split([]), `${base}.split`, /non-empty array/);
    expectProblem(split({}), `${base}.split`, /non-empty array/);
    expectProblem(split([1]), `${base}.split[0]`, /must be an object/);
    expectProblem(split([{ variant: 'on' }]), `${base}.split[0]`, /needs a "weight".*or a "percentage"/);
    expectProblem(split([{ variant: 'on', weight: 1, percentage: 1 }]), `${base}.split[0]`, /not both/);
    expectProblem(split([{ variant: 'on', weight: 1, share: 1 }]), `${base}.split[0].share`, /unknown field/);
  });

  it('rejects mixing weights and percentages', () => {
    expectProblem(split([{ variant: 'on', weight: 1 }, { variant: 'off', percentage: 50 }]), `${base}.split`, /do not mix "weight" and "percentage"/);
  });

  it('validates weights', () => {
    expectProblem(split([{ variant: 'on', weight: -1 }, { variant: 'off', weight: 1 }]), `${base}.split[0].weight`, /non-negative integer/);
    expectProblem(split([{ variant: 'on', weight: 1.5 }]), `${base}.split[0].weight`, /non-negative integer/);
    expectProblem(split([{ variant: 'on', weight: 0 }, { variant: 'off', weight: 0 }]), `${base}.split`, /add up to 0/);
    expectProblem(split([{ variant: 'on', weight: 4294967295 }, { variant: 'off', weight: 1 }]), `${base}.split`, /more than 4294967295/);
  });

  it('validates percentages: range, 3 decimals, exact total of 100', () => {
    expectProblem(split([{ variant: 'on', percentage: 101 }]), `${base}.split[0].percentage`, /0 to 100/);
    expectProblem(split([{ variant: 'on', percentage: 50.0001 }, { variant: 'off', percentage: 49.9999 }]), `${base}.split[0].percentage`, /more than 3 decimals/);
    expectProblem(split([{ variant: 'on', percentage: 50 }, { variant: 'off', percentage: 49.999 }]), `${base}.split`, /add up to 99.999, they must add up to exactly 100/);
    // 0.1 + 0.2 style float error does not matter: totals are compared in integer units of 0.001 %.
    ok(split([{ variant: 'on', percentage: 0.1 }, { variant: 'off', percentage: 99.9 }]));
  });

  it('rejects unknown and duplicate slice variants', () => {
    expectProblem(split([{ variant: 'x', weight: 1 }]), `${base}.split[0].variant`, /unknown variant "x"; known variants: on, off/);
    expectProblem(split([{ variant: 'on', weight: 1 }, { variant: 'on', weight: 1 }]), `${base}.split[1].variant`, /appears more than once/);
  });

  it('validates bucketBy, salt and seed', () => {
    const slices = [{ variant: 'on', weight: 1 }];
    expectProblem(split(slices, { seed: -1 }), `${base}.seed`, /unsigned 32-bit integer/);
    expectProblem(split(slices, { seed: 2 ** 32 }), `${base}.seed`, /unsigned 32-bit integer/);
    expectProblem(split(slices, { seed: 1.5 }), `${base}.seed`, /unsigned 32-bit integer/);
    expectProblem(split(slices, { salt: 5 }), `${base}.salt`, /must be a string/);
    expectProblem(split(slices, { bucketBy: 'a..b' }), `${base}.bucketBy`, /not a valid attribute path/);
    expectProblem(split(slices, { bucketBy: '' }), `${base}.bucketBy`, /not a valid attribute path/);
    ok(split(slices, { seed: 4294967295, salt: '', bucketBy: 'account.id' }));
  });
});

describe('parseDefinitions — rules and conditions', () => {
  const rule = (conditions: unknown, extra: Record<string, unknown> = {}) =>
    docWith({ a: boolFlag({ rules: [{ conditions, serve: { variant: 'on' }, ...extra }] }) });
  const cond = (c: Record<string, unknown>) => rule([{ attribute: 'x', ...c }]);
  const p = '$.flags["a"].rules[0].conditions[0]';

  it('validates the rule shape', () => {
    expectProblem(docWith({ a: boolFlag({ rules: {} }) }), '$.flags["a"].rules', /must be an array/);
    expectProblem(docWith({ a: boolFlag({ rules: [1] }) }), '$.flags["a"].rules[0]', /must be an object/);
    expectProblem(docWith({ a: boolFlag({ rules: [{ serve: { variant: 'on' } }] }) }), '$.flags["a"].rules[0].conditions', /required/);
    expectProblem(docWith({ a: boolFlag({ rules: [{ conditions: [] }] }) }), '$.flags["a"].rules[0].serve', /serve must be an object/);
    expectProblem(rule([], { when: 1 }), '$.flags["a"].rules[0].when', /unknown field/);
    expectProblem(rule({}), '$.flags["a"].rules[0].conditions', /must be an array/);
  });

  it('validates rule ids: unique, not "target"', () => {
    expectProblem(rule([], { id: 'target' }), '$.flags["a"].rules[0].id', /reserved/);
    expectProblem(rule([], { id: '' }), '$.flags["a"].rules[0].id', /non-empty string/);
    expectProblem(
      docWith({ a: boolFlag({ rules: [{ id: 'rule-1', conditions: [], serve: { variant: 'on' } }, { conditions: [], serve: { variant: 'on' } }] }) }),
      '$.flags["a"].rules[1].id',
      /already used by rules\[0\]/,
    );
  });

  it('validates operators with a suggestion', () => {
    expectProblem(cond({ operator: 'equal', values: ['a'] }), `${p}.operator`, /unknown operator.*did you mean "equals"/);
    expectProblem(cond({ operator: 5 }), `${p}.operator`, /unknown operator/);
  });

  it('validates attributes', () => {
    expectProblem(rule([{ operator: 'exists' }]), `${p}.attribute`, /dot path string/);
    expectProblem(rule([{ attribute: 'a.', operator: 'exists' }]), `${p}.attribute`, /not a valid attribute path/);
    expectProblem(rule([{ attribute: 'x'.repeat(300), operator: 'exists' }]), `${p}.attribute`, /not a valid attribute path/);
    expectProblem(cond({ operator: 'exists', negated: true }), `${p}.negated`, /did you mean "negate"/);
    expectProblem(cond({ operator: 'exists', negate: 'yes' }), `${p}.negate`, /true or false/);
  });

  it('checks operand counts and types per operator', () => {
    expectProblem(cond({ operator: 'equals', values: ['a', 'b'] }), `${p}.values`, /exactly 1 value, got 2; use "in"/);
    expectProblem(cond({ operator: 'equals' }), `${p}.values`, /exactly 1 value, got 0/);
    expectProblem(cond({ operator: 'equals', values: [null] }), `${p}.values[0]`, /a string, a finite number or a boolean/);
    expectProblem(cond({ operator: 'in', values: [] }), `${p}.values`, /at least one value/);
    expectProblem(cond({ operator: 'notIn', values: [{}] }), `${p}.values[0]`, /strings, finite numbers or booleans/);
    expectProblem(cond({ operator: 'in', values: 'US' }), `${p}.values`, /must be an array/);
    expectProblem(cond({ operator: 'contains', values: [1] }), `${p}.values[0]`, /expects strings/);
    expectProblem(cond({ operator: 'startsWith', values: [] }), `${p}.values`, /at least one/);
    expectProblem(cond({ operator: 'lt', values: ['5'] }), `${p}.values[0]`, /finite number \(not a numeric string\)/);
    expectProblem(cond({ operator: 'gte', values: [1, 2] }), `${p}.values`, /exactly 1 value/);
    expectProblem(cond({ operator: 'semverGt', values: ['1.2.3.4'] }), `${p}.values[0]`, /a version such as/);
    expectProblem(cond({ operator: 'semverEq', values: ['01.2'] }), `${p}.values[0]`, /a version such as/);
    expectProblem(cond({ operator: 'semverEq', values: [2] }), `${p}.values[0]`, /a version such as/);
    ok(cond({ operator: 'semverGt', values: ['v1.2.3'] }));
    ok(cond({ operator: 'semverEq', values: ['1.2'] }));
    ok(cond({ operator: 'semverLt', values: ['2'] }));
    expectProblem(cond({ operator: 'before', values: ['yesterday'] }), `${p}.values[0]`, /ISO-8601/);
    expectProblem(cond({ operator: 'after', values: [] }), `${p}.values`, /exactly 1 value/);
    expectProblem(cond({ operator: 'exists', values: ['x'] }), `${p}.values`, /takes no values/);
    ok(cond({ operator: 'exists', values: [] }));
    ok(cond({ operator: 'before', values: [1735689600000] }));
    ok(cond({ operator: 'after', values: ['2025-01-31T12:00:00+02:00'] }));
    ok(cond({ operator: 'semverLte', values: ['2.0.0-beta.1+build.5'] }));
    expectProblem(cond({ operator: 'containsAll', values: [] }), `${p}.values`, /at least one value/);
    expectProblem(cond({ operator: 'containsAny', values: [['a']] }), `${p}.values[0]`, /strings, finite numbers or booleans/);
    expectProblem(cond({ operator: 'sizeGt', values: [-1] }), `${p}.values[0]`, /non-negative integer/);
    expectProblem(cond({ operator: 'sizeEq', values: [1.5] }), `${p}.values[0]`, /non-negative integer/);
    expectProblem(cond({ operator: 'sizeLt', values: [1, 2] }), `${p}.values`, /exactly 1 value/);
    expectProblem(cond({ operator: 'isEmpty', values: [0] }), `${p}.values`, /takes no values/);
    ok(cond({ operator: 'containsAll', values: ['beta', 2, true], caseInsensitive: true }));
    ok(cond({ operator: 'sizeGte', values: [0] }));
    ok(cond({ operator: 'isEmpty', negate: true }));
  });

  it('only allows caseInsensitive on string operators', () => {
    expectProblem(cond({ operator: 'lt', values: [1], caseInsensitive: true }), `${p}.caseInsensitive`, /only applies to string operators/);
    ok(cond({ operator: 'in', values: ['a'], caseInsensitive: true }));
    ok(cond({ operator: 'lt', values: [1], caseInsensitive: false }));
  });

  it('compiles regexes and refuses catastrophic ones', () => {
    expectProblem(cond({ operator: 'matches', values: ['(a'] }), `${p}.values[0]`, /not a valid regular expression/);
    expectProblem(cond({ operator: 'matches', values: ['^(a+)+$'] }), `${p}.values[0]`, /nested quantifier/);
    expectProblem(cond({ operator: 'matches', values: ['ok', '(a|a)*'] }), `${p}.values[1]`, /repeated alternation/);
    expectProblem(cond({ operator: 'matches', values: ['(.*)*x'] }), `${p}.values[0]`, /nested quantifier/);
    expectProblem(cond({ operator: 'matches', values: ['x'.repeat(501)] }), `${p}.values[0]`, /limit is 500/);
    expectProblem(cond({ operator: 'matches', values: [1] }), `${p}.values[0]`, /regular expression strings/);
    ok(cond({ operator: 'matches', values: ['^[a-z0-9._%+-]+@example\\.com$', '^(ab|cd)+$'] }));
  });

  it('accepts regexes valid only without the "u" flag, still guarded', () => {
    ok(cond({ operator: 'matches', values: ['\\@example\\.com$', 'a{', '^[\\w-.]+@x$'] }));
    ok(cond({ operator: 'matches', values: ['\\@EXAMPLE\\.com$'], caseInsensitive: true }));
    expectProblem(cond({ operator: 'matches', values: ['^(\\@+)+$'] }), `${p}.values[0]`, /nested quantifier/);
    expectProblem(cond({ operator: 'matches', values: ['[\\w-.]+\\w+!'] }), `${p}.values[0]`, /power 3/);
    expectProblem(cond({ operator: 'matches', values: ['a{'.concat('(')] }), `${p}.values[0]`, /not a valid regular expression/);
  });

  it('validates inSegment references', () => {
    const withSeg = (values: unknown) =>
      docWith({ a: boolFlag({ rules: [{ conditions: [{ operator: 'inSegment', values }], serve: { variant: 'on' } }] }) }, { segments: { beta: { included: ['u'] } } });
    ok(withSeg(['beta']));
    expectProblem(withSeg(['gamma']), `${p}.values[0]`, /unknown segment the string "gamma"; known segments: beta/);
    expectProblem(withSeg([]), `${p}.values`, /at least one/);
  });
});

describe('parseDefinitions — targets', () => {
  const t = '$.flags["a"].targets';
  it('validates targets', () => {
    expectProblem(docWith({ a: boolFlag({ targets: {} }) }), t, /must be an array/);
    expectProblem(docWith({ a: boolFlag({ targets: [{ variant: 'x', values: ['u'] }] }) }), `${t}[0].variant`, /unknown variant "x"/);
    expectProblem(docWith({ a: boolFlag({ targets: [{ variant: 'on', values: [1] }] }) }), `${t}[0].values[0]`, /must be strings/);
    expectProblem(docWith({ a: boolFlag({ targets: [{ variant: 'on' }] }) }), `${t}[0].values`, /array of strings/);
    expectProblem(docWith({ a: boolFlag({ targets: [{ variant: 'on', values: [], attribute: '.' }] }) }), `${t}[0].attribute`, /not a valid attribute path/);
    expectProblem(docWith({ a: boolFlag({ targets: [{ variant: 'on', values: [], attr: 'x' }] }) }), `${t}[0].attr`, /did you mean "attribute"/);
  });

  it('rejects a unit id targeted twice for the same attribute', () => {
    expectProblem(
      docWith({ a: boolFlag({ targets: [{ variant: 'on', values: ['u1'] }, { variant: 'off', values: ['u2', 'u1'] }] }) }),
      `${t}[1].values[1]`,
      /already targeted at \$\.flags\["a"\]\.targets\[0\]/,
    );
    ok(docWith({ a: boolFlag({ targets: [{ variant: 'on', values: ['u1'] }, { variant: 'off', values: ['u1'], attribute: 'email' }] }) }));
  });
});

describe('parseDefinitions — prerequisites', () => {
  const pre = (prerequisites: unknown) => docWith({ a: boolFlag({ prerequisites }), b: boolFlag() });
  const p = '$.flags["a"].prerequisites';

  it('validates prerequisite references', () => {
    expectProblem(pre({}), p, /must be an array/);
    expectProblem(pre([{ flag: 'zzz', variants: ['on'] }]), `${p}[0].flag`, /unknown prerequisite flag/);
    expectProblem(pre([{ flag: 'a', variants: ['on'] }]), `${p}[0].flag`, /its own prerequisite/);
    expectProblem(pre([{ flag: 'b', variants: ['maybe'] }]), `${p}[0].variants[0]`, /unknown variant "maybe" of flag "b"; known variants: on, off/);
    expectProblem(pre([{ flag: 'b', variants: [] }]), `${p}[0].variants`, /at least one/);
    expectProblem(pre([{ flag: 'b', variant: 'on' }]), `${p}[0].variant`, /did you mean "variants"/);
  });

  it('reports prerequisite cycles with their path', () => {
    const found = problems(
      docWith({
        a: boolFlag({ prerequisites: [{ flag: 'b', variants: ['on'] }] }),
        b: boolFlag({ prerequisites: [{ flag: 'c', variants: ['on'] }] }),
        c: boolFlag({ prerequisites: [{ flag: 'a', variants: ['on'] }] }),
        d: boolFlag({ prerequisites: [{ flag: 'a', variants: ['on'] }] }),
      }),
    );
    const cycles = found.filter((x) => x.message.startsWith('prerequisite cycle'));
    expect(cycles).toEqual([{ path: '$.flags["a"].prerequisites', message: 'prerequisite cycle: a → b → c → a; remove one of these prerequisites' }]);
  });

  it('reports two-flag cycles', () => {
    expectProblem(
      docWith({ x: boolFlag({ prerequisites: [{ flag: 'y', variants: ['on'] }] }), y: boolFlag({ prerequisites: [{ flag: 'x', variants: ['off'] }] }) }),
      '$.flags["x"].prerequisites',
      /x → y → x/,
    );
  });

  it('accepts diamonds (not cycles)', () => {
    ok(
      docWith({
        top: boolFlag({ prerequisites: [{ flag: 'l', variants: ['on'] }, { flag: 'r', variants: ['on'] }] }),
        l: boolFlag({ prerequisites: [{ flag: 'base', variants: ['on'] }] }),
        r: boolFlag({ prerequisites: [{ flag: 'base', variants: ['on'] }] }),
        base: boolFlag(),
      }),
    );
  });
});

describe('parseDefinitions — segments', () => {
  const s = '$.segments["beta"]';
  it('validates segments', () => {
    expectProblem(docWith({}, { segments: [] }), '$.segments', /must be an object/);
    expectProblem(docWith({}, { segments: { beta: 1 } }), s, /must be an object/);
    expectProblem(docWith({}, { segments: { 'b b': {} } }), '$.segments["b b"]', /segment key "b b" is invalid/);
    expectProblem(docWith({}, { segments: { beta: { include: ['x'] } } }), `${s}.include`, /did you mean "included"/);
    expectProblem(docWith({}, { segments: { beta: { included: 'x' } } }), `${s}.included`, /array of strings/);
    expectProblem(docWith({}, { segments: { beta: { conditions: [{ attribute: 'x', operator: 'lt', values: ['1'] }] } } }), `${s}.conditions[0].values[0]`, /finite number/);
    expectProblem(docWith({}, { segments: { beta: { conditions: [{ operator: 'inSegment', values: ['nope'] }] } } }), `${s}.conditions[0].values[0]`, /unknown segment/);
    expectProblem(docWith({}, { segments: { beta: { rollout: { weight: 5 } } } }), `${s}.rollout.total`, /"total" must be an integer/);
    expectProblem(docWith({}, { segments: { beta: { rollout: { weight: 5, total: 10, salty: 'x' } } } }), `${s}.rollout.salty`, /unknown field "salty" in a segment rollout; did you mean "salt"/);
    ok(docWith({}, { segments: { beta: {}, gamma: { attribute: 'account.id', excluded: ['x'], description: 'd' } } }));
    ok(docWith({}, { segments: { beta: { rollout: { weight: 10, total: 100, bucketBy: 'account.id', salt: 's', seed: 1 } } } }));
  });

  it('lets segments reference segments, and reports reference cycles with their path', () => {
    const ref = (...keys: string[]) => ({ conditions: [{ operator: 'inSegment', values: keys }] });
    ok(docWith({}, { segments: { a: ref('b', 'c'), b: ref('c'), c: { included: ['u'] } } }));
    expect(problems(docWith({}, { segments: { a: ref('a') } }))).toEqual([
      { path: '$.segments["a"].conditions', message: 'segment cycle: a → a; remove one of these "inSegment" references' },
    ]);
    expect(problems(docWith({}, { segments: { c: ref('a'), a: ref('b'), b: ref('c'), d: ref('a') } }))).toEqual([
      { path: '$.segments["a"].conditions', message: 'segment cycle: a → b → c → a; remove one of these "inSegment" references' },
    ]);
  });
});

describe('parseDefinitions — hostile input never throws', () => {
  it('survives throwing getters and proxies', () => {
    const evil = {
      schemaVersion: 1,
      get flags(): never {
        throw new Error('boom');
      },
    };
    expect(parseDefinitions(evil).ok).toBe(false);
    const proxy = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('nope');
        },
      },
    );
    const r = parseDefinitions(proxy);
    expect(r.ok).toBe(false);
    expect(r.problems?.[0]?.message).toMatch(/could not be read|must be an object/);
    const revocable = Proxy.revocable({}, {});
    revocable.revoke();
    expect(parseDefinitions(revocable.proxy).ok).toBe(false);
  });

  it('survives cyclic documents and __proto__ keys', () => {
    const cyclic: Record<string, unknown> = { schemaVersion: 1 };
    cyclic.flags = { a: cyclic };
    expect(parseDefinitions(cyclic).ok).toBe(false);
    const proto = JSON.parse('{"schemaVersion":1,"flags":{"__proto__":{"variants":{"on":true},"enabled":true,"offVariant":"on","defaultServe":{"variant":"on"}}}}') as unknown;
    expectProblem(proto, '$.flags["__proto__"]', /flag key "__proto__" is invalid/);
    expect(({} as Record<string, unknown>).variants).toBeUndefined();
  });

  it('never throws on arbitrary input (property)', () => {
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withObjectString: true, withMap: true, withSet: true, withDate: true, withBigInt: true }), (input) => {
        const r = parseDefinitions(input);
        expect(typeof r.ok).toBe('boolean');
        if (!r.ok) for (const p of r.problems) expect(p.path.startsWith('$')).toBe(true);
      }),
      { numRuns: 500, seed: 11 },
    );
  });

  it('never throws on near-valid documents with arbitrary values spliced in (property)', () => {
    const valid = docWith({
      a: boolFlag({ rules: [{ conditions: [{ attribute: 'x', operator: 'in', values: ['1'] }], serve: { split: [{ variant: 'on', weight: 1 }] } }], targets: [{ variant: 'on', values: ['u'] }] }),
    });
    const paths: (string | number)[][] = [
      ['flags', 'a', 'rules', 0, 'conditions', 0, 'values'],
      ['flags', 'a', 'rules', 0, 'conditions', 0, 'operator'],
      ['flags', 'a', 'rules', 0, 'serve'],
      ['flags', 'a', 'rules', 0, 'serve', 'split', 0],
      ['flags', 'a', 'targets', 0],
      ['flags', 'a', 'variants'],
      ['flags', 'a', 'defaultServe'],
      ['flags', 'a'],
      ['flags'],
      ['segments'],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.anything(), (path, value) => {
        const copy = structuredClone(valid) as Record<string | number, unknown>;
        let cur = copy;
        for (const key of path.slice(0, -1)) cur = cur[key] as Record<string | number, unknown>;
        cur[path[path.length - 1] as string] = value;
        const r = parseDefinitions(copy);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 500, seed: 12 },
    );
  });
});
