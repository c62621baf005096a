import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { bucketOf, createEvaluator, murmur3, parseDefinitions, type BucketingAlgorithm } from '@halyard/core';

// The vectors live in docs/bucketing.md (the spec other SDKs implement); this test keeps the table honest.
const doc = readFileSync(new URL('../../../../docs/bucketing.md', import.meta.url), 'utf8');

// murmurhash3js is the reference Unleash uses; it hashes the low byte of each UTF-16 code unit, so it is fed the
// UTF-8 bytes as a binary string.
const reference = createRequire(import.meta.url)('murmurhash3js') as { x86: { hash32(key: string, seed?: number): number } };
const referenceHash = (input: string, seed: number): number =>
  reference.x86.hash32(String.fromCharCode(...new TextEncoder().encode(input)), seed);

/** Parses a cell like `"user-" + "ab" × 3 + "-end"` (JSON strings, optional repetition, concatenation). */
function parseCell(cell: string): string {
  const re = /\s*("(?:[^"\\]|\\.)*")(?:\s*×\s*(\d+))?\s*(\+|$)/y;
  let out = '';
  while (re.lastIndex < cell.length) {
    const m = re.exec(cell);
    if (m === null) throw new Error(`unparseable cell: ${cell}`);
    out += (JSON.parse(m[1] as string) as string).repeat(m[2] === undefined ? 1 : Number(m[2]));
    if (m[3] === '') break;
  }
  return out;
}

interface Vector {
  row: string;
  salt: string;
  unit: string;
  seed: number;
  hash: number;
  bucket: number;
}

function vectors(): Vector[] {
  const start = doc.indexOf('<!-- vectors:start -->');
  const end = doc.indexOf('<!-- vectors:end -->');
  const lines = doc.slice(start, end).split('\n').filter((l) => /^\|\s*\d+\s*\|/.test(l));
  return lines.map((line) => {
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    const [row, salt, unit, seed, hash, bucket] = cells as [string, string, string, string, string, string];
    return { row, salt: parseCell(salt), unit: parseCell(unit), seed: Number(seed), hash: Number(hash), bucket: Number(bucket) };
  });
}

describe('docs/bucketing.md test vectors', () => {
  const all = vectors();

  it('has at least 10 vectors covering the required inputs', () => {
    expect(all.length).toBeGreaterThanOrEqual(10);
    expect(all.some((v) => v.unit === '')).toBe(true);
    expect(all.some((v) => v.unit.includes('é'))).toBe(true);
    expect(all.some((v) => v.unit.includes('日本'))).toBe(true);
    expect(all.some((v) => v.unit.includes('🚀'))).toBe(true);
    expect(all.some((v) => v.unit.length >= 1000)).toBe(true);
    expect(all.some((v) => v.seed === 86028157)).toBe(true);
  });

  it.each(all.map((v) => [v.row, v] as const))('vector #%s matches murmur3, bucketOf and the murmurhash3js reference', (_, v) => {
    const key = `${v.salt}:${v.unit}`;
    expect(referenceHash(key, v.seed)).toBe(v.hash);
    expect(murmur3(key, v.seed)).toBe(v.hash);
    expect(v.hash % 100_000).toBe(v.bucket);
    expect(bucketOf(v.salt, v.unit, 100_000, v.seed)).toBe(v.bucket);
  });

  it.each(all.map((v) => [v.row, v] as const))('vector #%s matches what the evaluator reports for a percentage split', (_, v) => {
    const result = parseDefinitions({
      schemaVersion: 1,
      flags: {
        f: {
          variants: { a: 'a', b: 'b' },
          enabled: true,
          offVariant: 'a',
          defaultServe: { split: [{ variant: 'a', percentage: 50 }, { variant: 'b', percentage: 50 }], salt: v.salt, seed: v.seed },
        },
      },
    });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const details = createEvaluator(result.definitions).getDetails('f', 'x', { userId: v.unit });
    expect(details.reason).toBe('SPLIT');
    expect(details.bucket).toBe(v.bucket);
    expect(details.variant).toBe(v.bucket < 50_000 ? 'a' : 'b');
  });

  it('ASCII keys equal murmurhash3js on the plain string (Unleash normalizedValue compatibility)', () => {
    for (const [key, seed] of [['default:user-1', 0], ['groupId:123', 86028157], ['', 0]] as const) {
      expect(murmur3(key, seed)).toBe(reference.x86.hash32(key, seed));
    }
  });
});

describe('pluggable bucketing', () => {
  // A toy algorithm: the unit's length, out of 10 buckets; "" is left out.
  const byLength: BucketingAlgorithm = { name: 'by-length', range: 10, compile: (salt) => (unit) => (unit === '' ? -1 : (salt.length + unit.length) % 10) };
  const doc = (serve: Record<string, unknown>, rollout?: Record<string, unknown>) => ({
    schemaVersion: 1,
    flags: {
      f: {
        variants: { a: 'a', b: 'b', c: 'c' },
        enabled: true,
        rules: rollout === undefined ? [] : [{ conditions: [], rollout, serve: { variant: 'c' } }],
        defaultServe: serve,
      },
    },
  });

  it('validates "bucketing": an object with a lower-case algorithm name, without the murmur3 seed', () => {
    const bad = parseDefinitions(doc({ split: [{ variant: 'a', weight: 1 }], bucketing: { algorithm: 'By Length' } }));
    expect(bad.problems?.[0]?.path).toBe('$.flags["f"].defaultServe.bucketing');
    const seeded = parseDefinitions(doc({ split: [{ variant: 'a', weight: 1 }], seed: 3, bucketing: { algorithm: 'by-length' } }));
    expect(seeded.problems?.[0]).toMatchObject({ path: '$.flags["f"].defaultServe.seed' });
    const extra = parseDefinitions(doc({ split: [{ variant: 'a', weight: 1 }], bucketing: { algorithm: 'by-length', seed: 1 } }));
    expect(extra.ok).toBe(false);
  });

  it('buckets splits and rollouts with the installed algorithm, scaled to the total', () => {
    const parsed = parseDefinitions(
      doc({ split: [{ variant: 'a', weight: 3 }, { variant: 'b', weight: 7 }], salt: '', bucketing: { algorithm: 'by-length' } }, { weight: 40, total: 100, salt: '', bucketing: { algorithm: 'by-length' } }),
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const evaluator = createEvaluator(parsed.definitions, { bucketing: [byLength] });
    expect(evaluator.getDetails('f', 'x', { userId: 'abc' })).toMatchObject({ variant: 'c' }); // bucket 30 of 100 < 40
    expect(evaluator.getDetails('f', 'x', { userId: 'abcdef' })).toMatchObject({ variant: 'b', reason: 'SPLIT', bucket: 6 });
    expect(evaluator.getDetails('f', 'x', { userId: 'abcdefghi' })).toMatchObject({ variant: 'b', bucket: 9 });
    expect(evaluator.getDetails('f', 'x', { userId: 'abcdefghij' })).toMatchObject({ variant: 'c' }); // bucket 0
    // Left out by the algorithm: like a unit without the attribute.
    expect(evaluator.getDetails('f', 'x', { userId: '' })).toMatchObject({ value: 'x', reason: 'DEFAULT' });
  });

  it('serves the caller default with reason ERROR when the algorithm is not installed, never murmur3', () => {
    const parsed = parseDefinitions(doc({ split: [{ variant: 'a', weight: 1 }], bucketing: { algorithm: 'by-length' } }));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const problems: string[] = [];
    const evaluator = createEvaluator(parsed.definitions, { onProblem: (p) => problems.push(p.path) });
    expect(problems).toEqual(['$.flags["f"].defaultServe.bucketing']);
    expect(evaluator.getDetails('f', 'x', { userId: 'u' })).toMatchObject({ value: 'x', reason: 'ERROR' });
  });
});
