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
export { OPERATOR_NAMES } from './operators/registry';
