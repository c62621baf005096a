import type { FlagDefinition, FlagsDocument, SegmentDefinition } from '@halyard/core';

/** Builds the served document from the flag and segment maps; keys sorted so every instance emits the same bytes. */
export function composeDocument(
  version: number,
  flags: Map<string, FlagDefinition> | Record<string, FlagDefinition>,
  segments: Map<string, SegmentDefinition> | Record<string, SegmentDefinition>,
): FlagsDocument {
  const sorted = <T>(input: Map<string, T> | Record<string, T>): Record<string, T> => {
    const entries = input instanceof Map ? [...input] : Object.entries(input);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries);
  };
  return { schemaVersion: 1, version, flags: sorted(flags), segments: sorted(segments) };
}
