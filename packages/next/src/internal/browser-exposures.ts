import { createExposureTracker, unitIn, type ExposureHandoff } from '@halyard/core/store';
import type { EventSender } from '@halyard/core/events';
import type { ExposureEvent, SnapshotFlag, SnapshotStore } from '@halyard/core';

/** Where the browser sends its exposures: the events endpoint and a client key (public; never an SDK key). */
export interface BrowserEventsConfig {
  url: string;
  clientKey: string;
}

/**
 * What the Pages Router's `withFlags` adds to page props as `halyardEvents` when `browserEvents` is configured:
 * where to send, the request's units and the flags the server already recorded (never the context itself).
 */
export interface HalyardPageEvents {
  events: BrowserEventsConfig;
  exposures: ExposureHandoff;
}

/*
 * The browser half of Next's exposures. The context of a Next request is derived from cookies on the server and
 * never shipped to the page, so the browser store cannot compute units itself (it would attribute every
 * exposure to no one). The server hands over just the unit value per unit attribute (`ExposureHandoff.units`)
 * and the flags it already recorded for this request; this module records `useFlag` & co. reads with those
 * units, through core's one exposure tracker (per flag, variant and unit), seeded with the server's records so a
 * flag rendered on both sides is reported once.
 */

/** Senders by endpoint and key: one per page, however many providers mount, remount or re-render. */
const senders = new Map<string, Promise<EventSender | undefined>>();

/**
 * The sender for `config`, loaded on first use: `@halyard/core/events` is imported dynamically, so apps without
 * browser events ship none of it and apps with them load it in its own chunk, off the critical path.
 */
function senderFor(config: BrowserEventsConfig): Promise<EventSender | undefined> {
  const id = `${config.url}\u0000${config.clientKey}`;
  let sender = senders.get(id);
  if (sender === undefined) {
    sender = import('@halyard/core/events').then(
      ({ createEventSender }) => createEventSender({ url: config.url, clientKey: config.clientKey }),
      (error: unknown) => {
        console.warn(`@halyard/next: could not load @halyard/core/events; browser exposures are not sent: ${String(error)}`);
        return undefined;
      },
    );
    senders.set(id, sender);
  }
  return sender;
}

/** The default sink: the sender of `config()` at the time of the exposure (events keep their own timestamps). */
export function sendTo(config: () => BrowserEventsConfig): (event: ExposureEvent) => void {
  return (event) => void senderFor(config()).then((sender) => sender?.exposure(event));
}

const entryOf = (store: SnapshotStore, key: string): SnapshotFlag | undefined => {
  const { flags } = store.getSnapshot().snapshot;
  return Object.hasOwn(flags, key) ? flags[key] : undefined;
};

/**
 * `store` with an `expose` that attributes each read to the server's unit for the entry (`handoff().units`, read
 * at each exposure so a refreshed server render's units apply) and hands it to `send` once per (flag, variant,
 * unit). The flags in `handoff().exposed` at creation count as already reported for the snapshot the store starts
 * with. Error and forced (`ruleId: 'override'`) entries are no exposures, as on the server.
 *
 * @example
 * const store = withServerUnits(createPollingSnapshotStore({ snapshot, endpoint }), () => handoff, sendTo(() => config));
 */
export function withServerUnits(store: SnapshotStore, handoff: () => ExposureHandoff | undefined, send: (event: ExposureEvent) => void): SnapshotStore {
  let seeding = true;
  const tracker = createExposureTracker((event) => {
    if (!seeding) send(event);
  });
  const initial = handoff();
  for (const key of initial?.exposed ?? []) {
    const entry = entryOf(store, key);
    if (entry !== undefined) tracker.track(key, entry.variant, entry.value, entry.reason, unitIn(initial?.units, entry.unitBy));
  }
  seeding = false;
  return {
    ...store,
    expose(key) {
      const entry = entryOf(store, key);
      if (entry === undefined || entry.reason === 'ERROR' || entry.ruleId === 'override') return;
      tracker.track(key, entry.variant, entry.value, entry.reason, unitIn(handoff()?.units, entry.unitBy));
    },
  };
}
