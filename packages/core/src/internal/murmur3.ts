/**
 * MurmurHash3 x86 32-bit over the UTF-8 bytes of a JavaScript string.
 *
 * The UTF-8 encoding is done inline (no TextEncoder, no intermediate buffer) because bucketing runs on every
 * evaluation of a split flag. Lone surrogates encode as U+FFFD (EF BF BD), exactly like TextEncoder, so every
 * SDK that hashes `new TextEncoder().encode(s)` gets the same bytes.
 *
 * The hashing state is streamed: `murmur3Prefix` absorbs a constant prefix (e.g. `salt + ":"`) once at compile
 * time, and `murmur3WithPrefix` continues from it with the unit's bytes, so the hot path never concatenates
 * strings and never allocates.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** Intermediate MurmurHash3 state after absorbing some bytes: the running hash plus up to 3 carried bytes. */
export interface Murmur3State {
  /** Running hash after all complete 4-byte blocks. */
  readonly h1: number;
  /** Carried bytes (little-endian) not yet forming a complete block. */
  readonly carry: number;
  /** Number of carried bits: 0, 8, 16 or 24. */
  readonly carryBits: number;
  /** Bytes absorbed so far. */
  readonly length: number;
}

// Scratch registers for absorb(): module-level so the streaming core is written once and returns no object.
let sH1 = 0;
let sCarry = 0;
let sBits = 0;
let sLen = 0;

function mixBlock(h1: number, k1: number): number {
  k1 = Math.imul(k1, C1);
  k1 = (k1 << 15) | (k1 >>> 17);
  k1 = Math.imul(k1, C2);
  h1 ^= k1;
  h1 = (h1 << 13) | (h1 >>> 19);
  return (Math.imul(h1, 5) + 0xe6546b64) | 0;
}

/** Feeds the UTF-8 bytes of `input` into the scratch state. */
function absorb(input: string): void {
  let h1 = sH1;
  let carry = sCarry;
  let bits = sBits;
  let len = sLen;
  const n = input.length;
  let i = 0;
  while (i < n) {
    // Fast path: four ASCII characters on a block boundary form one block directly.
    if (bits === 0 && i + 3 < n) {
      const a = input.charCodeAt(i);
      const b = input.charCodeAt(i + 1);
      const c = input.charCodeAt(i + 2);
      const d = input.charCodeAt(i + 3);
      if ((a | b | c | d) < 0x80) {
        h1 = mixBlock(h1, a | (b << 8) | (c << 16) | (d << 24));
        len += 4;
        i += 4;
        continue;
      }
    }
    const cu = input.charCodeAt(i++);
    let packed: number;
    let count: number;
    if (cu < 0x80) {
      packed = cu;
      count = 1;
    } else if (cu < 0x800) {
      packed = (0xc0 | (cu >> 6)) | ((0x80 | (cu & 0x3f)) << 8);
      count = 2;
    } else if (cu < 0xd800 || cu > 0xdfff) {
      packed = (0xe0 | (cu >> 12)) | ((0x80 | ((cu >> 6) & 0x3f)) << 8) | ((0x80 | (cu & 0x3f)) << 16);
      count = 3;
    } else {
      const next = i < n ? input.charCodeAt(i) : 0;
      if (cu <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++;
        const cp = 0x10000 + ((cu - 0xd800) << 10) + (next - 0xdc00);
        packed =
          (0xf0 | (cp >> 18)) |
          ((0x80 | ((cp >> 12) & 0x3f)) << 8) |
          ((0x80 | ((cp >> 6) & 0x3f)) << 16) |
          ((0x80 | (cp & 0x3f)) << 24);
        count = 4;
      } else {
        // Lone surrogate → U+FFFD, as TextEncoder does.
        packed = 0xef | (0xbf << 8) | (0xbd << 16);
        count = 3;
      }
    }
    const total = bits + (count << 3);
    if (total < 32) {
      carry |= packed << bits;
      bits = total;
    } else {
      // `bits` < 32 here, so the shift is well defined; bytes that do not fit spill into the next carry.
      h1 = mixBlock(h1, carry | (packed << bits));
      carry = bits === 0 ? 0 : packed >>> (32 - bits);
      bits = total - 32;
      if (bits === 0) carry = 0;
    }
    len += count;
  }
  sH1 = h1;
  sCarry = carry;
  sBits = bits;
  sLen = len;
}

function finish(): number {
  let h1 = sH1;
  if (sBits > 0) {
    let k1 = sCarry;
    k1 = Math.imul(k1, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    k1 = Math.imul(k1, C2);
    h1 ^= k1;
  }
  // The length is mixed in mod 2^32, as in the reference implementation.
  h1 ^= sLen;
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  return h1 >>> 0;
}

/**
 * MurmurHash3 x86 32-bit of the UTF-8 bytes of `input`, as an unsigned 32-bit integer.
 *
 * @example
 * murmur3('hello');            // 613153351
 * murmur3('new-checkout:u1', 0) % 100_000; // the bucket of unit "u1" in flag "new-checkout"
 */
export function murmur3(input: string, seed = 0): number {
  sH1 = seed | 0;
  sCarry = 0;
  sBits = 0;
  sLen = 0;
  absorb(input);
  return finish();
}

/** Absorbs a constant prefix once; continue with `murmur3WithPrefix`. */
export function murmur3Prefix(prefix: string, seed = 0): Murmur3State {
  sH1 = seed | 0;
  sCarry = 0;
  sBits = 0;
  sLen = 0;
  absorb(prefix);
  return Object.freeze({ h1: sH1, carry: sCarry, carryBits: sBits, length: sLen });
}

/** `murmur3(prefix + suffix, seed)` where `state = murmur3Prefix(prefix, seed)`, without concatenating. */
export function murmur3WithPrefix(state: Murmur3State, suffix: string): number {
  sH1 = state.h1;
  sCarry = state.carry;
  sBits = state.carryBits;
  sLen = state.length;
  absorb(suffix);
  return finish();
}

/** One MurmurHash3 block round: mixes the 32-bit word `k1` into `h1`. For incremental hashes of numbers. */
export function murmur3MixWord(h1: number, k1: number): number {
  return mixBlock(h1, k1);
}

/** MurmurHash3 finalisation of a running hash after `length` bytes. */
export function murmur3Finish(h1: number, length: number): number {
  h1 ^= length;
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  return h1 >>> 0;
}
