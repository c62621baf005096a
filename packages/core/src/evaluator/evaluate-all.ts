import { murmur3Finish, murmur3MixScrambled as mixWordImport } from '../internal/murmur3';
import type { FlagSnapshot, SerializedSnapshot, SnapshotFlag } from '../types';
import { pickSlice as pickSliceImport } from './bucketing';
import { EMPTY_CONTEXT, type Ctx } from './context';
import { decideSafely as decideSafelyImport } from './outcome-index';
import { ERROR_INDEX, type CompiledFlag, type Outcome } from './outcomes';

/*
 * Every flag for one context: the snapshot SSR injects and `POST /sdk/v1/evaluate` answers.
 *
 * One pass over the flags in document order. Per flag it takes the same three paths as the by-key reads
 * (`outcomeIndex`): a constant flag reads its index (no call), a split-only flag calls `pickSlice` directly, and
 * only flags with targeting call their `decide` closure. Everything else is precomputed per outcome at compile
 * time: the shared frozen entry, its two content hashes and its JSON text (`"key":{…}`), so the serialised form is
 * a concatenation of constant strings rather than a `JSON.stringify` of 50 objects (~8 µs on Node 20 for 50
 * entries, three times the evaluation itself).
 */

// Module-local constants for the hot loop, for the reason given at `hasOwnProperty` in context.ts. `mixWord` takes
// the outcome hashes as stored, already scrambled (outcomes.ts): half a murmur3 block round per mix.
const pickSlice = pickSliceImport;
const decideSafely = decideSafelyImport;
const mixWord = mixWordImport;

/** Seeds of the two running hashes of a snapshot version (unchanged since snapshots had versions). */
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

/** The version of a snapshot whose entries' content hashes were mixed into `hA`/`hB`. */
function versionOf(hA: number, hB: number, entries: number): string {
  return hex64(murmur3Finish(hA, entries * 4), murmur3Finish(hB, entries * 4));
}

/**
 * The result index of one flag for a snapshot: an outcome (≥ 0), `ERROR_INDEX`, or a fallback (≤ -2, left out of
 * snapshots). Never throws.
 */
function snapshotIndex(flag: CompiledFlag, ctx: Ctx): number {
  const constant = flag.constant;
  if (constant !== -1) return constant;
  const split = flag.split;
  try {
    if (split === null) return flag.decide(ctx);
    const o = pickSlice(split, ctx);
    return o >= 0 ? o : flag.missingUnit;
  } catch {
    return decideSafely(flag, ctx);
  }
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
  if (split === null) return snapshotIndex(flag, EMPTY_CONTEXT);
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

  // A store under a key that varies per iteration is a megamorphic keyed store (~15–27 ns: V8 searches the
  // 50-property object's descriptors by name), so `evaluateAll` starts from a copy of a template that already
  // holds every key in document order, with an entry for each: constant flags' own, and for the others the
  // outcome they most likely serve (`likely`). A flag is stored only when it serves something else — for the
  // usual mix of rollouts, splits and rules, a quarter of the stores of storing every non-constant flag. Object
  // spread of a fast-properties object copies its shape at once; adding 50 keys to `{}` one by one turns it into
  // a dictionary after the first dozen. The template needs every key it holds to be present in every snapshot,
  // so it is used only when no flag can leave itself out for some contexts (a flag without `offVariant` whose
  // prerequisites or split can serve the caller's default); otherwise the snapshot is built key by key and
  // `likely` is -1 throughout (every entry stored).
  let templated = true;
  for (const flag of ordered) if (flag.constant === -1 && flag.fallbacks.length > 0) templated = false;
  const likely = new Int32Array(count).fill(-1);
  const templateSource: Record<string, SnapshotFlag | null> = {};
  if (templated) {
    for (let i = 0; i < count; i++) {
      const flag = ordered[i] as CompiledFlag;
      // A constant fallback (a disabled flag without offVariant) is in no snapshot, so not in the template.
      if (flag.constant === -1 || flag.constant >= 0) {
        likely[i] = likelyIndex(flag);
        templateSource[flag.key] = null;
      }
    }
  }
  // JSON.parse builds an object with fast properties in this key order (keyed stores would make it a dictionary).
  const template = JSON.parse(JSON.stringify(templateSource)) as Record<string, SnapshotFlag | null>;
  for (let i = 0; i < count; i++) {
    const flag = ordered[i] as CompiledFlag;
    const index = likely[i] as number;
    // Without a likely outcome the key holds a placeholder that every call overwrites.
    if (index >= 0) template[flag.key] = (flag.outcomes[index] as Outcome).entry;
    else if (templated && flag.constant === -1) template[flag.key] = flag.errorEntry;
  }

  function evaluateAll(ctx: Ctx): FlagSnapshot {
    const flags: Record<string, SnapshotFlag> = templated ? ({ ...template } as Record<string, SnapshotFlag>) : {};
    let hA = VERSION_SEED_A;
    let hB = VERSION_SEED_B;
    let entries = 0;
    for (let i = 0; i < count; i++) {
      const flag = ordered[i] as CompiledFlag;
      const constant = flag.constant;
      const index = constant !== -1 ? constant : snapshotIndex(flag, ctx);
      if (index >= 0) {
        const o = flag.outcomes[index] as Outcome;
        // Already in the copy when it is the template's entry.
        if (index !== likely[i]) flags[flag.key] = o.entry;
        hA = mixWord(hA, o.hashA);
        hB = mixWord(hB, o.hashB);
      } else if (index === ERROR_INDEX) {
        flags[flag.key] = flag.errorEntry;
        hA = mixWord(hA, flag.errorHashA);
        hB = mixWord(hB, flag.errorHashB);
      } else {
        // Serves the caller's default (no offVariant): left out, so a snapshot reader answers its own default.
        continue;
      }
      entries++;
    }
    // The version depends only on the entries (via their content hashes), so equal content → equal version,
    // even across definitions versions that differ elsewhere.
    return { version: versionOf(hA, hB, entries), flags };
  }

  function evaluateAllJson(ctx: Ctx): SerializedSnapshot {
    let body = '';
    let hA = VERSION_SEED_A;
    let hB = VERSION_SEED_B;
    let entries = 0;
    for (let i = 0; i < count; i++) {
      const flag = ordered[i] as CompiledFlag;
      const index = snapshotIndex(flag, ctx);
      let json: string;
      if (index >= 0) {
        const o = flag.outcomes[index] as Outcome;
        json = o.json;
        hA = mixWord(hA, o.hashA);
        hB = mixWord(hB, o.hashB);
      } else if (index === ERROR_INDEX) {
        json = flag.errorJson;
        hA = mixWord(hA, flag.errorHashA);
        hB = mixWord(hB, flag.errorHashB);
      } else {
        continue;
      }
      body = entries === 0 ? json : body + ',' + json;
      entries++;
    }
    const version = versionOf(hA, hB, entries);
    // Byte for byte what JSON.stringify({ version, flags }) gives (the property order of `evaluateAll`'s result).
    return { version, json: '{"version":"' + version + '","flags":{' + body + '}}' };
  }

  return { evaluateAll, evaluateAllJson };
}
