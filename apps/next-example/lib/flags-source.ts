import path from 'node:path';
import { httpSource, type FlagSource } from '@halyard/core';
import { fileSource } from '@halyard/core/node';
import { redisSource } from '@halyard/redis';

/** Where this process reads its flags from. */
export interface ExampleFlagSource {
  source: FlagSource;
  /** `true` when the flags follow changes at once (the flag service, Redis): open pages then stream changes instead of polling. */
  live: boolean;
  /** For logs: the service URL, the Redis key or the file path. */
  label: string;
  /** For the page: where the flags come from. */
  origin: 'flag service' | 'Redis' | 'flags.json';
}

/**
 * The one place the example decides where flags come from, read from the environment at server start (never at
 * build time, so one `next build` serves both modes):
 *
 * - `HALYARD_URL` + `HALYARD_SDK_KEY` (a server SDK key, `hy_sdk_…`): the flag service's ruleset, streamed over
 *   server-sent events; evaluation stays in this process.
 * - else `HALYARD_REDIS_URL`: the flags document in a Redis key (`HALYARD_REDIS_KEY`, default `halyard:flags`),
 *   followed at once through pub/sub (write it with `halyard import flags.json --redis <url>`; docs/sources.md).
 * - otherwise `HALYARD_FLAGS_FILE` (the e2e tests point it at a temporary copy), else ./flags.json, watched.
 */
export function exampleFlagSource(env: NodeJS.ProcessEnv = process.env): ExampleFlagSource {
  const url = env.HALYARD_URL?.trim();
  if (url) {
    const sdkKey = env.HALYARD_SDK_KEY?.trim();
    if (!sdkKey?.startsWith('hy_sdk_')) {
      throw new Error(
        `next-example: HALYARD_URL is set, so HALYARD_SDK_KEY must be a server SDK key (hy_sdk_…), got ${sdkKey ? `"${sdkKey.slice(0, 10)}…"` : 'nothing'}; ` +
          'create one with `pnpm halyard keys create --type sdk --env development --name next-example`, or unset HALYARD_URL to use flags.json',
      );
    }
    const definitions = `${url.replace(/\/+$/, '')}/sdk/v1/definitions`;
    return { source: httpSource({ url: definitions, sdkKey, stream: true }), live: true, label: definitions, origin: 'flag service' };
  }
  const redisUrl = env.HALYARD_REDIS_URL?.trim();
  if (redisUrl) {
    const key = env.HALYARD_REDIS_KEY?.trim() || 'halyard:flags';
    return { source: redisSource({ url: redisUrl, key }), live: true, label: `Redis key ${key}`, origin: 'Redis' };
  }
  const file = env.HALYARD_FLAGS_FILE ?? path.join(process.cwd(), 'flags.json');
  return { source: fileSource(file, { debounce: 20, pollInterval: 500 }), live: false, label: file, origin: 'flags.json' };
}
