/**
 * Conformance with GrowthBook's own JavaScript SDK (@growthbook/growthbook, offline: features are passed in, no
 * network): realistic payloads covering every imported construct, plus randomly generated ones, are evaluated by
 * the SDK and by Halyard's evaluator on the imported document for thousands of generated attribute sets, value
 * for value; and the bucketing algorithms are compared with the SDK's `hash()` bucket for bucket.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GrowthBook, paddedVersionString as gbPadded } from '@growthbook/growthbook';
import { afterAll, describe, expect, it } from 'vitest';
import { createEvaluator, parseDefinitions, type EvaluationContext, type Evaluator } from '@halyard/core';
import { growthbookBucketing, growthbookKey, growthbookV1Bucketing, growthbookV2Bucketing, importGrowthBook } from './index';
import { paddedVersionString } from './internal/conditions';

const require = createRequire(import.meta.url);
const SDK_DIR = dirname(require.resolve('@growthbook/growthbook/package.json'));
const SDK_VERSION = (require('@growthbook/growthbook/package.json') as { version: string }).version;
// `hash` is not re-exported by the package entry; load the SDK's own module file.
const sdkUtil = (await import(pathToFileURL(join(SDK_DIR, 'dist/esm/util.mjs')).href)) as { hash: (seed: string, value: string, version: number) => number | null };

/** Deterministic PRNG (mulberry32), so a failure reproduces. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Features = Record<string, unknown>;

/** Hand-written payload in the shape GrowthBook's SDK endpoint serves, one construct family per feature. */
const REALISTIC: Features = {
  dark_mode: {
    defaultValue: false,
    rules: [{ id: 'fr_us_adults', condition: { country: { $in: ['US', 'CA'] }, age: { $gte: 18 } }, force: true }],
  },
  'checkout-color': {
    defaultValue: 'blue',
    rules: [
      { id: 'fr_qa', condition: { email: { $regex: '@example\\.com$' } }, force: 'purple' },
      { id: 'exp_color', key: 'checkout-exp', seed: 'checkout-exp-seed', hashVersion: 2, hashAttribute: 'id', variations: ['blue', 'green', 'red'], weights: [0.5, 0.25, 0.25], coverage: 1 },
    ],
  },
  'new-pricing': {
    defaultValue: false,
    rules: [
      { id: 'fr_pro_rollout', condition: { $or: [{ plan: 'pro' }, { plan: 'enterprise' }] }, force: true, coverage: 0.3, hashAttribute: 'companyId', hashVersion: 1 },
      { id: 'fr_range', force: true, range: [0.5, 0.8], hashAttribute: 'companyId', seed: 'pricing-range', hashVersion: 2 },
      { id: 'fr_all', condition: { plan: 'free' }, force: false, coverage: 1 },
    ],
  },
  'banner-text': {
    defaultValue: 'Welcome',
    rules: [
      {
        id: 'exp_banner',
        key: 'banner-exp',
        variations: ['Welcome', 'Hello there', 'Hi!'],
        weights: [0.4, 0.3, 0.3],
        coverage: 0.6,
        namespace: ['pricing', 0, 0.5],
        condition: { $not: { browser: { $regex: '^Mobile' } } },
        hashVersion: 1,
      },
      { id: 'exp_banner_ns2', key: 'banner-exp-2', variations: ['A', 'B'], namespace: ['pricing', 0.5, 1], hashVersion: 2 },
    ],
  },
  limits: {
    defaultValue: { maxItems: 20, tier: 'default' },
    rules: [
      { condition: { tags: { $elemMatch: { $eq: 'beta' } } }, force: { maxItems: 100, tier: 'beta' } },
      { condition: { version: { $vgte: '2.1.0' }, email: { $exists: true } }, force: { maxItems: 50, tier: 'new-app' } },
      { condition: { score: { $lt: 50 } }, force: { maxItems: 5, tier: 'low-score' } },
      { condition: { country: { $nin: ['FR', 'DE'] }, age: { $ne: 30 } }, force: { maxItems: 10, tier: 'outside-eu' } },
    ],
  },
  onboarding: {
    defaultValue: 'classic',
    rules: [
      {
        id: 'exp_onboarding',
        key: 'onboarding-2025',
        variations: ['classic', 'guided', 'video'],
        ranges: [
          [0, 0.2],
          [0.3, 0.55],
          [0.6, 0.95],
        ],
        meta: [{ key: '0', passthrough: true }, { key: '1' }, { key: '2' }],
        hashVersion: 2,
        hashAttribute: 'deviceId',
      },
      { condition: { plan: 'pro' }, force: 'video' },
    ],
  },
  'search-algo': {
    defaultValue: 'bm25',
    rules: [
      { condition: { $and: [{ plan: { $ini: ['PRO', 'Enterprise'] } }, { $nor: [{ country: 'FR' }, { age: { $lt: 21 } }] }] }, force: 'vector' },
      { condition: { email: { $regexi: '^ADMIN' }, version: { $vlt: '3.0.0', $vgt: '1.0.0' } }, force: 'hybrid' },
      { condition: { version: { $veq: '1.2.3' } }, force: 'legacy' },
      { condition: { tags: { $size: 2 }, roles: { $all: ['admin', 'editor'] } }, force: 'power' },
      { condition: { score: { $gt: 90, $lte: 95 }, $or: [{ browser: { $exists: false } }, { browser: { $ne: 'Safari' } }] }, force: 'top' },
      { condition: { tags: { $elemMatch: { $regex: '^exp-' } }, age: { $not: { $gte: 65 } } }, force: 'experimental' },
    ],
  },
  'duplicate-variations': {
    defaultValue: 0,
    rules: [{ key: 'dup-exp', variations: [1, 2, 1], weights: [0.3, 0.3, 0.4], hashVersion: 2, seed: 'dup' }],
  },
  'equal-weights': {
    defaultValue: 'x',
    rules: [{ key: 'eq', variations: ['x', 'y', 'z'], hashAttribute: 'companyId' }],
  },
};

const COUNTRIES = ['US', 'CA', 'FR', 'DE', 'GB', 'JP'];
const PLANS = ['free', 'pro', 'enterprise', 'PRO', 'Enterprise', 'team'];
const BROWSERS = ['Chrome', 'Safari', 'Mobile Safari', 'Firefox', 'Mobile Chrome'];
const TAGS = ['beta', 'exp-1', 'exp-2', 'vip', 'gamer'];
const VERSIONS = ['1.0.0', '1.2.3', '2.0.0', '2.1.0', '2.1.5', '2.10.0', '3.0.0', '0.9.1'];

/** Attribute sets as an application would send them: typed attributes, each sometimes missing. */
function attributeSets(count: number, seed: number): Array<Record<string, unknown>> {
  const r = rng(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const maybe = (p: number, f: () => unknown): unknown => (r() < p ? f() : undefined);
  const out: Array<Record<string, unknown>> = [];
  for (let i = 0; i < count; i++) {
    const a: Record<string, unknown> = {
      id: maybe(0.95, () => (r() < 0.1 ? Math.floor(r() * 1e6) + 1 : `user-${Math.floor(r() * 1e9).toString(36)}`)),
      companyId: maybe(0.8, () => `company-${Math.floor(r() * 5000)}`),
      deviceId: maybe(0.7, () => `${Math.floor(r() * 1e12).toString(16)}-dev`),
      country: maybe(0.85, () => pick(COUNTRIES)),
      age: maybe(0.8, () => Math.floor(r() * 80) + 10),
      plan: maybe(0.85, () => pick(PLANS)),
      browser: maybe(0.8, () => pick(BROWSERS)),
      email: maybe(0.6, () => `${pick(['admin', 'ADMIN.ops', 'jane', 'bob'])}@${pick(['example.com', 'corp.io'])}`),
      tags: maybe(0.6, () => TAGS.filter(() => r() < 0.35)),
      roles: maybe(0.5, () => ['admin', 'editor', 'viewer'].filter(() => r() < 0.6)),
      version: maybe(0.8, () => pick(VERSIONS)),
      score: maybe(0.8, () => Math.floor(r() * 101)),
    };
    for (const k of Object.keys(a)) if (a[k] === undefined) delete a[k];
    out.push(a);
  }
  return out;
}

/** A random payload from the imported constructs, to find disagreements no hand-written case thought of. */
function randomFeatures(seed: number, count: number): Features {
  const r = rng(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const leaf = (): Record<string, unknown> =>
    pick([
      () => ({ country: pick(COUNTRIES) }),
      () => ({ country: { $in: [pick(COUNTRIES), pick(COUNTRIES)] } }),
      () => ({ country: { $nin: [pick(COUNTRIES)] } }),
      () => ({ age: { [pick(['$gt', '$gte', '$lt', '$lte'])]: Math.floor(r() * 70) + 10 } }),
      () => ({ age: { $ne: Math.floor(r() * 70) + 10 } }),
      () => ({ plan: { $eq: pick(PLANS) } }),
      () => ({ plan: { $ini: [pick(PLANS)] } }),
      () => ({ browser: { $regex: pick(['^Mobile', 'Safari$', 'fire']) } }),
      () => ({ browser: { $regexi: 'fire' } }),
      () => ({ email: { $exists: r() < 0.5 } }),
      () => ({ tags: { $elemMatch: { $eq: pick(TAGS) } } }),
      () => ({ tags: { $size: Math.floor(r() * 3) } }),
      () => ({ roles: { $all: ['admin'] } }),
      () => ({ version: { [pick(['$veq', '$vne', '$vgt', '$vgte', '$vlt', '$vlte'])]: pick(VERSIONS) } }),
      () => ({ score: { $not: { $gt: Math.floor(r() * 100) } } }),
    ])();
  const condition = (depth: number): Record<string, unknown> => {
    const x = r();
    if (depth > 1 || x < 0.5) return leaf();
    if (x < 0.7) return { $or: [condition(depth + 1), condition(depth + 1)] };
    if (x < 0.85) return { $and: [condition(depth + 1), condition(depth + 1)] };
    return { $not: condition(depth + 1) };
  };
  const features: Features = {};
  for (let f = 0; f < count; f++) {
    const values = [`a${f}`, `b${f}`, `c${f}`];
    const rules: unknown[] = [];
    const n = 1 + Math.floor(r() * 3);
    for (let i = 0; i < n; i++) {
      const rule: Record<string, unknown> = {};
      if (r() < 0.6) rule.condition = condition(0);
      if (r() < 0.3) rule.hashAttribute = pick(['companyId', 'deviceId']);
      if (r() < 0.5) rule.hashVersion = pick([1, 2]);
      if (r() < 0.3) rule.seed = `seed-${f}-${i}`;
      if (r() < 0.5) {
        rule.force = pick(values);
        if (r() < 0.4) rule.coverage = pick([0, 0.001, 0.1, 0.25, 0.5, 0.999, 1]);
        else if (r() < 0.2) rule.range = [Math.floor(r() * 50) / 100, 0.5 + Math.floor(r() * 50) / 100];
      } else {
        const k = 2 + Math.floor(r() * 2);
        rule.variations = values.slice(0, k);
        rule.key = `exp-${f}-${i}`;
        if (r() < 0.5) {
          const w = Array.from({ length: k }, () => 1 + Math.floor(r() * 9));
          const t = w.reduce((a, b) => a + b, 0);
          rule.weights = w.map((x) => x / t);
        }
        if (r() < 0.5) rule.coverage = pick([0.05, 0.3333, 0.5, 0.8, 1]);
        if (r() < 0.3) {
          const start = Math.floor(r() * 10) / 10;
          rule.namespace = [pick(['ns-a', 'ns-b']), start, Math.min(1, start + 0.1 + Math.floor(r() * 5) / 10)];
        }
      }
      rules.push(rule);
    }
    features[`random-${f}`] = { defaultValue: values[0], rules };
  }
  return features;
}

function halyardFor(features: Features): { evaluator: Evaluator; problems: unknown[] } {
  const imported = importGrowthBook({ features });
  const parsed = parseDefinitions(imported.document);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return { evaluator: createEvaluator(parsed.definitions, { bucketing: [growthbookBucketing] }), problems: imported.problems };
}

let compared = 0;
afterAll(() => {
  console.log(`GrowthBook conformance: ${compared} feature evaluations agreed with @growthbook/growthbook@${SDK_VERSION}`);
});

/** Compares every feature for every context; returns the distinct values and reasons seen per feature. */
function compare(features: Features, contexts: Array<Record<string, unknown>>): Map<string, Set<string>> {
  const { evaluator, problems } = halyardFor(features);
  expect(problems).toEqual([]);
  const mismatches: string[] = [];
  const seen = new Map<string, Set<string>>();
  for (const attributes of contexts) {
    const gb = new GrowthBook({ features: features as never, attributes });
    for (const key of Object.keys(features)) {
      const expected = gb.evalFeature(key).value;
      // The expected value as the default, so the flag's type matches; an ERROR result (which would serve the
      // default) is a mismatch of its own.
      const details = evaluator.getDetails(growthbookKey(key), expected as never, attributes as EvaluationContext);
      compared++;
      let set = seen.get(key);
      if (set === undefined) seen.set(key, (set = new Set()));
      set.add(JSON.stringify(expected)).add(details.reason);
      if ((details.reason === 'ERROR' || JSON.stringify(details.value) !== JSON.stringify(expected)) && mismatches.length < 10) {
        mismatches.push(`${key} ${JSON.stringify(attributes)}: GrowthBook ${JSON.stringify(expected)}, Halyard ${JSON.stringify(details)}`);
      }
    }
    gb.destroy();
  }
  expect(mismatches).toEqual([]);
  return seen;
}

describe('GrowthBook SDK conformance', () => {
  it('agrees on the realistic payload for 5,000 attribute sets', () => {
    const seen = compare(REALISTIC, attributeSets(5000, 1));
    // Not vacuous: every feature served more than one value, and splits, rule matches and defaults all occurred.
    for (const [key, values] of seen) expect([key, [...values].filter((v) => !/^[A-Z_]+$/.test(v)).length > 1]).toEqual([key, true]);
    const reasons = new Set([...seen.values()].flatMap((v) => [...v]));
    for (const reason of ['SPLIT', 'TARGETING_MATCH', 'DEFAULT']) expect(reasons).toContain(reason);
  });

  it.each([11, 12, 13, 14, 15])('agrees on random payload %i (25 features, 1,000 attribute sets)', (seed) => {
    compare(randomFeatures(seed, 25), attributeSets(1000, seed * 7));
  });

  it('imports the realistic payload as splits where variations cover everyone', () => {
    const { document } = importGrowthBook({ features: REALISTIC });
    const rules = document.flags['checkout-color']?.rules ?? [];
    expect(rules[1]?.serve).toEqual({
      split: [
        { variant: 'v0', weight: 5000 },
        { variant: 'v2', weight: 2500 },
        { variant: 'v3', weight: 2500 },
      ],
      bucketBy: 'id',
      salt: 'checkout-exp-seed',
      bucketing: { algorithm: 'growthbook-v2' },
    });
  });
});

describe('GrowthBook bucketing', () => {
  const units = attributeSets(3000, 99).map((a, i) => (typeof a.id === 'string' ? a.id : `unit-${i}-ü-日本`));
  it.each([
    [growthbookV1Bucketing, 1, 1000],
    [growthbookV2Bucketing, 2, 10000],
  ] as const)('%s equals the SDK hash() bucket for bucket', (algorithm, version, range) => {
    for (const seed of ['', 'checkout-exp', '__pricing', 'seed with spaces €']) {
      const bucket = algorithm.compile(seed);
      for (const unit of units) expect(bucket(unit)).toBe(Math.round((sdkUtil.hash(seed, unit, version) as number) * range));
    }
  });

  it('matches the test vectors in docs/bucketing.md, and so does the SDK', () => {
    const doc = readFileSync(new URL('../../../docs/bucketing.md', import.meta.url), 'utf8');
    const table = /<!-- growthbook-vectors:start -->([\s\S]*?)<!-- growthbook-vectors:end -->/.exec(doc)?.[1] ?? '';
    const rows = table.split('\n').filter((l) => l.startsWith('| "'));
    expect(rows.length).toBeGreaterThanOrEqual(6);
    for (const row of rows) {
      const [salt, unit, b1, b2] = row.split('|').slice(1, 5).map((c) => c.trim()) as [string, string, string, string];
      const s = JSON.parse(salt) as string;
      const u = JSON.parse(unit) as string;
      expect([row, growthbookV1Bucketing.compile(s)(u), growthbookV2Bucketing.compile(s)(u)]).toEqual([row, Number(b1), Number(b2)]);
      expect([row, Math.round((sdkUtil.hash(s, u, 1) as number) * 1000), Math.round((sdkUtil.hash(s, u, 2) as number) * 10000)]).toEqual([row, Number(b1), Number(b2)]);
    }
  });

  it('leaves out empty units, as GrowthBook skips empty hash values', () => {
    expect(growthbookV1Bucketing.compile('s')('')).toBe(-1);
    expect(growthbookV2Bucketing.compile('s')('')).toBe(-1);
  });

  it('replicates paddedVersionString', () => {
    for (const v of [...VERSIONS, null, undefined, 0, 12, 'v1.2.3-rc.1+b', '1.0.0-beta', '']) expect(paddedVersionString(v)).toBe(gbPadded(v as string));
  });
});
