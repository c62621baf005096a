import type { EvaluationReason, FlagDefinition, FlagsDocument, JsonValue } from '@halyard/core';

/** Options shared by every helper that turns plain values into flags. */
export interface TestFlagOptions {
  /** Reason reported per flag (details, snapshots). Default: what the real evaluator says for a plain flag. */
  reasons?: Record<string, EvaluationReason>;
  /** Variant name per flag. Default: `on`/`off` for booleans, the value itself for strings and numbers, else `value`. */
  variants?: Record<string, string>;
}

/** The variant name a value gets when the test does not name one. */
export function variantName(value: JsonValue): string {
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  return 'value';
}

/**
 * A valid flags document serving each value to everyone: one variant per flag, enabled, no rules. Going through
 * the real document keeps test clients faithful (type mismatches, missing flags, snapshots) to production ones.
 */
export function documentFor(
  values: Readonly<Record<string, JsonValue | undefined>>,
  options: TestFlagOptions | undefined,
  version: number,
): FlagsDocument {
  const flags: Record<string, FlagDefinition> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const variant = options?.variants?.[key] ?? variantName(value);
    flags[key] = {
      type: typeof value === 'boolean' || typeof value === 'string' || typeof value === 'number' ? typeof value : 'json',
      variants: { [variant]: value },
      enabled: true,
      offVariant: variant,
      defaultServe: { variant },
    } as FlagDefinition;
  }
  return { schemaVersion: 1, version: `test-${version}`, flags };
}
