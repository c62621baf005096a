/**
 * Unleash compatibility: move an Unleash setup to Halyard without re-bucketing a single user.
 *
 * `importUnleash(payload)` converts Unleash's client features payload into a Halyard FlagsDocument that evaluates
 * like Unleash's SDKs (the Unleash client specification passes, see unleash-conformance.test.ts), using the same
 * murmur3 hashing with Unleash's parameters, so every user keeps their rollout bucket and variant.
 *
 * How the payload maps (details in `importUnleash`'s documentation):
 * - each feature → one flag keyed by `unleashKey(name)`; each strategy → one or more rules, in order (Unleash ORs
 *   strategies, the first enabled one decides); constraints → conditions; segments → segments.
 * - features without variants → boolean flags (`on: true`, `off: false`), so `isEnabled` works unchanged.
 * - features with variants → JSON flags whose every value is exactly Unleash's `getVariant()` result
 *   (`{ name, enabled, feature_enabled, payload? }`): `off` = feature disabled, `on` = enabled without a variant.
 * - rollouts → rule `rollout` gates with salt = groupId, seed 0, 100 buckets; variants → splits with salt =
 *   groupId (feature name for feature variants), seed 86028157, out of the total weight.
 * - dependencies → prerequisites.
 * - contexts: use `unleashContext(ctx)`, which flattens Unleash's context the way the converter names attributes.
 */
import { parseDefinitions } from './parse-definitions';
import {
  HOSTNAME_ATTRIBUTE,
  OFF_VARIANT,
  ON_VARIANT,
  UNLEASH_ROLLOUT_SEED,
  UNLEASH_VARIANT_SEED,
  UnleashConverter,
  isoOrMs,
  type ImportIssue,
  type UnleashVariantValue,
} from './internal/unleash-convert';
import { toHalyardAttribute, toHalyardKey } from './internal/unleash-keys';
import type { EvaluationContext, EvaluationDetails, Evaluator, FlagClient, FlagsDocument, JsonValue } from './types';

export { UNLEASH_ROLLOUT_SEED, UNLEASH_VARIANT_SEED };

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
 *   NUM_* → lt/lte/gt/gte (NUM_EQ as gte+lte), DATE_* → before/after on `currentTime`, SEMVER_* → semver*,
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
 *   its own) imports the feature as disabled, as Unleash never enables it.
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
    converter.issues.error('$', `@halyard/core: the Unleash payload could not be read (${e instanceof Error ? e.message : String(e)}); pass plain JSON data`);
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

/** An Unleash SDK context. */
export interface UnleashContext {
  userId?: string;
  sessionId?: string;
  remoteAddress?: string;
  environment?: string;
  appName?: string;
  currentTime?: Date | string | number;
  properties?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface UnleashContextOptions {
  /** "Now" for date constraints when the context has no `currentTime`. Default: the current time. */
  now?: Date | number;
  /** The server's host name, for `applicationHostname` strategies (Unleash reads it from the OS). */
  hostname?: string;
}

function define(out: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty: a "__proto__" field must stay an own data property.
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Maps an Unleash context to the Halyard EvaluationContext that imported flags read.
 *
 * Like Unleash's `resolveContextValue`, top-level fields win over `properties` and every value is compared as
 * `String(value)`; both end up as top-level string attributes (names with "." are escaped, see
 * `importUnleash`). Empty strings are dropped: Unleash treats an empty id as absent when it picks a stickiness
 * id. `currentTime` becomes an ISO string, defaulting to now, because Unleash's date constraints use now when the
 * context has no time.
 *
 * @example
 * unleashContext({ userId: '42', properties: { plan: 'pro' } }, { now: Date.UTC(2025, 0, 1) });
 * // { plan: 'pro', userId: '42', currentTime: '2025-01-01T00:00:00.000Z' }
 */
export function unleashContext(context?: UnleashContext | null, options: UnleashContextOptions = {}): EvaluationContext {
  const out: Record<string, unknown> = {};
  const ctx: Record<string, unknown> = typeof context === 'object' && context !== null ? (context as Record<string, unknown>) : {};
  const set = (name: string, value: unknown, clearWhenEmpty: boolean): void => {
    if (value === undefined || value === null || typeof value === 'symbol' || typeof value === 'function') return;
    const attr = toHalyardAttribute(name);
    if (attr === undefined) return;
    let text: string;
    try {
      text = String(value);
    } catch {
      return;
    }
    if (text === '') {
      if (clearWhenEmpty) delete out[attr];
      return;
    }
    define(out, attr, text);
  };
  try {
    const props = ctx.properties;
    if (typeof props === 'object' && props !== null) for (const k of Object.keys(props)) set(k, (props as Record<string, unknown>)[k], false);
    for (const k of Object.keys(ctx)) if (k !== 'properties' && k !== 'currentTime') set(k, ctx[k], true);
    const raw = ctx.currentTime;
    const now = options.now instanceof Date ? options.now.getTime() : (options.now ?? Date.now());
    // Unleash: `context.currentTime ? new Date(context.currentTime) : new Date()`.
    const t = raw ? new Date(raw as string).getTime() : now;
    define(out, 'currentTime', Number.isFinite(t) ? isoOrMs(t) : String(raw));
    if (typeof options.hostname === 'string' && options.hostname !== '') define(out, HOSTNAME_ATTRIBUTE, options.hostname);
  } catch {
    // A hostile context (throwing getters) maps to what could be read.
  }
  return out as EvaluationContext;
}

/** Unleash's getVariant() result. */
export interface UnleashVariant {
  name: string;
  enabled: boolean;
  feature_enabled: boolean;
  featureEnabled: boolean;
  payload?: { type: string; value: string };
}

/** Unleash's answer for one imported flag: `enabled` is isEnabled(), `variant` is getVariant(). */
export interface UnleashResult {
  enabled: boolean;
  variant: UnleashVariant;
}

/**
 * Decodes the value an imported flag served (or its EvaluationDetails) into Unleash's isEnabled()/getVariant()
 * answers. `undefined` (flag not found, or not an imported flag) reads as disabled.
 *
 * @example
 * const details = evaluator.evaluate(unleashKey('checkout'), unleashContext({ userId: '7' }), null);
 * unleashResult(details); // { enabled: true, variant: { name: 'blue', enabled: true, feature_enabled: true, featureEnabled: true, payload: … } }
 */
export function unleashResult(served: JsonValue | EvaluationDetails | undefined): UnleashResult {
  let value: unknown = served;
  if (typeof served === 'object' && served !== null && !Array.isArray(served) && 'reason' in served && 'value' in served) {
    value = (served as EvaluationDetails).reason === 'ERROR' ? undefined : (served as EvaluationDetails).value;
  }
  if (typeof value === 'boolean') {
    return { enabled: value, variant: { name: 'disabled', enabled: false, feature_enabled: value, featureEnabled: value } };
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const v = value as Partial<UnleashVariantValue>;
    if (typeof v.name === 'string' && typeof v.enabled === 'boolean' && typeof v.feature_enabled === 'boolean') {
      const variant: UnleashVariant = { name: v.name, enabled: v.enabled, feature_enabled: v.feature_enabled, featureEnabled: v.feature_enabled };
      if (v.payload !== undefined) variant.payload = { ...v.payload };
      return { enabled: v.feature_enabled, variant };
    }
  }
  return { enabled: false, variant: { name: 'disabled', enabled: false, feature_enabled: false, featureEnabled: false } };
}

/** The Unleash-shaped API `createUnleashAdapter` returns. */
export interface UnleashAdapter {
  /** Unleash's isEnabled(): `fallback` only when the feature does not exist. */
  isEnabled(name: string, context?: UnleashContext, fallback?: boolean): boolean;
  /** Unleash's getVariant(): `fallbackVariant` only when the feature does not exist. */
  getVariant(name: string, context?: UnleashContext, fallbackVariant?: { name: string; enabled: boolean; payload?: { type: string; value: string } }): UnleashVariant;
}

/**
 * Unleash's `isEnabled`/`getVariant` on top of a Halyard evaluator or flag client holding imported flags, so call
 * sites can migrate first and be rewritten to Halyard's API later. Names go through `unleashKey`, contexts
 * through `unleashContext`.
 *
 * @example
 * const unleash = createUnleashAdapter(client, { hostname: os.hostname() });
 * if (unleash.isEnabled('new-checkout', { userId: '42' })) { … }
 * const { name, payload } = unleash.getVariant('checkout-theme', { userId: '42' });
 */
export function createUnleashAdapter(
  source: Pick<Evaluator, 'evaluate'> | Pick<FlagClient, 'getDetails'>,
  options: UnleashContextOptions = {},
): UnleashAdapter {
  const details = (name: string, context: UnleashContext | undefined): EvaluationDetails => {
    const key = toHalyardKey(name);
    const ctx = unleashContext(context, options);
    return 'evaluate' in source ? source.evaluate<JsonValue>(key, ctx, null) : source.getDetails<JsonValue>(key, null, ctx);
  };
  return {
    isEnabled(name, context, fallback = false) {
      const d = details(name, context);
      if (d.errorCode === 'FLAG_NOT_FOUND') return fallback;
      return unleashResult(d).enabled;
    },
    getVariant(name, context, fallbackVariant) {
      const d = details(name, context);
      if (d.errorCode === 'FLAG_NOT_FOUND') {
        const fb = fallbackVariant ?? { name: 'disabled', enabled: false };
        const out: UnleashVariant = { name: fb.name, enabled: fb.enabled, feature_enabled: false, featureEnabled: false };
        if (fb.payload !== undefined) out.payload = { ...fb.payload };
        return out;
      }
      return unleashResult(d).variant;
    },
  };
}

/** Variant keys imported flags use for "feature disabled" and "enabled without an Unleash variant". */
export const UNLEASH_OFF_VARIANT = OFF_VARIANT;
export const UNLEASH_ON_VARIANT = ON_VARIANT;
