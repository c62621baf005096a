/**
 * The lint rules live once, in `@halyard/core/definitions`, because the flag service reports the same status in
 * its admin API; this package re-exports them next to the code tools.
 */
export { DEFAULT_LIFETIMES, lintDocument, lintFlags, parseLifetimes, soleVariant } from '@halyard/core/definitions';
export type { LintFinding, LintFlag, LintOptions, LintResult, LintRule } from '@halyard/core/definitions';
