export type * from './types';
export { parseDefinitions } from './parse-definitions';
export { createEvaluator, bucketOf, isSplitServe, isVariantServe } from './evaluator';
export { murmur3 } from './internal/murmur3';
export { createFlagClient } from './client';
export type { FlagClientOptions, FlagLogger } from './client';
export { staticSource } from './static-source';
export { httpSource } from './http-source';
export type { HttpSourceOptions } from './http-source';
export { createSnapshotStore, encodeContextParam, decodeContextParam } from './snapshot-store';
export type { SnapshotStoreOptions } from './snapshot-store';
export { createPollingSnapshotStore } from './polling-store';
export type { PollingSnapshotStoreOptions } from './polling-store';
export { withStream } from './stream-store';
export type { SnapshotChannel, SnapshotStream, SnapshotStreamHooks } from './stream-store';
export { sseStream } from './sse-stream';
export type { SseStreamOptions } from './sse-stream';
export { createExposureTracker, DEFAULT_EXPOSURE_CACHE_SIZE } from './exposure';
export type { ExposureTracker, ExposureTrackerOptions } from './exposure';
export { DefinitionsError } from './internal/problems';
export { importUnleash, unleashKey, unleashContext, unleashResult, createUnleashAdapter, UNLEASH_OFF_VARIANT, UNLEASH_ON_VARIANT, UNLEASH_ROLLOUT_SEED, UNLEASH_VARIANT_SEED } from './unleash';
export type { UnleashImportResult, UnleashImportIssue, UnleashContext, UnleashContextOptions, UnleashVariant, UnleashResult, UnleashAdapter } from './unleash';
export {
  createProblemReporter,
  snapshotETag,
  ifNoneMatch,
  mergeClientContext,
  pickClientContext,
  parseFlagsBody,
  contextFromBody,
  contextFromBodyText,
  contextFromParam,
  createSnapshotEventStream,
  resolveEndpointOptions,
  wantsEventStream,
  FlagsRequestError,
  DEFAULT_HEARTBEAT_INTERVAL,
  DEFAULT_BODY_LIMIT,
  MAX_REMEMBERED_PROBLEMS,
} from './endpoint';
export type { FlagsEndpointOptions, ResolvedEndpointOptions, ProblemReporter, SnapshotEventStream, SnapshotEventStreamOptions } from './endpoint';
