/**
 * `@halyard/core/store`: the snapshot stores UI bindings are built on (`@halyard/react`, or your own for another
 * framework) and the type-match rule their hooks apply. A separate entry so that a browser bundle importing it
 * loads only these modules: bundlers drop whole unused files, but keep top-level statements of a used file they
 * cannot prove pure, and the root entry's evaluator, parser and sources would otherwise add bytes to every app
 * (`pnpm size` measures it). Applications import the same functions from `@halyard/core`.
 */
export { createPollingSnapshotStore } from './polling-store';
export type { PollingSnapshotStoreOptions } from './polling-store';
export { createSnapshotStore } from './snapshot-store';
export type { SnapshotStoreOptions } from './snapshot-store';
export { withStream } from './stream-store';
export type { SnapshotChannel, SnapshotStream, SnapshotStreamHooks } from './stream-store';
export { sseStream } from './sse-stream';
export type { SseStreamOptions } from './sse-stream';
export { matchesDefaultType } from './internal/value-type';
// For browser halves that attribute exposures themselves (Next's client provider): the one de-duplication and the
// unit of a server handoff.
export { createExposureTracker } from './exposure';
export type { ExposureTracker } from './exposure';
export { unitIn } from './internal/exposure-unit';
export type { ExposureHandoff } from './internal/exposure-unit';
export type { EvaluationContext, ExposureEvent, FlagSnapshot, FlagStatus, JsonValue, SnapshotFlag, SnapshotState, SnapshotStore } from './types';
