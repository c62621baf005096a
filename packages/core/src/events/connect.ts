import { attachEventSender } from '../client';
import type { ExposureEvent, FlagClient } from '../types';
import { createEventSender, type EventSenderOptions } from './event-sender';
import type { EventSender } from './types';

/** What an adapter's `events` option takes: a sender, or the options to build one (`{ url, sdkKey }`). */
export type EventsOption = EventSender | EventSenderOptions;

/** Senders this module built from options, with the endpoint and key they were built for. */
const built = new WeakMap<EventSender, string>();

const signature = (options: EventSenderOptions): string => JSON.stringify([options.url, options.sdkKey, options.clientKey]);

function isSender(events: EventsOption): events is EventSender {
  return typeof (events as EventSender).exposure === 'function' && typeof (events as EventSender).flush === 'function';
}

/**
 * The one way adapters wire events (`halyard({ events })` in Express, `createHalyard({ events })` in Next): builds
 * the sender from options when needed and attaches it to the app's client, so reads through the client record
 * exposures, `client.guard` records outcomes and `client.close()` flushes — exactly as if the app had passed
 * `createFlagClient({ events })`. Returns the `onExposure` a snapshot reader (`reads: 'snapshot'`, whose reads
 * never reach the client) feeds its exposure tracker with: the app's callback, then the client's sender.
 *
 * Calling it again for the same client with options for the same endpoint and key (a second adapter, a module
 * re-evaluated by hot reload) reuses the sender already attached. Throws a TypeError naming the fix when events
 * are configured differently on the client already, or when `client` was not made by `createFlagClient` (setup
 * time, never on a read).
 *
 * @example
 * const { onExposure } = connectEvents(client, options.events, options.onExposure, '@halyard/next');
 * const tracker = onExposure && createExposureTracker(onExposure);
 */
export function connectEvents(
  client: FlagClient,
  events: EventsOption | undefined,
  onExposure: ((event: ExposureEvent) => void) | undefined,
  scope: string,
): { sender: EventSender | undefined; onExposure: ((event: ExposureEvent) => void) | undefined } {
  // The adapter checks its client and says what is wrong with it.
  if (client === null || typeof client !== 'object') return { sender: undefined, onExposure };
  if (events !== undefined) {
    if (events === null || typeof events !== 'object') {
      throw new TypeError(`${scope}: { events } must be { url, sdkKey } or a sender from createEventSender() in @halyard/core/events`);
    }
    const current = client.events;
    let sender: EventSender;
    if (isSender(events)) sender = events;
    else if (current !== undefined && built.get(current) === signature(events)) sender = current;
    else built.set((sender = createEventSender(events)), signature(events));
    const attached = attachEventSender(client, sender);
    if (attached === 'has-events') {
      throw new TypeError(`${scope}: events are configured twice: the client already has a sender (from createFlagClient({ events }) or another adapter, for another endpoint or key); configure events in one place`);
    }
    if (attached === 'unknown') {
      throw new TypeError(`${scope}: { events } needs a client made by createFlagClient() from @halyard/core (or pass createFlagClient({ events }) yourself)`);
    }
  }
  // The client's sender is the one that counts: its own, or the one just attached.
  const sender = client.events;
  if (sender === undefined) return { sender, onExposure };
  return {
    sender,
    onExposure: (event) => {
      try {
        onExposure?.(event);
      } finally {
        sender.exposure(event);
      }
    },
  };
}
