import { createEvaluator, DefinitionsError, parseDefinitions } from '@halyard/core';
import type { Definitions, EvaluationReason, FlagDefinition, FlagSnapshot, FlagsDocument, JsonValue } from '@halyard/core';

/** Options shared by every helper that turns plain values into flags. */
export interface TestFlagOptions {
  /** Reason reported per flag in details and snapshots. Default: what the real evaluator reports (`STATIC`/`DEFAULT`). */
  reasons?: Readonly<Record<string, EvaluationReason>>;
  /** Variant name per flag. Default: `on`/`off` for booleans, the value itself for strings and numbers, else `value`. */
  variants?: Readonly<Record<string, string>>;
}

/** Flag values by key; `undefined` leaves a flag out (so reading it takes the missing-flag path). */
export type TestFlagValues = Readonly<Record<string, JsonValue | undefined>>;

/** The variant name a value gets when the test does not name one. */
export function variantName(value: JsonValue): string {
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  return 'value';
}

let versions = 0;

/**
 * A valid flags document serving each value to everyone: one variant per flag, enabled, no rules. (Also used by
 * `@halyard/testing/express`.)
 */
export function documentFor(values: TestFlagValues, options: TestFlagOptions | undefined, version: number): FlagsDocument {
  const flags: Record<string, FlagDefinition> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const variant = options?.variants?.[key] ?? variantName(value);
    flags[key] = { variants: { [variant]: value }, enabled: true, offVariant: variant, defaultServe: { variant } };
  }
  return { schemaVersion: 1, version: `test-${version}`, flags };
}

/**
 * Validated definitions for `documentFor`. Going through the real parser and evaluator keeps test doubles
 * faithful to production (type mismatches, missing flags, snapshot shape).
 */
export function definitionsFor(values: TestFlagValues, options: TestFlagOptions | undefined): Definitions {
  const result = parseDefinitions(documentFor(values, options, ++versions));
  if (!result.ok) {
    throw new DefinitionsError('@halyard/testing: these flag values do not make a valid flags document; use JSON values', result.problems);
  }
  return result.definitions;
}

/** Applies `options.reasons` to an evaluation result (never to errors: those keep their real reason). */
export function withReason<T extends { reason: EvaluationReason }>(key: string, result: T, options: TestFlagOptions | undefined): T {
  const reason = options?.reasons?.[key];
  return reason === undefined || result.reason === 'ERROR' ? result : { ...result, reason };
}

/**
 * The snapshot a real flags endpoint would serve for these values: what `FlagProvider` and snapshot stores take.
 *
 * @example
 * ```tsx
 * const snapshot = createTestSnapshot({ 'new-checkout': true, 'button-color': 'green' });
 * render(<FlagProvider snapshot={snapshot}><App /></FlagProvider>);
 * ```
 */
export function createTestSnapshot(values: TestFlagValues, options?: TestFlagOptions): FlagSnapshot {
  const snapshot = createEvaluator(definitionsFor(values, options)).evaluateAll(undefined);
  if (!options?.reasons) return snapshot;
  const flags: FlagSnapshot['flags'] = {};
  for (const [key, entry] of Object.entries(snapshot.flags)) flags[key] = withReason(key, entry, options);
  return { version: `${snapshot.version}-${JSON.stringify(options.reasons)}`, flags };
}
