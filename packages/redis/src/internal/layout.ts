/**
 * Where a flags document lives in Redis. Two layouts:
 *
 * - `document` (default): the whole FlagsDocument as JSON in one key (`halyard:flags`). One `GET` reads it, every
 *   write replaces it atomically, and its `version` field counts the writes.
 * - `keys`: one JSON definition per key under a prefix (`halyard:flag:new-checkout`, `halyard:segment:beta`), for
 *   teams that want `SET halyard:flag:new-checkout …` granularity. Read with `SCAN` + `MGET`; Halyard's writes bump
 *   the `<prefix>version` counter.
 *
 * Both have a pub/sub channel Halyard's writer publishes the new version on (`<key>:changes`, `<prefix>changes`)
 * and an audit stream (`<key>:audit`, `<prefix>audit`). None of these names can be mistaken for a flag key: flag
 * keys live under `<prefix>flag:` only.
 */
export type RedisLayout =
  | { readonly mode: 'document'; readonly key: string; readonly channel: string; readonly audit: string }
  | {
      readonly mode: 'keys';
      readonly prefix: string;
      readonly flagPrefix: string;
      readonly segmentPrefix: string;
      readonly channel: string;
      readonly audit: string;
      readonly counter: string;
    };

/** Where to find the flags: `key` (one document, default `halyard:flags`) or `prefix` (one key per flag). */
export interface RedisLocation {
  /** The key holding the whole flags document. Default `"halyard:flags"`. */
  key?: string;
  /**
   * One key per definition instead of one document: flags at `<prefix>flag:<flag key>`, segments at
   * `<prefix>segment:<segment key>`, e.g. `prefix: "halyard:"` reads `halyard:flag:new-checkout`.
   */
  prefix?: string;
}

/** The key `redisSource`, the writers and the CLI use when none is given. */
export const DEFAULT_KEY = 'halyard:flags';

export function resolveLayout(location: RedisLocation, caller: string): RedisLayout {
  if (location.key !== undefined && location.prefix !== undefined) {
    throw new TypeError(`@halyard/redis: ${caller} takes either { key } (one document) or { prefix } (one key per flag), not both`);
  }
  if (location.prefix !== undefined) {
    if (typeof location.prefix !== 'string') throw new TypeError(`@halyard/redis: ${caller}: prefix must be a string such as "halyard:"`);
    const prefix = location.prefix;
    return {
      mode: 'keys',
      prefix,
      flagPrefix: `${prefix}flag:`,
      segmentPrefix: `${prefix}segment:`,
      channel: `${prefix}changes`,
      audit: `${prefix}audit`,
      counter: `${prefix}version`,
    };
  }
  const key = location.key ?? DEFAULT_KEY;
  if (typeof key !== 'string' || key.length === 0) throw new TypeError(`@halyard/redis: ${caller}: key must be a non-empty string such as "${DEFAULT_KEY}"`);
  return { mode: 'document', key, channel: `${key}:changes`, audit: `${key}:audit` };
}

/** A short description for names and errors: `halyard:flags` or `halyard:flag:*`. */
export function describeLayout(layout: RedisLayout): string {
  return layout.mode === 'document' ? layout.key : `${layout.flagPrefix}*`;
}

/** SCAN MATCH treats `*?[]\` as glob syntax; a prefix is literal. */
export function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
