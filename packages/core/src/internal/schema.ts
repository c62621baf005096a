import type { Definitions, FlagKind, FlagType, Operator } from '../types';

/** Flag, segment and variant keys: URL- and header-safe, so they can appear in paths, cookies and metrics. */
export const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;
export const KEY_RULE = 'use 1–200 characters from A–Z, a–z, 0–9, ".", "_", ":", "-", starting with a letter or digit';

export const MAX_ATTRIBUTE_PATH_LENGTH = 256;

export const OPERATORS: readonly Operator[] = [
  'equals',
  'in',
  'notIn',
  'contains',
  'startsWith',
  'endsWith',
  'matches',
  'lt',
  'lte',
  'gt',
  'gte',
  'semverEq',
  'semverLt',
  'semverLte',
  'semverGt',
  'semverGte',
  'before',
  'after',
  'exists',
  'inSegment',
  'inCidr',
];

/** Operators that compare strings and therefore honour `caseInsensitive`. */
export const STRING_OPERATORS: ReadonlySet<Operator> = new Set<Operator>([
  'equals',
  'in',
  'notIn',
  'contains',
  'startsWith',
  'endsWith',
  'matches',
]);

export const FLAG_KINDS: readonly FlagKind[] = ['release', 'experiment', 'operational', 'permission'];
export const FLAG_TYPES: readonly FlagType[] = ['boolean', 'string', 'number', 'json'];

/** Reserved rule id: targets report `ruleId: "target"`. */
export const TARGET_RULE_ID = 'target';

/** Default unit attribute for targets, segments and splits. */
export const DEFAULT_UNIT_ATTRIBUTE = 'userId';

/** Percentages become integer weights out of this total (0.001 % resolution). */
export const PERCENT_SCALE = 100_000;

/** Largest split total: bucket = hash mod W with a 32-bit hash, so W beyond 2^32 would leave buckets empty. */
export const MAX_SPLIT_TOTAL = 0xffffffff;

/** Definitions objects produced by `parseDefinitions`, so `createEvaluator` can skip re-validating them. */
export const validatedDefinitions = new WeakSet<Definitions>();

/** The JSON type category of a variant value, or undefined when it fits none. */
export function valueType(value: unknown): FlagType | undefined {
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

/** Canonical JSON: object keys sorted, so equal content gives equal text regardless of key order. */
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
