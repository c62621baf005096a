import { halyardProject } from '../../vitest.shared.ts';

// The tests talk to real Redis servers (the shared one on 6379 and throwaway ones they start), so give them time.
export default halyardProject('redis', { testTimeout: 60_000 });
