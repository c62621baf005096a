// Live updates for the browser store, as a wrapper around `createPollingSnapshotStore`: the polling store knows
// nothing about streams, so the many apps that only poll ship none of this (the React client has a 2 KB budget).
import { applySnapshotPatch } from './internal/snapshot-patch';
import { checkSnapshot } from './internal/snapshot-shape';
import { createPollingSnapshotStore, type PollingSnapshotStoreOptions } from './polling-store';
import type { EvaluationContext, FlagSnapshot, SnapshotStore, Unsubscribe } from './types';

/** What a store offers its live-update channel (see `withStream`). */
export interface SnapshotStreamHooks {
  /** The flags endpoint the store polls. */
  readonly endpoint: string;
  /** The store's current evaluation context. */
  context(): EvaluationContext | undefined;
  /** Version of the snapshot shown now, to resume from (`Last-Event-ID`). */
  version(): string | undefined;
  /** The channel is up and delivers every change: the store stops polling. */
  onOpen(): void;
  /** A snapshot arrived. Throws when it is invalid (the store keeps its last good flags). */
  onPayload(body: unknown): void;
  /**
   * A patch arrived (`{"base","version","flags"?,"removed"?}`: the changed entries of this user's snapshot).
   * Throws when it, or the snapshot it makes, is invalid (the store keeps its last good flags). Returns `false`
   * when it is for another base version than the snapshot shown: it is ignored and the store fetches the whole
   * snapshot (a channel has nothing more to do; `sseStream` keeps its resume point).
   */
  onPatch(body: unknown): boolean;
  /** Report a problem (e.g. an invalid payload): the store passes it to its `onError` and polls once to resync. */
  onError(error: Error): void;
  /** The channel is down (it reconnects by itself): the store polls now, then on its interval, until `onOpen`. */
  onDown(): void;
}

/**
 * A live-update channel (server-sent events, a WebSocket…): opened while the store is active — subscribed, page
 * visible, in a browser — and closed by the returned function. A new context closes it and opens another.
 */
export type SnapshotChannel = (hooks: SnapshotStreamHooks) => Unsubscribe;

/**
 * Builds a snapshot store with live updates: what `stream` options and `FlagProvider`'s `stream` prop take, e.g.
 * `sseStream()`. Made with `withStream(channel)`.
 */
export type SnapshotStream = (options?: PollingSnapshotStoreOptions) => SnapshotStore;

const json = JSON.stringify;

/**
 * A snapshot store fed by a live-update channel, polling only while the channel is down: `createPollingSnapshotStore`
 * (same options and behaviour) plus the channel. While the channel is connecting or up, the store's scheduled polls
 * are answered locally (as `304 Not Modified`), so no request leaves; when it goes down the store polls at once and
 * then on its interval; `refresh()` always asks the endpoint. The channel runs while the store has subscribers and
 * the page is visible, and reconnects at once for a new context or when the browser comes back online.
 *
 * @example
 * const websocket = withStream((hooks) => {
 *   const socket = new WebSocket(`/flags-ws?context=${encodeContextParam(hooks.context() ?? {})}`);
 *   socket.onopen = hooks.onOpen;
 *   socket.onmessage = (message) => hooks.onPayload(JSON.parse(message.data));
 *   socket.onclose = hooks.onDown;
 *   return () => socket.close();
 * });
 * <FlagProvider endpoint="/api/flags" stream={websocket}>…</FlagProvider>
 */
export function withStream(channel: SnapshotChannel): SnapshotStream {
  return (options = {}) => {
    const { endpoint } = options;
    let context = options.context;
    // Whether this store may ever open the channel; `close()` turns it off for good.
    let live = endpoint != null && !(options.isServer ?? typeof window == 'undefined');
    let subscribers = 0;
    // The channel is connecting or up: it delivers every change, so polls need no request.
    let up = true;
    // The last request the store made was answered here.
    let local = false;
    let closeChannel: Unsubscribe | undefined;

    const store = createPollingSnapshotStore({
      ...options,
      fetch: (input, init) => ((local = up) ? Promise.resolve(new Response(null, { status: 304 })) : (options.fetch ?? fetch)(input, init)),
    });

    /**
     * A real request now, whatever the channel does (`refresh()`, a resync). The store calls `fetch` synchronously,
     * so `up` is read right here; when it joined a request in flight that is answered locally, it asks again.
     */
    const poll = async (): Promise<void> => {
      const was = up;
      up = false;
      const done = store.refresh();
      const joined = local;
      up = was;
      await done;
      if (joined && live) return poll();
    };

    const hooks: SnapshotStreamHooks = {
      endpoint: endpoint!,
      context: () => context,
      // Nothing loaded yet: only the placeholder has version ''.
      version: () => store.getSnapshot().snapshot.version || undefined,
      onOpen: () => {
        up = true;
      },
      onPayload(body) {
        const problem = checkSnapshot(body);
        if (problem) throw TypeError(`invalid snapshot: ${problem}`);
        store.setSnapshot(body as FlagSnapshot);
      },
      onPatch(body) {
        const next = applySnapshotPatch(store.getSnapshot().snapshot, body);
        if (!next) void poll();
        else hooks.onPayload(next);
        return !!next;
      },
      onError(error) {
        try {
          options.onError?.(Error(`@halyard/core: snapshot stream: ${error.message}`, { cause: error }));
        } catch {
          // The store's own handling must not depend on a callback behaving.
        }
        // The flags shown may be behind: ask the endpoint (its answer, or failure, sets the status).
        void poll();
      },
      // Updates may have been missed while the channel was going down: poll now, then on the interval.
      onDown() {
        if (closeChannel) {
          up = false;
          void poll();
        }
      },
    };

    /** Close the channel (to stop, or to reconnect). A closed channel is reconnecting, so polls wait for it again. */
    const shut = () => {
      closeChannel?.();
      closeChannel = undefined;
      up = true;
    };

    /** The channel runs while the store is active: subscribed, in a browser, page visible. */
    const update = () => {
      if (live && subscribers && !globalThis.document?.hidden) closeChannel ??= channel(hooks);
      else shut();
    };

    const reconnect = () => {
      shut();
      update();
    };

    const listen = () => {
      const method = live && subscribers ? 'addEventListener' : 'removeEventListener';
      globalThis.document?.[method]('visibilitychange', update);
      globalThis.window?.[method]('online', reconnect);
      update();
    };

    return {
      ...store,
      subscribe(listener) {
        const unsubscribe = store.subscribe(listener);
        let subscribed = true;
        subscribers++;
        listen();
        return () => {
          if (subscribed) {
            subscribed = false;
            unsubscribe();
            subscribers--;
            listen();
          }
        };
      },
      refresh: poll,
      setContext(next) {
        if (json(next) == json(context)) return;
        context = next;
        // Reconnect first, so the store's restart for the new context waits for the channel instead of polling.
        reconnect();
        store.setContext(next);
      },
      close() {
        live = false;
        listen();
        store.close();
      },
    };
  };
}
