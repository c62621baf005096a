import path from 'node:path';
import { createFlagClient, type FlagClient } from '@halyard/core';
import { fileSource } from '@halyard/core/node';

/** Where the flags live: HALYARD_FLAGS_FILE (the e2e tests point it at a temporary copy), else ./flags.json. */
export const FLAGS_FILE = process.env.HALYARD_FLAGS_FILE ?? path.join(process.cwd(), 'flags.json');

const KEY = Symbol.for('halyard.next-example.client');

/**
 * One client per server process, watching flags.json: edit the file and the running app follows (the browser
 * polls the flags route). Kept on globalThis so dev-mode reloads and separately bundled entries (the proxy)
 * reuse it when they share a process instead of stacking file watchers.
 */
export function flagClient(): FlagClient {
  const store = globalThis as typeof globalThis & { [KEY]?: FlagClient };
  return (store[KEY] ??= createFlagClient({ source: fileSource(FLAGS_FILE, { debounce: 20, pollInterval: 500 }) }));
}
