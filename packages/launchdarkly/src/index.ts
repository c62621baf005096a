/**
 * LaunchDarkly compatibility: move a LaunchDarkly setup to Halyard without re-bucketing a single context.
 *
 * - `launchdarklyBucketing`: LaunchDarkly's SHA-1 bucketing as the pluggable Halyard algorithm `launchdarkly`. Pass it
 *   to `createEvaluator(defs, { bucketing: [launchdarklyBucketing] })` or `createFlagClient({ …, bucketing })`; the
 *   flag service registers it already.
 * - `importLaunchDarkly(payload)`: the flags and segments LaunchDarkly serves to server SDKs → a Halyard FlagsDocument
 *   that evaluates like LaunchDarkly's server SDK (checked against @launchdarkly/node-server-sdk, see
 *   launchdarkly-conformance.test.ts), plus `problems` for what could not be represented.
 * - `launchdarklyContext(context)`: an LDContext (single-kind, multi-kind or legacy user) → the Halyard context the
 *   imported flags read.
 */
export { launchdarklyBucketing, launchdarklyBucketValue, launchdarklySalt, LAUNCHDARKLY_RANGE } from './bucketing';
export { launchdarklyContext } from './context';
export { importLaunchDarkly, launchdarklyKey } from './import-launchdarkly';
export type { LaunchDarklyImportResult, LaunchDarklyImportProblem } from './import-launchdarkly';
