/*
 * The evaluator: validated definitions in, a compiled `Evaluator` out.
 *
 * Design: `createEvaluator` compiles every flag into a `decide(context) → outcome index` closure. Everything a
 * result can look like (variant × reason × rule) is enumerated at compile time as a frozen `Outcome`, so the hot
 * path returns shared objects and allocates nothing. Split buckets vary per unit; `decide` leaves the last bucket
 * in a module-level register (`lastBucket()` in bucketing.ts) that `getDetails` reads right after — evaluation is
 * synchronous, so no other evaluation can run in between. Conditions are compiled through the operator registry
 * (`../operators/`) into closures once; evaluation never looks an operator up.
 *
 * Files, in the order a compiled flag is built and run:
 * - context.ts: own-property attribute access, string/number forms of attributes; safe-context.ts: the retry copy.
 * - compile-condition.ts: conditions (via the registry), conjunctions, segments (which may reference segments);
 *   dependency-order.ts: segments and prerequisites compiled before what references them.
 * - bucketing.ts: splits, rule and segment rollouts, `bucketOf`.
 * - outcomes.ts + compile-flag.ts: a flag's outcomes (and fallbacks: results that serve the caller's default, for
 *   flags without `offVariant`) and its specialised `decide`.
 * - outcome-index.ts: running `decide` without throwing; details.ts: `EvaluationDetails` for outcomes and errors.
 * - handles.ts: `evaluator.flag(key)`; create-evaluator.ts: the by-key API.
 * - evaluate-all.ts: every flag for one context (`evaluateAll`, `evaluateAllJson`): constant flags come from a
 *   template copied per call, and each outcome carries its JSON text, so the evaluate endpoint joins strings
 *   instead of running JSON.stringify over 50 objects.
 */
export { createEvaluator } from './create-evaluator';
export type { EvaluatorOptions } from './create-evaluator';
export type { BucketingAlgorithm } from './bucketing';
export { bucketOf } from './bucketing';
export { isSplitServe, isVariantServe } from './serve';
