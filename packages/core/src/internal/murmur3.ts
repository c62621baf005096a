/**
 * MurmurHash3 x86 32-bit over the UTF-8 bytes of a JavaScript string.
 *
 * The UTF-8 encoding is done inline (no TextEncoder, no intermediate buffer) because bucketing runs on every
 * evaluation of a split flag. Lone surrogates encode as U+FFFD (EF BF BD), exactly like TextEncoder, so every
 * SDK that hashes `new TextEncoder().encode(s)` gets the same bytes.
 *
 * The hashing state is streamed: `murmur3Prefix` absorbs a constant prefix (e.g. `salt + ":"`) once at compile
 * time, and `murmur3Int32WithPrefix` continues from it with the unit's bytes, so the hot path never
 * concatenates strings. It also never allocates: ASCII units are hashed in local variables, other strings in an
 * Int32Array (see `R`), and the hash is returned as a signed int32 (an unsigned hash above 2^31 may be boxed).
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const TWO_POW_32 = 4294967296;

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

function mixBlock(h1: number, k1: number): number {
  k1 = Math.imul(k1, C1);
  k1 = (k1 << 15) | (k1 >>> 17);
  k1 = Math.imul(k1, C2);
  h1 ^= k1;
  h1 = (h1 << 13) | (h1 >>> 19);
  return (Math.imul(h1, 5) + 0xe6546b64) | 0;
}

/**
 * Hashing registers: running hash, carried bytes, carried bit count, byte length. An Int32Array rather than
 * module-level variables because V8 stores raw int32s in it, while a variable holding a hash outside the small
 * integer range would allocate a heap number on every write. Split into `absorb` and `finish` on purpose:
 * measured, one fused function ran the loop ~40 % slower.
 */
const R = new Int32Array(4);

/** Feeds the UTF-8 bytes of `input` into the registers. */
function absorb(input: string): void {
  let h1 = R[0] as number;
  let carry = R[1] as number;
  let bits = R[2] as number;
  let len = R[3] as number;
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
      carry = bits === 0 || total === 32 ? 0 : packed >>> (32 - bits);
      bits = total - 32;
    }
    len += count;
  }
  R[0] = h1;
  R[1] = carry;
  R[2] = bits;
  R[3] = len;
}

/** Finalises the registers and returns `hash mod modulus` (pass 2^32 for the hash itself). */
function finish(modulus: number): number {
  let h1 = R[0] as number;
  if ((R[2] as number) > 0) {
    let k1 = Math.imul(R[1] as number, C1);
    k1 = (k1 << 15) | (k1 >>> 17);
    k1 = Math.imul(k1, C2);
    h1 ^= k1;
  }
  // The length is mixed in mod 2^32, as in the reference implementation.
  h1 ^= R[3] as number;
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  return (h1 >>> 0) % modulus;
}

function start(h1: number, carry: number, bits: number, len: number): void {
  R[0] = h1;
  R[1] = carry;
  R[2] = bits;
  R[3] = len;
}

/**
 * MurmurHash3 x86 32-bit of the UTF-8 bytes of `input`, as an unsigned 32-bit integer. This is the hash behind
 * every split (see docs/bucketing.md).
 *
 * @example
 * murmur3('hello');                              // 613153351
 * murmur3('new-checkout:user-1') % 100_000;      // 40631: the bucket of unit "user-1" in flag "new-checkout"
 */
export function murmur3(input: string, seed = 0): number {
  start(seed | 0, 0, 0, 0);
  absorb(input);
  return finish(TWO_POW_32);
}

/**
 * Absorbs a constant prefix once; continue with `murmur3WithPrefix` / `murmur3BucketWithPrefix`.
 *
 * Deliberately a separate, simple implementation (explicit byte array) rather than a call into the streaming
 * core: the tests compare prefix + suffix hashing against `murmur3` of the whole string, so each implementation
 * checks the other.
 */
export function murmur3Prefix(prefix: string, seed = 0): Murmur3State {
  const bytes: number[] = [];
  for (let i = 0; i < prefix.length; i++) {
    let cp = prefix.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdfff) {
      const next = i + 1 < prefix.length ? prefix.charCodeAt(i + 1) : 0;
      if (cp <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else cp = 0xfffd;
    }
    if (cp < 0x80) bytes.push(cp);
    else if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
  let h1 = seed | 0;
  const blocks = bytes.length - (bytes.length % 4);
  for (let i = 0; i < blocks; i += 4) {
    h1 = mixBlock(h1, (bytes[i] as number) | ((bytes[i + 1] as number) << 8) | ((bytes[i + 2] as number) << 16) | ((bytes[i + 3] as number) << 24));
  }
  let carry = 0;
  for (let i = blocks; i < bytes.length; i++) carry |= (bytes[i] as number) << ((i - blocks) * 8);
  return Object.freeze({ h1, carry, carryBits: (bytes.length - blocks) * 8, length: bytes.length });
}

/** `murmur3(prefix + suffix, seed)` where `state = murmur3Prefix(prefix, seed)`, without concatenating. */
export function murmur3WithPrefix(state: Murmur3State, suffix: string): number {
  start(state.h1, state.carry, state.carryBits, state.length);
  absorb(suffix);
  return finish(TWO_POW_32);
}

/**
 * `murmur3(prefix + suffix, seed) mod total` without concatenating or allocating. `total` must be an integer from
 * 1 to 2^32. The evaluator's hot path uses the two halves, `murmur3Int32WithPrefix` and `reduceHash`, with the
 * reciprocal of each split's total computed once at compile time.
 */
export function murmur3BucketWithPrefix(state: Murmur3State, suffix: string, total: number): number {
  return reduceHash(murmur3Int32WithPrefix(state, suffix) >>> 0, total, 1 / total);
}

/**
 * `murmur3(prefix + suffix, seed)` as a SIGNED 32-bit integer (`>>> 0` gives the unsigned hash). Signed because
 * every int32 is a small integer to V8, while an unsigned hash above 2^31 returned from a call that is not
 * inlined would be boxed into a heap number.
 *
 * Unit ids are nearly always ASCII, where one character is one byte, so this hashes them in local variables —
 * no register array, no per-character UTF-8 branch: top up the prefix's partial block, whole 4-character blocks,
 * then the tail. At the first character ≥ 0x80 it hands the whole string to the general UTF-8 path; restarting
 * from `state` is simpler than handing over a half-absorbed block, and only non-ASCII ids pay for it.
 */
export function murmur3Int32WithPrefix(state: Murmur3State, suffix: string): number {
  let h1 = state.h1;
  let carry = state.carry;
  let bits = state.carryBits;
  const n = suffix.length;
  let i = 0;
  while (bits !== 0 && i < n) {
    const c = suffix.charCodeAt(i++);
    if (c >= 0x80) return hashUtf8(state, suffix);
    carry |= c << bits;
    bits += 8;
    if (bits === 32) {
      h1 = mixBlock(h1, carry);
      carry = 0;
      bits = 0;
    }
  }
  const end = i + ((n - i) & ~3);
  for (; i < end; i += 4) {
    const a = suffix.charCodeAt(i);
    const b = suffix.charCodeAt(i + 1);
    const c = suffix.charCodeAt(i + 2);
    const d = suffix.charCodeAt(i + 3);
    if ((a | b | c | d) >= 0x80) return hashUtf8(state, suffix);
    h1 = mixBlock(h1, a | (b << 8) | (c << 16) | (d << 24));
  }
  for (; i < n; i++) {
    const c = suffix.charCodeAt(i);
    if (c >= 0x80) return hashUtf8(state, suffix);
    carry |= c << bits;
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
  return h1 ^ (h1 >>> 16);
}

/** The general path of `murmur3Int32WithPrefix`, for suffixes with non-ASCII characters. */
function hashUtf8(state: Murmur3State, suffix: string): number {
  start(state.h1, state.carry, state.carryBits, state.length);
  absorb(suffix);
  return finish(TWO_POW_32) | 0;
}

/**
 * `hash mod total` for an unsigned 32-bit `hash` and an integer `total` from 1 to 2^32, given
 * `inverse = 1 / total`. A modulo by a divisor that is not a compile-time constant costs an integer or
 * floating-point division (measured ~25 ns per bucket here); this multiplies by the reciprocal instead.
 *
 * Why it is exact: `hash * inverse` carries two roundings, a relative error below 2^-52, so it is off from
 * `hash / total` by less than 2^-20 / total — less than the 1 / total between `hash / total` and the next
 * integer unless `hash / total` is an integer itself. Its floor is therefore the true quotient, except when
 * `hash` is a multiple of `total` and the product rounds just below it (e.g. 1620723383 / 1620723383): then the
 * remainder comes out as `total`, and one subtraction fixes it. `floor * total` stays below 2^33, exact in a double.
 */
export function reduceHash(hash: number, total: number, inverse: number): number {
  let r = hash - Math.floor(hash * inverse) * total;
  if (r >= total) r -= total;
  return r >>> 0;
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
