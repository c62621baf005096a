import type { Definitions, FlagKind, FlagType } from '../types';
import { VALUE_TYPE_NAMES } from './value-type';

/**
 * Flag, segment and variant keys: URL- and header-safe, so they can appear in paths, cookies and metrics.
 *
 * @example
 * if (!KEY_PATTERN.test(key)) throw new Error(`invalid flag key ${JSON.stringify(key)}: ${KEY_RULE}`);
 */
export const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;
export const KEY_RULE = 'use 1–200 characters from A–Z, a–z, 0–9, ".", "_", ":", "-", starting with a letter or digit';

/** Longest attribute path (`"account.plan"`) a condition, target or split may name. */
export const MAX_ATTRIBUTE_PATH_LENGTH = 256;

export const FLAG_KINDS: readonly FlagKind[] = ['release', 'experiment', 'operational', 'permission'];
/** The flag types, in type-tag order (one list: `value-type.ts`). */
export const FLAG_TYPES: readonly FlagType[] = VALUE_TYPE_NAMES;

/** Reserved rule id: targets report `ruleId: "target"`. */
export const TARGET_RULE_ID = 'target';

/** Default unit attribute for targets, segments and splits (declared once, in exposure-unit.ts). */
export { DEFAULT_UNIT_ATTRIBUTE } from './exposure-unit';

/** Percentages become integer weights out of this total (0.001 % resolution). */
export const PERCENT_SCALE = 100_000;

/** Weight units per percent (1,000: three decimals). */
export const PERCENT_UNIT = PERCENT_SCALE / 100;

/**
 * A slice's percentage as an integer weight out of `PERCENT_SCALE` (`25.5` → `25500`); undefined when it has more
 * than three decimals, which the resolution cannot represent.
 *
 * @example
 * percentageWeight(25.5);   // 25500 (of 100,000)
 * percentageWeight(0.0001); // undefined: finer than 0.001 %
 */
export function percentageWeight(percentage: number): number | undefined {
  const exact = percentage * PERCENT_UNIT;
  const units = Math.round(exact);
  return Math.abs(exact - units) > 1e-6 ? undefined : units;
}

/** Largest split total: bucket = hash mod W with a 32-bit hash, so W beyond 2^32 would leave buckets empty. */
export const MAX_SPLIT_TOTAL = 0xffffffff;

/** Definitions objects produced by `parseDefinitions`, so `createEvaluator` can skip re-validating them. */
export const validatedDefinitions = new WeakSet<Definitions>();

/**
 * The flag type of a variant value as written in a document, or undefined when it is not a valid variant value
 * (a top-level `null`, a non-finite number, a function…). What a caller's default may be is `value-type.ts`.
 */
export function variantValueType(value: unknown): FlagType | undefined {
  switch (typeof value) {
    case 'boolean':
      return 'boolean';
    case 'string':
      return 'string';
    case 'number':
      return Number.isFinite(value) ? 'number' : undefined;
    case 'object':
      return value === null ? undefined : 'json';
    default:
      return undefined;
  }
}

/** Splits a dot path into its segments; `undefined` when the path is malformed. */
export function splitAttributePath(path: string): string[] | undefined {
  if (path.length === 0 || path.length > MAX_ATTRIBUTE_PATH_LENGTH) return undefined;
  const parts = path.split('.');
  for (const part of parts) if (part.length === 0) return undefined;
  return parts;
}

/**
 * Canonical JSON: object keys sorted, so equal content gives equal text regardless of key order.
 *
 * @example
 * canonicalJson({ b: 1, a: [true, null] }); // '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const s = JSON.stringify(value);
    return s === undefined ? 'null' : s;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  const parts: string[] = [];
  for (const k of keys) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined) continue;
    parts.push(`${JSON.stringify(k)}:${canonicalJson(v)}`);
  }
  return `{${parts.join(',')}}`;
}
