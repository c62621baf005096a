import { murmur3 } from '../internal/murmur3';
import { canonicalJson } from '../internal/schema';
import type { EvaluationDetails, EvaluationReason, JsonValue, SnapshotFlag } from '../types';
import type { CompiledSplit } from './bucketing';
import type { Ctx } from './context';

/**
 * Everything one evaluation can answer for a flag (variant × reason × rule), made once at compile time. The hot
 * path returns these shared frozen objects and allocates nothing.
 */
export interface Outcome {
  readonly variantIndex: number;
  readonly variant: string;
  readonly value: JsonValue;
  readonly reason: EvaluationReason;
  readonly ruleId: string | undefined;
  /** Shared frozen details (without `bucket`). */
  readonly details: EvaluationDetails;
  /** Shared frozen snapshot entry. */
  readonly entry: SnapshotFlag;
  /** `"flagKey":entry` as JSON.stringify writes it inside a snapshot's `flags` (for `evaluateAllJson`). */
  readonly json: string;
  /** True for SPLIT outcomes: `getDetails` adds the unit's bucket to a fresh details object. */
  readonly split: boolean;
  /**
   * Two 32-bit murmur3 hashes (signed int32) of the canonical JSON `[flagKey, entry]`, with seeds `HASH_SEED_A`
   * and `HASH_SEED_B`: a snapshot's version sums them over its entries (evaluate-all.ts).
   */
  readonly hashA: number;
  readonly hashB: number;
}

/**
 * A result that serves the caller's default rather than a variant: what a flag without `offVariant` answers when
 * disabled, when a prerequisite fails, or for a unit its default split cannot bucket.
 */
export interface Fallback {
  readonly reason: EvaluationReason;
  readonly detail: string | undefined;
}

/*
 * Result indexes, as `decide` returns them: an index ≥ 0 is `outcomes[index]`; an index ≤ -2 is
 * `fallbacks[-2 - index]`; -1 is an evaluation error (only ever returned by the retry in outcome-index.ts). Every
 * value path already answers "index < 0 → the caller's default", so fallbacks cost the hot path nothing.
 */

/** The index of an evaluation error. */
export const ERROR_INDEX = -1;

/** The result index of `fallbacks[position]`. */
export function fallbackIndex(position: number): number {
  return -2 - position;
}

/** The fallback a result index ≤ -2 stands for. */
export function fallbackAt(flag: CompiledFlag, index: number): Fallback {
  return flag.fallbacks[-2 - index] as Fallback;
}

/** One compiled flag: its outcomes and the function that picks one for a context. */
export interface CompiledFlag {
  readonly key: string;
  /** Type tag of the flag's values (`value-type.ts`: 0 boolean, 1 string, 2 number, 3 json). */
  readonly typeTag: number;
  readonly outcomes: readonly Outcome[];
  readonly fallbacks: readonly Fallback[];
  readonly decide: (ctx: Ctx) => number;
  /** The flag is switched off (`enabled: false`): its dependents' prerequisites fail. */
  readonly disabled: boolean;
  /**
   * The result index when it does not depend on the context (disabled or static flags; an outcome or a
   * fallback), else -1.
   */
  readonly constant: number;
  /** For a flag that is nothing but its default split: that split (handles call `pickSlice` directly), else null. */
  readonly split: CompiledSplit | null;
  /** With `split`: the outcome for a unit without the bucketBy attribute. */
  readonly missingUnit: number;
  readonly errorEntry: SnapshotFlag;
  /** `"flagKey":errorEntry`, as `Outcome.json`. */
  readonly errorJson: string;
  /** As `Outcome.hashA`/`hashB`, for `errorEntry`. */
  readonly errorHashA: number;
  readonly errorHashB: number;
}

/** Seeds of the two content hashes that make a 64-bit snapshot version. */
export const HASH_SEED_A = 0;
export const HASH_SEED_B = 0x5bd1e995;

/** One snapshot entry as JSON.stringify writes it inside `flags`: `"flagKey":{…}`. */
export function snapshotEntryJson(flagKey: string, entry: SnapshotFlag): string {
  return `${JSON.stringify(flagKey)}:${JSON.stringify(entry)}`;
}

export function makeOutcome(
  flagKey: string,
  variantIndex: number,
  variant: string,
  value: JsonValue,
  reason: EvaluationReason,
  ruleId: string | undefined,
  detail: string | undefined,
  unitBy: string | undefined,
): Outcome {
  const details: EvaluationDetails = { value, variant, reason };
  const entry: SnapshotFlag = { value, variant, reason };
  if (ruleId !== undefined) {
    details.ruleId = ruleId;
    entry.ruleId = ruleId;
  }
  // Readers over snapshots attribute exposures to this attribute (internal/exposure-unit.ts); only non-default.
  if (unitBy !== undefined) entry.unitBy = unitBy;
  if (detail !== undefined) details.detail = detail;
  const text = canonicalJson([flagKey, entry]);
  return {
    variantIndex,
    variant,
    value,
    reason,
    ruleId,
    details: Object.freeze(details),
    entry: Object.freeze(entry),
    json: snapshotEntryJson(flagKey, entry),
    split: reason === 'SPLIT',
    hashA: murmur3(text, HASH_SEED_A) | 0,
    hashB: murmur3(text, HASH_SEED_B) | 0,
  };
}
