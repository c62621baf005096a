import type { EvaluationReason, ExposureEvent, JsonValue } from './types';

/** Default number of (flag, variant, unit) keys an exposure tracker remembers. */
export const DEFAULT_EXPOSURE_CACHE_SIZE = 10_000;

export interface ExposureTrackerOptions {
  /**
   * How many (flag, variant, unit) keys to remember; default 10,000. When full, the oldest key is forgotten
   * (first in, first out), so a long-running process may report the same exposure again after many others —
   * exposure pipelines must tolerate the occasional duplicate, but memory stays bounded.
   */
  max?: number;
  /** Called when `onExposure` throws; the read that triggered it is never affected. */
  onError?: (error: unknown) => void;
  /** Clock for `timestamp`; default `Date.now`. */
  now?: () => number;
}

export interface ExposureTracker {
  /** Report that `flag` served `variant` to `unit`; fires `onExposure` only the first time for that key. */
  track(flag: string, variant: string | undefined, value: JsonValue, reason: EvaluationReason, unit: string | undefined): void;
  /** Number of remembered keys. */
  readonly size: number;
  /** Forget every key (e.g. after the user logs out). */
  clear(): void;
}

/**
 * Records that `flag` served `variant` to `unit` in `seen`, forgetting the oldest key beyond `max` (a Set iterates
 * in insertion order, which makes that O(1)); `false` when it was recorded already. (The browser store keeps a
 * smaller, cruder memory of its own: see `createPollingSnapshotStore`'s `onExposure`.)
 */
function isNewExposure(seen: Set<string>, max: number, flag: string, variant?: string, unit?: string): boolean {
  // JSON keeps the parts apart whatever they contain, and tells an absent part (null) from an empty one.
  const key = JSON.stringify([flag, variant, unit]);
  if (seen.has(key)) return false;
  seen.add(key);
  if (seen.size > max) seen.delete(seen.values().next().value!);
  return true;
}

/**
 * De-duplicates exposure events: `onExposure` fires once per (flag, variant, unit) within a bounded memory of
 * `max` keys. Shared by `createFlagClient` and the framework adapters.
 *
 * @example
 * const tracker = createExposureTracker((event) => analytics.track('$exposure', event));
 * tracker.track('new-checkout', 'on', true, 'SPLIT', 'user-42'); // fires
 * tracker.track('new-checkout', 'on', true, 'SPLIT', 'user-42'); // de-duplicated
 */
export function createExposureTracker(
  onExposure: (event: ExposureEvent) => void,
  options: ExposureTrackerOptions = {},
): ExposureTracker {
  const max = Math.max(1, Math.floor(options.max ?? DEFAULT_EXPOSURE_CACHE_SIZE));
  const now = options.now ?? Date.now;
  const seen = new Set<string>();
  return {
    track(flag, variant, value, reason, unit) {
      if (!isNewExposure(seen, max, flag, variant, unit)) return;
      try {
        onExposure({ flag, variant, value, reason, unit, timestamp: now() });
      } catch (error) {
        options.onError?.(error);
      }
    },
    get size() {
      return seen.size;
    },
    clear() {
      seen.clear();
    },
  };
}
