import { createHalyard } from '@halyard/next';
import { flagContext } from './context';
import { flagClient, isLive } from './flag-client';

/** Poll every 2 s so an edit of flags.json shows up quickly in open pages (30 s is the library default). */
export const POLL_INTERVAL = 2_000;

export const halyard = createHalyard({
  client: flagClient(),
  context: flagContext,
  endpoint: '/api/flags',
  pollInterval: POLL_INTERVAL,
  // Against the flag service, changes are pushed end to end: service → this server (SSE) → open pages (the
  // flags route's SSE), in well under a second. With flags.json the pages keep polling.
  stream: isLive(),
});

export const { getFlags, HalyardProvider, withFlags } = halyard;
