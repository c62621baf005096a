/**
 * `@halyard/core/definitions`: the rules of the flags document, for tools that write or transform documents
 * (importers such as `@halyard/unleash`, editors, the flag service). Applications do not need it: they read
 * flags through `createEvaluator`/`createFlagClient` and validate documents with `parseDefinitions`.
 *
 * @example
 * import { KEY_PATTERN, KEY_RULE, canonicalJson } from '@halyard/core/definitions';
 * if (!KEY_PATTERN.test(key)) throw new Error(`invalid flag key: ${KEY_RULE}`);
 * const etag = canonicalJson(document); // same text for the same content, whatever the key order
 */
export { KEY_PATTERN, KEY_RULE, MAX_ATTRIBUTE_PATH_LENGTH, MAX_SPLIT_TOTAL, PERCENT_SCALE, percentageWeight, canonicalJson } from './internal/schema';
export { OPERATOR_NAMES, operatorCatalog } from './operators/registry';
export type { OperatorInfo } from './operators/registry';
export type { OperandKind, OperandShape } from './operators/operator';
/** `"did you mean \"x\"? "` for the closest of `candidates`, else `""`: the parser's suggestions, for tools that check keys. */
export { suggestion } from './parse-definitions/suggestions';
/** Flag-debt rules (expired, past the lifetime of its kind, one variant for everyone, not evaluated, no owner). */
export { DEFAULT_LIFETIMES, lintDocument, lintFlags, parseLifetimes, soleVariant } from './flag-lifecycle';
export type { LintFinding, LintFlag, LintOptions, LintResult, LintRule } from './flag-lifecycle';
/** The definitions stream's `patch` event: the diff the flag service sends and the patch SDKs apply (docs/server.md). */
export { applyDefinitionsPatch, diffDocuments } from './internal/document-patch';
export type { DocumentPatch, PatchResult } from './internal/document-patch';
/** Release-plan schedules (steps, linear, logistic S-curve) as pure functions, shared by the service and tools (docs/release-safety.md). */
export { checkSchedule, linearPercentage, roundPercentage, sCurvePercentage, scheduleSteps } from './rollout-schedule';
export type { LinearSchedule, RolloutSchedule, SCurveSchedule, ScheduleStep, StepsSchedule } from './rollout-schedule';
/** Experiments on flags (docs/experiments.md): the metric event names an experiment reads, and the accepted enums. */
export { EXPERIMENT_CORRECTIONS, EXPERIMENT_METHODS, EXPERIMENT_METRIC_TYPES, experimentEvents } from './parse-definitions/experiment';
