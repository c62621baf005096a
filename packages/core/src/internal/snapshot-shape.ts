import type { ErrorCode, EvaluationReason, FlagSnapshot } from '../types';

const REASONS: ReadonlySet<string> = new Set<EvaluationReason>([
  'STATIC',
  'TARGETING_MATCH',
  'SPLIT',
  'DEFAULT',
  'DISABLED',
  'PREREQUISITE_FAILED',
  'ERROR',
]);
const ERROR_CODES: ReadonlySet<string> = new Set<ErrorCode>(['FLAG_NOT_FOUND', 'TYPE_MISMATCH', 'PARSE_ERROR', 'GENERAL']);

export type SnapshotCheck = { ok: true; snapshot: FlagSnapshot } | { ok: false; path: string; message: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks that a value received from the network (or handed in) has the FlagSnapshot shape. Cheap and shallow on
 * purpose: this runs in browsers and must not pull in the definitions parser.
 */
export function checkSnapshot(value: unknown): SnapshotCheck {
  if (!isRecord(value)) return { ok: false, path: '$', message: 'expected an object { version, flags }' };
  if (typeof value.version !== 'string') return { ok: false, path: '$.version', message: 'expected a string' };
  const flags = value.flags;
  if (!isRecord(flags)) return { ok: false, path: '$.flags', message: 'expected an object of flag entries' };
  for (const key of Object.keys(flags)) {
    const entry = flags[key];
    const path = `$.flags[${JSON.stringify(key)}]`;
    if (!isRecord(entry)) return { ok: false, path, message: 'expected an object { value, reason }' };
    if (!('value' in entry) || entry.value === undefined) return { ok: false, path: `${path}.value`, message: 'is missing' };
    if (typeof entry.reason !== 'string' || !REASONS.has(entry.reason)) {
      return { ok: false, path: `${path}.reason`, message: `expected one of ${[...REASONS].join(', ')}` };
    }
    if (entry.variant !== undefined && typeof entry.variant !== 'string') {
      return { ok: false, path: `${path}.variant`, message: 'expected a string' };
    }
    if (entry.ruleId !== undefined && typeof entry.ruleId !== 'string') {
      return { ok: false, path: `${path}.ruleId`, message: 'expected a string' };
    }
    if (entry.errorCode !== undefined && (typeof entry.errorCode !== 'string' || !ERROR_CODES.has(entry.errorCode))) {
      return { ok: false, path: `${path}.errorCode`, message: `expected one of ${[...ERROR_CODES].join(', ')}` };
    }
  }
  return { ok: true, snapshot: value as unknown as FlagSnapshot };
}
