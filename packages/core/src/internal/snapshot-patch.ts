import type { FlagSnapshot, SnapshotFlag } from '../types';
import { deepEqual } from './structural-share';

/*
 * The snapshot stream's `patch` event (`GET <flags endpoint>?stream=1` with `X-Halyard-Stream: delta`): what
 * changed for this one user.
 *
 *   { "base": "<version the client holds>", "version": "<new version>",
 *     "flags": { "<key>": <SnapshotFlag>, … },   entries whose evaluated value, variant, reason… changed, or new
 *     "removed": ["<key>", …] }                   entries gone from the snapshot
 *
 * A snapshot's version is a hash of its entries, so equal versions mean equal content. Key order in a snapshot
 * carries no meaning (the version travels with the patch, nothing is re-hashed), so the patch does not keep it.
 */

/** The body of a snapshot `patch` event. */
export interface SnapshotPatch {
  base: string;
  version: string;
  flags?: Record<string, SnapshotFlag>;
  removed?: string[];
}

/**
 * The patch from `previous` to `next` as the event's JSON, or `undefined` when it would not be smaller than the
 * snapshot itself (most entries changed): send the snapshot then. Server side only.
 *
 * @example
 * diffSnapshots({ version: 'a', flags: { x, y } }, { version: 'b', flags: { x, y: y2 } }); // '{"base":"a","version":"b","flags":{"y":…}}'
 */
export function diffSnapshots(previous: FlagSnapshot, next: FlagSnapshot): string | undefined {
  const flags: Record<string, SnapshotFlag> = {};
  const keys = Object.keys(next.flags);
  let count = 0;
  for (const key of keys) {
    const entry = next.flags[key] as SnapshotFlag;
    if (Object.hasOwn(previous.flags, key) && deepEqual(previous.flags[key], entry)) continue;
    Object.defineProperty(flags, key, { value: entry, enumerable: true, writable: true, configurable: true });
    count++;
  }
  const removed = Object.keys(previous.flags).filter((key) => !Object.hasOwn(next.flags, key));
  if (count + removed.length >= keys.length) return undefined;
  const patch: SnapshotPatch = { base: previous.version, version: next.version, flags };
  if (removed.length > 0) patch.removed = removed;
  return JSON.stringify(patch);
}

/**
 * Applies a snapshot `patch` event body to `current`: the new snapshot (for the store to validate as any other),
 * `current` itself when it already has the patch's version, or `undefined` when the patch is for another base
 * (ignore it and fetch the snapshot). Throws a TypeError naming the field when the body is malformed. Browser
 * side: kept small.
 */
export function applySnapshotPatch(current: FlagSnapshot, patch: unknown): FlagSnapshot | undefined {
  const { base, version, flags = {}, removed = [] } = (patch ?? {}) as Partial<SnapshotPatch>;
  if (typeof version != 'string' || typeof base != 'string') throw TypeError('invalid patch: $.base and $.version expected strings');
  if (version == current.version) return current;
  if (base != current.version) return;
  if (typeof flags != 'object' || !flags || Array.isArray(flags)) throw TypeError('invalid patch: $.flags expected an object');
  if (!Array.isArray(removed)) throw TypeError('invalid patch: $.removed expected an array');
  // Spread, not assignment: a `__proto__` key stays an own entry.
  const next: Record<string, SnapshotFlag> = { ...current.flags, ...flags };
  for (const key of removed) delete next[key];
  return { version, flags: next };
}
