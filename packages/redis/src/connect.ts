import { Redis, type RedisOptions } from 'ioredis';
import { retryDelay, type BackoffOptions } from '@halyard/core/adapter';

export interface ConnectOptions {
  /** Connect and per-command timeout, in ms. Default 5,000. */
  timeout?: number;
  /** Reconnect timing: full-jitter exponential backoff from `base` (default 500 ms) up to `max` (default 30 s). */
  retry?: Partial<BackoffOptions>;
  /** Any other ioredis option (TLS, username, db…); the options above win. */
  redisOptions?: RedisOptions;
}

export const DEFAULT_TIMEOUT = 5_000;

/** Backoff with defaults filled in; `base` is also the floor, so a flapping server is never hammered. */
export function resolveRetry(retry: Partial<BackoffOptions> | undefined): BackoffOptions {
  const base = Math.max(retry?.base ?? 500, 10);
  return { base, max: Math.max(base, retry?.max ?? 30_000) };
}

/**
 * Opens an ioredis connection with Halyard's defaults: bounded connect and command timeouts, commands failing
 * fast while disconnected (no offline queue that would hold a write for minutes), and reconnects with core's
 * full-jitter backoff. The connection is lazy: `await redis.connect()` (the writer functions do it for you).
 *
 * @example
 * import { connectRedis, updateFlag } from '@halyard/redis';
 *
 * const redis = connectRedis(process.env.HALYARD_REDIS_URL!);
 * await updateFlag(redis, 'new-checkout', (flag) => flag && { ...flag, enabled: false }, { actor: 'ops' });
 * redis.disconnect();
 */
export function connectRedis(url: string, options: ConnectOptions = {}): Redis {
  if (typeof url !== 'string' || url.length === 0) {
    throw new TypeError('@halyard/redis: needs a Redis URL such as redis://127.0.0.1:6379 (rediss:// for TLS)');
  }
  return new Redis(url, { ...options.redisOptions, ...failureOptions(options) });
}

/** The part of the ioredis options that makes Halyard's failure behaviour (also applied to duplicated clients). */
export function failureOptions(options: ConnectOptions): RedisOptions {
  const timeout = options.timeout ?? DEFAULT_TIMEOUT;
  const backoff = resolveRetry(options.retry);
  return {
    lazyConnect: true,
    connectTimeout: timeout,
    commandTimeout: timeout,
    // Fail commands at once while the connection is down: callers keep their last good state and retry themselves.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (times: number) => retryDelay(times - 1, backoff),
  };
}

/** `redis://user:secret@host:6379/2` → `host:6379/2`: for names and messages, never the password. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const db = parsed.pathname.replace(/^\//, '');
    return `${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}${db ? `/${db}` : ''}`;
  } catch {
    return 'redis';
  }
}

/** Connects a lazy connection (no-op when it is already connecting or ready). */
export async function ensureConnected(redis: Redis): Promise<void> {
  if (redis.status === 'wait' || redis.status === 'end') await redis.connect();
  else if (redis.status !== 'ready') {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error('@halyard/redis: Redis is not reachable (still connecting after the timeout)'));
      }, redis.options.connectTimeout ?? DEFAULT_TIMEOUT);
      const ready = () => {
        cleanup();
        resolve();
      };
      const cleanup = () => {
        clearTimeout(timer);
        redis.off('ready', ready);
      };
      redis.on('ready', ready);
    });
  }
}
