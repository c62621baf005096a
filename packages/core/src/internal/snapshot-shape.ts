import type { FlagSnapshot } from '../types';

const REASONS = ['STATIC', 'TARGETING_MATCH', 'SPLIT', 'DEFAULT', 'DISABLED', 'PREREQUISITE_FAILED', 'ERROR'];
const ERROR_CODES = ['FLAG_NOT_FOUND', 'TYPE_MISMATCH', 'PARSE_ERROR', 'GENERAL'];

export type SnapshotCheck = { ok: true; snapshot: FlagSnapshot } | { ok: false; path: string; message: string };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value == 'object' && value !== null && !Array.isArray(value);
const optionalString = (value: unknown) => value === undefined || typeof value == 'string';

/**
 * Checks that a value received from the network (or handed in) has the FlagSnapshot shape. Cheap, shallow and
 * small on purpose: it runs in browsers, in the bundle of every app that reads flags.
 */
export function checkSnapshot(value: unknown): SnapshotCheck {
  const problem = (path: string, message: string): SnapshotCheck => ({ ok: false, path, message });
  if (!isRecord(value)) return problem('$', 'expected an object { version, flags }');
  if (typeof value.version != 'string') return problem('$.version', 'expected a string');
  const flags = value.flags;
  if (!isRecord(flags)) return problem('$.flags', 'expected an object of flag entries');
  for (const key of Object.keys(flags)) {
    const entry = flags[key];
    const path = `$.flags[${JSON.stringify(key)}]`;
    // [field, what it must be] of the first invalid field, if any.
    const bad = !isRecord(entry)
      ? ['', 'expected an object { value, reason }']
      : entry.value === undefined
        ? ['.value', 'is missing']
        : !REASONS.includes(entry.reason as string)
          ? ['.reason', `expected one of ${REASONS.join(', ')}`]
          : !optionalString(entry.variant)
            ? ['.variant', 'expected a string']
            : !optionalString(entry.ruleId)
              ? ['.ruleId', 'expected a string']
              : entry.errorCode !== undefined && !ERROR_CODES.includes(entry.errorCode as string)
                ? ['.errorCode', `expected one of ${ERROR_CODES.join(', ')}`]
                : undefined;
    if (bad) return problem(path + bad[0], bad[1]!);
  }
  return { ok: true, snapshot: value as unknown as FlagSnapshot };
}
