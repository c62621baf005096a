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
