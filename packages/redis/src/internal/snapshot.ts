import type { Redis } from 'ioredis';
import type { DefinitionProblem } from '@halyard/core';
import { globEscape, type RedisLayout } from './layout';

/** What one read of the layout found: the raw values (for compare-and-set) and the document they make up. */
export interface Snapshot {
  /** Raw value of every Redis key read; `null` for a missing key. */
  readonly raws: ReadonlyMap<string, string | null>;
  /** Everything read, as one string: equal text means nothing changed (no re-parse, no second report). */
  readonly text: string;
  /** The document as found (not validated yet); `undefined` when there is nothing at all (key missing). */
  readonly document: unknown;
  /** Values that could not even be read as JSON, with the path they would have had in the document. */
  readonly problems: readonly DefinitionProblem[];
}

export interface SnapshotLimits {
  /** Largest value read, in bytes (a whole document, or all per-flag values together). */
  maxSize: number;
  /** Most per-flag keys read (`keys` layout). */
  maxKeys: number;
}

// TYPE first, so a key holding a hash or a list is reported as such, and STRLEN before GET, so a runaway value is
// refused inside Redis instead of being shipped to every reader.
const READ_DOCUMENT = `
local t = redis.call('TYPE', KEYS[1]).ok
if t == 'none' then return {'none'} end
if t ~= 'string' then return {'type', t} end
local n = redis.call('STRLEN', KEYS[1])
if n > tonumber(ARGV[1]) then return {'big', n} end
return {'ok', redis.call('GET', KEYS[1])}
`;

/** Thrown for values that are there but unusable (wrong type, too large): the message names the key and the fix. */
export class RedisValueError extends Error {
  override name = 'RedisValueError';
}

const MGET_BATCH = 500;

export async function readSnapshot(redis: Redis, layout: RedisLayout, limits: SnapshotLimits): Promise<Snapshot> {
  return layout.mode === 'document' ? readDocumentKey(redis, layout.key, limits) : readKeys(redis, layout, limits);
}

async function readDocumentKey(redis: Redis, key: string, limits: SnapshotLimits): Promise<Snapshot> {
  const reply = (await redis.eval(READ_DOCUMENT, 1, key, String(limits.maxSize))) as [string, string | number | undefined];
  const [status, detail] = reply;
  if (status === 'type') {
    throw new RedisValueError(`@halyard/redis: ${key} holds a ${String(detail)}, not a string; it must hold the flags document as JSON (SET ${key} '{"schemaVersion":1,"flags":{}}')`);
  }
  if (status === 'big') {
    throw new RedisValueError(`@halyard/redis: ${key} holds ${String(detail)} bytes, over the limit of ${limits.maxSize}; raise maxSize if the document really is that large`);
  }
  if (status === 'none') return { raws: new Map([[key, null]]), text: '', document: undefined, problems: [] };
  const raw = String(detail);
  const raws = new Map([[key, raw]]);
  try {
    return { raws, text: raw, document: JSON.parse(raw) as unknown, problems: [] };
  } catch (error) {
    return { raws, text: raw, document: undefined, problems: [{ path: '$', message: `${key} is not valid JSON: ${(error as Error).message}` }] };
  }
}

async function scanKeys(redis: Redis, prefix: string, limits: SnapshotLimits, found: string[]): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${globEscape(prefix)}*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) found.push(key);
    if (found.length > limits.maxKeys) {
      throw new RedisValueError(`@halyard/redis: more than ${limits.maxKeys} keys under ${prefix}; raise maxKeys, or keep the flags in one document ({ key })`);
    }
  } while (cursor !== '0');
}

async function readKeys(redis: Redis, layout: Extract<RedisLayout, { mode: 'keys' }>, limits: SnapshotLimits): Promise<Snapshot> {
  const names: string[] = [];
  await scanKeys(redis, layout.flagPrefix, limits, names);
  await scanKeys(redis, layout.segmentPrefix, limits, names);
  // SCAN may return a key twice; sorting makes the text (and the document's key order) independent of the hash table.
  const keys = [...new Set(names)].sort();
  const raws = new Map<string, string | null>();
  let size = 0;
  for (let start = 0; start < keys.length; start += MGET_BATCH) {
    const batch = keys.slice(start, start + MGET_BATCH);
    const values = await redis.mget(...batch);
    for (const [i, key] of batch.entries()) {
      const value = values[i] ?? null;
      size += value?.length ?? 0;
      // A key deleted between SCAN and MGET, or one holding another type (MGET answers nil for both): not a flag.
      if (value !== null) raws.set(key, value);
    }
    if (size > limits.maxSize) {
      throw new RedisValueError(`@halyard/redis: the values under ${layout.prefix} add up to more than ${limits.maxSize} bytes; raise maxSize if that is intended`);
    }
  }
  const flags: Record<string, unknown> = {};
  const segments: Record<string, unknown> = {};
  const problems: DefinitionProblem[] = [];
  const lines: string[] = [];
  for (const [key, raw] of raws) {
    const isFlag = key.startsWith(layout.flagPrefix);
    const name = key.slice(isFlag ? layout.flagPrefix.length : layout.segmentPrefix.length);
    const path = `$.${isFlag ? 'flags' : 'segments'}[${JSON.stringify(name)}]`;
    lines.push(`${key}\n${raw}`);
    try {
      (isFlag ? flags : segments)[name] = JSON.parse(raw!) as unknown;
    } catch (error) {
      problems.push({ path, message: `${key} is not valid JSON: ${(error as Error).message}` });
    }
  }
  // No `version`: parseDefinitions derives a content hash, so equal content means an equal version on every reader.
  return { raws, text: lines.join('\n\u0000'), document: { schemaVersion: 1, flags, segments }, problems };
}
