import type { Redis } from 'ioredis';
import type { FlagDefinition, FlagsDocument } from '@halyard/core';
import type { RedisLocation, WriteResult } from '@halyard/redis';
import { deepEqual } from '../../json';
import { ValidationError } from '../../errors';
import { rolloutServe, type RolloutInput } from '../../services/rollout';
import type { Context } from '../context';
import { CliError, usageError } from '../errors';

// `--redis <url>`: the same commands against a flags document kept in Redis instead of the flag service. Every
// write goes through @halyard/redis (validated, compare-and-set, version bump, audit entry, change message); the
// rules of what a toggle or a rollout does are the service's own (services/rollout.ts).

// Loaded only with --redis: ioredis costs startup time the other commands do not need.
const redisLib = () => import('@halyard/redis');

/** Where `--redis` points: the URL, the key (or per-flag prefix) and a label for messages. */
export interface RedisTarget {
  url: string;
  location: RedisLocation;
  /** `halyard:flags` or `halyard:flag:*`. */
  label: string;
}

export const REDIS_HELP = [
  '  --redis <url>         work on a flags document in Redis instead of the service (redis://host:6379)',
  '  --redis-key <key>     the key holding the document, default halyard:flags',
  '  --redis-prefix <p>    or one key per flag: <p>flag:<key>, <p>segment:<key>',
].join('\n');
export const REDIS_OPTIONS = ['redis', 'redis-key', 'redis-prefix'];

/** The `--redis` target of this command line, or undefined when the command talks to the service. */
export function redisTarget(ctx: Context): RedisTarget | undefined {
  const url = ctx.string('redis');
  const key = ctx.string('redis-key');
  const prefix = ctx.string('redis-prefix');
  if (url === undefined) {
    if (key !== undefined || prefix !== undefined) throw usageError('--redis-key and --redis-prefix need --redis <url>');
    return undefined;
  }
  if (!/^rediss?:\/\//.test(url)) throw usageError(`--redis must be a redis:// or rediss:// URL, got "${url}"`);
  if (key !== undefined && prefix !== undefined) throw usageError('give --redis-key (one document) or --redis-prefix (one key per flag), not both');
  if (ctx.string('env') !== undefined) throw usageError('--env does not apply with --redis: one Redis key holds one document; choose it with --redis-key <key>');
  if (key === '') throw usageError('--redis-key must not be empty');
  const location: RedisLocation = prefix !== undefined ? { prefix } : { key: key ?? 'halyard:flags' };
  return { url, location, label: prefix !== undefined ? `${prefix}flag:*` : (key ?? 'halyard:flags') };
}

/** Opens a connection for one command, turns library errors into CLI errors, and always disconnects. */
async function withRedis<T>(target: RedisTarget, run: (redis: Redis, lib: typeof import('@halyard/redis')) => Promise<T>): Promise<T> {
  const lib = await redisLib();
  const { DefinitionsError } = await import('@halyard/core');
  const redis = lib.connectRedis(target.url);
  // Failures surface from the commands themselves; the events only say why a connect failed (ECONNREFUSED…).
  let cause: Error | undefined;
  redis.on('error', (error: Error) => (cause ??= error));
  try {
    await redis.connect().catch((error: unknown) => {
      throw new CliError(`cannot reach Redis at ${hostOf(target.url)} (${(cause ?? (error as Error)).message}); check --redis`, 1, { code: 'redis_unreachable' });
    });
    return await run(redis, lib);
  } catch (error) {
    if (error instanceof DefinitionsError) {
      const problems = error.problems.map((p) => ({ path: p.path, message: p.message }));
      throw new CliError(`${error.message.split('\n')[0]!.replace(/ \(\d+ problems?\):$/, '')}`, 1, { code: 'invalid_definitions', problems });
    }
    if (error instanceof ValidationError) throw new CliError(error.message, 1, { code: 'validation', ...(error.problems ? { problems: error.problems } : {}) });
    throw error;
  } finally {
    redis.disconnect();
  }
}

function hostOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || 6379}`;
  } catch {
    return 'the given URL';
  }
}

const notFound = (key: string, target: RedisTarget) =>
  new CliError(`flag ${key} is not in ${target.label}; add it to your flags file and run: halyard import <file> --redis <url>`, 1, { code: 'not_found' });

/** One flag changed with `change`, which returns the new definition or undefined for "already so". */
async function changeFlag(ctx: Context, target: RedisTarget, key: string, action: string, change: (current: FlagDefinition) => FlagDefinition | undefined): Promise<{ flag: FlagDefinition; result: WriteResult }> {
  let missing = false;
  const result = await withRedis(target, (redis, lib) =>
    lib.updateFlag(
      redis,
      key,
      (current) => {
        missing = current === undefined;
        return current === undefined ? undefined : change(current);
      },
      { ...target.location, action, ...(ctx.processEnv.HALYARD_ACTOR ? { actor: ctx.processEnv.HALYARD_ACTOR } : {}) },
    ),
  );
  if (missing) throw notFound(key, target);
  return { flag: result.document.flags[key]!, result };
}

export async function redisToggle(ctx: Context, target: RedisTarget, key: string, enabled: boolean | undefined): Promise<{ flag: FlagDefinition; result: WriteResult }> {
  return changeFlag(ctx, target, key, 'flag.toggle', (current) => {
    const next = enabled ?? !current.enabled;
    return current.enabled === next ? undefined : { ...current, enabled: next };
  });
}

export async function redisRollout(ctx: Context, target: RedisTarget, key: string, input: RolloutInput): Promise<{ flag: FlagDefinition; result: WriteResult }> {
  return changeFlag(ctx, target, key, 'flag.rollout', (current) => {
    const defaultServe = rolloutServe(current, input);
    return deepEqual(current.defaultServe, defaultServe) ? undefined : { ...current, defaultServe };
  });
}

/** `import --redis`: merge (the file's flags and segments over what is there) or replace; `--dry-run` writes nothing. */
export async function redisImport(ctx: Context, target: RedisTarget, document: FlagsDocument, mode: 'merge' | 'replace', dryRun: boolean): Promise<WriteResult> {
  const options = { ...target.location, action: `document.import.${mode}`, dryRun, ...(ctx.processEnv.HALYARD_ACTOR ? { actor: ctx.processEnv.HALYARD_ACTOR } : {}) };
  const file: FlagsDocument = { schemaVersion: 1, flags: document.flags, segments: document.segments ?? {} };
  return withRedis(target, (redis, lib) =>
    mode === 'replace'
      ? lib.writeDocument(redis, file, options)
      : lib.writeDocument(redis, (current) => ({ schemaVersion: 1, flags: { ...current?.flags, ...file.flags }, segments: { ...current?.segments, ...file.segments } }), options),
  );
}

/** `export --redis`: the validated document (an error when the key is missing or invalid). */
export async function redisExport(target: RedisTarget): Promise<FlagsDocument> {
  const document = await withRedis(target, (redis, lib) => lib.readDocument(redis, target.location));
  if (document === undefined) throw new CliError(`${target.label} does not exist in Redis; write it first: halyard import flags.json --redis <url>`, 1, { code: 'not_found' });
  return document;
}
