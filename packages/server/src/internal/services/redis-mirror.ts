import type { FlagsDocument } from '@halyard/core';
import { retryDelay } from '@halyard/core/adapter';
import type { Redis } from 'ioredis';
import type { DocumentHub } from '../document-hub';
import type { DocumentService } from './document-service';

/** `halyard serve --redis-mirror`: keep a Redis key in step with one environment (and optionally seed from it). */
export interface RedisMirrorOptions {
  /** The Redis the applications read, e.g. `redis://127.0.0.1:6379`. */
  url: string;
  /** The key `redisSource` reads. Default `halyard:flags`. */
  key?: string;
  /** The environment mirrored. Default `development`. */
  environment?: string;
  /**
   * On start, when the environment has no flags and no segments yet, import the document found at `key` (the
   * first step of moving from Redis-only to the service). An environment that already has flags is never
   * overwritten from Redis. Default `false`.
   */
  seed?: boolean;
  /** How often the mirror looks for a new version, in ms. Default 100. */
  interval?: number;
  /**
   * How often it also checks that Redis still holds the current version, in ms (a Redis restarted empty, a
   * `SET` by hand): writing what is already there is one read and writes nothing. Default 5,000.
   */
  verifyInterval?: number;
}

export interface RedisMirror {
  close(): Promise<void>;
}

interface MirrorDeps {
  hub: DocumentHub;
  documents: DocumentService;
  log: { info(message: string): void; warn(message: string): void; error(details: unknown, message: string): void };
}

const SEED_ACTOR = { id: null, name: 'redis-seed' };

/** The mirror cannot start (Redis unreachable, unknown environment, a key that cannot seed); the message says what to fix. */
export class RedisMirrorError extends Error {
  override name = 'RedisMirrorError';
}
const RETRY = { base: 500, max: 30_000 };

/**
 * Mirrors an environment's published document to a Redis key through @halyard/redis's one write path (validated,
 * compare-and-set, version bump, audit entry, change message), so applications on `redisSource` keep following
 * every change while writers move to the service.
 *
 * It follows the DocumentHub, where every new version lands whichever path brought it (a local commit, NOTIFY,
 * Redis fan-out, the periodic verify): a look every `interval` ms is one Map lookup, and needs no hook in the
 * hub's publish path. Writing what is already there writes nothing, so several instances mirroring the same
 * environment converge without extra versions. A failed write (Redis down) is logged once per outage and retried
 * with backoff; the newest version is what gets written. Every `verifyInterval` (and after every reconnect) it
 * also makes sure Redis still holds it, so a Redis node replaced by an empty one is filled again.
 */
export async function startRedisMirror(deps: MirrorDeps, options: RedisMirrorOptions): Promise<RedisMirror> {
  const { connectRedis, readDocument, writeDocument } = await import('@halyard/redis');
  const env = options.environment ?? 'development';
  const key = options.key ?? 'halyard:flags';
  const interval = options.interval ?? 100;
  const verifyInterval = options.verifyInterval ?? 5_000;
  const redis: Redis = connectRedis(options.url);
  redis.on('error', () => {});
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new RedisMirrorError(`@halyard/server: --redis-mirror cannot reach Redis (${(error as Error).message}); check the URL`);
  }

  try {
    const entry = await deps.hub.get(env);
    if (entry === undefined) throw new RedisMirrorError(`@halyard/server: --redis-mirror-env "${env}" is not an environment of this service; create it first or pick another`);
    if (options.seed) await seed(deps, env, key, entry.document, () => readDocument(redis, { key }));
  } catch (error) {
    redis.disconnect();
    throw error;
  }

  let mirrored: number | undefined;
  let verifiedAt = 0;
  // A reconnect may be to a replacement node that came back empty: check at once.
  redis.on('ready', () => (verifiedAt = 0));
  let closed = false;
  let failures = 0;
  let retryAt = 0;
  let running: Promise<void> | undefined;

  async function tick(): Promise<void> {
    const entry = deps.hub.peek(env) ?? (await deps.hub.get(env).catch(() => undefined));
    if (entry === undefined || closed) return;
    if (entry.version === mirrored && Date.now() - verifiedAt < verifyInterval) return;
    if (Date.now() < retryAt) return;
    const document: FlagsDocument = { schemaVersion: 1, flags: entry.document.flags, segments: entry.document.segments ?? {} };
    try {
      const result = await writeDocument(redis, document, { key, actor: `halyard-serve (${env} v${entry.version})`, action: 'mirror' });
      if (failures > 0) deps.log.info(`@halyard/server: mirroring ${env} to Redis ${key} again`);
      failures = 0;
      mirrored = entry.version;
      verifiedAt = Date.now();
      if (result.changed) deps.log.info(`@halyard/server: mirrored ${env} version ${entry.version} to Redis ${key} (its version ${result.version})`);
    } catch (error) {
      if (failures === 0) deps.log.error({ err: error }, `@halyard/server: mirroring ${env} to Redis ${key} failed; retrying with backoff (applications keep the flags they have)`);
      retryAt = Date.now() + retryDelay(failures, RETRY);
      failures++;
    }
  }

  const timer = setInterval(() => {
    if (running || closed) return;
    running = tick().finally(() => (running = undefined));
  }, interval);
  timer.unref();

  return {
    async close() {
      closed = true;
      clearInterval(timer);
      await running;
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

async function seed(deps: MirrorDeps, env: string, key: string, current: FlagsDocument, read: () => Promise<FlagsDocument | undefined>): Promise<void> {
  if (Object.keys(current.flags).length > 0 || Object.keys(current.segments ?? {}).length > 0) {
    deps.log.info(`@halyard/server: not seeding ${env} from Redis ${key}: it already has flags (the service is the source of truth now)`);
    return;
  }
  let document: FlagsDocument | undefined;
  try {
    document = await read();
  } catch (error) {
    throw new RedisMirrorError(`@halyard/server: cannot seed ${env} from Redis ${key}: ${(error as Error).message.split('\n')[0]}; fix the key or start without --redis-seed`, { cause: error });
  }
  if (document === undefined) {
    deps.log.warn(`@halyard/server: not seeding ${env}: Redis has no ${key}`);
    return;
  }
  const result = await deps.documents.write(SEED_ACTOR, env, { schemaVersion: 1, flags: document.flags, segments: document.segments ?? {} }, { mode: 'replace' });
  deps.log.info(`@halyard/server: seeded ${env} from Redis ${key}: ${result.flags.created.length} flags, ${result.segments.created.length} segments (version ${result.version})`);
}
