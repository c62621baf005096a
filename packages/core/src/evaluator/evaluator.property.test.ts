import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketOf, createEvaluator, parseDefinitions } from '@halyard/core';
import type { Definitions, EvaluationContext, EvaluationDetails, EvaluationReason, Evaluator, JsonValue, SnapshotFlag } from '@halyard/core';
import { hex32 } from '../internal/hex';
import { murmur3, murmur3Finish } from '../internal/murmur3';
import { canonicalJson } from '../internal/schema';
import { HASH_SEED_A, HASH_SEED_B } from './outcomes';

// Deterministic: every property runs with a fixed seed, so a failure reproduces and nothing can flake.
const SEED = 20240601;
const REASONS: EvaluationReason[] = ['STATIC', 'TARGETING_MATCH', 'SPLIT', 'DEFAULT', 'DISABLED', 'PREREQUISITE_FAILED', 'ERROR'];
const ATTRIBUTES = ['userId', 'groups', 'country', 'plan', 'age', 'version', 'email', 'createdAt', 'account.id', 'account.plan', '__proto__', 'constructor', 'toString', 'a.b.c'];
const VARIANT_NAMES = ['a', 'b', 'c', 'd'];

type AnyRecord = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------------------------
// Generators of documents that pass parseDefinitions

const primitive = fc.oneof(fc.string({ maxLength: 6 }), fc.integer({ min: -5, max: 100 }), fc.boolean());
// Versions as people write them: 1–3 parts, an optional "v".
const semverArb = fc
  .tuple(fc.boolean(), fc.nat(3), fc.option(fc.nat(3), { nil: undefined }), fc.option(fc.nat(3), { nil: undefined }), fc.option(fc.constantFrom('alpha', 'beta.1', 'rc.2', '1'), { nil: undefined }))
  .map(([v, a, b, c, pre]) => `${v ? 'v' : ''}${a}${b === undefined ? '' : `.${b}`}${b === undefined || c === undefined ? '' : `.${c}`}${pre === undefined ? '' : `-${pre}`}`);
const dateArb = fc.oneof(
  fc.integer({ min: 0, max: 2_000_000_000_000 }),
  fc.constantFrom('2020-01-01', '2025-06-30T12:00:00Z', '2030-12-31T23:59:59+02:00'),
);

const dropUndefined = (c: AnyRecord): AnyRecord => JSON.parse(JSON.stringify(c)) as AnyRecord;

/** Conditions of the operators that compare one scalar (and so match an array when any element does). */
const scalarConditionOptions = (attribute: fc.Arbitrary<string>): fc.Arbitrary<AnyRecord>[] => {
  const negate = fc.option(fc.boolean(), { nil: undefined });
  const ci = fc.option(fc.boolean(), { nil: undefined });
  return [
    fc.record({ attribute, operator: fc.constant('equals'), values: fc.tuple(primitive).map((v) => [...v]), negate, caseInsensitive: ci }),
    fc.record({ attribute, operator: fc.constantFrom('in', 'notIn'), values: fc.array(primitive, { minLength: 1, maxLength: 12 }), negate, caseInsensitive: ci }),
    fc.record({ attribute, operator: fc.constantFrom('contains', 'startsWith', 'endsWith'), values: fc.array(fc.string({ maxLength: 3 }), { minLength: 1, maxLength: 3 }), negate, caseInsensitive: ci }),
    fc.record({ attribute, operator: fc.constant('matches'), values: fc.array(fc.constantFrom('^a', 'b$', '[0-9]+', '^(ab|cd)+$', '\\d{2,}', '.', '\\@', '^[\\w-.]+$', 'a{'), { minLength: 1, maxLength: 2 }), negate, caseInsensitive: ci }),
    fc.record({ attribute, operator: fc.constantFrom('lt', 'lte', 'gt', 'gte'), values: fc.tuple(fc.integer({ min: -10, max: 100 })).map((v) => [...v]), negate }),
    fc.record({ attribute, operator: fc.constantFrom('semverEq', 'semverLt', 'semverLte', 'semverGt', 'semverGte'), values: fc.tuple(semverArb).map((v) => [...v]), negate }),
    fc.record({ attribute, operator: fc.constantFrom('before', 'after'), values: fc.tuple(dateArb).map((v) => [...v]), negate }),
    fc.record({ attribute, operator: fc.constant('inCidr'), values: fc.array(fc.constantFrom('10.0.0.0/8', '192.168.1.1', '2001:db8::/32'), { minLength: 1, maxLength: 2 }), negate }),
  ];
};

const scalarConditionArb = fc.oneof(...scalarConditionOptions(fc.constant('x'))).map(dropUndefined);

const conditionArb = (segments: string[]) => {
  const attribute = fc.constantFrom(...ATTRIBUTES);
  const negate = fc.option(fc.boolean(), { nil: undefined });
  const ci = fc.option(fc.boolean(), { nil: undefined });
  const options: fc.Arbitrary<AnyRecord>[] = [
    ...scalarConditionOptions(attribute),
    fc.record({ attribute, operator: fc.constant('exists'), negate }),
    fc.record({ attribute, operator: fc.constantFrom('containsAll', 'containsAny'), values: fc.array(primitive, { minLength: 1, maxLength: 3 }), negate, caseInsensitive: ci }),
    fc.record({ attribute, operator: fc.constantFrom('sizeEq', 'sizeLt', 'sizeLte', 'sizeGt', 'sizeGte'), values: fc.tuple(fc.nat(4)).map((v) => [...v]), negate }),
    fc.record({ attribute, operator: fc.constant('isEmpty'), negate }),
  ];
  if (segments.length > 0) {
    options.push(fc.record({ attribute: fc.constant(''), operator: fc.constant('inSegment'), values: fc.subarray(segments, { minLength: 1 }), negate }));
  }
  return fc.oneof(...options).map(dropUndefined);
};

const rolloutArb = fc
  .tuple(fc.integer({ min: 1, max: 100 }), fc.nat(100), fc.option(fc.constantFrom('userId', 'account.id'), { nil: undefined }), fc.option(fc.nat(5), { nil: undefined }))
  .map(([total, w, bucketBy, seed]) => dropUndefined({ total, weight: Math.min(w, total), bucketBy, seed }));

const splitArb = (variants: string[]) =>
  fc
    .tuple(
      fc.shuffledSubarray(variants, { minLength: 1 }),
      fc.boolean(),
      fc.option(fc.constantFrom('userId', 'account.id', 'email'), { nil: undefined }),
      fc.option(fc.string({ maxLength: 5 }), { nil: undefined }),
      fc.option(fc.nat({ max: 0xffffffff }), { nil: undefined }),
      fc.array(fc.nat(1000), { minLength: variants.length, maxLength: variants.length }),
    )
    .map(([vs, usePercent, bucketBy, salt, seed, raw]) => {
      let split: AnyRecord[];
      if (usePercent) {
        // Integer thousandths that add up to exactly 100,000.
        const weights = vs.map((_, i) => raw[i] as number);
        const sum = weights.reduce((a, b) => a + b, 0) || 1;
        const units = weights.map((w) => Math.floor((w / sum) * 100_000));
        units[0] = (units[0] as number) + 100_000 - units.reduce((a, b) => a + b, 0);
        split = vs.map((variant, i) => ({ variant, percentage: (units[i] as number) / 1000 }));
      } else {
        const weights = vs.map((_, i) => raw[i] as number);
        if (!weights.some((w) => w !== 0)) weights[0] = 1;
        split = vs.map((variant, i) => ({ variant, weight: weights[i] }));
      }
      return JSON.parse(JSON.stringify({ split, bucketBy, salt, seed })) as AnyRecord;
    });

const valueArb = (type: 'boolean' | 'string' | 'number' | 'json', i: number): fc.Arbitrary<JsonValue> => {
  switch (type) {
    case 'boolean':
      return fc.constant(i % 2 === 0);
    case 'string':
      return fc.string({ maxLength: 5 });
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    default:
      return fc.dictionary(fc.string({ maxLength: 3 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }) as fc.Arbitrary<JsonValue>;
  }
};

const flagArb = (earlierFlags: Array<{ key: string; variants: string[] }>, segments: string[]) =>
  fc
    .tuple(fc.constantFrom('boolean', 'string', 'number', 'json') as fc.Arbitrary<'boolean' | 'string' | 'number' | 'json'>, fc.integer({ min: 1, max: VARIANT_NAMES.length }))
    .chain(([type, count]) => {
      const variants = VARIANT_NAMES.slice(0, count);
      const serve = fc.oneof(fc.constantFrom(...variants).map((variant) => ({ variant }) as AnyRecord), splitArb(variants));
      const prerequisite =
        earlierFlags.length === 0
          ? fc.constant([] as AnyRecord[])
          : fc.array(
              fc.constantFrom(...earlierFlags).chain((f) => fc.subarray(f.variants, { minLength: 1 }).map((vs) => ({ flag: f.key, variants: vs }))),
              { maxLength: 2 },
            );
      return fc.record({
        variants: fc.tuple(...variants.map((_, i) => valueArb(type, i))).map((values) => Object.fromEntries(variants.map((v, i) => [v, values[i]]))),
        enabled: fc.boolean(),
        offVariant: fc.option(fc.constantFrom(...variants), { nil: undefined }),
        targets: fc.array(
          fc.record({ variant: fc.constantFrom(...variants), values: fc.uniqueArray(fc.constantFrom('u1', 'u2', 'u3', '42'), { maxLength: 2 }) }),
          { maxLength: 1 },
        ),
        rules: fc.array(fc.record({ conditions: fc.array(conditionArb(segments), { maxLength: 3 }), serve }), { maxLength: 3 }),
        defaultServe: serve,
        prerequisites: prerequisite,
      });
    });

const documentArb: fc.Arbitrary<AnyRecord> = fc
  .tuple(
    fc.uniqueArray(fc.constantFrom('beta', 'staff', 'constructor'), { maxLength: 2 }),
    fc.integer({ min: 1, max: 5 }),
  )
  .chain(([segmentKeys, flagCount]) => {
    // A segment may reference the segments listed before it, so generated reference graphs are acyclic.
    const segments = fc.tuple(
      ...segmentKeys.map((_, i) =>
        fc.record(
          {
            included: fc.array(fc.constantFrom('u1', 'u2'), { maxLength: 2 }),
            excluded: fc.array(fc.constantFrom('u2', 'u3'), { maxLength: 1 }),
            conditions: fc.array(conditionArb(segmentKeys.slice(0, i)), { maxLength: 2 }),
            rollout: rolloutArb,
          },
          { requiredKeys: ['included', 'excluded', 'conditions'] },
        ),
      ),
    );
    // Flags may only depend on earlier flags, so generated prerequisite graphs are acyclic.
    let flags: fc.Arbitrary<Array<{ key: string; def: AnyRecord }>> = fc.constant([]);
    for (let i = 0; i < flagCount; i++) {
      flags = flags.chain((prev) =>
        flagArb(
          prev.map((p) => ({ key: p.key, variants: Object.keys(p.def.variants as AnyRecord) })),
          segmentKeys,
        ).map((def) => [...prev, { key: `flag-${i}`, def: def as AnyRecord }]),
      );
    }
    return fc.tuple(segments, flags).map(([segs, fl]) =>
      dropUndefined({
        schemaVersion: 1,
        segments: Object.fromEntries(segmentKeys.map((k, i) => [k, segs[i]])),
        flags: Object.fromEntries(fl.map((f) => [f.key, f.def])),
      }),
    );
  });

function parsed(doc: unknown): Definitions {
  const result = parseDefinitions(doc);
  if (!result.ok) throw new Error(`generator produced an invalid document: ${JSON.stringify(result.problems.slice(0, 3))}`);
  return result.definitions;
}

// ---------------------------------------------------------------------------------------------------------------
// Generators of contexts, friendly and hostile

const attributeValue = fc.oneof(
  fc.constantFrom('u1', 'u2', '42', 'US', 'pro', 'a@example.com', '1.2.3', '2.0.0-beta.1', '2025-01-01', ''),
  fc.string({ maxLength: 8 }),
  fc.integer({ min: -10, max: 100 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.anything({ maxDepth: 2 }),
);

/** Scalars only: what the any-element rule compares one by one. */
const scalarValue = fc.oneof(
  fc.constantFrom('u1', '42', 'US', 'pro', 'a@example.com', '1.2.3', 'v2', '2.0', '2025-01-01', '10.1.2.3', 'ab', '', 'true'),
  fc.string({ maxLength: 6 }),
  fc.integer({ min: -10, max: 100 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant({}),
);

const arrayValue = fc.array(scalarValue, { maxLength: 4 });

const friendlyContext = fc.record(
  {
    userId: attributeValue,
    groups: arrayValue,
    country: fc.oneof(attributeValue, arrayValue),
    plan: fc.oneof(attributeValue, arrayValue),
    age: attributeValue,
    version: attributeValue,
    email: attributeValue,
    createdAt: attributeValue,
    account: fc.record({ id: attributeValue, plan: attributeValue }, { requiredKeys: [] }),
    a: fc.record({ b: fc.record({ c: attributeValue }, { requiredKeys: [] }) }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

function hostile(kind: number, inner: unknown): unknown {
  switch (kind) {
    case 0:
      return Object.defineProperty({ plan: 'pro' }, 'userId', {
        enumerable: true,
        get() {
          throw new Error('getter');
        },
      });
    case 1:
      return new Proxy(
        { userId: 'u1' },
        {
          get() {
            throw new Error('get trap');
          },
          has() {
            throw new Error('has trap');
          },
          getOwnPropertyDescriptor() {
            throw new Error('gopd trap');
          },
          ownKeys() {
            throw new Error('ownKeys trap');
          },
        },
      );
    case 2: {
      const r = Proxy.revocable({}, {});
      r.revoke();
      return r.proxy;
    }
    case 3: {
      const cyclic: AnyRecord = { userId: 'u1', account: {} };
      (cyclic.account as AnyRecord).self = cyclic;
      cyclic.a = cyclic;
      return cyclic;
    }
    case 4:
      return Object.create({ userId: 'u1', plan: 'pro' }) as unknown;
    case 5:
      return JSON.parse('{"__proto__": {"userId": "u1"}, "constructor": {"name": "x"}}') as unknown;
    default:
      return inner;
  }
}

/**
 * Contexts are generated as specs and materialised inside the property: fast-check inspects generated values
 * (e.g. for clone methods), which a revoked proxy would not survive.
 */
interface ContextSpec {
  kind: number;
  value: unknown;
}

const anyContext: fc.Arbitrary<ContextSpec> = fc.oneof(
  friendlyContext.map((value) => ({ kind: -1, value })),
  fc
    .anything({ withNullPrototype: true, withMap: true, withSet: true, withDate: true, withBigInt: true, withTypedArray: true, withSparseArray: true })
    .map((value) => ({ kind: -1, value })),
  fc.tuple(fc.integer({ min: 0, max: 5 }), friendlyContext).map(([kind, value]) => ({ kind, value })),
);

const materialize = (spec: ContextSpec): EvaluationContext => hostile(spec.kind, spec.value) as EvaluationContext;

// ---------------------------------------------------------------------------------------------------------------

function checkDetails(details: EvaluationDetails<JsonValue>, variants: Record<string, JsonValue>, offVariant: string | undefined): void {
  expect(REASONS).toContain(details.reason);
  if (details.reason === 'ERROR') return;
  if (details.variant === undefined) {
    // Only a flag without offVariant serves the caller's default (here null), and only where it would serve it.
    expect(offVariant).toBeUndefined();
    expect(['DISABLED', 'PREREQUISITE_FAILED', 'DEFAULT']).toContain(details.reason);
    expect(details.value).toBeNull();
    expect(details.bucket).toBeUndefined();
    return;
  }
  expect(Object.hasOwn(variants, details.variant as string)).toBe(true);
  expect(details.value).toBe(variants[details.variant as string]);
  if (details.reason === 'SPLIT') expect(Number.isInteger(details.bucket)).toBe(true);
  else expect(details.bucket).toBeUndefined();
}

describe('evaluator properties', () => {
  it('generated documents are valid (the generator is sound)', () => {
    fc.assert(
      fc.property(documentArb, (doc) => {
        expect(parseDefinitions(doc).ok).toBe(true);
      }),
      { numRuns: 200, seed: SEED },
    );
  });

  it('never throws, and every path agrees, for arbitrary valid definitions × arbitrary contexts', () => {
    const seen = new Set<string>();
    let servedDefault = 0;
    fc.assert(
      fc.property(documentArb, fc.array(anyContext, { minLength: 1, maxLength: 4 }), (doc, contexts) => {
        const defs = parsed(doc);
        const ev = createEvaluator(defs);
        for (const spec of contexts) {
          const ctx = materialize(spec);
          const snapshot = ev.evaluateAll(ctx);
          for (const key of ev.keys()) {
            const flag = defs.flags[key];
            if (flag === undefined) throw new Error('missing flag');
            const details = ev.getDetails(key, null, ctx);
            seen.add(details.reason);
            if (details.variant === undefined && details.reason !== 'ERROR') servedDefault++;
            checkDetails(details, flag.variants, flag.offVariant);
            expect(ev.getValue(key, null, ctx)).toBe(details.value);
            expect(ev.isEnabled(key, ctx)).toBe(details.value === true && flag.type === 'boolean');
            const handle = ev.flag(key);
            expect(handle.getDetails(null, ctx)).toEqual(details);
            expect(handle.getValue(null, ctx)).toBe(details.value);
            expect(handle.isEnabled(ctx)).toBe(details.value === true && flag.type === 'boolean');
            const entry = snapshot.flags[key];
            if (details.variant === undefined && details.reason !== 'ERROR') {
              // Serving the caller's default: left out of the snapshot.
              expect(entry).toBeUndefined();
            } else {
              expect(entry?.reason).toBe(details.reason);
              expect(entry?.variant).toBe(details.variant);
              expect(entry?.ruleId).toBe(details.ruleId);
            }
            // Same input → same output, also from a freshly compiled evaluator.
            expect(ev.getDetails(key, null, ctx)).toEqual(details);
            expect(createEvaluator(defs).getDetails(key, null, ctx)).toEqual(details);
          }
          expect(ev.evaluateAll(ctx)).toEqual(snapshot);
        }
      }),
      { numRuns: 200, seed: SEED },
    );
    // The generators must actually reach every non-error outcome, or this property proves little.
    expect([...seen].sort()).toEqual(['DEFAULT', 'DISABLED', 'PREREQUISITE_FAILED', 'SPLIT', 'STATIC', 'TARGETING_MATCH']);
    expect(servedDefault).toBeGreaterThan(0);
  });

  it('an array attribute matches when any element does (OR over elements); negate and notIn give the negation of that', () => {
    const single = (condition: AnyRecord): Evaluator =>
      createEvaluator(
        parsed({
          schemaVersion: 1,
          flags: { f: { variants: { on: true, off: false }, enabled: true, offVariant: 'off', rules: [{ conditions: [condition], serve: { variant: 'on' } }], defaultServe: { variant: 'off' } } },
        }),
      );
    let hits = 0;
    let misses = 0;
    fc.assert(
      fc.property(scalarConditionArb, fc.array(scalarValue, { maxLength: 5 }), (condition, elements) => {
        const positive = { ...condition, negate: false, operator: condition.operator === 'notIn' ? 'in' : condition.operator };
        const ev = single(positive);
        const any = elements.some((e) => ev.isEnabled('f', { x: e }));
        if (any) hits++;
        else misses++;
        expect(ev.isEnabled('f', { x: elements })).toBe(any);
        expect(ev.flag('f').isEnabled({ x: elements })).toBe(any);
        expect(ev.isEnabled('f', { nested: { x: elements } })).toBe(false);
        expect(single({ ...positive, negate: true }).isEnabled('f', { x: elements })).toBe(!any);
        if (positive.operator === 'in') {
          expect(single({ ...positive, operator: 'notIn' }).isEnabled('f', { x: elements })).toBe(!any);
          expect(single({ ...positive, operator: 'notIn', negate: true }).isEnabled('f', { x: elements })).toBe(any);
        }
      }),
      { numRuns: 400, seed: SEED },
    );
    // Both sides of the property must be reached, or it proves little.
    expect(hits).toBeGreaterThan(40);
    expect(misses).toBeGreaterThan(40);
  });

  it('never throws for arbitrary keys, defaults and contexts', () => {
    const ev = createEvaluator(parsed({ schemaVersion: 1, flags: { f: { variants: { on: true, off: false }, enabled: true, offVariant: 'off', defaultServe: { variant: 'on' } } } }));
    fc.assert(
      fc.property(fc.oneof(fc.constant('f'), fc.anything()), anyContext, fc.anything({ withBigInt: true }), (key, spec, def) => {
        const ctx = materialize(spec);
        const details = ev.getDetails(key as string, def as JsonValue, ctx as EvaluationContext);
        expect(REASONS).toContain(details.reason);
        ev.getValue(key as string, def as JsonValue, ctx as EvaluationContext);
        ev.isEnabled(key as string, ctx as EvaluationContext);
        const handle = ev.flag(key as string);
        expect(handle.getDetails(def as JsonValue, ctx as EvaluationContext)).toEqual(details);
        expect(handle.getValue(def as JsonValue, ctx as EvaluationContext)).toBe(ev.getValue(key as string, def as JsonValue, ctx as EvaluationContext));
        expect(handle.isEnabled(ctx as EvaluationContext)).toBe(ev.isEnabled(key as string, ctx as EvaluationContext));
        ev.evaluateAll(ctx as EvaluationContext);
      }),
      { numRuns: 500, seed: SEED },
    );
  });

  it('parseDefinitions never throws on junk, and whatever it accepts evaluates without throwing', () => {
    const junk = fc.oneof(
      fc.anything(),
      documentArb.chain((doc) =>
        fc.tuple(fc.constant(doc), fc.anything(), fc.nat()).map(([d, value, n]) => {
          // Replace one random nested value with junk.
          const copy = JSON.parse(JSON.stringify(d)) as AnyRecord;
          const holders: AnyRecord[] = [];
          const walk = (v: unknown) => {
            if (typeof v === 'object' && v !== null) {
              holders.push(v as AnyRecord);
              for (const child of Object.values(v)) walk(child);
            }
          };
          walk(copy);
          const holder = holders[n % holders.length] as AnyRecord;
          const keys = Object.keys(holder);
          if (keys.length > 0) holder[keys[n % keys.length] as string] = value;
          return copy;
        }),
      ),
    );
    fc.assert(
      fc.property(junk, friendlyContext, (input, ctx) => {
        const result = parseDefinitions(input);
        if (result.ok) {
          const ev = createEvaluator(result.definitions);
          for (const key of ev.keys()) expect(REASONS).toContain(ev.getDetails(key, null, ctx as EvaluationContext).reason);
        } else {
          expect(result.problems.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300, seed: SEED },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Bucketing statistics (deterministic inputs: fixed unit ids, no randomness, so these cannot flake)

const UNITS = Array.from({ length: 100_000 }, (_, i) => `user-${i}`);

function rolloutEvaluator(percentages: number[], shape: 'two' | 'three' = 'two') {
  const flags: AnyRecord = {};
  percentages.forEach((p, i) => {
    const split =
      shape === 'two'
        ? [{ variant: 'on', percentage: p }, { variant: 'off', percentage: 100 - p }]
        : [{ variant: 'a', percentage: 10 }, { variant: 'on', percentage: p }, { variant: 'off', percentage: 90 - p }];
    // Same salt for every step: they model one flag being edited over time.
    flags[`step-${i}`] = { variants: { a: 'a', on: 'on', off: 'off' }, enabled: true, offVariant: 'off', defaultServe: { split, salt: 'checkout-rollout' } };
  });
  return createEvaluator(parsed({ schemaVersion: 1, flags }));
}

describe('bucketing properties', () => {
  it('rollouts are monotonic: 1 % → 10 % → 50 % → 100 % never removes anyone', () => {
    const steps = [1, 10, 50, 100];
    const ev = rolloutEvaluator(steps);
    let previous = new Set<string>();
    for (let s = 0; s < steps.length; s++) {
      const current = new Set(UNITS.slice(0, 20_000).filter((u) => ev.getValue<string>(`step-${s}`, '', { userId: u }) === 'on'));
      for (const u of previous) expect(current.has(u)).toBe(true);
      // And the share is about right.
      expect(Math.abs(current.size / 20_000 - (steps[s] as number) / 100)).toBeLessThan(0.01);
      previous = current;
    }
    expect(previous.size).toBe(20_000);
  });

  it('rollouts are monotonic for arbitrary increasing percentages, also when adjacent to the shrinking slice', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 80_000 }), { minLength: 2, maxLength: 4 }).map((xs) => xs.sort((a, b) => a - b).map((x) => x / 1000)),
        fc.constantFrom<'two' | 'three'>('two', 'three'),
        (steps, shape) => {
          const ev = rolloutEvaluator(steps, shape);
          const units = UNITS.slice(0, 2_000);
          let previous: string[] = [];
          for (let s = 0; s < steps.length; s++) {
            const current = new Set(units.filter((u) => ev.getValue<string>(`step-${s}`, '', { userId: u }) === 'on'));
            for (const u of previous) expect(current.has(u)).toBe(true);
            previous = [...current];
          }
        },
      ),
      { numRuns: 30, seed: SEED },
    );
  });

  it('flags with different salts assign independently (correlation near zero); equal salts identically', () => {
    const n = UNITS.length;
    const assign = (salt: string) => UNITS.map((u) => (bucketOf(salt, u, 100_000) < 50_000 ? 1 : 0));
    const x = assign('flag-one');
    const y = assign('flag-two');
    let sx = 0;
    let sy = 0;
    let sxy = 0;
    for (let i = 0; i < n; i++) {
      sx += x[i] as number;
      sy += y[i] as number;
      sxy += (x[i] as number) * (y[i] as number);
    }
    const mx = sx / n;
    const my = sy / n;
    const phi = (sxy / n - mx * my) / Math.sqrt(mx * (1 - mx) * my * (1 - my));
    // Under independence phi ~ N(0, 1/n): sd ≈ 0.0032, so 0.02 is > 6 sd.
    expect(Math.abs(phi)).toBeLessThan(0.02);
    expect(assign('flag-one')).toEqual(x);
  });

  it('buckets are uniform: χ² over 100,000 units and 100 buckets is below the p = 0.001 critical value', () => {
    for (const [salt, seed] of [['new-checkout', 0], ['exp', 86028157]] as const) {
      const counts = new Array<number>(100).fill(0);
      for (const u of UNITS) {
        const b = bucketOf(salt, u, 100, seed);
        counts[b] = (counts[b] as number) + 1;
      }
      const expected = UNITS.length / 100;
      const chi2 = counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
      // χ²(99 degrees of freedom) at p = 0.001 is 148.23.
      expect(chi2).toBeLessThan(148.23);
    }
  });

  it('split shares follow the weights', () => {
    const ev = createEvaluator(
      parsed({
        schemaVersion: 1,
        flags: { f: { variants: { a: 'a', b: 'b', c: 'c' }, enabled: true, offVariant: 'a', defaultServe: { split: [{ variant: 'a', weight: 50 }, { variant: 'b', weight: 25 }, { variant: 'c', weight: 25 }] } } },
      }),
    );
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (const u of UNITS) counts[ev.getValue('f', '', { userId: u })] = (counts[ev.getValue('f', '', { userId: u })] ?? 0) + 1;
    expect(Math.abs((counts.a as number) / UNITS.length - 0.5)).toBeLessThan(0.01);
    expect(Math.abs((counts.b as number) / UNITS.length - 0.25)).toBeLessThan(0.01);
    expect(Math.abs((counts.c as number) / UNITS.length - 0.25)).toBeLessThan(0.01);
  });
});

describe('evaluateAll and evaluateAllJson', () => {
  // The snapshot paths precompute entries, hashes and JSON per outcome and copy a template of constant flags;
  // this pins them to the per-flag reads, and the version to its definition: per lane, the sum mod 2^32 of a
  // murmur3 hash of each entry's canonical JSON `[key, entry]`, finalised with the entry count.
  const versionOf = (flags: Record<string, SnapshotFlag>): string => {
    let sumA = 0;
    let sumB = 0;
    const keys = Object.keys(flags);
    for (const key of keys) {
      const text = canonicalJson([key, flags[key]]);
      sumA = (sumA + murmur3(text, HASH_SEED_A)) % 2 ** 32;
      sumB = (sumB + murmur3(text, HASH_SEED_B)) % 2 ** 32;
    }
    return hex32(murmur3Finish(sumA ^ 0x9747b28c, keys.length)) + hex32(murmur3Finish(sumB ^ 0x2f8e5a13, keys.length));
  };

  it('equal the per-flag getDetails reads (entries, key order, version) for arbitrary definitions × contexts', () => {
    let allOffVariant = 0;
    let someWithout = 0;
    fc.assert(
      fc.property(documentArb, fc.array(anyContext, { minLength: 1, maxLength: 4 }), (doc, contexts) => {
        const defs = parsed(doc);
        const ev = createEvaluator(defs);
        if (Object.values(defs.flags).every((f) => f.offVariant !== undefined)) allOffVariant++;
        else someWithout++;
        for (const spec of contexts) {
          const ctx = materialize(spec);
          const snapshot = ev.evaluateAll(ctx);
          const expectedKeys: string[] = [];
          for (const key of ev.keys()) {
            const details = ev.getDetails(key, null, ctx);
            if (details.variant === undefined && details.reason !== 'ERROR') continue;
            expectedKeys.push(key);
            const entry = snapshot.flags[key] as SnapshotFlag;
            expect(entry.value).toEqual(details.value);
            expect(entry.variant).toBe(details.variant);
            expect(entry.reason).toBe(details.reason);
            expect(entry.ruleId).toBe(details.ruleId);
            expect(entry.errorCode).toBe(details.errorCode);
          }
          expect(Object.keys(snapshot.flags)).toEqual(expectedKeys);
          expect(snapshot.version).toBe(versionOf(snapshot.flags));
          const serialized = ev.evaluateAllJson(ctx);
          expect(serialized.json).toBe(JSON.stringify(snapshot));
          expect(serialized.version).toBe(snapshot.version);
          // A second call returns an independent object: callers may mutate what they got.
          const again = ev.evaluateAll(ctx);
          expect(again).toEqual(snapshot);
          expect(again.flags).not.toBe(snapshot.flags);
        }
      }),
      { numRuns: 300, seed: SEED },
    );
    // Both ways of building the snapshot (template copy; key by key when a flag may leave itself out) ran.
    expect(allOffVariant).toBeGreaterThan(20);
    expect(someWithout).toBeGreaterThan(20);
  });

  it('keeps fifty mixed flags in document order, and answers the empty context', () => {
    const flags: Record<string, unknown> = {};
    for (let i = 0; i < 50; i++) {
      flags[`f-${i}`] =
        i % 3 === 0
          ? { variants: { on: true, off: false }, enabled: i % 6 === 0, offVariant: 'off', defaultServe: { variant: 'on' } }
          : { variants: { a: 'a', b: 'b' }, enabled: true, offVariant: 'a', defaultServe: { split: [{ variant: 'a', weight: 1 }, { variant: 'b', weight: 1 }] } };
    }
    const ev = createEvaluator(parsed({ schemaVersion: 1, flags }));
    for (const ctx of [undefined, {}, { userId: 'u-1' }, { userId: 7 }]) {
      const snapshot = ev.evaluateAll(ctx as EvaluationContext | undefined);
      expect(Object.keys(snapshot.flags)).toEqual(Object.keys(flags));
      expect(snapshot.version).toBe(versionOf(snapshot.flags));
      expect(ev.evaluateAllJson(ctx as EvaluationContext | undefined).json).toBe(JSON.stringify(snapshot));
    }
  });

  it('gives equal content the same version whatever the document order, and different content another', () => {
    const rollout = { variants: { on: true, off: false }, enabled: true, offVariant: 'off', defaultServe: { split: [{ variant: 'on', weight: 1 }, { variant: 'off', weight: 1 }] } };
    const rule = { variants: { on: true, off: false }, enabled: true, offVariant: 'off', rules: [{ conditions: [{ attribute: 'plan', operator: 'equals', values: ['pro'] }], serve: { variant: 'on' } }], defaultServe: { variant: 'off' } };
    const constant = { variants: { on: true, off: false }, enabled: true, defaultServe: { variant: 'on' } };
    const forward = createEvaluator(parsed({ schemaVersion: 1, version: 'one', flags: { a: rollout, b: rule, c: constant } }));
    const backward = createEvaluator(parsed({ schemaVersion: 1, version: 'two', flags: { c: constant, b: rule, a: rollout } }));
    const versions = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const ctx = { userId: `u-${i}`, plan: i % 3 === 0 ? 'pro' : 'free' };
      const one = forward.evaluateAll(ctx);
      const two = backward.evaluateAll(ctx);
      expect(two.flags).toEqual(one.flags);
      expect(two.version).toBe(one.version);
      expect(backward.evaluateAllJson(ctx).version).toBe(one.version);
      versions.add(`${JSON.stringify(one.flags.a)}${JSON.stringify(one.flags.b)}=${one.version}`);
    }
    // Four contents (a on/off × b on/off), four versions: the version follows the content and nothing else.
    expect(new Set([...versions].map((v) => v.split('=')[1])).size).toBe(versions.size);
    expect(versions.size).toBe(4);
  });
});
