// The browser store's fixed request timing (see `createPollingSnapshotStore`). Constants rather than options: every
// option is bytes in every app's bundle, and these values suit any flags endpoint. Tests drive them with fake timers.

/** A flags request that takes longer than this (ms) is aborted and counts as a failure. */
export const TIMEOUT = 10_000;
/** First retry delay ceiling after a failure (ms); it doubles with each further failure. */
export const RETRY_BASE = 1_000;
/** Highest retry delay ceiling (ms), unless `pollInterval` is longer. */
export const RETRY_CAP = 60_000;
/** Shortest retry delay (ms): even the luckiest draw never retries at once. */
export const RETRY_MIN = 100;
/**
 * Default largest flags response (bytes) of the stores `createSnapshotStore` and `sseStream` build; a longer one is
 * cut off and counts as a failure. Also their default largest stream event.
 */
export const MAX_BODY = 4 << 20;
