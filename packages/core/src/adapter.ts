/**
 * `@halyard/core/adapter`: the building blocks of framework adapters (`@halyard/express`, `@halyard/next`, your
 * own): the one server-side reader behind `req.flags` / `getFlags()`, the one fetch-style flags endpoint, and the
 * endpoint plumbing they are made of. Applications import from `@halyard/core`; only adapters need this entry.
 */
export { createFlagsHandler } from './flags-handler';
export type { CreateFlagsHandlerOptions, FetchHandler } from './flags-handler';
export { createServerFlags, RequestServerFlags, ServerFlagsState } from './server-flags';
export type { ForcedValues, ServerFlagsHost } from './server-flags';
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
  readBodyText,
  resolveEndpointOptions,
  waitForFlags,
  wantsEventStream,
  wantsDeltas,
  FlagsRequestError,
  DEFAULT_HEARTBEAT_INTERVAL,
  DEFAULT_BODY_LIMIT,
  DEFAULT_READY_TIMEOUT,
  MAX_REMEMBERED_PROBLEMS,
} from './endpoint';
export type { FlagsEndpointOptions, ResolvedEndpointOptions, ProblemReporter, SnapshotEventStream, SnapshotEventStreamOptions } from './endpoint';
export { decodeContextParam } from './snapshot-store';
export { createExposureTracker, DEFAULT_EXPOSURE_CACHE_SIZE } from './exposure';
export { connectEvents } from './events/connect';
export type { EventsOption } from './events/connect';
export { attachEventSender } from './client';
export type { ExposureTracker, ExposureTrackerOptions } from './exposure';
export { matchesDefaultType, typeMismatchMessage, valueType } from './internal/value-type';
export { exposureUnits, unitAttribute, unitIn, unitOf, DEFAULT_UNIT_ATTRIBUTE } from './internal/exposure-unit';
export type { ExposureHandoff } from './internal/exposure-unit';
// For sources outside core (e.g. @halyard/redis): the one retry-timing rule, not a copy of it.
export { backoffDelay, resolveBackoff, retryDelay } from './internal/backoff';
export { serialReload } from './internal/serial-reload';
export type { BackoffOptions } from './internal/backoff';
/** The circuit-breaker threshold rule and watched variants, shared by SDK breakers and the service's monitor. */
export { breakerTrips, watchedVariants } from './breaker';
