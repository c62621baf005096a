import { murmur3Finish, murmur3MixScrambled as mixWordImport } from '../internal/murmur3';
import type { FlagSnapshot, SerializedSnapshot, SnapshotFlag } from '../types';
import { pickSlice as pickSliceImport } from './bucketing';
import type { Ctx } from './context';
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

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** `hex32(a) + hex32(b)` by table, without number-to-string conversions. */
function hex64(a: number, b: number): string {
  return (
    (HEX[a >>> 24] as string) +
    (HEX[(a >>> 16) & 255] as string) +
    (HEX[(a >>> 8) & 255] as string) +
    (HEX[a & 255] as string) +
    (HEX[b >>> 24] as string) +
    (HEX[(b >>> 16) & 255] as string) +
    (HEX[(b >>> 8) & 255] as string) +
    (HEX[b & 255] as string)
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

export interface SnapshotWriters {
  evaluateAll(ctx: Ctx): FlagSnapshot;
  evaluateAllJson(ctx: Ctx): SerializedSnapshot;
}

/** Both snapshot forms over the compiled flags, in document order (the order `Object.keys` gives the snapshot). */
export function snapshotWriters(ordered: readonly CompiledFlag[]): SnapshotWriters {
  const count = ordered.length;

  // A store under a key that varies per iteration is a megamorphic keyed store (~20 ns), so `evaluateAll` starts
  // from a copy of a template that already holds every key in document order and the entries of constant flags:
  // only flags with targeting or splits are stored. Object spread of a fast-properties object copies its shape
  // at once; adding 50 keys to `{}` one by one turns it into a dictionary after the first dozen. The template
  // needs every key it holds to be present in every snapshot, so it is used only when no flag can leave itself
  // out for some contexts (a flag without `offVariant` whose prerequisites or split can serve the caller's
  // default); otherwise the snapshot is built key by key.
  let templated = true;
  const templateSource: Record<string, SnapshotFlag | null> = {};
  for (const flag of ordered) {
    if (flag.constant === -1) {
      if (flag.fallbacks.length > 0) templated = false;
      templateSource[flag.key] = null;
    } else if (flag.constant >= 0) {
      templateSource[flag.key] = null;
    }
  }
  // JSON.parse builds an object with fast properties in this key order (keyed stores would make it a dictionary).
  const template = JSON.parse(JSON.stringify(templateSource)) as Record<string, SnapshotFlag | null>;
  for (const flag of ordered) if (flag.constant >= 0) template[flag.key] = (flag.outcomes[flag.constant] as Outcome).entry;

  function evaluateAll(ctx: Ctx): FlagSnapshot {
    const flags: Record<string, SnapshotFlag> = templated ? ({ ...template } as Record<string, SnapshotFlag>) : {};
    let hA = VERSION_SEED_A;
    let hB = VERSION_SEED_B;
    let entries = 0;
    for (let i = 0; i < count; i++) {
      const flag = ordered[i] as CompiledFlag;
      const constant = flag.constant;
      if (constant >= 0 && templated) {
        // Already in the copy: only its hashes.
        const o = flag.outcomes[constant] as Outcome;
        hA = mixWord(hA, o.hashA);
        hB = mixWord(hB, o.hashB);
        entries++;
        continue;
      }
      const index = constant !== -1 ? constant : snapshotIndex(flag, ctx);
      if (index >= 0) {
        const o = flag.outcomes[index] as Outcome;
        flags[flag.key] = o.entry;
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
