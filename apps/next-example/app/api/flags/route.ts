import { createFlagsRoute } from '@halyard/next';
import { flagContext } from '@/lib/context';
import { flagClient } from '@/lib/flag-client';

/** What <HalyardProvider> polls: this visitor's snapshot, from the uid cookie only (client context ignored). */
export const { GET, HEAD, POST } = createFlagsRoute({ client: flagClient(), context: flagContext });
