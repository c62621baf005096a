import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LAUNCHDARKLY_RANGE, launchdarklyBucketValue, launchdarklyBucketing, launchdarklySalt } from './index';

/** The documented algorithm, written independently with node:crypto. */
function documented(prefix: string, value: string): number {
  return parseInt(createHash('sha1').update(`${prefix}.${value}`, 'utf8').digest('hex').substring(0, 15), 16) / 0xfffffffffffffff;
}

describe('launchdarklyBucketing', () => {
  it("matches LaunchDarkly's published SDK test values (flag hashKey, salt saltyA, and seed 61)", () => {
    // From LaunchDarkly's SDK test suites (Bucketer tests): the same floats in every server SDK.
    expect(launchdarklyBucketValue('hashKey.saltyA', 'userKeyA')).toBeCloseTo(0.42157587, 8);
    expect(launchdarklyBucketValue('hashKey.saltyA', 'userKeyB')).toBeCloseTo(0.6708485, 7);
    expect(launchdarklyBucketValue('hashKey.saltyA', 'userKeyC')).toBeCloseTo(0.10343106, 8);
    expect(launchdarklyBucketValue('hashKey.saltyA', '33333')).toBeCloseTo(0.54771423, 8);
    expect(launchdarklyBucketValue(launchdarklySalt('hashKey', 'saltyA', 61), 'userKeyA')).toBeCloseTo(0.09801207, 8);
    expect(launchdarklyBucketValue(launchdarklySalt('hashKey', 'saltyA', 61), 'userKeyB')).toBeCloseTo(0.14483777, 8);
    expect(launchdarklyBucketValue(launchdarklySalt('hashKey', 'saltyA', 61), 'userKeyC')).toBeCloseTo(0.9242641, 7);
  });

  it('gives integer buckets out of 100,000 (vectors from the documented algorithm)', () => {
    const vectors: Array<[string, string, number]> = [
      ['new-checkout.f00d', 'user-1', 91578],
      ['new-checkout.f00d', 'user-2', 39579],
      ['new-checkout.', 'user-1', 29274],
      ['61', 'user-1', 80184],
      ['beta.seg-salt', '日本', 68663],
      ['hashKey.saltyA', 'userKeyA', 42157],
    ];
    for (const [salt, unit, bucket] of vectors) {
      expect(launchdarklyBucketing.compile(salt)(unit)).toBe(bucket);
      expect(Math.floor(documented(salt, unit) * LAUNCHDARKLY_RANGE)).toBe(bucket);
    }
    expect(launchdarklyBucketing).toMatchObject({ name: 'launchdarkly', range: 100000 });
  });

  it("compares with every integer weight bound exactly as LaunchDarkly's float does (3,000 units)", () => {
    const bucket = launchdarklyBucketing.compile('flag.salt');
    for (let i = 0; i < 3000; i++) {
      const unit = i % 3 === 0 ? `user-${i}` : i % 3 === 1 ? String(i * 7919) : `ユーザー${i}`;
      const n = documented('flag.salt', unit);
      const b = bucket(unit);
      expect(n).toBe(launchdarklyBucketValue('flag.salt', unit));
      // b < W ⟺ n < W / 100000, at the bounds around b.
      for (const w of [b - 1, b, b + 1, b + 2]) if (w >= 1 && w <= LAUNCHDARKLY_RANGE) expect(b < w).toBe(n < w / LAUNCHDARKLY_RANGE);
    }
  });

  it('puts an empty unit in bucket 0, as LaunchDarkly does for a value it cannot hash', () => {
    expect(launchdarklyBucketing.compile('flag.salt')('')).toBe(0);
  });

  it('uses the seed instead of key and salt only when the seed is non-zero', () => {
    expect(launchdarklySalt('flag', 'salt')).toBe('flag.salt');
    expect(launchdarklySalt('flag', undefined)).toBe('flag.');
    expect(launchdarklySalt('flag', 'salt', 0)).toBe('flag.salt');
    expect(launchdarklySalt('flag', 'salt', 61)).toBe('61');
  });

  it('agrees with the test vectors in docs/bucketing.md', () => {
    const doc = readFileSync(new URL('../../../docs/bucketing.md', import.meta.url), 'utf8');
    const table = doc.slice(doc.indexOf('<!-- launchdarkly-vectors:start -->'), doc.indexOf('<!-- launchdarkly-vectors:end -->'));
    const rows = table.split('\n').filter((line) => line.startsWith('| "'));
    expect(rows.length).toBe(7);
    for (const row of rows) {
      const [salt, unit, n, bucket] = row.split('|').slice(1, 5).map((cell) => cell.trim()) as [string, string, string, string];
      const prefix = JSON.parse(salt.split(' ')[0] as string) as string;
      const value = JSON.parse(unit) as string;
      expect(launchdarklyBucketValue(prefix, value)).toBeCloseTo(Number(n), 7);
      expect(launchdarklyBucketing.compile(prefix)(value)).toBe(Number(bucket));
    }
  });
});
