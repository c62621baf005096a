import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createEvaluator, parseDefinitions, type FlagsDocument } from '@halyard/core';
import { describe, expect, it } from 'vitest';
import { createEppoBucketing, eppoBucketing, eppoShard } from './index';

const require = createRequire(import.meta.url);
// The package exports only its entry; the sharder and evaluator are loaded from its dist by absolute path (offline).
const eppoDist = dirname(require.resolve('@eppo/js-client-sdk-common'));
const { MD5Sharder } = require(join(eppoDist, 'sharders.js')) as { MD5Sharder: new () => { getShard(input: string, totalShards: number): number } };
const { Evaluator } = require(join(eppoDist, 'evaluator.js')) as {
  Evaluator: new () => { matchesShard(shard: { salt: string; ranges: Array<{ start: number; end: number }> }, subjectKey: string, totalShards: number): boolean };
};

/** The documented algorithm, written independently with node:crypto. */
function documented(input: string, totalShards: number): number {
  return parseInt(createHash('md5').update(input, 'utf8').digest('hex').slice(0, 8), 16) % totalShards;
}

/** Deterministic pseudo-random generator (mulberry32), so the generated subjects are the same on every run. */
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

function subject(random: () => number, i: number): string {
  const forms = [`user-${i}`, `${Math.floor(random() * 1e9)}`, `acct_${i.toString(36)}@example.com`, `日本-${i}`, `josé-${i}`, `🚀${i}`, ''];
  return forms[Math.floor(random() * forms.length)] as string;
}

describe('eppoBucketing', () => {
  it('matches vectors computed from the documented algorithm (md5(salt-subject), first 4 bytes, mod totalShards)', () => {
    const vectors: Array<[string, string, number, number]> = [
      ['checkout-exp', 'user-1', 520, 520],
      ['checkout-exp', 'user-2', 6194, 194],
      ['', 'user-1', 1208, 208],
      ['traffic-a1b2', 'alice', 180, 180],
      ['checkout-exp', '日本', 5463, 463],
      ['seed', '123', 7609, 609],
    ];
    const eppo1000 = createEppoBucketing(1000);
    for (const [salt, unit, shard, shard1000] of vectors) {
      expect(eppoBucketing.compile(salt)(unit)).toBe(shard);
      expect(eppo1000.compile(salt)(unit)).toBe(shard1000);
      expect(documented(`${salt}-${unit}`, 10000)).toBe(shard);
    }
    expect(eppoBucketing).toMatchObject({ name: 'eppo', range: 10000 });
    expect(eppo1000).toMatchObject({ name: 'eppo-1000', range: 1000 });
  });

  it("agrees with Eppo's own MD5Sharder and the documented algorithm for 3,000 subjects × 4 salts × 3 shard counts", () => {
    const sharder = new MD5Sharder();
    const random = rng(14);
    let compared = 0;
    for (let i = 0; i < 3000; i++) {
      const unit = subject(random, i);
      for (const salt of ['checkout-exp', '', 'traffic-7f3a', 'allocation-1-split-0']) {
        for (const total of [10000, 1000, 7]) {
          const input = `${salt}-${unit}`;
          const ours = eppoShard(input, total);
          expect(ours).toBe(sharder.getShard(input, total));
          expect(ours).toBe(documented(input, total));
          compared++;
        }
      }
    }
    expect(compared).toBe(36000);
  });

  it("serves through a Halyard split exactly the variation Eppo's evaluator assigns by shard ranges", () => {
    // Eppo: split "control" holds shards [0, 3000), "treatment" [3000, 10000) for salt "exp-salt".
    const document: FlagsDocument = {
      schemaVersion: 1,
      flags: {
        exp: {
          variants: { control: 'control', treatment: 'treatment' },
          enabled: true,
          defaultServe: {
            split: [{ variant: 'control', weight: 3000 }, { variant: 'treatment', weight: 7000 }],
            bucketBy: 'id',
            salt: 'exp-salt',
            bucketing: { algorithm: 'eppo' },
          },
        },
      },
    };
    const parsed = parseDefinitions(document);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const evaluator = createEvaluator(parsed.definitions, { bucketing: [eppoBucketing] });
    const eppo = new Evaluator();
    const random = rng(7);
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = subject(random, i);
      const inControl = eppo.matchesShard({ salt: 'exp-salt', ranges: [{ start: 0, end: 3000 }] }, id, 10000);
      const inTreatment = eppo.matchesShard({ salt: 'exp-salt', ranges: [{ start: 3000, end: 10000 }] }, id, 10000);
      expect(inControl).toBe(!inTreatment);
      const value = evaluator.getValue('exp', 'none', { id });
      expect(value).toBe(inControl ? 'control' : 'treatment');
      seen.add(value);
    }
    expect(seen).toEqual(new Set(['control', 'treatment']));
  });

  it('without the algorithm installed, the flag serves the caller default (never re-bucketed with murmur3)', () => {
    const parsed = parseDefinitions({
      schemaVersion: 1,
      flags: { f: { variants: { a: 'a', b: 'b' }, enabled: true, defaultServe: { split: [{ variant: 'a', weight: 5000 }, { variant: 'b', weight: 5000 }], bucketBy: 'id', bucketing: { algorithm: 'eppo' } } } },
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const reported: string[] = [];
    const evaluator = createEvaluator(parsed.definitions, { onProblem: (p) => reported.push(p.message) });
    expect(evaluator.getDetails('f', 'fallback', { id: 'user-1' })).toMatchObject({ value: 'fallback', reason: 'ERROR' });
    expect(reported.join('\n')).toMatch(/"eppo" is not installed/);
    const installed = createEvaluator(parsed.definitions, { bucketing: [eppoBucketing] });
    expect(['a', 'b']).toContain(installed.getValue('f', 'fallback', { id: 'user-1' }));
  });

  it('rejects a shard count Eppo cannot have', () => {
    expect(() => createEppoBucketing(0)).toThrow(/@halyard\/eppo: totalShards must be an integer/);
  });

  it('agrees with the test vectors in docs/bucketing.md', () => {
    const doc = readFileSync(new URL('../../../docs/bucketing.md', import.meta.url), 'utf8');
    const table = doc.slice(doc.indexOf('<!-- eppo-vectors:start -->'), doc.indexOf('<!-- eppo-vectors:end -->'));
    const rows = table.split('\n').filter((line) => line.startsWith('| "'));
    expect(rows.length).toBe(6);
    const eppo1000 = createEppoBucketing(1000);
    for (const row of rows) {
      const [salt, subject, shard, shard1000] = row.split('|').slice(1, 5).map((cell) => cell.trim()) as [string, string, string, string];
      expect(eppoBucketing.compile(JSON.parse(salt) as string)(JSON.parse(subject) as string)).toBe(Number(shard));
      expect(eppo1000.compile(JSON.parse(salt) as string)(JSON.parse(subject) as string)).toBe(Number(shard1000));
    }
  });

  it("hashes a lone surrogate as U+FFFD where Eppo's spark-md5 throws (the one documented difference)", () => {
    expect(() => new MD5Sharder().getShard('salt-a\ud800b', 10000)).toThrow(URIError);
    expect(eppoShard('salt-a\ud800b')).toBe(eppoShard('salt-a\ufffdb'));
  });
});
