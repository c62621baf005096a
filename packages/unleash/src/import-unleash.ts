import { parseDefinitions, type FlagsDocument } from '@halyard/core';
import { UnleashConverter } from './internal/convert';
import type { ImportIssue } from './internal/issues';
import { toHalyardKey } from './internal/keys';

/** A problem found while importing, located in the Unleash payload (`$.features[3].strategies[0]…`). */
export type UnleashImportIssue = ImportIssue;

/** What `importUnleash` returns. It never throws. */
export interface UnleashImportResult {
  /** A valid Halyard document (it passes `parseDefinitions`), possibly empty when the payload was unusable. */
  document: FlagsDocument;
  /** Unleash feature name → Halyard flag key, for every imported feature (see `unleashKey`). */
  keys: Record<string, string>;
  /**
   * Parts imported with a difference in behaviour you should know about: Unleash randomness replaced by a
   * deterministic choice, a custom strategy that never matches, a missing groupId, an invalid regex, …
   */
  warnings: UnleashImportIssue[];
  /** Parts of the payload that are malformed; they were skipped or imported as Unleash evaluates them (off). */
  errors: UnleashImportIssue[];
}

/**
 * Converts an Unleash features payload into a Halyard FlagsDocument that evaluates identically.
 *
 * Accepts the body of Unleash's `/api/client/features` (`{ version, features, segments?, meta? }`, as an object
 * or JSON text) or a delta payload (`{ events: [...] }`, applied in order). Never throws: a payload that is not
 * one gives an empty document and an error at `$`; malformed parts are reported in `errors` with their path.
 *
 * Mapping, mirroring unleash-client-node 6 and the Unleash client specification:
 * - Flag keys: `unleashKey(name)` — the name itself when it is a valid Halyard key without ":", else an escaped
 *   form starting with "u:". `result.keys` lists them. Unleash `type` becomes `kind`, `project` and tags become
 *   tags, `enabled` the kill switch. Disabled features keep their strategies.
 * - Strategies → rules in order, ids `strategy-<n>` (or `strategy-<n>.<m>` when one strategy needs several
 *   rules). `default`; `userWithId` (userId in list); `flexibleRollout`, `gradualRolloutUserId`,
 *   `gradualRolloutSessionId` (a rule `rollout` gate: `murmur3(groupId + ":" + id, 0) % 100 < floor(rollout)`,
 *   which is Unleash's `normalizedValue ≤ rollout` with its +1; stickiness `default` means userId, then
 *   sessionId); `remoteAddress` (exact match or IPv4 range via `inCidr`); `applicationHostname` (reads the
 *   `hostname` attribute). Unknown (custom) strategies never match, as in an SDK without them.
 * - Constraints → conditions: IN/NOT_IN → in/notIn, STR_* → contains/startsWith/endsWith (caseInsensitive kept),
 *   NUM_* → lt/lte/gt/gte (NUM_EQ as gte+lte), DATE_* → before/after on `currentTime`, SEMVER_* → semver* (with
 *   a `matches` requiring the full `major.minor.patch` Unleash reads; Halyard also reads `2.0` and `v2`),
 *   REGEX → matches (RE2 syntax translated), IN_CIDR → inCidr. Unleash evaluates `inverted` (and NOT_IN) as
 *   true for a missing attribute: that becomes an extra rule with an `exists`/`negate` condition, or a helper
 *   segment `unleash-not-<hash>` referenced with `negate: true`. Values are trimmed and empty ones dropped,
 *   as Unleash does; constraints that can never match drop their strategy.
 * - Segments → segments `segment-<id>` (inlined into rules when they contain inverted constraints); a strategy
 *   referencing a missing segment never matches.
 * - Variants → JSON flags (see the module comment). Overrides become rules before the split; the split hashes
 *   with the strategy's groupId (feature variants: the feature name) and seed 86028157 over the total weight;
 *   stickiness `default` tries userId, then sessionId, then remoteAddress.
 * - Dependencies → prerequisites; a dependency that can never hold (missing parent, parent with dependencies of
 *   its own) imports the feature as disabled, as Unleash never enables it. An `"enabled": false` dependency on a
 *   parent disabled in the payload always holds and is dropped (with a warning): a disabled Halyard prerequisite
 *   fails every dependent, so "the parent must be off" is not expressible as a prerequisite.
 *
 * Unleash randomness has no deterministic equivalent: contexts without any stickiness id get the heaviest
 * variant (Unleash: a random one) and are not enabled by partial rollouts; `gradualRolloutRandom` and `random`
 * stickiness roll out by userId, then sessionId. Each case is listed in `warnings`.
 *
 * @example
 * const { document, warnings, errors } = importUnleash(await (await fetch(`${unleashUrl}/api/client/features`, { headers })).json());
 * for (const w of [...errors, ...warnings]) console.warn(`${w.path}: ${w.message}`);
 * const result = parseDefinitions(document); // always ok for an imported document
 * const evaluator = createEvaluator(result.definitions!);
 * evaluator.isEnabled(unleashKey('new-checkout'), unleashContext({ userId: '42' }));
 */
export function importUnleash(payload: unknown): UnleashImportResult {
  const converter = new UnleashConverter();
  let document: FlagsDocument;
  try {
    document = converter.convert(payload);
  } catch (e) {
    converter.issues.error('$', `@halyard/unleash: the Unleash payload could not be read (${e instanceof Error ? e.message : String(e)}); pass plain JSON data`);
    document = { schemaVersion: 1, flags: {} };
  }
  const keys = { ...converter.keys };
  const errors = converter.issues.errors;
  const nameOf = new Map(Object.entries(keys).map(([name, key]) => [key, name]));
  // Safety net: whatever the payload, the result must be a valid document. Anything parseDefinitions refuses
  // is dropped with an error instead of failing the whole import.
  for (let round = 0; round < 20; round++) {
    const result = parseDefinitions(document);
    if (result.ok) break;
    let removed = false;
    for (const problem of result.problems) {
      const flag = /^\$\.flags\[("(?:[^"\\]|\\.)*")\]/.exec(problem.path);
      const segment = /^\$\.segments\[("(?:[^"\\]|\\.)*")\]/.exec(problem.path);
      if (flag !== null) {
        const key = JSON.parse(flag[1] as string) as string;
        if (!Object.hasOwn(document.flags, key)) continue;
        delete document.flags[key];
        const name = nameOf.get(key);
        if (name !== undefined) delete keys[name];
        errors.push({ path: '$', message: `feature ${JSON.stringify(name ?? key)} could not be represented in Halyard (${problem.path}: ${problem.message}); skipped` });
        removed = true;
      } else if (segment !== null && document.segments !== undefined) {
        const key = JSON.parse(segment[1] as string) as string;
        if (!Object.hasOwn(document.segments, key)) continue;
        delete document.segments[key];
        errors.push({ path: '$.segments', message: `segment ${JSON.stringify(key)} could not be represented in Halyard (${problem.message}); skipped` });
        removed = true;
      }
    }
    if (!removed) {
      errors.push({ path: '$', message: `the converted document is invalid (${result.problems[0]?.path}: ${result.problems[0]?.message}); nothing was imported` });
      document = { schemaVersion: 1, flags: {} };
      for (const k of Object.keys(keys)) delete keys[k];
      break;
    }
  }
  return { document, keys, warnings: converter.issues.warnings, errors };
}

/**
 * The Halyard flag key `importUnleash` gives the Unleash feature `name`: the name itself when it is a valid
 * Halyard key without ":" (letters, digits, ".", "_", "-", ":" — up to 200), otherwise `"u:"` followed by the
 * name with other characters escaped as `:xx` UTF-8 bytes.
 *
 * @example
 * unleashKey('new-checkout');  // 'new-checkout'
 * unleashKey('Hellø');         // 'u:Hell:c3:b8'
 */
export function unleashKey(name: string): string {
  return toHalyardKey(name);
}
