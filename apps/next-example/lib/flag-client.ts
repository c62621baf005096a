import { createFlagClient, type FlagClient } from '@halyard/core';
import { exampleFlagSource } from './flags-source';

interface Shared {
  client: FlagClient;
  live: boolean;
}

const KEY = Symbol.for('halyard.next-example.client');

function shared(): Shared {
  const store = globalThis as typeof globalThis & { [KEY]?: Shared };
  return (store[KEY] ??= (() => {
    const { source, live, label } = exampleFlagSource();
    if (process.env.NEXT_PHASE !== 'phase-production-build') console.log(`next-example: flags from ${label}`);
    return { client: createFlagClient({ source }), live };
  })());
}

/**
 * One client per server process, following flags.json or the flag service (see ./flags-source.ts). Kept on
 * globalThis so dev-mode reloads and separately bundled entries (the proxy) reuse it when they share a process
 * instead of stacking file watchers or streams.
 */
export function flagClient(): FlagClient {
  return shared().client;
}

/** Whether flags come from the flag service: then open pages stream changes from the flags route. */
export function isLive(): boolean {
  return shared().live;
}
