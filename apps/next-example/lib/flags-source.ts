import path from 'node:path';
import { httpSource, type FlagSource } from '@halyard/core';
import { fileSource } from '@halyard/core/node';

/** Where this process reads its flags from. */
export interface ExampleFlagSource {
  source: FlagSource;
  /** `true` when the flags come from the flag service: open pages then stream changes instead of polling. */
  live: boolean;
  /** For logs: the service URL or the file path. */
  label: string;
}

/**
 * The one place the example decides where flags come from, read from the environment at server start (never at
 * build time, so one `next build` serves both modes):
 *
 * - `HALYARD_URL` + `HALYARD_SDK_KEY` (a server SDK key, `hy_sdk_…`): the flag service's ruleset, streamed over
 *   server-sent events; evaluation stays in this process.
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
    return { source: httpSource({ url: definitions, sdkKey, stream: true }), live: true, label: definitions };
  }
  const file = env.HALYARD_FLAGS_FILE ?? path.join(process.cwd(), 'flags.json');
  return { source: fileSource(file, { debounce: 20, pollInterval: 500 }), live: false, label: file };
}
