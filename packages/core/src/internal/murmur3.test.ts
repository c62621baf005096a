import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { murmur3, murmur3BucketWithPrefix, murmur3Finish, murmur3Int32WithPrefix, murmur3MixWord, murmur3Prefix, murmur3WithPrefix, reduceHash } from './murmur3';

const reference = createRequire(import.meta.url)('murmurhash3js') as { x86: { hash32(key: string, seed?: number): number } };
/** Reference: murmurhash3js over the TextEncoder UTF-8 bytes (as a binary string). */
const referenceHash = (input: string, seed = 0): number =>
  reference.x86.hash32(String.fromCharCode(...new TextEncoder().encode(input)), seed);

describe('murmur3', () => {
  it('matches known MurmurHash3_x86_32 values', () => {
    // Published values of the reference implementation.
    expect(murmur3('', 0)).toBe(0);
    expect(murmur3('', 1)).toBe(0x514e28b7);
    expect(murmur3('', 0xffffffff)).toBe(0x81f16f39);
    expect(murmur3('hello', 0)).toBe(613153351);
    expect(murmur3('The quick brown fox jumps over the lazy dog', 0x9747b28c)).toBe(0x2fa826cd);
  });

  it('matches the murmurhash3js reference on every tail length and seed', () => {
    const inputs = ['', 'a', 'ab', 'abc', 'abcd', 'abcde', 'é', 'éa', 'aé', '日', '日本', '🚀', 'a🚀', 'ab🚀', 'abc🚀', 'x'.repeat(1001)];
    for (const input of inputs) {
      for (const seed of [0, 1, 42, 86028157, 0x7fffffff, 0x80000000, 0xffffffff]) {
        expect(murmur3(input, seed), `${JSON.stringify(input)} seed ${seed}`).toBe(referenceHash(input, seed));
      }
    }
  });

  it('encodes lone surrogates as U+FFFD, like TextEncoder', () => {
    expect(murmur3('a\ud800b')).toBe(murmur3('a\ufffdb'));
    expect(murmur3('\udc00')).toBe(murmur3('\ufffd'));
    expect(murmur3('\ud83d')).toBe(murmur3('\ufffd')); // high surrogate at the very end
    expect(murmur3('\ud83d\ud83d\ude80')).toBe(murmur3('\ufffd🚀')); // high, then a valid pair
    expect(murmur3('\ude80\ud83d')).toBe(murmur3('\ufffd\ufffd')); // reversed pair
  });

  it('matches the reference for arbitrary strings (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 64 }), fc.nat({ max: 0xffffffff }), (s, seed) => {
        expect(murmur3(s, seed)).toBe(referenceHash(s, seed));
      }),
      { numRuns: 500, seed: 1 },
    );
  });

  it('returns unsigned 32-bit integers', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const h = murmur3(s);
        expect(Number.isInteger(h) && h >= 0 && h <= 0xffffffff).toBe(true);
      }),
      { numRuns: 200, seed: 2 },
    );
  });
});

describe('murmur3WithPrefix (precomputed salt state)', () => {
  it('equals hashing the concatenation for every prefix length (0–3 carried bytes)', () => {
    const prefixes = ['', 'a:', 'ab:', 'abc:', 'abcd:', 'new-checkout:', 'é:', '日本:', '🚀:', 'x'.repeat(257) + ':'];
    const units = ['', 'u', 'user-1', 'é', '日本語', '🚀', 'a\ud800', 'x'.repeat(1001)];
    for (const prefix of prefixes) {
      for (const seed of [0, 86028157, 0xffffffff]) {
        const state = murmur3Prefix(prefix, seed);
        for (const unit of units) {
          expect(murmur3WithPrefix(state, unit)).toBe(murmur3(prefix + unit, seed));
          for (const total of [1, 7, 100_000, 2 ** 32]) expect(murmur3BucketWithPrefix(state, unit, total)).toBe(murmur3(prefix + unit, seed) % total);
        }
      }
    }
  });

  it('equals hashing the concatenation (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.nat({ max: 0xffffffff }), (salt, unit, seed) => {
        const prefix = `${salt}:`;
        expect(murmur3WithPrefix(murmur3Prefix(prefix, seed), unit)).toBe(murmur3(prefix + unit, seed));
      }),
      { numRuns: 500, seed: 3 },
    );
  });

  it('murmur3Int32WithPrefix: the signed hash, for ASCII ids and for non-ASCII characters anywhere in them', () => {
    // The ASCII fast path hands over to the UTF-8 path on the first character ≥ 0x80: in the bytes that top up the
    // prefix's partial block, in a whole block, or in the tail.
    const units = ['', 'u', 'user-1', 'user-4711', 'é', 'éabcdefg', 'aéb', 'abcé', 'abcdéfg', 'abcdefgé', 'user-1\u0080', '\u007f\u0080', '日本', 'ab🚀', 'a\ud800'];
    for (const prefix of ['', 'a:', 'ab:', 'abc:', 'rollout-25:', 'split-3:', 'é:']) {
      for (const seed of [0, 0xffffffff]) {
        const state = murmur3Prefix(prefix, seed);
        for (const unit of units) {
          const h = murmur3Int32WithPrefix(state, unit);
          expect(h, JSON.stringify([prefix, unit])).toBe(murmur3(prefix + unit, seed) | 0);
        }
      }
    }
  });

  it('reduceHash(h, total, 1 / total) is h % total, also next to multiples of total and at the extremes', () => {
    // 1620723383 and 4199983096: totals whose reciprocal times the total itself rounds just below 1.
    const totals = [1, 2, 3, 7, 100, 1_000, 100_000, 65_537, 1_620_723_383, 4_199_983_096, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 0xfffffffe, 0xffffffff, 2 ** 32];
    for (const total of totals) {
      const inverse = 1 / total;
      const hashes = [0, 1, 0xffffffff, 0xfffffffe, 2 ** 31 - 1, 2 ** 31];
      for (const k of [1, 2, 3, Math.floor(0xffffffff / total) - 1, Math.floor(0xffffffff / total)]) {
        for (const d of [-1, 0, 1]) hashes.push(k * total + d);
      }
      for (const h of hashes) {
        if (h < 0 || h > 0xffffffff) continue;
        expect(reduceHash(h, total, inverse), `${h} mod ${total}`).toBe(h % total);
      }
    }
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.integer({ min: 1, max: 0xffffffff }), (h, total) => {
        expect(reduceHash(h, total, 1 / total)).toBe(h % total);
      }),
      { numRuns: 2_000, seed: 4 },
    );
    // Multiples of the total (and their neighbours) are where the reciprocal's rounding shows.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 0xffffffff }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: -1, max: 1 }), (total, f, d) => {
        const h = Math.floor(f * Math.floor(0xffffffff / total)) * total + d;
        if (h >= 0 && h <= 0xffffffff) expect(reduceHash(h, total, 1 / total)).toBe(h % total);
      }),
      { numRuns: 5_000, seed: 5 },
    );
  });

  it('keeps the prefix state immutable and reusable', () => {
    const state = murmur3Prefix('flag:', 7);
    const a = murmur3WithPrefix(state, 'one');
    murmur3WithPrefix(state, 'two');
    expect(murmur3WithPrefix(state, 'one')).toBe(a);
    expect(Object.isFrozen(state)).toBe(true);
  });
});

describe('murmur3MixWord / murmur3Finish', () => {
  it('reproduce murmur3 of the little-endian bytes of 32-bit words', () => {
    // "abcd" is the word 0x64636261.
    expect(murmur3Finish(murmur3MixWord(0, 0x64636261), 4)).toBe(murmur3('abcd'));
    expect(murmur3Finish(murmur3MixWord(murmur3MixWord(5, 0x64636261), 0x68676665), 8)).toBe(murmur3('abcdefgh', 5));
  });
});
