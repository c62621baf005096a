// The public event types live with every other public type, in ../types.ts (one place, and the browser store's
// import graph stays free of event modules); re-exported here for the events modules.
export type { EventSender, EventStats, GuardPaths, Outcome, SyncGuardPaths } from '../types';
