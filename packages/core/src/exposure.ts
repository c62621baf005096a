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
 * The remembered (flag, variant, unit) keys: nested maps, so that checking a key already seen — what nearly every
 * read does — allocates nothing (no joined string, no array). Eviction is first in, first out over a ring of the
 * keys in insertion order, which makes it O(1). (The browser store keeps a smaller, cruder memory of its own: see
 * `createPollingSnapshotStore`'s `onExposure`.)
 */
class ExposureMemory {
  private readonly byFlag = new Map<string, Map<string | undefined, Set<string | undefined>>>();
  // Insertion order, as a ring of `max` slots (grown as keys arrive), for forgetting the oldest key.
  private readonly flags: string[] = [];
  private readonly variants: Array<string | undefined> = [];
  private readonly units: Array<string | undefined> = [];
  private next = 0;
  size = 0;

  constructor(private readonly max: number) {}

  /** Records the key; `false` when it was recorded already. */
  add(flag: string, variant: string | undefined, unit: string | undefined): boolean {
    let byVariant = this.byFlag.get(flag);
    let units = byVariant?.get(variant);
    if (units?.has(unit)) return false;
    if (byVariant === undefined) this.byFlag.set(flag, (byVariant = new Map()));
    if (units === undefined) byVariant.set(variant, (units = new Set()));
    units.add(unit);
    if (this.size === this.max) this.forget(this.flags[this.next]!, this.variants[this.next], this.units[this.next]);
    else this.size++;
    this.flags[this.next] = flag;
    this.variants[this.next] = variant;
    this.units[this.next] = unit;
    this.next = (this.next + 1) % this.max;
    return true;
  }

  private forget(flag: string, variant: string | undefined, unit: string | undefined): void {
    const byVariant = this.byFlag.get(flag);
    const units = byVariant?.get(variant);
    if (units === undefined) return;
    units.delete(unit);
    if (units.size === 0) byVariant!.delete(variant);
    if (byVariant!.size === 0) this.byFlag.delete(flag);
  }

  clear(): void {
    this.byFlag.clear();
    this.flags.length = this.variants.length = this.units.length = 0;
    this.next = this.size = 0;
  }
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
  const seen = new ExposureMemory(max);
  return {
    track(flag, variant, value, reason, unit) {
      if (!seen.add(flag, variant, unit)) return;
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
