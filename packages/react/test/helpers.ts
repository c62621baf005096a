import type { FlagSnapshot, JsonValue, SnapshotFlag } from '@halyard/core';

/** A snapshot serving `values`; booleans get variants `on`/`off`, other values the variant `v-<json>`. */
export function snapshot(version: string, values: Record<string, JsonValue | SnapshotFlag>): FlagSnapshot {
  const flags: Record<string, SnapshotFlag> = {};
  for (const [key, value] of Object.entries(values)) {
    flags[key] =
      typeof value === 'object' && value !== null && !Array.isArray(value) && 'reason' in value
        ? (value as SnapshotFlag)
        : {
            value: value as JsonValue,
            variant: typeof value === 'boolean' ? (value ? 'on' : 'off') : `v-${JSON.stringify(value)}`,
            reason: 'STATIC',
          };
  }
  return { version, flags };
}

// Captured before any test installs fake timers.
const realSetTimeout = globalThis.setTimeout;

/**
 * Retries `check` until it passes, sleeping on the REAL clock in between. Works under `vi.useFakeTimers()`, where
 * @testing-library's waitFor hangs (it drains with a faked setTimeout). Like waitFor, it turns React's act
 * environment off while waiting: updates caused by real network answers cannot be wrapped in act().
 */
export async function eventually(check: () => void, timeout = 5_000): Promise<void> {
  const env = globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean };
  const previous = env.IS_REACT_ACT_ENVIRONMENT;
  env.IS_REACT_ACT_ENVIRONMENT = false;
  const started = performance.now();
  try {
    for (;;) {
      try {
        check();
        return;
      } catch (error) {
        if (performance.now() - started > timeout) throw error;
        await new Promise((resolve) => realSetTimeout(resolve, 10));
      }
    }
  } finally {
    env.IS_REACT_ACT_ENVIRONMENT = previous;
  }
}
