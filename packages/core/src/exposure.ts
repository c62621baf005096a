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
 * De-duplicates exposure events: `onExposure` fires once per (flag, variant, unit) within a bounded memory of
 * `max` keys. Shared by `createFlagClient`, `createSnapshotStore` and the framework adapters.
 *
 * @example
 * const tracker = createExposureTracker((event) => analytics.track('$exposure', event));
 * tracker.track('new-checkout', 'on', true, 'SPLIT', 'user-42'); // fires
 * tracker.track('new-checkout', 'on', true, 'SPLIT', 'user-42'); // de-duplicated
 */
export function createExposureTracker(
  onExposure: (event: ExposureEvent) => void,
  { max = DEFAULT_EXPOSURE_CACHE_SIZE, onError, now = Date.now }: ExposureTrackerOptions = {},
): ExposureTracker {
  // A Set iterates in insertion order, which makes evicting the oldest key O(1).
  const seen = new Set<string>();
  return {
    track(flag, variant, value, reason, unit) {
      // \u0000 cannot appear in JSON-sourced keys by accident, and marks "absent" apart from the empty string.
      const key = `${flag}\u0001${variant ?? '\u0000'}\u0001${unit ?? '\u0000'}`;
      if (seen.has(key)) return;
      seen.add(key);
      if (seen.size > max) seen.delete(seen.values().next().value!);
      try {
        onExposure({ flag, variant, value, reason, unit, timestamp: now() });
      } catch (error) {
        onError?.(error);
      }
    },
    get size() {
      return seen.size;
    },
    clear: () => seen.clear(),
  };
}
