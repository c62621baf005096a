/**
 * Public types of @halyard/core. Everything here is plain data: JSON in, JSON out,
 * so the same shapes cross the wire between the flag service, server SDKs and browsers.
 */

/** Any JSON value a flag variant can hold. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** What a flag is for; drives lifecycle tooling (stale-flag reports, permissions), not evaluation. */
export type FlagKind = 'release' | 'experiment' | 'operational' | 'permission';

/** The type every variant of a flag shares. */
export type FlagType = 'boolean' | 'string' | 'number' | 'json';

/**
 * Condition operators. Each one is defined once, with its operand validation, its evaluation and its
 * documentation, in the operator registry (`src/operators/`); the table in docs/flags.md is generated from it.
 * - equality `equals` (one value), `in`, `notIn`; strings `contains`, `startsWith`, `endsWith`, `matches` (regex);
 * - numbers `lt`/`lte`/`gt`/`gte`; semantic versions `semverEq`/`semverLt`/`semverLte`/`semverGt`/`semverGte`;
 *   dates `before`/`after`; presence `exists`; arrays `containsAll`/`containsAny`/`sizeEq`/`sizeLt`/`sizeLte`/
 *   `sizeGt`/`sizeGte`/`isEmpty`; segments `inSegment`; IP ranges `inCidr`.
 * On an array-valued attribute every non-array operator matches when any element matches.
 *
 * @example
 * const condition: Condition = { attribute: 'country', operator: 'in', values: ['US', 'CA'] };
 */
export type Operator =
  | 'equals'
  | 'in'
  | 'notIn'
  | 'contains'
  | 'startsWith'
  | 'endsWith'
  | 'matches'
  | 'lt'
  | 'lte'
  | 'gt'
  | 'gte'
  | 'semverEq'
  | 'semverLt'
  | 'semverLte'
  | 'semverGt'
  | 'semverGte'
  | 'before'
  | 'after'
  | 'exists'
  | 'containsAll'
  | 'containsAny'
  | 'sizeEq'
  | 'sizeLt'
  | 'sizeLte'
  | 'sizeGt'
  | 'sizeGte'
  | 'isEmpty'
  | 'inSegment'
  | 'inCidr';

/** One test against the evaluation context. */
export interface Condition {
  /** Dot path into the context, e.g. `"userId"`, `"account.plan"`. Ignored for `inSegment`. */
  attribute: string;
  operator: Operator;
  /** Operands; their meaning depends on the operator. */
  values?: Array<string | number | boolean>;
  /**
   * Invert the result. A missing attribute never matches, negated or not (except `exists`); an array attribute is
   * present, so a negated condition on it is the negation of "any element matches".
   */
  negate?: boolean;
  /** Compare strings case-insensitively (equality, string operators, `matches`, `containsAll`/`containsAny`). */
  caseInsensitive?: boolean;
}

/** One slice of a weighted split. Give either `weight` (integers) or `percentage` (0–100, up to 3 decimals) for every slice. */
export interface SplitSlice {
  variant: string;
  /** Integer weight; the split's total W is the sum of weights. */
  weight?: number;
  /** Percentage; becomes a weight out of 100,000 (0.001 % resolution). Percentages must add up to 100. */
  percentage?: number;
}

/** Serve one variant. */
export interface VariantServe {
  variant: string;
}

/**
 * Serve a deterministic weighted split: `murmur3_x86_32(salt + ":" + unit, seed) mod W`
 * picks the first slice whose cumulative weight exceeds the bucket. See docs/bucketing.md.
 */
export interface SplitServe {
  split: SplitSlice[];
  /** Context attribute (dot path) that identifies the unit. Default `"userId"`. */
  bucketBy?: string;
  /** Hash salt. Default: the flag key. */
  salt?: string;
  /** murmur3 seed (unsigned 32-bit). Default 0. */
  seed?: number;
  /** Another vendor's bucketing instead of murmur3 (imported experiments keep their buckets). See docs/bucketing.md. */
  bucketing?: BucketingSpec;
}

/**
 * Names a pluggable bucketing algorithm for a split or rollout, e.g. `{ "algorithm": "growthbook-v2" }`. The salt
 * is the algorithm's seed; `seed` (murmur3 only) must be absent. The evaluator must be given the algorithm
 * (`createEvaluator(defs, { bucketing: [growthbookBucketing] })`), else the flag evaluates to the caller's default
 * with reason `ERROR`.
 */
export interface BucketingSpec {
  algorithm: string;
}

export type Serve = VariantServe | SplitServe;

/**
 * A percentage gate on a rule: only units whose bucket `murmur3(salt + ":" + unit, seed) mod total` is below
 * `weight` match the rule; every other unit — and a unit without the `bucketBy` attribute — continues with the
 * next rule. `{ weight: 10, total: 100 }` applies the rule to 10 % of the units that meet its conditions.
 */
export interface RuleRollout {
  /** Buckets `[0, weight)` pass; `0 ≤ weight ≤ total`. */
  weight: number;
  /** Number of buckets W (integer, 1 to 2^32 − 1). */
  total: number;
  /** Context attribute (dot path) that identifies the unit. Default `"userId"`. */
  bucketBy?: string;
  /** Hash salt. Default: the flag key. */
  salt?: string;
  /** murmur3 seed (unsigned 32-bit). Default 0. */
  seed?: number;
  /** Another vendor's bucketing instead of murmur3, as on a split. */
  bucketing?: BucketingSpec;
}

/** Conditions are ANDed; when all match (and the unit passes `rollout`, if set), `serve` decides the variant. */
export interface Rule {
  /** Stable id reported as `ruleId` in evaluation details. Default: `"rule-<index>"`. */
  id?: string;
  description?: string;
  conditions: Condition[];
  /** Optional percentage gate: units outside it skip this rule. */
  rollout?: RuleRollout;
  serve: Serve;
}

/** Individual targeting: these unit ids get this variant before any rule runs. */
export interface Target {
  variant: string;
  /** Unit ids (compared as strings). */
  values: string[];
  /** Context attribute holding the unit id. Default `"userId"`. */
  attribute?: string;
}

/**
 * Flag `flag` must currently serve one of `variants`, or this flag serves its off-variant (the caller's default
 * when it has none). A disabled prerequisite, or one whose own prerequisites failed, always fails.
 */
export interface Prerequisite {
  flag: string;
  variants: string[];
}

/** A flag as written by a person or stored by the flag service. */
export interface FlagDefinition {
  description?: string;
  owner?: string;
  tags?: string[];
  kind?: FlagKind;
  /** ISO-8601 date after which the flag is considered stale (reporting only). */
  expiresAt?: string;
  /** Optional declared type; checked against every variant. Inferred from variants when absent. */
  type?: FlagType;
  /** Named variants and their values, e.g. `{ on: true, off: false }`. All of one type. */
  variants: Record<string, JsonValue>;
  /** The kill switch: `false` serves `offVariant` (or, without one, the caller's default) with reason DISABLED. */
  enabled: boolean;
  /**
   * Variant served when disabled, when a prerequisite fails, or to a unit a default split cannot bucket. Without
   * one, those cases serve the caller's default (no variant) and `evaluateAll` leaves the flag out.
   */
  offVariant?: string;
  targets?: Target[];
  rules?: Rule[];
  /** What everyone else gets. */
  defaultServe: Serve;
  prerequisites?: Prerequisite[];
  /** Circuit breaker: kill the flag when a variant's error rate crosses a threshold (docs/release-safety.md). */
  breaker?: FlagBreaker;
  /**
   * The experiment this flag runs (flags of kind `experiment` only): read by the flag service's results, never
   * by evaluation. See docs/experiments.md, "Declaring an experiment".
   */
  experiment?: FlagExperiment;
}

/**
 * An experiment on a flag: the hypothesis, the control variant, the metrics (from `client.track` events,
 * attributed to each unit's first exposure) and how they are tested.
 *
 * @example
 * const experiment: FlagExperiment = {
 *   hypothesis: 'The one-page checkout raises purchases by 10 %',
 *   control: 'control',
 *   metrics: { 'purchase-rate': { type: 'conversion', event: 'purchase', windowHours: 72 } },
 *   primaryMetric: 'purchase-rate',
 *   statistics: { method: 'sequential', alpha: 0.05, correction: 'holm' },
 * };
 */
export interface FlagExperiment {
  hypothesis?: string;
  /** The variant every other variant is compared with. */
  control: string;
  /** Named metrics (keys like flag keys), at most 20. */
  metrics: Record<string, ExperimentMetric>;
  /** The metric the hypothesis is about. */
  primaryMetric: string;
  /** Metrics that must not get worse. Every metric that is neither primary nor guardrail is secondary. */
  guardrailMetrics?: string[];
  /** ISO-8601: units first exposed before it are not in the experiment. Without it the experiment is a draft. */
  startAt?: string;
  /** ISO-8601: exposures and metric events after it are not counted; the experiment is stopped. */
  stopAt?: string;
  statistics?: ExperimentStatistics;
}

export type ExperimentMetricType = 'conversion' | 'count' | 'sum' | 'mean' | 'ratio';

/**
 * One metric, per unit, counted from the unit's first exposure: `conversion` (1 when `event` happened within
 * `windowHours`, else 0), `count` (events), `sum` (their values), `mean` (the mean of the unit's values, over
 * units with at least one), `ratio` (sum of `numerator` over sum of `denominator`, across units: delta method).
 */
export interface ExperimentMetric {
  type: ExperimentMetricType;
  /** The `client.track` event name (all types but `ratio`). */
  event?: string;
  /** Conversion only: hours after the first exposure in which the event counts. Default: until `stopAt`. */
  windowHours?: number;
  numerator?: ExperimentMetricAggregate;
  denominator?: ExperimentMetricAggregate;
  description?: string;
}

/** One side of a ratio metric: the count of `event`s or the sum of their values. */
export interface ExperimentMetricAggregate {
  event: string;
  aggregate: 'count' | 'sum';
}

export interface ExperimentStatistics {
  /** `frequentist` (default; fixed horizon), `sequential` (always valid: look any time), `bayesian`. */
  method?: 'frequentist' | 'sequential' | 'bayesian';
  /** Significance level. Default 0.05. */
  alpha?: number;
  /** Across metrics × variants. Default `holm`. */
  correction?: 'holm' | 'bh' | 'none';
  /** For "needs N more units". Default 0.8. */
  power?: number;
  /** Relative lift to detect, for "needs N more units" (0.1 = +10 %). Default 0.1. */
  minimumDetectableEffect?: number;
  /** Days before each unit's first exposure whose values CUPED uses; 0 turns CUPED off. Default 14. */
  cupedLookbackDays?: number;
}

/**
 * A flag's circuit breaker. SDKs open it for their own process at once; the service kills the flag for everyone
 * (`enabled: false`, actor `breaker`) when the aggregated error rate crosses the same threshold.
 */
export interface FlagBreaker {
  /** Trip when errors / (successes + errors) of a watched variant is at least this (0 < errorRate ≤ 1). */
  errorRate: number;
  /** Outcomes of the variant in the window needed before it can trip (integer ≥ 1). */
  minRequests: number;
  /** Sliding window, in seconds (integer 1–3600). */
  windowSeconds: number;
  /** Variants watched; default: every variant except `offVariant`. */
  variants?: string[];
  /** Probe again this many seconds after tripping (half-open); without it re-enabling is a person's decision. */
  halfOpenAfterSeconds?: number;
}

/** One breaker, as `client.breakers()` reports it. */
export interface BreakerState {
  flag: string;
  /** `closed`: serving normally; `open`: serving the off path; `half-open`: serving normally again, probing. */
  state: 'closed' | 'open' | 'half-open';
  /** The variant whose error rate opened it (while open or half-open). */
  variant?: string;
  /** When it last opened (ms since epoch, the breaker clock). */
  openedAt?: number;
  /** Errors and outcomes of that variant in the window when it opened. */
  errors?: number;
  requests?: number;
  /** The flag's breaker settings. */
  config: FlagBreaker;
}

/**
 * Reusable audience: `excluded` ids never match, `included` ids always do, otherwise all `conditions` (ANDed; they
 * may reference other segments with `inSegment`) and the `rollout`, when given, must pass.
 */
export interface SegmentDefinition {
  description?: string;
  conditions?: Condition[];
  /** Percentage gate, as on a rule; `salt` defaults to the segment key, so a unit is in or out in every flag. */
  rollout?: RuleRollout;
  included?: string[];
  excluded?: string[];
  /** Context attribute holding the unit id for `included`/`excluded`. Default `"userId"`. */
  attribute?: string;
}

/** The versioned document: what people write by hand and what the service stores and serves. */
export interface FlagsDocument {
  schemaVersion: 1;
  /** Opaque document version set by whoever publishes it (the service uses a counter). */
  version?: string | number;
  flags: Record<string, FlagDefinition>;
  segments?: Record<string, SegmentDefinition>;
}

/** Validated definitions: the only input `createEvaluator` accepts. */
export interface Definitions {
  readonly schemaVersion: 1;
  readonly version: string;
  readonly flags: Readonly<Record<string, FlagDefinition>>;
  readonly segments: Readonly<Record<string, SegmentDefinition>>;
}

/** One problem found by `parseDefinitions`, e.g. `{ path: '$.flags["new-checkout"].rules[0].serve.variant', message: '...' }`. */
export interface DefinitionProblem {
  /** JSON path of the offending value, starting at `$`. */
  path: string;
  /** What is wrong and how to fix it. */
  message: string;
}

export type ParseResult =
  | { ok: true; definitions: Definitions; problems?: undefined }
  | { ok: false; definitions?: undefined; problems: DefinitionProblem[] };

/** The evaluation context: who is asking. `userId` is the default unit for targeting and splits. */
export interface EvaluationContext {
  userId?: string;
  [attribute: string]: unknown;
}

/** Why a value was served; names follow OpenFeature. */
export type EvaluationReason =
  | 'STATIC'
  | 'TARGETING_MATCH'
  | 'SPLIT'
  | 'DEFAULT'
  | 'DISABLED'
  | 'PREREQUISITE_FAILED'
  /** This process's circuit breaker for the flag is open: the off path is served (see docs/release-safety.md). */
  | 'BREAKER'
  | 'ERROR';

export type ErrorCode = 'FLAG_NOT_FOUND' | 'TYPE_MISMATCH' | 'PARSE_ERROR' | 'GENERAL';

/** The full answer of one evaluation. */
export interface EvaluationDetails<T = JsonValue> {
  value: T;
  /** The variant served; absent when the caller's default was returned. */
  variant?: string;
  reason: EvaluationReason;
  /** The rule (or `"target"`) that matched, for TARGETING_MATCH and rule splits. */
  ruleId?: string;
  /** The unit's bucket (0 ≤ bucket < W) when a split decided. */
  bucket?: number;
  errorCode?: ErrorCode;
  errorMessage?: string;
  /** Non-error explanation, e.g. why a split was skipped (unit has no bucketBy attribute). */
  detail?: string;
}

/** One flag's entry in a snapshot. */
export interface SnapshotFlag {
  value: JsonValue;
  variant?: string;
  reason: EvaluationReason;
  ruleId?: string;
  errorCode?: ErrorCode;
  /**
   * The context attribute (dot path) whose value is this flag's exposure unit, when it is not `userId`: the
   * `bucketBy` of the split (or rule rollout) that decided. Set by the server-side reader so browser stores, which
   * have no definitions, attribute exposures to the same unit as the server does.
   */
  unitBy?: string;
}

/**
 * A serialisable, per-context set of evaluated flags: what SSR injects and browsers poll.
 * `version` identifies the content: equal versions mean equal `flags`.
 */
export interface FlagSnapshot {
  version: string;
  flags: Record<string, SnapshotFlag>;
}

/** A `FlagSnapshot` already serialised: `json` is `JSON.stringify(snapshot)` byte for byte, `version` its version. */
export interface SerializedSnapshot {
  readonly version: string;
  readonly json: string;
}

/** Lifecycle of a client or snapshot store. */
export type FlagStatus = 'loading' | 'ready' | 'stale' | 'error';

/** Fired once per (flag, variant, unit) the first time a value is read. */
export interface ExposureEvent {
  flag: string;
  variant: string | undefined;
  value: JsonValue;
  reason: EvaluationReason;
  /** The unit id (the context's `userId` or the flag's bucketBy value), if any. */
  unit: string | undefined;
  timestamp: number;
}

/** A function that unsubscribes. */
export type Unsubscribe = () => void;

/** Update pushed by a source. */
export type SourceUpdate =
  | { type: 'definitions'; definitions: Definitions }
  | { type: 'error'; error: Error };

/**
 * Where a client gets definitions from. `start` begins delivering updates; the returned function stops the
 * source and aborts anything in flight. A source must validate what it receives (`parseDefinitions`) and report
 * invalid payloads as `error` updates, never as definitions.
 */
export interface FlagSource {
  readonly name: string;
  start(emit: (update: SourceUpdate) => void): Unsubscribe;
}

/**
 * One flag, bound once for hot paths: `evaluator.flag(key)` or `client.flag(key)`. Reading through a handle skips
 * the per-call key lookup and key check, and each handle runs code specialised for its flag's shape (a static
 * boolean's `isEnabled` just returns a constant). Answers are the same as the by-key methods with the same key,
 * and it never throws: an unknown key gives a handle that returns the default (`getDetails`: reason `ERROR`,
 * `errorCode: 'FLAG_NOT_FOUND'`), type mismatches return the default (`TYPE_MISMATCH`).
 *
 * A handle from `evaluator.flag` is bound to that evaluator's definitions for good; one from `client.flag`
 * follows the client's definition updates (a key that is unknown now starts working once it is published) and
 * reports exposures like the client's by-key reads.
 *
 * `T` is the flag's value type; pass it for non-boolean flags so `getValue` returns it
 * (`evaluator.flag<string>('checkout-theme')`).
 *
 * @example
 * // Bind once, at module scope or startup…
 * const newCheckout = evaluator.flag('new-checkout');
 * const theme = evaluator.flag<string>('checkout-theme');
 * // …then read per request:
 * if (newCheckout.isEnabled(ctx)) renderNewCheckout();
 * const colours = theme.getValue('light', ctx);
 * const { value, reason, bucket } = theme.getDetails('light', ctx);
 */
export interface FlagHandle<T extends JsonValue = JsonValue> {
  /** The flag key this handle reads. */
  readonly key: string;
  /** `true` only when the flag is a boolean flag that serves `true` for this context; `false` otherwise. Allocation-free. */
  isEnabled(context?: EvaluationContext): boolean;
  /**
   * The value only: `defaultValue` for unknown flags, type mismatches and errors. Allocation-free.
   *
   * @example
   * const theme = evaluator.flag<string>('checkout-theme');
   * const colours = theme.getValue('light', { userId: 'u-1' });
   */
  getValue(defaultValue: T, context?: EvaluationContext): T;
  /**
   * Full details; on any problem `defaultValue` with `reason: 'ERROR'` and an `errorCode`.
   *
   * @example
   * const { value, reason, bucket } = evaluator.flag<string>('checkout-theme').getDetails('light', { userId: 'u-1' });
   */
  getDetails(defaultValue: T, context?: EvaluationContext): EvaluationDetails<T>;
}

/** A compiled document. Build one with `createEvaluator(definitions)`; evaluation never throws. */
export interface Evaluator {
  readonly definitions: Definitions;
  /**
   * Evaluate one flag with full details; on any problem returns `defaultValue` with `reason: 'ERROR'` and an
   * `errorCode`.
   *
   * @example
   * const { value, reason, ruleId, bucket } = evaluator.getDetails('checkout-theme', 'light', { userId: 'u-1' });
   */
  getDetails<T extends JsonValue>(key: string, defaultValue: T, context?: EvaluationContext): EvaluationDetails<T>;
  /**
   * The value only: `defaultValue` for unknown flags, type mismatches and errors. Allocation-free (the client's
   * fast path); use `getDetails` when you need the reason or the split bucket.
   *
   * @example
   * const theme = evaluator.getValue('checkout-theme', 'light', { userId: 'u-1' });
   */
  getValue<T extends JsonValue>(key: string, defaultValue: T, context?: EvaluationContext): T;
  /** `true` only when `key` is a boolean flag that serves `true` for this context; `false` otherwise. Allocation-free. */
  isEnabled(key: string, context?: EvaluationContext): boolean;
  /**
   * A handle bound to one compiled flag, for hot paths: no key lookup per call. Handles of defined flags are
   * shared (same key → same handle); an unknown key gives a handle that always returns the default
   * (`FLAG_NOT_FOUND`). Never throws.
   *
   * @example
   * const newCheckout = evaluator.flag('new-checkout');
   * if (newCheckout.isEnabled(ctx)) renderNewCheckout();
   */
  flag<T extends JsonValue = JsonValue>(key: string): FlagHandle<T>;
  /** Evaluate every flag for one context into a serialisable snapshot. */
  evaluateAll(context?: EvaluationContext): FlagSnapshot;
  /**
   * `evaluateAll` already serialised, for endpoints that send the snapshot: the JSON text is joined from
   * per-outcome strings made at compile time, several times faster than `JSON.stringify(evaluateAll(context))`,
   * which it equals byte for byte.
   *
   * @example
   * const { version, json } = evaluator.evaluateAllJson({ userId: 'u-1' });
   * response.writeHead(200, { etag: `"${version}"`, 'content-type': 'application/json' }).end(json);
   */
  evaluateAllJson(context?: EvaluationContext): SerializedSnapshot;
  has(key: string): boolean;
  keys(): readonly string[];
}

/** What `FlagClient.getSnapshot()` returns: immutable, new identity only when content changes. */
export interface ClientState {
  readonly status: FlagStatus;
  readonly definitions: Definitions | undefined;
  /** `definitions.version`, for cheap change checks. */
  readonly version: string | undefined;
  /** When the last good definitions arrived (epoch ms). */
  readonly updatedAt: number | undefined;
  /** The last source error while `status` is `stale` or `error`. */
  readonly error: Error | undefined;
}

/** A server-side (or full-evaluator) client: holds definitions from a source and evaluates locally. */
export interface FlagClient {
  /** Resolves once the first good definitions arrived; rejects only if the source failed before any arrived. */
  ready(): Promise<void>;
  readonly status: FlagStatus;
  /** `true` only when `key` is a boolean flag that serves `true` for this context. Typed by {@link Register}. */
  isEnabled(key: BooleanFlagKey, context?: EvaluationContext): boolean;
  /**
   * The value only: `defaultValue` for unknown flags, type mismatches and errors. Typed by {@link Register}.
   *
   * @example
   * const color = client.getValue('button-color', 'blue', { userId: 'u-1' }); // string
   */
  getValue<K extends FlagKey, D extends DefaultValueFor<K>>(key: K, defaultValue: D, context?: EvaluationContext): ResolvedValue<K, D>;
  /**
   * Value, variant, reason, rule and bucket; on any problem `defaultValue` with `reason: 'ERROR'` and an `errorCode`.
   *
   * @example
   * const { value, reason, bucket } = client.getDetails('checkout-theme', 'light', { userId: 'u-1' });
   */
  getDetails<K extends FlagKey, D extends DefaultValueFor<K>>(
    key: K,
    defaultValue: D,
    context?: EvaluationContext,
  ): EvaluationDetails<ResolvedValue<K, D>>;
  /**
   * A handle for one flag, for hot paths (see `FlagHandle`). It follows
   * definition updates — each call compares the client's current evaluator with the one it is bound to and
   * re-binds when they differ — and fires `onExposure` like `isEnabled`/`getValue`/`getDetails`. Before flags
   * load it returns defaults (`getDetails`: `ERROR`/`GENERAL`). Never throws.
   *
   * @example
   * const newCheckout = client.flag('new-checkout');
   * app.get('/checkout', (req, res) => {
   *   if (newCheckout.isEnabled({ userId: req.user.id })) return renderNewCheckout(res);
   *   renderCheckout(res);
   * });
   */
  flag<T extends JsonValue = never, K extends FlagKey = FlagKey>(key: K): FlagHandle<[T] extends [never] ? FlagValue<K> : T>;
  evaluateAll(context?: EvaluationContext): FlagSnapshot;
  subscribe(listener: () => void): Unsubscribe;
  getSnapshot(): ClientState;
  /** The event sender (`createFlagClient({ events })`, or one an adapter configured); `undefined` without events. */
  readonly events: EventSender | undefined;
  /**
   * Records a custom metric for the unit of `context` (its `userId`), e.g. a purchase and its amount. Attribution
   * to variants happens in the service. An invalid name (not `[A-Za-z0-9_.:-]{1,100}`) or value is ignored and
   * reported through the sender's `onError`; without events it does nothing. Never throws.
   *
   * @example
   * client.track('purchase', { userId: 'user-42' }, 49.9);
   */
  track(name: string, context?: EvaluationContext, value?: number): void;
  /**
   * Runs the path flag `key` selects for `context` — `variants[variant]`, else `on` when it serves `true`, else
   * `off` — times it and records the outcome (ok or error, `durationMs`, the variant) to `onOutcome` listeners and
   * the event sender. When the chosen path throws or rejects, that is recorded and `off` runs instead: its value is
   * returned (or its error thrown). The read records the exposure like any other. `off` alone runs, with no
   * outcome, when the flag cannot be evaluated (not loaded, unknown key).
   *
   * @example
   * const page = await client.guard('new-checkout', { userId: user.id }, {
   *   on: () => renderNewCheckout(cart),
   *   off: () => renderCheckout(cart),
   * });
   */
  guard<R>(key: FlagKey, context: EvaluationContext | undefined, paths: GuardPaths<R>): Promise<R>;
  /**
   * {@link FlagClient.guard} for synchronous paths: returns the value directly.
   *
   * @example
   * const price = client.guardSync('new-pricing', ctx, { on: () => newPrice(item), off: () => oldPrice(item) });
   */
  guardSync<R>(key: FlagKey, context: EvaluationContext | undefined, paths: SyncGuardPaths<R>): R;
  /**
   * Listens to every guarded outcome in this process (per flag and variant, as they happen), e.g. to trip a
   * circuit breaker after N errors. Listeners run synchronously; one that throws is logged and skipped.
   *
   * @example
   * const stop = client.onOutcome((o) => { if (!o.ok) errors.add(`${o.flag}/${o.variant}`); });
   */
  onOutcome(listener: (outcome: Outcome) => void): Unsubscribe;
  /**
   * This process's circuit breakers (flags with a `breaker`): closed, open (the flag serves its off path with
   * reason `BREAKER`) or half-open. See docs/release-safety.md.
   *
   * @example
   * for (const b of client.breakers()) if (b.state === 'open') log.warn(`${b.flag} breaker open since ${b.openedAt}`);
   */
  breakers(): BreakerState[];
  /**
   * Sends the queued events now (resolves at once without events). Never rejects.
   *
   * @example
   * await client.flush(); // e.g. at the end of a serverless invocation
   */
  flush(): Promise<void>;
  /**
   * Stops the source and listeners; resolves when the last events were flushed (at once without events). Never
   * rejects.
   *
   * @example
   * process.on('SIGTERM', async () => { await client.close(); process.exit(0); });
   */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Events (docs/events.md): exposures, guarded outcomes and metrics sent to the flag service.

/** Counters of an event queue (all since it was created, except `queued`). */
export interface EventStats {
  /** Events waiting to be sent, including a batch in flight. */
  readonly queued: number;
  /** Events the service accepted. */
  readonly sent: number;
  /** Events never sent: the oldest ones, dropped when the queue was full, and invalid ones (see `onError`). */
  readonly dropped: number;
  /** Events sent but refused for good (400, 401, 413), or still unsent when `close()` gave up. */
  readonly failed: number;
}

/**
 * One run of a flag-guarded code path, as `client.guard` saw it. Delivered in-process to `client.onOutcome`
 * listeners (a circuit breaker, your own metrics) and sent as an `outcome` event.
 */
export interface Outcome {
  /** The flag key. */
  readonly flag: string;
  /** The variant whose path ran: the variant key, else `"on"`/`"off"` for boolean flags, else `"default"`. */
  readonly variant: string;
  /** The exposure unit (the split's `bucketBy` value, else `userId`), if any. */
  readonly unit: string | undefined;
  /** `false` when the path threw or rejected. */
  readonly ok: boolean;
  /** How long the path ran, in ms. */
  readonly durationMs: number;
  /** What it threw, when `ok` is `false`. */
  readonly error?: unknown;
}

/**
 * Where a client's events go: built by `createEventSender({ url, sdkKey })` (`@halyard/core/events`) and passed
 * as `createFlagClient({ events })`. Every method returns at once and never throws; sending happens in the
 * background, in batches.
 */
export interface EventSender {
  /** Records an exposure (already de-duplicated by the caller, e.g. the client's exposure tracker). */
  exposure(event: { flag: string; variant: string | undefined; value: unknown; unit: string | undefined; timestamp?: number }): void;
  /** Records an outcome. */
  outcome(outcome: Outcome): void;
  /** Records a custom metric; an invalid name or value is ignored and reported through `onError`. */
  metric(name: string, unit: string | undefined, value?: number): void;
  /** Sends everything queued now; resolves when done (or when the service asked to back off). Never rejects. */
  flush(): Promise<void>;
  /** Stops listening and makes a last attempt to send what is queued. Never rejects. */
  close(): Promise<void>;
  /** Counters: queued, sent, dropped (queue full or invalid), failed (refused for good). */
  stats(): EventStats;
}

/**
 * The paths `client.guard` chooses between. `off` is the old path: it runs when the flag does not select the new
 * one, and as the fallback when the chosen path throws.
 */
export interface GuardPaths<R> {
  /** Runs when the flag serves `true` (or a variant without its own entry in `variants`). */
  on?: () => R | PromiseLike<R>;
  /** Runs when the flag is off, not loaded or failing, and as the fallback when another path throws. */
  off: () => R | PromiseLike<R>;
  /** One path per variant key of a multi-variant flag; the served variant's path runs. */
  variants?: Readonly<Record<string, () => R | PromiseLike<R>>>;
}

/** {@link GuardPaths} for `guardSync`: every path returns its value directly. */
export interface SyncGuardPaths<R> {
  on?: () => R;
  off: () => R;
  variants?: Readonly<Record<string, () => R>>;
}

/** What a `SnapshotStore` holds: immutable; unchanged flags keep their entry objects across updates. */
export interface SnapshotState {
  readonly snapshot: FlagSnapshot;
  readonly status: FlagStatus;
  readonly updatedAt: number | undefined;
  readonly error: Error | undefined;
}

/**
 * Browser-side holder of a flag snapshot (no evaluator inside). Polls (or streams from) an endpoint that returns
 * snapshots. The first subscriber starts polling, the last one stops it; nothing runs where `window` is absent.
 */
export interface SnapshotStore {
  getSnapshot(): SnapshotState;
  subscribe(listener: () => void): Unsubscribe;
  /** Fetch now (coalesced with any request in flight). */
  refresh(): Promise<void>;
  /** Change the evaluation context sent to the endpoint; refetches, keeping current values until the answer. */
  setContext(context: EvaluationContext | undefined): void;
  /** Replace the snapshot (tests, bootstrap). */
  setSnapshot(snapshot: FlagSnapshot): void;
  /** Record that a flag was read (fires `onExposure` once per flag/variant/unit). */
  expose(key: string): void;
  close(): void;
}

// ---------------------------------------------------------------------------------------------------------------
// Typed flag keys: one augmentation types the client, `req.flags`, Next's `getFlags()` and the React hooks.

/**
 * Augment this interface to type every flag key and value in your app. Without it, keys are plain strings and
 * values are `JsonValue`s; with it, `client.getValue`, `req.flags`, `getFlags()` and the React hooks
 * autocomplete keys, type values and reject unknown keys.
 *
 * @example
 * // flags.d.ts (any file your tsconfig includes)
 * declare module '@halyard/core' {
 *   interface Register {
 *     flags: { 'new-checkout': boolean; 'button-color': 'blue' | 'green' };
 *   }
 * }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-empty-object-type
export interface Register {}

/** The flag map of a register-like type `R`: `R['flags']` when present, else any string key to any JSON value. */
export type FlagsOf<R> = R extends { flags: infer F } ? F : Record<string, JsonValue>;

/** `true` once the app augmented {@link Register} with `flags`. */
export type IsRegistered<R = Register> = R extends { flags: unknown } ? true : false;

/** The app's flag map (see {@link Register}). */
export type RegisteredFlags = FlagsOf<Register>;

/** A flag key: one of the registered keys, or any string when nothing is registered. */
export type FlagKey = IsRegistered extends true ? keyof RegisteredFlags & string : string;

/** The value type of flag `K`: its registered type, or `JsonValue` when nothing is registered. */
export type FlagValue<K extends string> = IsRegistered extends true
  ? K extends keyof RegisteredFlags
    ? RegisteredFlags[K]
    : never
  : JsonValue;

/** Keys of boolean flags (any string when nothing is registered): what `isEnabled` and `useFlag` accept. */
export type BooleanFlagKey = IsRegistered extends true
  ? { [K in FlagKey]: FlagValue<K> extends boolean ? K : never }[FlagKey]
  : string;

/**
 * Literal types widened to their primitive, so an unregistered `getValue('x', 'blue')` is a `string`; a `null`
 * default accepts a flag of any type (see the type-match rule), so it reads as any `JsonValue`.
 */
export type Widen<T> = T extends null ? JsonValue : T extends string ? string : T extends number ? number : T extends boolean ? boolean : T;

/** What a default for flag `K` may be: a value of its registered type, or any JSON value when nothing is registered. */
export type DefaultValueFor<K extends string> = IsRegistered extends true ? FlagValue<K> : JsonValue;

/** What a read of flag `K` with default `D` returns: the registered type, or the default's widened type. */
export type ResolvedValue<K extends string, D> = IsRegistered extends true ? FlagValue<K> : Widen<D>;

/**
 * One request's evaluated flags on the server: `req.flags` in `@halyard/express`, `await getFlags()` in
 * `@halyard/next`. The context is the request's (computed once), each flag is evaluated at most once per request,
 * and reads never throw: on any problem they return the default and report the error through the adapter's
 * `onError`. Typed by {@link Register}.
 *
 * @example
 * app.get('/checkout', (req, res) => {
 *   if (req.flags.isEnabled('new-checkout')) return res.send(renderNewCheckout());
 *   const color = req.flags.getValue('button-color', 'blue');
 *   const { variant, reason } = req.flags.getDetails('checkout-experiment', 'control');
 *   res.send(renderCheckout({ color, variant, reason }));
 * });
 */
export interface ServerFlags {
  /** `true` only when a boolean flag serves `true`. */
  isEnabled(key: BooleanFlagKey): boolean;
  /** The flag's value, or `defaultValue` when the flag is missing, failing, or of another type than the default. */
  getValue<K extends FlagKey, D extends DefaultValueFor<K>>(key: K, defaultValue: D): ResolvedValue<K, D>;
  /** Value, variant and reason; on any problem `defaultValue` with reason `ERROR` and an `errorCode`. */
  getDetails<K extends FlagKey, D extends DefaultValueFor<K>>(key: K, defaultValue: D): EvaluationDetails<ResolvedValue<K, D>>;
  /** Without a default any flag type is accepted, and a missing flag gives `null`. */
  getDetails<K extends FlagKey>(key: K): EvaluationDetails<ResolvedValue<K, null> | null>;
  /** The variant served (e.g. `"treatment"`), or `undefined` when the flag is missing. */
  variant(key: FlagKey): string | undefined;
  /**
   * Every flag evaluated for this request's context: what a browser `<FlagProvider snapshot>` starts with. Does
   * not record exposures (the browser does when a component reads a flag).
   */
  snapshot(): FlagSnapshot;
  /** The evaluation context of this request (computed on first use). */
  context(): EvaluationContext;
}
