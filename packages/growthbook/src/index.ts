/**
 * GrowthBook compatibility: move a GrowthBook setup to Halyard without re-bucketing a single user.
 *
 * - `growthbookBucketing`: GrowthBook's FNV-1a bucketing (hash versions 1 and 2) as pluggable Halyard algorithms
 *   (`growthbook-v1`, `growthbook-v2`). Pass it to `createEvaluator(defs, { bucketing: [growthbookBucketing] })`
 *   or `createFlagClient({ …, bucketing: [growthbookBucketing] })`; the flag service registers it already.
 * - `importGrowthBook(payload)`: GrowthBook features JSON → a Halyard FlagsDocument that evaluates like the
 *   GrowthBook SDK (checked against @growthbook/growthbook for thousands of generated users, see
 *   growthbook-conformance.test.ts), plus `problems` for what could not be represented.
 */
export { importGrowthBook, growthbookKey } from './import-growthbook';
export type { GrowthBookImportResult, GrowthBookImportProblem } from './import-growthbook';
export { growthbookBucketing, growthbookV1Bucketing, growthbookV2Bucketing, fnv1a32 } from './bucketing';
