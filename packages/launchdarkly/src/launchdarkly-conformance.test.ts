import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEvaluator, parseDefinitions, type Evaluator } from '@halyard/core';
import { init, integrations, type LDClient, type LDContext } from '@launchdarkly/node-server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importLaunchDarkly, launchdarklyBucketing, launchdarklyContext } from './index';

/*
 * Conformance with LaunchDarkly's own server SDK (@launchdarkly/node-server-sdk, pinned), run offline: the payload
 * is read by its FileDataSource (no streaming, no polling), events and diagnostics are off. For every generated
 * context, every flag's value AND variation index from `allFlagsState` must equal Halyard's answer on the imported
 * document (variant `v<i>` is variation i; a flag LaunchDarkly answers with no variation serves the caller's default).
 */

const fixture = JSON.parse(readFileSync(new URL('../test/fixtures/launchdarkly-flags.json', import.meta.url), 'utf8')) as { flags: Record<string, unknown>; segments: Record<string, unknown> };

/** Deterministic pseudo-random generator (mulberry32), so every run generates the same contexts. */
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

type Rec = Record<string, unknown>;

function generator(seed: number) {
  const random = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const maybe = (p: number) => random() < p;
  const userKeys = ['u-1', 'u-2', 'u-3', 'u-4', 'u-5', 'u-7', 'u-9', 'u-10', 'u-11', 'u-123'];
  const user = (i: number): Rec => {
    const key = maybe(0.2) ? pick(userKeys) : `user-${i}-${Math.floor(random() * 1e6)}`;
    const u: Rec = { key };
    if (maybe(0.85)) u.email = `${pick(['alice', 'bob', 'carol', 'zed', 'qa.lead', 'dev+test', 'x123', 'dana'])}${Math.floor(random() * 100)}${pick(['', '123'])}@${pick(['example.com', 'acme.io', 'acme.com', 'gmail.com'])}`;
    if (maybe(0.8)) u.country = pick(['US', 'CA', 'FR', 'DE', 'JP', 'BR']);
    if (maybe(0.75)) u.age = Math.floor(random() * 90);
    if (maybe(0.6)) u.score = Math.round(random() * 1000) / 1000;
    if (maybe(0.7)) u.version = pick(['1.0.0', '1.2.0', '1.4.9', '1.8.0', '1.9.1', '2.2.0', '2', '2.0', '2.0.0', '2.5', '2.5.0', '3.1', '3.1.0', '4.0.0-beta.1', '4.0.0-beta.3', '4.0.0', '5.0.1', '9.9.9', 'v2.0.0', 'v9.9.9', '1.2.3-rc.1+build.5']);
    if (maybe(0.6)) u.signup = maybe(0.5) ? Date.UTC(2022 + Math.floor(random() * 5), Math.floor(random() * 12), 1 + Math.floor(random() * 28)) : new Date(Date.UTC(2022 + Math.floor(random() * 5), Math.floor(random() * 12), 1 + Math.floor(random() * 28), Math.floor(random() * 24))).toISOString();
    if (maybe(0.6)) u.name = pick(['Dr. Who', 'Prof X', 'Zoe', 'Ann', 'Zed', 'Bo']);
    if (maybe(0.4)) u.address = { city: pick(['Paris', 'Berlin', 'Tokyo', 'Lyon']) };
    if (maybe(0.5)) u.accountId = Math.floor(random() * 100000);
    if (maybe(0.2)) u.country = [pick(['US', 'FR']), pick(['DE', 'JP'])]; // array attributes: any element
    return u;
  };
  const org = (i: number): Rec => {
    const o: Rec = { key: maybe(0.3) ? pick(['o-1', 'o-2', 'o-3', 'o-4']) : `org-${i}-${Math.floor(random() * 1e5)}` };
    if (maybe(0.8)) o.plan = pick(['free', 'pro', 'enterprise']);
    if (maybe(0.7)) o.name = `Org ${Math.floor(random() * 500)}`;
    return o;
  };
  return (i: number): LDContext => {
    const shape = random();
    if (shape < 0.45) return { kind: 'user', ...user(i) } as unknown as LDContext;
    if (shape < 0.6) return { kind: 'org', ...org(i) } as unknown as LDContext;
    if (shape < 0.85) return { kind: 'multi', user: user(i), org: org(i), ...(maybe(0.3) ? { device: { key: pick(['d-1', 'd-3']), os: pick(['ios', 'android']) } } : {}) } as unknown as LDContext;
    if (shape < 0.92) return { kind: 'device', key: maybe(0.5) ? 'd-2' : `dev-${i}`, os: pick(['ios', 'android']) } as LDContext;
    // A legacy user (no kind, custom attributes).
    const { key, email, ...custom } = user(i);
    return { key, email, custom } as unknown as LDContext;
  };
}


/**
 * A random LaunchDarkly payload: `flagCount` flags and 5 segments built from every construct the importer handles,
 * on the attributes `generator` fills with values of consistent types (see the README for what differs otherwise).
 */
function randomPayload(seed: number, flagCount: number): { flags: Record<string, Rec>; segments: Record<string, Rec> } {
  const random = rng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  const some = <T>(xs: readonly T[], max: number): T[] => [...new Set(Array.from({ length: 1 + int(max) }, () => pick(xs)))];
  const userString: Record<string, string[]> = {
    email: ['alice', 'bob', '@example.com', '@acme.io', '123@', 'qa', '+test', '^[a-c]', '\\d{2}@', 'gmail.com$'],
    country: ['US', 'CA', 'FR', 'DE', 'JP', 'BR', 'U', 'A'],
    name: ['Dr.', 'Prof', 'Zoe', 'Ann', 'Z', 'o', '^[A-D]'],
  };
  const orgString: Record<string, string[]> = { plan: ['free', 'pro', 'enterprise', 'pr', 'e'], name: ['Org 1', 'Org', '^Org [1-3]'] };
  const numbers: Record<string, number[]> = { age: [13, 18, 21, 30, 45, 65], score: [0.1, 0.25, 0.5, 0.75], accountId: [1000, 50000, 90000] };
  const versions = ['1.0.0', '1.5', '2', '2.0.0', '2.5.0', '3.1', '4.0.0-beta.2', '4.0.0', '9.9.9', 'v2.0.0'];
  const dates: unknown[] = ['2023-01-01T00:00:00Z', '2024-06-15T12:00:00.000Z', 1704067200000, 1735689600000, '2025-03-01T00:00:00+02:00'];
  const segmentKeys = ['seg-0', 'seg-1', 'seg-2', 'seg-3', 'seg-4'];
  const userKeys = ['u-1', 'u-2', 'u-3', 'u-4', 'u-5', 'u-7', 'u-9', 'u-10', 'u-11', 'u-123'];

  const clause = (segmentsBefore: number): Rec => {
    const negate = random() < 0.3;
    const userAttr = (name: string): Rec => (random() < 0.5 ? { attribute: name } : { attribute: `/${name}`, contextKind: 'user' });
    const r = random();
    if (r < 0.1 && segmentsBefore > 0) return { attribute: '', op: 'segmentMatch', values: some(segmentKeys.slice(0, segmentsBefore), 2), negate };
    if (r < 0.15) return { attribute: 'kind', op: pick(['in', 'startsWith']), values: some(['user', 'org', 'device', 'o'], 2), negate };
    if (r < 0.45) {
      const op = pick(['in', 'startsWith', 'endsWith', 'contains', 'matches']);
      if (random() < 0.3) {
        const name = pick(Object.keys(orgString));
        return { attribute: name, contextKind: 'org', op, values: some(orgString[name] as string[], 3), negate };
      }
      const name = pick(Object.keys(userString));
      return { ...userAttr(name), op, values: some(userString[name] as string[], 3), negate };
    }
    if (r < 0.65) {
      const name = pick(Object.keys(numbers));
      return { ...userAttr(name), op: pick(['lessThan', 'lessThanOrEqual', 'greaterThan', 'greaterThanOrEqual', 'in']), values: some(numbers[name] as number[], 2), negate };
    }
    if (r < 0.82) return { ...userAttr('version'), op: pick(['semVerEqual', 'semVerLessThan', 'semVerGreaterThan']), values: some(versions, 2), negate };
    return { ...userAttr('signup'), op: pick(['before', 'after']), values: some(dates, 2), negate };
  };
  const clauses = (segmentsBefore: number): Rec[] => Array.from({ length: int(4) }, () => clause(segmentsBefore));

  const segments: Record<string, Rec> = {};
  segmentKeys.forEach((key, i) => {
    const rules = Array.from({ length: int(3) }, (_, j) => {
      const rule: Rec = { id: `${key}-r${j}`, clauses: clauses(i) };
      if (random() < 0.5) {
        rule.weight = pick([0, 100, 25000, 50000, 99999, 100000]);
        if (random() < 0.5) rule.bucketBy = pick(['email', 'accountId', 'name']);
        if (random() < 0.3) {
          rule.rolloutContextKind = 'org';
          rule.bucketBy = pick(['key', '/name']);
        }
      }
      return rule;
    });
    segments[key] = {
      key, version: 1, salt: random() < 0.8 ? `salt-${int(1000)}` : '', deleted: false, rules,
      included: random() < 0.5 ? some(userKeys, 3) : [],
      excluded: random() < 0.5 ? some(userKeys, 3) : [],
      includedContexts: random() < 0.3 ? [{ contextKind: 'org', values: some(['o-1', 'o-2', 'o-3'], 2) }] : [],
      excludedContexts: random() < 0.3 ? [{ contextKind: 'org', values: some(['o-1', 'o-2', 'o-4'], 2) }] : [],
    };
  });

  const flags: Record<string, Rec> = {};
  for (let f = 0; f < flagCount; f++) {
    const key = `flag-${f}`;
    const type = pick(['boolean', 'string', 'number']);
    const count = type === 'boolean' ? 2 : 2 + int(3);
    const variations = Array.from({ length: count }, (_, i) => (type === 'boolean' ? i === 0 : type === 'string' ? `value-${i}` : i * 10));
    const rollout = (): Rec => {
      const n = 2 + int(3);
      const cuts = Array.from({ length: n - 1 }, () => int(100001)).sort((a, b) => a - b);
      const weights = [...cuts, 100000].map((c, i) => c - (i === 0 ? 0 : (cuts[i - 1] as number)));
      if (random() < 0.15) weights[n - 1] = Math.max(0, (weights[n - 1] as number) - 20000); // short of 100,000
      const out: Rec = { variations: weights.map((weight) => ({ variation: int(count), weight })) };
      if (random() < 0.25) {
        out.kind = 'experiment';
        if (random() < 0.7) out.seed = int(100000);
      }
      if (random() < 0.4) out.bucketBy = pick(['email', 'accountId', 'name']);
      if (random() < 0.25) {
        out.contextKind = 'org';
        out.bucketBy = pick(['key', '/name']);
      }
      return out;
    };
    const serve = (): Rec => (random() < 0.5 ? { variation: int(count) } : { rollout: rollout() });
    const flag: Rec = {
      key, version: 1, on: random() < 0.85, salt: random() < 0.8 ? `s${int(1e6)}` : '', variations, deleted: false,
      offVariation: random() < 0.8 ? int(count) : null,
      targets: random() < 0.4 ? [{ values: some(userKeys, 3), variation: int(count) }, { values: some(userKeys, 2), variation: int(count) }] : [],
      contextTargets: [],
      prerequisites: f > 0 && random() < 0.25 ? [{ key: `flag-${int(f)}`, variation: int(2) }] : [],
      rules: Array.from({ length: int(5) }, (_, j) => ({ id: `rule-${f}-${j}`, clauses: clauses(segmentKeys.length), ...serve() })),
      fallthrough: serve(),
    };
    if (random() < 0.3) {
      flag.contextTargets = [{ contextKind: 'org', values: some(['o-1', 'o-2', 'o-3'], 2), variation: int(count) }, { contextKind: 'user', values: [], variation: (flag.targets as Rec[])[0]?.variation ?? 0 }];
    }
    flags[key] = flag;
  }
  return { flags, segments };
}

/** Flags reported as "may differ", and every flag depending on one, transitively. */
function mayDiffer(flags: Record<string, Rec>, problems: ReadonlyArray<{ path: string; message: string }>): Set<string> {
  const out = new Set(problems.filter((p) => p.message.startsWith('may differ')).map((p) => /^\$\.flags\["([^"]+)"\]/.exec(p.path)?.[1] as string));
  for (let changed = true; changed; ) {
    changed = false;
    for (const [key, flag] of Object.entries(flags)) {
      if (!out.has(key) && ((flag.prerequisites as Rec[] | undefined) ?? []).some((p) => out.has(p.key as string))) {
        out.add(key);
        changed = true;
      }
    }
  }
  return out;
}

interface Answer {
  value: unknown;
  variation: number | undefined;
}

/** A caller default of the flag's type (a default of another type is a TYPE_MISMATCH). */
function defaultOf(variation: unknown): unknown {
  return typeof variation === 'object' ? {} : typeof variation === 'boolean' ? false : typeof variation === 'number' ? 0 : '';
}

function halyardAnswers(evaluator: Evaluator, keys: Record<string, string>, context: LDContext, flags: Record<string, unknown> = fixture.flags): Record<string, Answer> {
  const out: Record<string, Answer> = {};
  const ctx = launchdarklyContext(context);
  for (const [ldKey, key] of Object.entries(keys)) {
    const first = ((flags[ldKey] as Rec).variations as unknown[])[0];
    const details = evaluator.getDetails(key, defaultOf(first) as never, ctx);
    out[ldKey] = details.variant === undefined ? { value: null, variation: undefined } : { value: details.value, variation: Number(details.variant.slice(1)) };
  }
  return out;
}

async function launchdarklyAnswers(client: LDClient, context: LDContext): Promise<Record<string, Answer>> {
  const state = (await client.allFlagsState(context)).toJSON() as Rec & { $flagsState: Record<string, { variation?: number }> };
  const out: Record<string, Answer> = {};
  for (const key of Object.keys(state.$flagsState)) {
    const variation = state.$flagsState[key]?.variation;
    out[key] = { value: variation === undefined ? null : state[key], variation };
  }
  return out;
}

async function withLaunchDarkly<T>(payload: unknown, run: (client: LDClient) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'halyard-ld-'));
  const file = join(dir, 'flags.json');
  writeFileSync(file, JSON.stringify(payload));
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const client = init('sdk-offline-conformance', {
    updateProcessor: new integrations.FileDataSourceFactory({ paths: [file], logger: quiet }).getFactory(),
    sendEvents: false,
    diagnosticOptOut: true,
    logger: quiet,
  });
  try {
    await client.waitForInitialization({ timeout: 10 });
    return await run(client);
  } finally {
    client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function imported(payload: unknown) {
  const result = importLaunchDarkly(payload);
  const parsed = parseDefinitions(result.document);
  if (!parsed.ok) throw new Error(`imported document does not parse: ${JSON.stringify(parsed.problems.slice(0, 3))}`);
  return { result, evaluator: createEvaluator(parsed.definitions, { bucketing: [launchdarklyBucketing] }) };
}

describe('importLaunchDarkly conformance with @launchdarkly/node-server-sdk (offline)', () => {
  const { result, evaluator } = imported(fixture);
  let answers: Array<{ context: LDContext; ld: Record<string, Answer> }> = [];
  const CONTEXTS = 4000;

  beforeAll(async () => {
    const generate = generator(14);
    const contexts = Array.from({ length: CONTEXTS }, (_, i) => generate(i));
    answers = await withLaunchDarkly(fixture, async (client) => {
      const out: Array<{ context: LDContext; ld: Record<string, Answer> }> = [];
      for (const context of contexts) out.push({ context, ld: await launchdarklyAnswers(client, context) });
      return out;
    });
  }, 120_000);

  afterAll(() => {
    answers = [];
  });

  it('imports every flag of the fixture, reporting only the big segment', () => {
    expect(Object.keys(result.keys).sort()).toEqual(Object.keys(fixture.flags).sort());
    expect(result.problems.map((p) => p.path)).toEqual(expect.arrayContaining(['$.segments["big"]', '$.flags["prereq-missing"].prerequisites[0]']));
    expect(result.problems.filter((p) => !/big segments|can never be met|not in the payload/.test(p.message))).toEqual([]);
  });

  it('answers every flag for 4,000 generated contexts with the same value and variation index', () => {
    let compared = 0;
    const mismatches: string[] = [];
    for (const { context, ld } of answers) {
      const ours = halyardAnswers(evaluator, result.keys, context);
      for (const key of Object.keys(fixture.flags)) {
        compared++;
        const theirs = ld[key];
        const mine = ours[key];
        if (JSON.stringify(theirs) !== JSON.stringify(mine) && mismatches.length < 10) {
          mismatches.push(`${key} for ${JSON.stringify(context)}: LaunchDarkly ${JSON.stringify(theirs)}, Halyard ${JSON.stringify(mine)}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(compared).toBe(CONTEXTS * Object.keys(fixture.flags).length);
  });

  it('exercises every variation of every flag that can serve it (the generated contexts are not degenerate)', () => {
    const seen = new Map<string, Set<number | undefined>>();
    for (const { ld } of answers) for (const [key, a] of Object.entries(ld)) (seen.get(key) ?? seen.set(key, new Set()).get(key))?.add(a.variation);
    const count = (key: string) => seen.get(key)?.size ?? 0;
    expect(count('string-ops')).toBe(7);
    expect(count('number-ops')).toBe(6);
    expect(count('date-ops')).toBe(4);
    expect(count('semver-ops')).toBe(5);
    expect(count('segment-flag')).toBe(6); // "big" never matches without a big segment store
    expect(count('kinds')).toBe(6);
    expect(count('rollout-fallthrough')).toBe(3);
    expect(count('experiment')).toBe(3);
    expect(count('targeted')).toBe(3);
    expect(count('split-repeat')).toBe(3);
    expect(count('prereq-child')).toBe(2);
  });

  it('agrees on 4 random payloads of 30 flags and 5 segments for 1,000 contexts each', async () => {
    let compared = 0;
    let excluded = 0;
    const mismatches: string[] = [];
    for (let seed = 1; seed <= 4; seed++) {
      const payload = randomPayload(seed, 30);
      const { result: randomResult, evaluator: randomEvaluator } = imported(payload);
      expect(randomResult.problems.filter((p) => !/not in the payload|can never be met|never matches in LaunchDarkly|^may differ/.test(p.message))).toEqual([]);
      expect(Object.keys(randomResult.keys).length).toBe(30);
      // Flags the import reports as "may differ" (a prerequisite met through its own failed prerequisites, see the
      // README), and their dependents, are compared in the test below instead.
      const differs = mayDiffer(payload.flags, randomResult.problems);
      excluded += differs.size;
      const generate = generator(1000 + seed);
      await withLaunchDarkly(payload, async (client) => {
        for (let i = 0; i < 1000; i++) {
          const context = generate(i);
          const ld = await launchdarklyAnswers(client, context);
          const ours = halyardAnswers(randomEvaluator, randomResult.keys, context, payload.flags);
          for (const key of Object.keys(payload.flags)) {
            if (differs.has(key)) continue;
            compared++;
            if (JSON.stringify(ld[key]) !== JSON.stringify(ours[key]) && mismatches.length < 10) {
              mismatches.push(`payload ${seed} ${key} for ${JSON.stringify(context)}: LaunchDarkly ${JSON.stringify(ld[key])}, Halyard ${JSON.stringify(ours[key])}`);
            }
          }
        }
      });
    }
    expect(mismatches).toEqual([]);
    expect(compared).toBe(4 * 1000 * 30 - excluded * 1000);
    expect(excluded).toBeLessThan(12);
  }, 120_000);
});
