import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEvaluator, parseDefinitions } from '../index';
import type { Definitions, FlagsDocument } from '../types';
import { applyDefinitionsPatch, diffDocuments } from './document-patch';

// Deterministic, like every property test here: a failure reproduces and nothing can flake.
const SEED = 20261203;

type AnyRecord = Record<string, unknown>;

const FLAG_KEYS = ['a', 'b', 'c', 'new-checkout', 'constructor', 'toString', 'z.9'];
const SEGMENT_KEYS = ['beta', 'staff', 'constructor'];

/** One flag; it may reference the segments of its document and the flags listed before it (acyclic). */
const flagArb = (segments: string[], earlier: string[]): fc.Arbitrary<AnyRecord> => {
  const condition = fc.oneof(
    fc.record({ attribute: fc.constantFrom('plan', 'country'), operator: fc.constantFrom('in', 'notIn'), values: fc.uniqueArray(fc.constantFrom('pro', 'free', 'de'), { minLength: 1, maxLength: 2 }) }),
    ...(segments.length === 0 ? [] : [fc.record({ operator: fc.constant('inSegment'), values: fc.subarray(segments, { minLength: 1 }) })]),
  );
  return fc
    .record({
      enabled: fc.boolean(),
      withOff: fc.boolean(),
      rules: fc.array(fc.record({ conditions: fc.array(condition, { minLength: 1, maxLength: 2 }), serve: fc.constantFrom('on', 'off') }), { maxLength: 2 }),
      defaultServe: fc.oneof(fc.constantFrom('on', 'off'), fc.nat(100)),
      prerequisites: earlier.length === 0 ? fc.constant([] as string[]) : fc.subarray(earlier, { maxLength: Math.min(2, earlier.length) }),
      description: fc.option(fc.constantFrom('first', 'second'), { nil: undefined }),
    })
    .map((f) => {
      const flag: AnyRecord = {
        variants: { on: true, off: false },
        enabled: f.enabled,
        rules: f.rules.map((r) => ({ conditions: r.conditions, serve: { variant: r.serve } })),
        defaultServe: typeof f.defaultServe === 'string' ? { variant: f.defaultServe } : { split: [{ variant: 'on', percentage: f.defaultServe }, { variant: 'off', percentage: 100 - f.defaultServe }] },
      };
      if (f.withOff) flag.offVariant = 'off';
      if (f.prerequisites.length > 0) flag.prerequisites = f.prerequisites.map((key) => ({ flag: key, variants: ['on'] }));
      if (f.description !== undefined) flag.description = f.description;
      return flag;
    });
};

/** A document over a shuffled subset of the key pools: keys come, go, change and move between versions. */
const documentArb = (version: number): fc.Arbitrary<FlagsDocument> =>
  fc.tuple(fc.shuffledSubarray(SEGMENT_KEYS), fc.shuffledSubarray(FLAG_KEYS)).chain(([segmentKeys, flagKeys]) =>
    fc
      .tuple(
        fc.tuple(...segmentKeys.map(() => fc.record({ included: fc.subarray(['u1', 'u2', 'u3']), excluded: fc.subarray(['u4']) }))),
        fc.tuple(...flagKeys.map((_, i) => flagArb(segmentKeys, flagKeys.slice(0, i)))),
      )
      .map(([segments, flags]) => ({
        schemaVersion: 1 as const,
        version,
        segments: Object.fromEntries(segmentKeys.map((key, i) => [key, segments[i]])),
        flags: Object.fromEntries(flagKeys.map((key, i) => [key, flags[i]])),
      })) as unknown as fc.Arbitrary<FlagsDocument>,
  );

/** Several versions of one document; later ones often reuse earlier entries unchanged, as real edits do. */
const historyArb: fc.Arbitrary<FlagsDocument[]> = fc.integer({ min: 2, max: 6 }).chain((count) =>
  fc.tuple(fc.tuple(...Array.from({ length: count }, (_, i) => documentArb(100 + i))), fc.array(fc.boolean(), { minLength: count, maxLength: count })).map(([generated, keep]) => {
    const docs = [...generated];
    // Half the time a version is the previous one with one flag toggled: the change patches exist for.
    for (let i = 1; i < docs.length; i++) {
      const previous = docs[i - 1] as FlagsDocument;
      const toggled = Object.keys(previous.flags)[i % Math.max(1, Object.keys(previous.flags).length)];
      if (!keep[i] || toggled === undefined) continue;
      const flags = { ...previous.flags, [toggled]: { ...previous.flags[toggled]!, enabled: !previous.flags[toggled]!.enabled } };
      docs[i] = { ...previous, version: (docs[i] as FlagsDocument).version, flags };
    }
    return docs;
  }),
);

function parsed(document: unknown): Definitions {
  const result = parseDefinitions(document);
  if (!result.ok) throw new Error(`generator produced an invalid document: ${JSON.stringify(result.problems.slice(0, 3))}`);
  return result.definitions;
}

const wire = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('definitions patches (diffDocuments → JSON → applyDefinitionsPatch)', () => {
  it('give exactly what a full fetch gives, key order and evaluation included, over random histories', () => {
    const contexts = [{}, { userId: 'u1', plan: 'pro' }, { userId: 'u4', country: 'de' }, { userId: 'u7', plan: 'free' }];
    fc.assert(
      fc.property(historyArb, (docs) => {
        let held = parsed(wire(docs[0]));
        for (let i = 1; i < docs.length; i++) {
          const full = parsed(wire(docs[i]));
          const patch = diffDocuments(docs[i - 1] as FlagsDocument, docs[i] as FlagsDocument);
          expect(patch).toBeDefined();
          const result = applyDefinitionsPatch(held, wire(patch));
          if (!result.ok) throw new Error(`patch ${i} failed: ${JSON.stringify(result)}`);
          expect(result.definitions).toEqual(full);
          expect(Object.keys(result.definitions.flags)).toEqual(Object.keys(full.flags));
          expect(Object.keys(result.definitions.segments)).toEqual(Object.keys(full.segments));
          const [patched, fetched] = [createEvaluator(result.definitions), createEvaluator(full)];
          for (const context of contexts) expect(patched.evaluateAll(context)).toEqual(fetched.evaluateAll(context));
          held = result.definitions;
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('are small for a toggle: one flag, no order', () => {
    const before = { schemaVersion: 1 as const, version: 7, flags: { a: { variants: { on: true, off: false }, enabled: true, offVariant: 'off', defaultServe: { variant: 'on' } }, b: { variants: { on: true }, enabled: true, defaultServe: { variant: 'on' } } } };
    const after = { ...before, version: 8, flags: { ...before.flags, a: { ...before.flags.a, enabled: false } } };
    expect(diffDocuments(before, after)).toEqual({ base: 7, version: 8, flags: { a: after.flags.a } });
  });

  it('carry the whole key order only when an added key does not go last', () => {
    const flag = { variants: { on: true }, enabled: true, defaultServe: { variant: 'on' } };
    const doc = (version: number, keys: string[]): FlagsDocument => ({ schemaVersion: 1 as const, version, flags: Object.fromEntries(keys.map((k) => [k, flag])) });
    expect(diffDocuments(doc(1, ['b', 'c']), doc(2, ['b', 'c', 'd']))).toEqual({ base: 1, version: 2, flags: { d: flag } });
    expect(diffDocuments(doc(1, ['b', 'c']), doc(2, ['a', 'b', 'c']))).toEqual({ base: 1, version: 2, flags: { a: flag }, order: { flags: ['a', 'b', 'c'] } });
    expect(diffDocuments(doc(1, ['b', 'c']), doc(2, ['c']))).toEqual({ base: 1, version: 2, removed: { flags: ['b'] } });
  });

  it('are not made when a patch cannot say it: no versions, the same version, another top-level field', () => {
    const doc = { schemaVersion: 1 as const, version: 1, flags: {} };
    expect(diffDocuments({ ...doc, version: undefined }, doc)).toBeUndefined();
    expect(diffDocuments(doc, { ...doc })).toBeUndefined();
    expect(diffDocuments(doc, { ...doc, version: 2, $schema: 'https://example.com/s.json' } as FlagsDocument)).toBeUndefined();
  });
});

describe('applyDefinitionsPatch', () => {
  const flag = { variants: { on: true, off: false }, enabled: true, offVariant: 'off', defaultServe: { variant: 'on' } };
  const held = parsed({ schemaVersion: 1, version: 5, flags: { a: flag }, segments: { beta: { included: ['u1'] } } });

  it('ignores a patch for another base (the caller re-syncs) and keeps the same object for one it already has', () => {
    expect(applyDefinitionsPatch(held, { base: 4, version: 6, flags: { a: { ...flag, enabled: false } } })).toEqual({ ok: false, stale: true });
    expect(applyDefinitionsPatch(held, { base: 4, version: '5' })).toEqual({ ok: true, definitions: held });
  });

  it('rejects an invalid flag with its path in the resulting document', () => {
    const result = applyDefinitionsPatch(held, { base: 5, version: 6, flags: { b: { ...flag, defaultServe: { variant: 'nope' } } } });
    expect(result.ok).toBe(false);
    expect(result.problems?.[0]?.path).toBe('$.flags["b"].defaultServe.variant');
  });

  it('validates the whole result: removing a segment a flag still uses is refused', () => {
    const uses = parsed({ schemaVersion: 1, version: 5, flags: { a: { ...flag, rules: [{ conditions: [{ operator: 'inSegment', values: ['beta'] }], serve: { variant: 'off' } }] } }, segments: { beta: { included: ['u1'] } } });
    const result = applyDefinitionsPatch(uses, { base: 5, version: 6, removed: { segments: ['beta'] } });
    expect(result.ok).toBe(false);
    expect(result.problems?.[0]?.path).toMatch(/^\$\.flags\["a"\]\.rules\[0\]/);
  });

  it('names the field of a malformed patch', () => {
    const paths = [
      applyDefinitionsPatch(held, null),
      applyDefinitionsPatch(held, { version: 6 }),
      applyDefinitionsPatch(held, { base: 5, version: 6, flags: [] }),
      applyDefinitionsPatch(held, { base: 5, version: 6, removed: { flags: 'a' } }),
      applyDefinitionsPatch(held, { base: 5, version: 6, order: { flags: ['a', 'a'] } }),
      applyDefinitionsPatch(held, { base: 5, version: 6, flags: { a: flag }, removed: { flags: ['a'] } }),
    ].map((result) => result.problems?.[0]?.path);
    expect(paths).toEqual(['patch $', 'patch $.base', 'patch $.flags', 'patch $.removed.flags', 'patch $.order.flags', 'patch $.flags["a"]']);
  });

  it('keeps a `__proto__` key an own entry', () => {
    const result = applyDefinitionsPatch(held, JSON.parse(`{"base":5,"version":6,"flags":{"__proto__":${JSON.stringify(flag)}}}`));
    // The key pattern refuses it, as in a full document: the point is that it is seen, not smuggled in as a prototype.
    expect(result.ok).toBe(false);
    expect(result.problems?.some((p) => p.path.startsWith('$.flags["__proto__"]'))).toBe(true);
  });
});
