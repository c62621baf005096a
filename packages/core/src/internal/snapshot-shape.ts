/** `JSON.stringify`, shared so a bundle spells it once. */
export const json = JSON.stringify;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value == 'object' && !!value && !Array.isArray(value);

/**
 * What is wrong with a value received from the network (or handed in) as a FlagSnapshot, as `"<path> <problem>"`
 * (e.g. `$.flags["a"].value is missing`), or `undefined` when it has the shape. It ships in the bundle of every
 * app that reads flags, so it checks only what the store and the hooks rely on: a string `version`, and `flags`
 * entries that are objects with a `value` and a string `reason` — any string: OpenFeature allows custom reasons.
 */
export function checkSnapshot(value: unknown): string | undefined {
  if (!isRecord(value)) return '$ expected an object';
  if (typeof value.version != 'string') return '$.version expected a string';
  if (!isRecord(value.flags)) return '$.flags expected an object';
  for (const [key, entry] of Object.entries(value.flags)) {
    const at = `$.flags[${json(key)}]`;
    if (!isRecord(entry)) return `${at} expected an object`;
    if (entry.value === undefined) return `${at}.value is missing`;
    if (typeof entry.reason != 'string') return `${at}.reason expected a string`;
  }
}
