import { describe, expect, it } from 'vitest';
import { createEvaluator, parseDefinitions } from '@halyard/core';
import { growthbookBucketing, growthbookKey, importGrowthBook } from './index';

describe('importGrowthBook', () => {
  it('never throws and reports unusable payloads at $', () => {
    for (const payload of [null, 42, '{not json', [], { features: 3 }]) {
      const result = importGrowthBook(payload);
      expect(parseDefinitions(result.document).ok).toBe(true);
      expect(result.problems.length).toBeGreaterThan(0);
    }
  });

  it('reports every construct it cannot represent, with its path', () => {
    const features = {
      f: {
        defaultValue: 'a',
        rules: [
          { parentConditions: [{ id: 'g', condition: { value: true } }], force: 'b' },
          { filters: [{ seed: 's', ranges: [[0, 0.5]] }], force: 'b' },
          { condition: { plan: { $type: 'string' } }, force: 'b' },
          { condition: { plan: { $inGroup: 'grp' } }, force: 'b' },
          { condition: { $savedGroup: { id: 'grp' } }, force: 'b' },
          { condition: { address: { city: 'Paris' } }, force: 'b' },
          { condition: { name: { $gt: 'm' } }, force: 'b' },
          { condition: { items: { $elemMatch: { sku: 'x' } } }, force: 'b' },
          { condition: { plan: { $eq: ['a'] } }, force: 'b' },
          { contextualBanditRef: 'cb', variations: ['a', 'b'] },
          { hashAttribute: 'user.id', coverage: 0.5, force: 'b' },
          { variations: ['a', 'b'], fallbackAttribute: 'deviceId' },
          { force: 'b', surprise: 1 },
          { weights: [0.5, 0.5] },
        ],
      },
    };
    const { problems, document } = importGrowthBook({ features, encryptedFeatures: 'xyz', savedGroups: { grp: ['1'] } });
    const paths = problems.map((p) => p.path);
    expect(paths).toEqual([
      '$.encryptedFeatures',
      '$.savedGroups',
      '$.features["f"].rules[0].parentConditions',
      '$.features["f"].rules[1].filters',
      '$.features["f"].rules[2].condition.plan.$type',
      '$.features["f"].rules[3].condition.plan.$inGroup',
      '$.features["f"].rules[4].condition.$savedGroup',
      '$.features["f"].rules[5].condition.address',
      '$.features["f"].rules[6].condition.name.$gt',
      '$.features["f"].rules[7].condition.items.$elemMatch',
      '$.features["f"].rules[8].condition.plan.$eq',
      '$.features["f"].rules[9]',
      '$.features["f"].rules[10].hashAttribute',
      '$.features["f"].rules[11].fallbackAttribute',
      '$.features["f"].rules[12].surprise',
      '$.features["f"].rules[13]',
    ]);
    for (const p of problems) expect(p.message.length).toBeGreaterThan(10);
    // Rules that could not be represented are left out; the rest imports and parses.
    expect(parseDefinitions(document).ok).toBe(true);
    expect(document.flags.f?.rules?.map((r) => r.id)).toEqual(['rule-11', 'rule-12']);
  });

  it('drops a flag Halyard rejects (a catastrophic regex) and says why', () => {
    const { document, problems } = importGrowthBook({ features: { r: { defaultValue: 1, rules: [{ condition: { s: { $regex: '(a+)+$' } }, force: 2 }] } } });
    expect(document.flags.r).toBeUndefined();
    expect(problems[0]?.path).toBe('$.features["r"]');
    expect(problems[0]?.message).toMatch(/Halyard rejected/);
  });

  it('leaves out features with null or mixed-type values, saying why', () => {
    const { document, problems } = importGrowthBook({ features: { nothing: {}, mixed: { defaultValue: false, rules: [{ force: 'x' }] }, ok: { defaultValue: 1 } } });
    expect(Object.keys(document.flags)).toEqual(['ok']);
    expect(problems.map((p) => p.path)).toEqual(['$.features["nothing"]', '$.features["mixed"]']);
    expect(problems[0]?.message).toMatch(/null value/);
    expect(problems[1]?.message).toMatch(/several types \(boolean, string\)/);
  });

  it('escapes keys Halyard does not accept', () => {
    expect(growthbookKey('new-checkout')).toBe('new-checkout');
    expect(growthbookKey('dark_mode')).toBe('dark_mode');
    expect(growthbookKey('promo banner/2')).toBe('gb:promo:20banner:2f2');
    const { keys, document } = importGrowthBook({ features: { 'promo banner/2': { defaultValue: true } } });
    expect(keys).toEqual({ 'promo banner/2': 'gb:promo:20banner:2f2' });
    expect(parseDefinitions(document).ok).toBe(true);
  });

  it('serves the caller default with an ERROR reason, reported once, without the algorithm installed', () => {
    const { document } = importGrowthBook({ features: { e: { defaultValue: 'a', rules: [{ key: 'e', variations: ['a', 'b'], hashVersion: 2 }] } } });
    const parsed = parseDefinitions(document);
    if (!parsed.ok) throw new Error('invalid');
    const reported: string[] = [];
    const bare = createEvaluator(parsed.definitions, { onProblem: (p) => reported.push(`${p.path}: ${p.message}`) });
    expect(reported).toEqual([
      `$.flags["e"].rules[0].serve.bucketing: bucketing "growthbook-v2" is not installed: import { growthbookBucketing } from '@halyard/growthbook' and pass it to createFlagClient({ bucketing }) (or createEvaluator(definitions, { bucketing }))`,
    ]);
    expect(bare.getDetails('e', 'caller', { id: 'u1' })).toMatchObject({ value: 'caller', reason: 'ERROR' });
    const full = createEvaluator(parsed.definitions, { bucketing: [growthbookBucketing] });
    expect(['a', 'b']).toContain(full.getValue('e', 'caller', { id: 'u1' }));
    expect(full.getDetails('e', 'caller', { id: 'u1' }).reason).toBe('SPLIT');
  });
});
