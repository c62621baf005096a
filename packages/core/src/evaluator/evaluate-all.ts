import { murmur3Finish } from '../internal/murmur3';
import type { FlagSnapshot, SerializedSnapshot, SnapshotFlag } from '../types';
import type { CompiledSplit } from './bucketing';
import { EMPTY_CONTEXT, type Ctx } from './context';
import { decideIndex as decideIndexImport, outcomeIndex, splitIndex as splitIndexImport } from './outcome-index';
import { ERROR_INDEX, type CompiledFlag } from './outcomes';

/*
 * Every flag for one context: the snapshot SSR injects and `POST /sdk/v1/evaluate` answers.
 *
 * Everything a flag can put into a snapshot is made at compile time, per outcome: the shared frozen entry, its
 * JSON text (`"key":{…}`) and two content hashes, laid out in flat tables by outcome. Per call only the flags that
 * depend on the context run: constant flags are in the template object that `evaluateAll` copies (and in the
 * version's starting sums), split-only flags call `pickSlice` directly, and only flags with targeting call their
 * `decide` closure. The serialised form is a concatenation of constant strings rather than a `JSON.stringify` of
 * 50 objects (~8 µs on Node 20 for 50 entries, three times the evaluation itself).
 *
 * The version is a content hash of the set of entries: per lane, the sum (mod 2^32) of each entry's murmur3 hash
 * of its canonical `[key, entry]`, finalised with the entry count. A sum does not depend on the order the entries
 * are visited in (a snapshot's key order carries no meaning, see internal/snapshot-patch.ts), which is what lets
 * constant flags be added once at compile time and the loop visit the flags grouped by shape.
 */

// Module-local constants for the hot loop, for the reason given at `hasOwnProperty` in context.ts.
const splitIndex = splitIndexImport;
const decideIndex = decideIndexImport;

/** Seeds of the two lanes of a snapshot version. */
const VERSION_SEED_A = 0x9747b28c | 0;
const VERSION_SEED_B = 0x2f8e5a13 | 0;

/** Char codes of the hex digits, by nibble. */
const HEX_CODES = new Uint8Array(16).map((_, i) => '0123456789abcdef'.charCodeAt(i));
const fromCharCode = String.fromCharCode;

/**
 * `hex32(a) + hex32(b)`, as one 16-character string in one allocation: joining eight two-digit strings from a
 * table allocated seven intermediate strings (the last ones cons strings, flattened again when read), ~2.5× the
 * time of this, without number-to-string conversions either way.
 */
function hex64(a: number, b: number): string {
  const c = HEX_CODES;
  return fromCharCode(
    c[a >>> 28] as number,
    c[(a >>> 24) & 15] as number,
    c[(a >>> 20) & 15] as number,
    c[(a >>> 16) & 15] as number,
    c[(a >>> 12) & 15] as number,
    c[(a >>> 8) & 15] as number,
    c[(a >>> 4) & 15] as number,
    c[a & 15] as number,
    c[b >>> 28] as number,
    c[(b >>> 24) & 15] as number,
    c[(b >>> 20) & 15] as number,
    c[(b >>> 16) & 15] as number,
    c[(b >>> 12) & 15] as number,
    c[(b >>> 8) & 15] as number,
    c[(b >>> 4) & 15] as number,
    c[b & 15] as number,
  );
}

/** The version of a snapshot of `entries` entries whose content hashes sum to `sumA`/`sumB` (mod 2^32). */
function versionOf(sumA: number, sumB: number, entries: number): string {
  return hex64(murmur3Finish(sumA ^ VERSION_SEED_A, entries), murmur3Finish(sumB ^ VERSION_SEED_B, entries));
}

/**
 * The outcome a flag most likely serves, for the template of `evaluateAll` (a guess: a wrong one costs one store
 * per call, never a wrong answer). Constant flags: their outcome. Split-only flags: the widest slice. Flags with
 * targeting: what they serve a context matching nothing (the empty context), which is what most contexts get from
 * rules aimed at a few; -1 when that is no outcome.
 */
function likelyIndex(flag: CompiledFlag): number {
  if (flag.constant !== -1) return flag.constant;
  const split = flag.split;
  if (split === null) return outcomeIndex(flag, EMPTY_CONTEXT);
  const bounds = [split.t0, split.t1, split.t2, split.t3, ...split.rest];
  let widest = 0;
  let widestWeight = -1;
  let lower = 0;
  for (let slice = 0; slice < bounds.length && lower < split.total; slice++) {
    const upper = bounds[slice] as number;
    if (upper - lower > widestWeight) {
      widest = slice;
      widestWeight = upper - lower;
    }
    lower = upper;
  }
  return split.firstOutcome + widest;
}

export interface SnapshotWriters {
  evaluateAll(ctx: Ctx): FlagSnapshot;
  evaluateAllJson(ctx: Ctx): SerializedSnapshot;
}

/** Both snapshot forms over the compiled flags, in document order (the order `Object.keys` gives the snapshot). */
export function snapshotWriters(ordered: readonly CompiledFlag[]): SnapshotWriters {
  const count = ordered.length;

  // Flat tables of every outcome of every flag: the outcomes of the flag at document position `pos` start at
  // `firstAt[pos]`. One indexed read each instead of `flag.outcomes[index].entry` (three dependent loads) per field.
  const firstAt = new Int32Array(count);
  const entryAt: SnapshotFlag[] = [];
  const jsonAt: string[] = [];
  const hashAList: number[] = [];
  const hashBList: number[] = [];
  for (let pos = 0; pos < count; pos++) {
    const flag = ordered[pos] as CompiledFlag;
    firstAt[pos] = entryAt.length;
    for (const o of flag.outcomes) {
      entryAt.push(o.entry);
      jsonAt.push(o.json);
      hashAList.push(o.hashA);
      hashBList.push(o.hashB);
    }
  }
  const hashAAt = Int32Array.from(hashAList);
  const hashBAt = Int32Array.from(hashBList);

  // Constant flags with an outcome are in every snapshot as they are: their hashes are summed here, once.
  let constantA = 0;
  let constantB = 0;
  let constantEntries = 0;
  // The flags that depend on the context ("live"), split-only ones first, then those with targeting: the loop's
  // branch on the flag's shape then flips once per call rather than from flag to flag (measured: grouping and the
  // flat tables took `evaluateAll` over the benchmark's 50 mixed flags from 2.45 to 1.7 µs).
  const livePositions: number[] = [];
  for (let pos = 0; pos < count; pos++) {
    const flag = ordered[pos] as CompiledFlag;
    if (flag.constant >= 0) {
      const k = (firstAt[pos] as number) + flag.constant;
      constantA = (constantA + (hashAAt[k] as number)) | 0;
      constantB = (constantB + (hashBAt[k] as number)) | 0;
      constantEntries++;
    } else if (flag.constant === -1 && flag.split !== null) livePositions.push(pos);
  }
  const splitCount = livePositions.length;
  for (let pos = 0; pos < count; pos++) {
    const flag = ordered[pos] as CompiledFlag;
    if (flag.constant === -1 && flag.split === null) livePositions.push(pos);
  }
  const liveCount = livePositions.length;
  const liveFlags = livePositions.map((pos) => ordered[pos] as CompiledFlag);
  const liveSplits = liveFlags.slice(0, splitCount).map((flag) => flag.split as CompiledSplit);
  const liveFirst = Int32Array.from(livePositions, (pos) => firstAt[pos] as number);

  // A store under a key that varies per iteration is a megamorphic keyed store (~15–27 ns: V8 searches the
  // 50-property object's descriptors by name), so `evaluateAll` starts from a copy of a template that already
  // holds every key in document order, with an entry for each: constant flags' own, and for the others the
  // outcome they most likely serve (`likely`). A flag is stored only when it serves something else — for the
  // usual mix of rollouts, splits and rules, a quarter of the stores of storing every non-constant flag. Object
  // spread of a fast-properties object copies its shape at once; adding 50 keys to `{}` one by one turns it into
  // a dictionary after the first dozen. The template needs every key it holds to be present in every snapshot,
  // so it is used only when no flag can leave itself out for some contexts (a flag without `offVariant` whose
  // prerequisites or split can serve the caller's default); otherwise the snapshot is built key by key, in
  // document order.
  let templated = true;
  for (const flag of liveFlags) if (flag.fallbacks.length > 0) templated = false;
  const templateSource: Record<string, SnapshotFlag | null> = {};
  if (templated) {
    // A constant fallback (a disabled flag without offVariant) is in no snapshot, so not in the template.
    for (const flag of ordered) if (flag.constant >= -1) templateSource[flag.key] = null;
  }
  // JSON.parse builds an object with fast properties in this key order (keyed stores would make it a dictionary).
  const template = JSON.parse(JSON.stringify(templateSource)) as Record<string, SnapshotFlag>;
  // Per live flag: the outcome in the template, or -1 (every call stores the entry; without a likely outcome the
  // key holds a placeholder that every call overwrites).
  const liveLikely = new Int32Array(liveCount).fill(-1);
  if (templated) {
    for (let pos = 0; pos < count; pos++) {
      const flag = ordered[pos] as CompiledFlag;
      if (flag.constant >= 0) template[flag.key] = entryAt[(firstAt[pos] as number) + flag.constant] as SnapshotFlag;
    }
    for (let j = 0; j < liveCount; j++) {
      const flag = liveFlags[j] as CompiledFlag;
      const index = likelyIndex(flag);
      liveLikely[j] = index;
      template[flag.key] = index >= 0 ? (entryAt[(liveFirst[j] as number) + index] as SnapshotFlag) : flag.errorEntry;
    }
  }

  /** Snapshot index of live flag `j`: an outcome (≥ 0), `ERROR_INDEX`, or a fallback (≤ -2). Never throws. */
  function liveIndex(j: number, ctx: Ctx): number {
    const flag = liveFlags[j] as CompiledFlag;
    return j < splitCount ? splitIndex(flag, liveSplits[j] as CompiledSplit, ctx) : decideIndex(flag, ctx);
  }

  function evaluateTemplated(ctx: Ctx): FlagSnapshot {
    const flags = { ...template };
    let sumA = constantA;
    let sumB = constantB;
    let entries = constantEntries;
    for (let j = 0; j < liveCount; j++) {
      const index = liveIndex(j, ctx);
      if (index >= 0) {
        const k = (liveFirst[j] as number) + index;
        // Already in the copy when it is the template's entry.
        if (index !== liveLikely[j]) flags[(liveFlags[j] as CompiledFlag).key] = entryAt[k] as SnapshotFlag;
        sumA = (sumA + (hashAAt[k] as number)) | 0;
        sumB = (sumB + (hashBAt[k] as number)) | 0;
        entries++;
      } else {
        // No fallbacks here (see `templated`), so an error.
        const flag = liveFlags[j] as CompiledFlag;
        flags[flag.key] = flag.errorEntry;
        sumA = (sumA + flag.errorHashA) | 0;
        sumB = (sumB + flag.errorHashB) | 0;
        entries++;
      }
    }
    // The version depends only on the entries (via their content hashes), so equal content → equal version,
    // even across definitions versions that differ elsewhere.
    return { version: versionOf(sumA, sumB, entries), flags };
  }

  // Document position → live index, or -1 for a constant flag (the key-by-key paths visit flags in document order).
  const liveAt = new Int32Array(count).fill(-1);
  for (let j = 0; j < liveCount; j++) liveAt[livePositions[j] as number] = j;

  /** Snapshot index of the flag at document position `pos` (see `liveIndex`). */
  function indexAt(pos: number, ctx: Ctx): number {
    const j = liveAt[pos] as number;
    return j === -1 ? (ordered[pos] as CompiledFlag).constant : liveIndex(j, ctx);
  }

  function evaluateKeyByKey(ctx: Ctx): FlagSnapshot {
    const flags: Record<string, SnapshotFlag> = {};
    let sumA = 0;
    let sumB = 0;
    let entries = 0;
    for (let pos = 0; pos < count; pos++) {
      const index = indexAt(pos, ctx);
      const flag = ordered[pos] as CompiledFlag;
      if (index >= 0) {
        const k = (firstAt[pos] as number) + index;
        flags[flag.key] = entryAt[k] as SnapshotFlag;
        sumA = (sumA + (hashAAt[k] as number)) | 0;
        sumB = (sumB + (hashBAt[k] as number)) | 0;
      } else if (index === ERROR_INDEX) {
        flags[flag.key] = flag.errorEntry;
        sumA = (sumA + flag.errorHashA) | 0;
        sumB = (sumB + flag.errorHashB) | 0;
      } else {
        // Serves the caller's default (no offVariant): left out, so a snapshot reader answers its own default.
        continue;
      }
      entries++;
    }
    return { version: versionOf(sumA, sumB, entries), flags };
  }

  function evaluateAllJson(ctx: Ctx): SerializedSnapshot {
    let body = '';
    let sumA = 0;
    let sumB = 0;
    let entries = 0;
    for (let pos = 0; pos < count; pos++) {
      const index = indexAt(pos, ctx);
      let json: string;
      if (index >= 0) {
        const k = (firstAt[pos] as number) + index;
        json = jsonAt[k] as string;
        sumA = (sumA + (hashAAt[k] as number)) | 0;
        sumB = (sumB + (hashBAt[k] as number)) | 0;
      } else if (index === ERROR_INDEX) {
        const flag = ordered[pos] as CompiledFlag;
        json = flag.errorJson;
        sumA = (sumA + flag.errorHashA) | 0;
        sumB = (sumB + flag.errorHashB) | 0;
      } else {
        continue;
      }
      body = entries === 0 ? json : body + ',' + json;
      entries++;
    }
    const version = versionOf(sumA, sumB, entries);
    // Byte for byte what JSON.stringify({ version, flags }) gives (the property order of `evaluateAll`'s result).
    return { version, json: '{"version":"' + version + '","flags":{' + body + '}}' };
  }

  return { evaluateAll: templated ? evaluateTemplated : evaluateKeyByKey, evaluateAllJson };
}
