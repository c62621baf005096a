/**
 * The hand-written baseline: what a person would write for exactly these four flags with no flag system at all.
 * It is the floor every implementation is compared against ("the limit" in docs/benchmarks.md).
 *
 * The hash is MurmurHash3 x86 32-bit of `flagKey + ":" + userId` (Halyard's documented bucketing), inlined,
 * with the prefix's block state precomputed so only the user id is hashed per call. It handles ASCII ids only
 * (the benchmark's ids are UUIDs); a real evaluator must also encode UTF-8, which is part of what it pays for.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** State after absorbing a constant ASCII prefix: running hash, carried tail bytes, their bit count, length. */
export interface PrefixState {
  h1: number;
  carry: number;
  bits: number;
  length: number;
}

export function prefixState(prefix: string, seed = 0): PrefixState {
  let h1 = seed | 0;
  let carry = 0;
  let bits = 0;
  for (let i = 0; i < prefix.length; i++) {
    carry |= (prefix.charCodeAt(i) & 0xff) << bits;
    bits += 8;
    if (bits === 32) {
      h1 = mix(h1, carry);
      carry = 0;
      bits = 0;
    }
  }
  return { h1, carry, bits, length: prefix.length };
}

function mix(h1: number, k1: number): number {
  k1 = Math.imul(k1, C1);
  k1 = (k1 << 15) | (k1 >>> 17);
  k1 = Math.imul(k1, C2);
  h1 ^= k1;
  h1 = (h1 << 13) | (h1 >>> 19);
  return (Math.imul(h1, 5) + 0xe6546b64) | 0;
}

/**
 * `murmur3_x86_32(prefix + suffix)` for ASCII strings, continuing from `state`, as a SIGNED int32: take
 * `>>> 0` at the use site. Returning the unsigned value from a call that is not inlined would box every hash
 * above 2^31 into a heap number (8 bytes per call on average) and turn `% 100` into a float modulo.
 */
export function hashWithPrefix(state: PrefixState, suffix: string): number {
  let h1 = state.h1;
  let carry = state.carry;
  let bits = state.bits;
  const n = suffix.length;
  let i = 0;
  // Top up the prefix's partial block first, then the rest is block-aligned.
  while (bits !== 0 && i < n) {
    carry |= suffix.charCodeAt(i++) << bits;
    bits += 8;
    if (bits === 32) {
      h1 = mix(h1, carry);
      carry = 0;
      bits = 0;
    }
  }
  const end = i + ((n - i) & ~3);
  for (; i < end; i += 4) {
    let k1 =
      suffix.charCodeAt(i) |
      (suffix.charCodeAt(i + 1) << 8) |
      (suffix.charCodeAt(i + 2) << 16) |
      (suffix.charCodeAt(i + 3) << 24);
    k1 = Math.imul(k1, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    k1 = Math.imul(k1, C2);
    h1 ^= k1;
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
  }
  for (; i < n; i++) {
    carry |= suffix.charCodeAt(i) << bits;
    bits += 8;
  }
  if (bits !== 0) {
    let k1 = Math.imul(carry, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    k1 = Math.imul(k1, C2);
    h1 ^= k1;
  }
  h1 ^= state.length + n;
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  return h1 | 0;
}
