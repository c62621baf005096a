/**
 * `@halyard/core/events`: sending exposures, guarded-path outcomes and custom metrics to the flag service
 * (`POST /sdk/v1/events`, docs/events.md). A separate entry so that apps without events ship none of it: pass
 * `createEventSender({ url, sdkKey })` as `createFlagClient({ events })`, or `<FlagProvider events={…}>` in React.
 */
export { createEventSender } from './events/event-sender';
export type { EventSenderOptions } from './events/event-sender';
export { createEventQueue, eventRetryDelay, RETRY_FLOOR, DEFAULT_CAPACITY, DEFAULT_FLUSH_AT, DEFAULT_FLUSH_INTERVAL } from './events/event-queue';
export type { EventQueue, EventQueueOptions, EventStats, EventTransport, SendResult } from './events/event-queue';
export { createHttpEventSink } from './events/http-event-sink';
export type { HttpEventSinkOptions } from './events/http-event-sink';
export { wireVariant, METRIC_NAME, MAX_BATCH_EVENTS, MAX_BATCH_BYTES, MAX_STRING, SDK_NAME, SDK_VERSION } from './events/wire';
export type { WireEvent, ExposureWireEvent, OutcomeWireEvent, MetricWireEvent } from './events/wire';
export type { EventSender, GuardPaths, Outcome, SyncGuardPaths } from './events/types';
