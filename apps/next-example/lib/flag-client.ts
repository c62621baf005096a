import { createFlagClient, type FlagClient } from '@halyard/core';
import { exampleFlagSource } from './flags-source';

interface Shared {
  client: FlagClient;
  live: boolean;
  origin: string;
}

const KEY = Symbol.for('halyard.next-example.client');

function shared(): Shared {
  const store = globalThis as typeof globalThis & { [KEY]?: Shared };
  return (store[KEY] ??= (() => {
    const { source, live, label, origin } = exampleFlagSource();
    if (process.env.NEXT_PHASE !== 'phase-production-build') console.log(`next-example: flags from ${label}`);
    return { client: createFlagClient({ source }), live, origin };
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

/** Whether flags follow changes at once (the flag service, Redis): then open pages stream changes from the flags route. */
export function isLive(): boolean {
  return shared().live;
}

/** Where the flags come from, for the page: "flag service", "Redis" or "flags.json". */
export function flagsOrigin(): string {
  return shared().origin;
}
