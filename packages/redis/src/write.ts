import { createHash } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import type { Redis } from 'ioredis';
import { DefinitionsError, parseDefinitions, type FlagDefinition, type FlagsDocument, type SegmentDefinition } from '@halyard/core';
import { retryDelay } from '@halyard/core/adapter';
import { canonicalJson } from '@halyard/core/definitions';
import { ensureConnected } from './connect';
import { COMMIT_SCRIPT } from './internal/commit-script';
import { describeLayout, resolveLayout, type RedisLayout, type RedisLocation } from './internal/layout';
import { readSnapshot, RedisValueError, type Snapshot, type SnapshotLimits } from './internal/snapshot';

export interface WriteOptions extends RedisLocation {
  /** Who makes the change, for the audit stream. Default `<OS user>@<host name>`. */
  actor?: string;
  /** What kind of change, for the audit stream, e.g. `flag.toggle`. Default `document.write` / `flag.update`. */
  action?: string;
  /** Validate and compute the changes, write nothing. */
  dryRun?: boolean;
  /** Compare-and-set attempts before giving up when other writers keep winning. Default 1,000. */
  maxAttempts?: number;
  /** Approximate number of audit entries kept (`XADD MAXLEN ~`). Default 100,000. */
  auditMaxLength?: number;
  /** Largest document read or written, in bytes. Default 16 MiB. */
  maxSize?: number;
  /** Most per-flag keys read in the `prefix` layout. Default 10,000. */
  maxKeys?: number;
}

/** Which definitions of one kind a write creates, replaces or deletes (keys sorted), and how many stay as they were. */
export interface DefinitionChanges {
  created: string[];
  updated: string[];
  deleted: string[];
  unchanged: number;
}

export interface WriteResult {
  /** Whether anything was (or, with `dryRun`, would be) written. Writing what is already there writes nothing. */
  changed: boolean;
  /** The version after the write (document layout: the document's `version`; prefix layout: the counter). */
  version: string | undefined;
  flags: DefinitionChanges;
  segments: DefinitionChanges;
  /** The document as written (or as it stays). */
  document: FlagsDocument;
  /** Compare-and-set attempts it took (more than 1 when concurrent writers got there first). */
  attempts: number;
}

const DEFAULT_MAX_SIZE = 16 * 1024 * 1024;
/** Before/after definitions go into the audit entry up to this size; larger ones are summarised by their keys. */
const MAX_AUDITED_DEFINITION = 64 * 1024;

type Updater = (current: FlagsDocument | undefined) => FlagsDocument | undefined;

/**
 * Writes a flags document to Redis: validated with `parseDefinitions` first (nothing is written when it is
 * invalid: a `DefinitionsError` lists every problem with its path), then one atomic compare-and-set that bumps the
 * version, appends an audit entry to the stream (`XADD`) and publishes the new version to every `redisSource`.
 * Concurrent writers never lose an update: when the value changed since it was read, the write is re-read and
 * retried (pass a function to have your change re-applied to the newer document).
 *
 * Pass a document to replace what is there (even a value that is not JSON), or a function of the current
 * document (`undefined` when there is none) returning the next one, or `undefined` to write nothing.
 *
 * @example
 * import { connectRedis, writeDocument } from '@halyard/redis';
 *
 * const redis = connectRedis('redis://127.0.0.1:6379');
 * const result = await writeDocument(redis, JSON.parse(await readFile('flags.json', 'utf8')), { actor: 'ci', action: 'document.import' });
 * console.log(result.version, result.flags.updated);
 * redis.disconnect();
 */
export function writeDocument(redis: Redis, next: FlagsDocument | Updater, options: WriteOptions = {}): Promise<WriteResult> {
  const layout = resolveLayout(options, 'writeDocument()');
  const replace = typeof next !== 'function';
  return commit(redis, layout, options, replace ? () => next : next, replace, { action: options.action ?? 'document.write', target: 'document' });
}

/**
 * Changes one flag, atomically, with the same validation, version bump and audit entry as `writeDocument`.
 * `update` receives the flag's current definition (`undefined` when there is no such flag) and returns the new
 * one, or `undefined` to leave it as it is. It is called again with the newer definition when another writer got
 * there first, so it must be a pure function of its input.
 *
 * @example
 * // The kill switch, from a script or an ops tool:
 * await updateFlag(redis, 'new-checkout', (flag) => flag && { ...flag, enabled: false }, { actor: 'ops', action: 'flag.toggle' });
 */
export function updateFlag(
  redis: Redis,
  flagKey: string,
  update: (current: FlagDefinition | undefined) => FlagDefinition | undefined,
  options: WriteOptions = {},
): Promise<WriteResult> {
  const layout = resolveLayout(options, 'updateFlag()');
  let before: FlagDefinition | undefined;
  let after: FlagDefinition | undefined;
  const updater: Updater = (current) => {
    before = current?.flags[flagKey];
    after = update(before);
    if (after === undefined) return undefined;
    return { ...(current ?? { schemaVersion: 1 }), schemaVersion: 1, flags: { ...current?.flags, [flagKey]: after }, segments: current?.segments ?? {} };
  };
  const audit = () => {
    const fields: Record<string, string> = {};
    for (const [name, value] of [['before', before], ['after', after]] as const) {
      const text = value === undefined ? undefined : JSON.stringify(value);
      if (text !== undefined && text.length <= MAX_AUDITED_DEFINITION) fields[name] = text;
    }
    return fields;
  };
  return commit(redis, layout, options, updater, false, { action: options.action ?? 'flag.update', target: `flag:${flagKey}`, extra: audit });
}

/**
 * Reads and validates the flags document (`undefined` when the key does not exist). Throws a `DefinitionsError`
 * when it is not JSON or not a valid document, and an error naming the fix when the key holds another type.
 *
 * @example
 * const document = await readDocument(redis, { key: 'halyard:flags' });
 * await writeFile('flags.json', JSON.stringify(document, null, 2));
 */
export async function readDocument(redis: Redis, options: RedisLocation & { maxSize?: number; maxKeys?: number } = {}): Promise<FlagsDocument | undefined> {
  const layout = resolveLayout(options, 'readDocument()');
  await ensureConnected(redis);
  const snapshot = await readSnapshot(redis, layout, limitsOf(options));
  return currentDocument(layout, snapshot);
}

function limitsOf(options: { maxSize?: number; maxKeys?: number }): SnapshotLimits {
  return { maxSize: options.maxSize ?? DEFAULT_MAX_SIZE, maxKeys: options.maxKeys ?? 10_000 };
}

const FIX = 'fix it by hand or replace it (writeDocument(redis, document), or halyard import <file> --redis <url> --replace)';

/** The current value as a validated document; undefined when there is none. */
function currentDocument(layout: RedisLayout, snapshot: Snapshot): FlagsDocument | undefined {
  const current = shapedDocument(layout, snapshot);
  if (current === undefined) return undefined;
  const parsed = parseDefinitions(current);
  if (!parsed.ok) throw new DefinitionsError(`@halyard/redis: ${describeLayout(layout)} is not a valid flags document; ${FIX}`, parsed.problems);
  return current;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The current value if it is at least shaped like a document (JSON, an object whose `flags` and `segments` are
 * objects), which is all an update function needs to be handed safely: writes validate the whole RESULT, which
 * contains the rest of the current document, so validating the current value too would parse it twice.
 */
function shapedDocument(layout: RedisLayout, snapshot: Snapshot): FlagsDocument | undefined {
  if (snapshot.document === undefined && snapshot.problems.length === 0) return undefined;
  if (snapshot.problems.length > 0) throw new DefinitionsError(`@halyard/redis: ${describeLayout(layout)} holds a value that is not JSON; ${FIX}`, snapshot.problems);
  const value = snapshot.document;
  if (!isRecord(value) || !isRecord(value.flags) || (value.segments !== undefined && !isRecord(value.segments))) {
    // Not even the shape: parseDefinitions says exactly what is wrong, with paths.
    const parsed = parseDefinitions(value);
    throw new DefinitionsError(`@halyard/redis: ${describeLayout(layout)} is not a valid flags document; ${FIX}`, parsed.problems ?? [{ path: '$', message: 'is not a flags document' }]);
  }
  return value as unknown as FlagsDocument;
}

function defaultActor(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): the host name alone still says where the change came from.
  }
  return `${user}@${hostname()}`;
}

const sha1 = (text: string | null | undefined): string => (text === null || text === undefined ? '' : createHash('sha1').update(text).digest('hex'));

function diff<T>(before: Record<string, T>, after: Record<string, T>): DefinitionChanges {
  const changes: DefinitionChanges = { created: [], updated: [], deleted: [], unchanged: 0 };
  for (const key of Object.keys(after).sort()) {
    if (!Object.hasOwn(before, key)) changes.created.push(key);
    else if (canonicalJson(before[key]) !== canonicalJson(after[key])) changes.updated.push(key);
    else changes.unchanged++;
  }
  for (const key of Object.keys(before).sort()) if (!Object.hasOwn(after, key)) changes.deleted.push(key);
  return changes;
}

const changedAny = (c: DefinitionChanges) => c.created.length + c.updated.length + c.deleted.length > 0;

interface AuditInfo {
  action: string;
  target: string;
  extra?: () => Record<string, string>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Lost compare-and-set races wait a little, with jitter, so a crowd of writers does not retry in lockstep. */
const CONFLICT_BACKOFF = { base: 5, max: 200 };

async function commit(redis: Redis, layout: RedisLayout, options: WriteOptions, update: Updater, replace: boolean, info: AuditInfo): Promise<WriteResult> {
  await ensureConnected(redis);
  const limits = limitsOf(options);
  const maxAttempts = options.maxAttempts ?? 1_000;
  const actor = options.actor ?? defaultActor();
  for (let attempt = 1; ; attempt++) {
    const snapshot = await readSnapshot(redis, layout, limits);
    let current: FlagsDocument | undefined;
    try {
      current = shapedDocument(layout, snapshot);
    } catch (error) {
      // Replacing the whole document is how a broken value gets fixed; changing part of it needs a sound whole.
      if (!replace || !(error instanceof DefinitionsError)) throw error;
    }
    const proposed = update(current);
    const beforeFlags = (current?.flags ?? {}) as Record<string, FlagDefinition>;
    const beforeSegments = (current?.segments ?? {}) as Record<string, SegmentDefinition>;
    if (proposed === undefined) {
      return { changed: false, version: versionOf(layout, current, snapshot), flags: diff(beforeFlags, beforeFlags), segments: diff(beforeSegments, beforeSegments), document: current ?? { schemaVersion: 1, flags: {} }, attempts: attempt };
    }
    const flags = (proposed.flags ?? {}) as Record<string, FlagDefinition>;
    const segments = (proposed.segments ?? {}) as Record<string, SegmentDefinition>;
    const flagChanges = diff(beforeFlags, flags);
    const segmentChanges = diff(beforeSegments, segments);
    // A broken current value counts as changed even if its parsable part matches.
    const changed = changedAny(flagChanges) || changedAny(segmentChanges) || (current === undefined && (layout.mode === 'document' || snapshot.raws.size > 0));

    // From the raw value, so that replacing a broken document still moves the version forward.
    const previous = layout.mode === 'document' && isRecord(snapshot.document) ? Number(snapshot.document.version) : 0;
    const version = layout.mode === 'document' ? (Number.isSafeInteger(previous) && previous >= 0 ? previous : 0) + 1 : undefined;
    const document: FlagsDocument = { schemaVersion: 1, ...(version !== undefined ? { version } : {}), flags, segments };
    const parsed = parseDefinitions(document);
    if (!parsed.ok) {
      // Say whose fault it is: a change that breaks a sound document, or a document that was already broken.
      if (!replace && current !== undefined) currentDocument(layout, snapshot);
      throw new DefinitionsError(`@halyard/redis: the new flags document for ${describeLayout(layout)} is invalid; nothing was written`, parsed.problems);
    }
    if (!changed) return { changed: false, version: versionOf(layout, current, snapshot), flags: flagChanges, segments: segmentChanges, document: current ?? document, attempts: attempt };
    if (options.dryRun) return { changed: true, version: undefined, flags: flagChanges, segments: segmentChanges, document, attempts: attempt };

    const writes = plannedWrites(layout, snapshot, document, flagChanges, segmentChanges);
    const size = writes.reduce((sum, w) => sum + (w.value?.length ?? 0), 0);
    if (size > limits.maxSize) throw new RedisValueError(`@halyard/redis: the new document is ${size} bytes, over the limit of ${limits.maxSize}; nothing was written (raise maxSize)`);
    const auditFields: Record<string, string> = {
      at: new Date().toISOString(),
      actor,
      action: info.action,
      target: info.target,
      changes: JSON.stringify({ flags: flagChanges, segments: segmentChanges }),
      ...info.extra?.(),
    };
    const fieldArgs = Object.entries(auditFields).flat();
    const keys = [layout.audit, ...writes.map((w) => w.key), ...(layout.mode === 'keys' ? [layout.counter] : [])];
    const args = [
      layout.channel,
      String(options.auditMaxLength ?? 100_000),
      layout.mode === 'keys' ? '1' : '0',
      String(version ?? ''),
      String(fieldArgs.length / 2),
      ...fieldArgs,
      ...writes.flatMap((w) => [sha1(snapshot.raws.get(w.key)), w.value === undefined ? 'del' : 'set', w.value ?? '']),
    ];
    const committed = (await redis.eval(COMMIT_SCRIPT, keys.length, ...keys, ...args)) as string | null;
    if (committed !== null) {
      return { changed: true, version: String(committed), flags: flagChanges, segments: segmentChanges, document, attempts: attempt };
    }
    if (attempt >= maxAttempts) {
      throw new Error(`@halyard/redis: gave up writing ${describeLayout(layout)} after ${attempt} attempts: other writers kept changing it first; retry, or raise maxAttempts`);
    }
    await sleep(retryDelay(attempt - 1, CONFLICT_BACKOFF));
  }
}

function versionOf(layout: RedisLayout, current: FlagsDocument | undefined, snapshot: Snapshot): string | undefined {
  if (layout.mode === 'document') return current?.version === undefined ? undefined : String(current.version);
  return snapshot.document === undefined ? undefined : parseDefinitions(snapshot.document).definitions?.version;
}

interface PlannedWrite {
  key: string;
  /** `undefined` deletes the key. */
  value: string | undefined;
}

function plannedWrites(layout: RedisLayout, snapshot: Snapshot, document: FlagsDocument, flags: DefinitionChanges, segments: DefinitionChanges): PlannedWrite[] {
  if (layout.mode === 'document') return [{ key: layout.key, value: JSON.stringify(document) }];
  const writes: PlannedWrite[] = [];
  const plan = (prefix: string, changes: DefinitionChanges, values: Record<string, unknown>) => {
    for (const key of [...changes.created, ...changes.updated]) writes.push({ key: prefix + key, value: JSON.stringify(values[key]) });
    for (const key of changes.deleted) writes.push({ key: prefix + key, value: undefined });
  };
  plan(layout.flagPrefix, flags, document.flags);
  plan(layout.segmentPrefix, segments, document.segments ?? {});
  // A value that was not JSON is not in the document: replacing the whole document removes it.
  const written = new Set(writes.map((w) => w.key));
  for (const key of snapshot.raws.keys()) {
    const isFlag = key.startsWith(layout.flagPrefix);
    const name = key.slice(isFlag ? layout.flagPrefix.length : layout.segmentPrefix.length);
    const kept = isFlag ? Object.hasOwn(document.flags, name) : Object.hasOwn(document.segments ?? {}, name);
    if (!written.has(key) && !kept) writes.push({ key, value: undefined });
  }
  return writes;
}
