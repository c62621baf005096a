import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { httpSource, type FlagSource } from '@halyard/core';
import { fileSource } from '@halyard/core/node';
import { redisSource } from '@halyard/redis';

/** The SAME flags.json as the Next.js example, so both apps (and the React SPA) follow one file. */
export const DEFAULT_FLAGS_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../next-example/flags.json');

/**
 * Where the example's flags come from, decided once at start:
 * `HALYARD_URL` + `HALYARD_SDK_KEY` (server SDK key) → the flag service's ruleset, streamed, evaluated in process;
 * else `HALYARD_REDIS_URL` → the flags document in Redis (key `HALYARD_REDIS_KEY`, default `halyard:flags`), followed
 * at once (see docs/sources.md);
 * otherwise `HALYARD_FLAGS_FILE` or the Next example's flags.json, watched.
 */
export function exampleFlagSource(env: NodeJS.ProcessEnv = process.env): { source: FlagSource; label: string } {
  const url = env.HALYARD_URL?.trim();
  if (url) {
    const sdkKey = env.HALYARD_SDK_KEY?.trim();
    if (!sdkKey?.startsWith('hy_sdk_')) {
      throw new Error(
        `express-example: HALYARD_URL is set, so HALYARD_SDK_KEY must be a server SDK key (hy_sdk_…), got ${sdkKey ? `"${sdkKey.slice(0, 10)}…"` : 'nothing'}; ` +
          'create one with `pnpm halyard keys create --type sdk --env development --name express-example`, or unset HALYARD_URL to use flags.json',
      );
    }
    const definitions = `${url.replace(/\/+$/, '')}/sdk/v1/definitions`;
    return { source: httpSource({ url: definitions, sdkKey, stream: true }), label: definitions };
  }
  const redisUrl = env.HALYARD_REDIS_URL?.trim();
  if (redisUrl) {
    const key = env.HALYARD_REDIS_KEY?.trim() || 'halyard:flags';
    return { source: redisSource({ url: redisUrl, key }), label: `Redis key ${key}` };
  }
  const file = env.HALYARD_FLAGS_FILE ?? DEFAULT_FLAGS_FILE;
  return { source: fileSource(file, { debounce: 20, pollInterval: 500 }), label: file };
}
