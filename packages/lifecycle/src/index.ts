/**
 * `@halyard/lifecycle`: keep flag debt down. The `halyard lint`, `code-refs`, `codegen` and `cleanup` commands of
 * `@halyard/server`'s CLI are thin shells over these functions.
 *
 * @example
 * import { checkCodeRefs, cleanupPaths, generateRegister, lintDocument, scanPaths } from '@halyard/lifecycle';
 */
export { DEFAULT_LIFETIMES, lintDocument, lintFlags, parseLifetimes, soleVariant } from './lint';
export type { LintFinding, LintFlag, LintOptions, LintResult, LintRule } from './lint';
export { flagValueType, generateRegister } from './codegen';
export type { CodegenOptions } from './codegen';
export { checkCodeRefs, scanPaths, scanSource } from './code-refs';
export type { CodeReference, CodeRefsReport, DynamicRead, ScanOptions, ScanResult, UnknownReference } from './code-refs';
export { cleanupPaths, cleanupSource, keptValue } from './cleanup';
export type { CleanupFileResult, CleanupRefusal, CleanupResult, CleanupSourceResult, CleanupTarget } from './cleanup';
export type { ReadKind } from './internal/reads';
