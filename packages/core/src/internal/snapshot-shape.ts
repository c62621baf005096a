const REASONS = ['STATIC', 'TARGETING_MATCH', 'SPLIT', 'DEFAULT', 'DISABLED', 'PREREQUISITE_FAILED', 'ERROR'];
const ERROR_CODES = ['FLAG_NOT_FOUND', 'TYPE_MISMATCH', 'PARSE_ERROR', 'GENERAL'];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value == 'object' && !!value && !Array.isArray(value);
const optionalString = (value: unknown) => value === undefined || typeof value == 'string';

/**
 * What is wrong with a value received from the network (or handed in) as a FlagSnapshot, as `"<path> <problem>"`
 * (e.g. `$.flags["a"].value is missing`), or `undefined` when it has the shape. Cheap, shallow and small on purpose:
 * it runs in browsers, in the bundle of every app that reads flags.
 */
export function checkSnapshot(value: unknown): string | undefined {
  if (!isRecord(value)) return '$ expected an object';
  if (typeof value.version != 'string') return '$.version expected a string';
  if (!isRecord(value.flags)) return '$.flags expected an object';
  for (const [key, entry] of Object.entries(value.flags)) {
    const problem = !isRecord(entry)
      ? ' expected an object'
      : entry.value === undefined
        ? '.value is missing'
        : !REASONS.includes(entry.reason as string)
          ? `.reason expected one of ${REASONS}`
          : !optionalString(entry.variant)
            ? '.variant expected a string'
            : !optionalString(entry.ruleId)
              ? '.ruleId expected a string'
              : entry.errorCode !== undefined && !ERROR_CODES.includes(entry.errorCode as string)
                ? `.errorCode expected one of ${ERROR_CODES}`
                : '';
    if (problem) return `$.flags[${JSON.stringify(key)}]${problem}`;
  }
}
