import { parseDefinitions } from '../parse-definitions';
import type { DefinitionProblem, Definitions, FlagDefinition, FlagsDocument, SegmentDefinition } from '../types';
import { describe, errorText, isObj, own, type Obj } from './json-shape';

/*
 * The definitions stream's `patch` event (the flag service's `X-Halyard-Stream: delta`, docs/server.md), both halves: the
 * diff the service sends and the patch SDKs apply, in one place so they cannot drift apart.
 *
 *   { "base": 1042, "version": 1043,
 *     "flags": { "<key>": <FlagDefinition>, … },          changed and added flags, whole
 *     "segments": { "<key>": <SegmentDefinition>, … },
 *     "removed": { "flags": ["<key>"], "segments": ["<key>"] },
 *     "order": { "flags": ["<every key>"], "segments": [...] } }   only when not "kept keys, then added ones"
 *
 * Applied to the definitions whose version is `base`, it must give exactly the document of `version`, key order
 * included (the evaluator walks flags in document order and a snapshot's keys follow it). The result
 * goes through `parseDefinitions` whole, so a patched flag that references a removed segment is caught like in a
 * full document, and the problems carry paths into the resulting document.
 */

/**
 * What changed between two versions of a flags document: the body of the definitions stream's `patch` event.
 * Applying it to the `base` document (`applyDefinitionsPatch`) gives exactly the `version` document, key order
 * included — the order of `flags` is the order the evaluator walks, which a snapshot's keys follow.
 */
export interface DocumentPatch {
  /** The version this patch applies to; a client holding another version must not apply it. */
  base: string | number;
  version: string | number;
  /** Changed and added flags, whole. */
  flags?: Record<string, FlagDefinition>;
  segments?: Record<string, SegmentDefinition>;
  removed?: { flags?: string[]; segments?: string[] };
  /**
   * The complete key order, sent only when it is not "the base's keys (minus removed ones) in their order, then
   * the added keys in patch order" — e.g. a key added in the middle of a sorted document.
   */
  order?: { flags?: string[]; segments?: string[] };
}

/** Top-level fields a patch can express; any other difference (a new `$schema`, …) is sent as a full document. */
const PATCHED_FIELDS = new Set(['version', 'flags', 'segments']);

/**
 * The patch from `previous` to `next`, or `undefined` when a patch cannot express the change (no versions,
 * versions that do not move, another top-level field differs): the caller sends the full document then.
 * The flag service computes it once per change, never per stream. Unchanged entries are found by an order-sensitive structural
 * comparison, so an entry whose field order changed is resent whole (correct, merely a few bytes more).
 *
 * @example
 * diffDocuments({ schemaVersion: 1, version: 1, flags: { a } }, { schemaVersion: 1, version: 2, flags: { a, b } });
 * // { base: 1, version: 2, flags: { b } }
 */
export function diffDocuments(previous: FlagsDocument, next: FlagsDocument): DocumentPatch | undefined {
  if (previous.version === undefined || next.version === undefined || String(previous.version) === String(next.version)) return undefined;
  const before = previous as unknown as Record<string, unknown>;
  const after = next as unknown as Record<string, unknown>;
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (!PATCHED_FIELDS.has(key) && !sameJson(before[key], after[key])) return undefined;
  }
  const patch: DocumentPatch = { base: previous.version, version: next.version };
  const flags = diffRecord(previous.flags, next.flags);
  const segments = diffRecord(previous.segments ?? {}, next.segments ?? {});
  if (flags.changed) patch.flags = flags.changed;
  if (segments.changed) patch.segments = segments.changed;
  if (flags.removed || segments.removed) {
    patch.removed = {};
    if (flags.removed) patch.removed.flags = flags.removed;
    if (segments.removed) patch.removed.segments = segments.removed;
  }
  if (flags.order || segments.order) {
    patch.order = {};
    if (flags.order) patch.order.flags = flags.order;
    if (segments.order) patch.order.segments = segments.order;
  }
  return patch;
}

interface RecordDiff<T> {
  changed?: Record<string, T>;
  removed?: string[];
  order?: string[];
}

function diffRecord<T>(before: Record<string, T>, after: Record<string, T>): RecordDiff<T> {
  const diff: RecordDiff<T> = {};
  const has = (record: Record<string, T>, key: string) => Object.prototype.hasOwnProperty.call(record, key);
  const changed: Record<string, T> = {};
  const added: string[] = [];
  let anyChanged = false;
  for (const key of Object.keys(after)) {
    const value = after[key] as T;
    if (!has(before, key)) added.push(key);
    else if (sameJson(before[key], value)) continue;
    // defineProperty: a `__proto__` key must become an own entry, not the object's prototype.
    Object.defineProperty(changed, key, { value, enumerable: true, writable: true, configurable: true });
    anyChanged = true;
  }
  const removed = Object.keys(before).filter((key) => !has(after, key));
  if (anyChanged) diff.changed = changed;
  if (removed.length > 0) diff.removed = removed;
  // The order a client rebuilds without help: kept keys in their old order, then the added ones.
  const gone = new Set(removed);
  const implied = Object.keys(before).filter((key) => !gone.has(key));
  implied.push(...added);
  const actual = Object.keys(after);
  if (implied.some((key, i) => key !== actual[i])) diff.order = actual;
  return diff;
}

/** Order-sensitive structural equality of JSON data: equal here means equal serialisations. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const key = ka[i] as string;
    if (key !== kb[i] || !sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}

export type PatchResult =
  /** Applied: the definitions of the patch's `version` (the same object when that version is already held). */
  | { ok: true; definitions: Definitions; stale?: undefined; problems?: undefined }
  /** The patch is for another base version: ignore it and fetch the full document. */
  | { ok: false; stale: true; definitions?: undefined; problems?: undefined }
  /** Invalid: keep the last good definitions; `problems` say where. */
  | { ok: false; stale?: undefined; definitions?: undefined; problems: DefinitionProblem[] };

/**
 * Applies a `patch` event body to `current`. Never throws.
 *
 * @example
 * const result = applyDefinitionsPatch(current, JSON.parse(event.data));
 * if (result.ok) use(result.definitions);
 * else if (result.stale) refetch();
 * else report(result.problems);
 */
export function applyDefinitionsPatch(current: Definitions, patch: unknown): PatchResult {
  try {
    return applyPatch(current, patch);
  } catch (error) {
    // Hostile inputs (throwing getters, proxies) end up here, as in parseDefinitions: report, never throw.
    return { ok: false, problems: [{ path: 'patch $', message: `could not be read (${errorText(error)}); send plain JSON data` }] };
  }
}

function applyPatch(current: Definitions, patch: unknown): PatchResult {
  const problems: DefinitionProblem[] = [];
  const bad = (path: string, message: string): PatchResult => ({ ok: false, problems: [{ path: `patch ${path}`, message }] });
  if (!isObj(patch)) return bad('$', `expected an object like {"base":1,"version":2,"flags":{…}}, got ${describe(patch)}`);
  const base = own(patch, 'base');
  const version = own(patch, 'version');
  if (!isVersion(base)) return bad('$.base', `expected the version the patch applies to (a string or number), got ${describe(base)}`);
  if (!isVersion(version)) return bad('$.version', `expected the new version (a string or number), got ${describe(version)}`);
  if (String(version) === current.version) return { ok: true, definitions: current };
  if (String(base) !== current.version) return { ok: false, stale: true };

  const removed = own(patch, 'removed');
  const order = own(patch, 'order');
  if (removed !== undefined && !isObj(removed)) return bad('$.removed', `expected an object like {"flags":["key"]}, got ${describe(removed)}`);
  if (order !== undefined && !isObj(order)) return bad('$.order', `expected an object like {"flags":["key", …]}, got ${describe(order)}`);
  const flags = patchRecord('flags', current.flags, patch, removed, order, problems);
  const segments = patchRecord('segments', current.segments, patch, removed, order, problems);
  if (problems.length > 0 || flags === undefined || segments === undefined) return { ok: false, problems };
  const result = parseDefinitions({ schemaVersion: 1, version, flags, segments });
  return result.ok ? { ok: true, definitions: result.definitions } : { ok: false, problems: result.problems };
}

function isVersion(value: unknown): value is string | number {
  return (typeof value === 'string' && value.length > 0) || (typeof value === 'number' && Number.isFinite(value));
}

/** The `name` record after the patch, in the order of the new document; `undefined` (with problems) when the patch is malformed. */
function patchRecord(
  name: 'flags' | 'segments',
  before: Readonly<Record<string, unknown>>,
  patch: Obj,
  removed: Obj | undefined,
  order: Obj | undefined,
  problems: DefinitionProblem[],
): Obj | undefined {
  const changed = own(patch, name);
  if (changed !== undefined && !isObj(changed)) {
    problems.push({ path: `patch $.${name}`, message: `expected an object of ${name} keyed by key, got ${describe(changed)}` });
    return undefined;
  }
  const gone = keyList(removed, name, 'removed', problems);
  const listed = keyList(order, name, 'order', problems);
  if (gone === false || listed === false) return undefined;
  const goneSet = new Set(gone);
  const value = (key: string): unknown => (changed !== undefined && Object.hasOwn(changed, key) ? changed[key] : before[key]);
  // The order a server implies by sending none: kept keys in their order, then the added ones in patch order.
  const keys = Object.keys(before).filter((key) => !goneSet.has(key));
  for (const key of changed === undefined ? [] : Object.keys(changed)) {
    if (goneSet.has(key)) {
      problems.push({ path: `patch $.${name}[${JSON.stringify(key)}]`, message: `is both changed and listed in removed.${name}` });
      return undefined;
    }
    if (!Object.hasOwn(before, key)) keys.push(key);
  }
  let ordered = keys;
  if (listed !== undefined) {
    const expected = new Set(keys);
    if (listed.length !== expected.size || new Set(listed).size !== listed.length || listed.some((key) => !expected.has(key))) {
      problems.push({ path: `patch $.order.${name}`, message: `must list every key of the patched ${name} exactly once` });
      return undefined;
    }
    ordered = listed;
  }
  const out: Obj = {};
  // defineProperty: a `__proto__` key stays an own entry, as JSON.parse makes it.
  for (const key of ordered) Object.defineProperty(out, key, { value: value(key), enumerable: true, writable: true, configurable: true });
  return out;
}

/** The keys listed under `field.name`: `undefined` when absent, `false` (with a problem) when not an array of strings. */
function keyList(container: Obj | undefined, name: string, field: string, problems: DefinitionProblem[]): string[] | undefined | false {
  const list = container === undefined ? undefined : own(container, name);
  if (list === undefined) return undefined;
  if (!Array.isArray(list) || !list.every((key) => typeof key === 'string')) {
    problems.push({ path: `patch $.${field}.${name}`, message: `expected an array of keys, got ${describe(list)}` });
    return false;
  }
  return list as string[];
}
