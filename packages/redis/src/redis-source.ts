import type { Redis } from 'ioredis';
import { DefinitionsError, parseDefinitions, type FlagSource, type SourceUpdate } from '@halyard/core';
import { serialReload } from '@halyard/core/adapter';
import { connectRedis, describeUrl, failureOptions, type ConnectOptions } from './connect';
import { describeLayout, globEscape, resolveLayout, type RedisLayout, type RedisLocation } from './internal/layout';
import { readSnapshot, type SnapshotLimits } from './internal/snapshot';

export interface RedisSourceOptions extends RedisLocation, ConnectOptions {
  /** The Redis to read, e.g. `redis://127.0.0.1:6379` (`rediss://` for TLS). Give this or `redis`. */
  url?: string;
  /**
   * An ioredis client to take the connection settings from. The source opens its own two connections with
   * `duplicate()` (a subscriber cannot run other commands) and never closes yours.
   */
  redis?: Redis;
  /**
   * Re-read this often, in ms, whatever the notifications say: the safety net that catches a `SET` from a
   * terminal when keyspace notifications are off, and a message lost while reconnecting. Default 5,000.
   */
  pollInterval?: number;
  /**
   * Also listen to Redis keyspace notifications for the key(s), so any writer's `SET` is seen at once. They only
   * arrive when the server has them on (`CONFIG SET notify-keyspace-events K$g`, at least `K$`); otherwise the
   * poll catches such writes. Halyard's own writers always publish on the change channel. Default `true`.
   */
  keyspaceNotifications?: boolean;
  /** Largest document read, in bytes (all per-flag values together in the `prefix` layout). Default 16 MiB. */
  maxSize?: number;
  /** Most per-flag keys read in the `prefix` layout. Default 10,000. */
  maxKeys?: number;
}

const DEFAULT_MAX_SIZE = 16 * 1024 * 1024;

/**
 * A source that reads a Halyard flags document from Redis and follows its changes at once (Node only).
 *
 * - **Layouts:** the whole document as JSON in one key (`{ key: 'halyard:flags' }`, the default), or one JSON
 *   definition per key (`{ prefix: 'halyard:' }` reads `halyard:flag:<key>` and `halyard:segment:<key>` with SCAN).
 * - **Changes:** Halyard's writers (`writeDocument`, `updateFlag`, the `halyard` CLI with `--redis`) publish every
 *   new version on the layout's channel; with `keyspaceNotifications` any other writer's `SET` is seen too when
 *   the server emits them; and the key is re-read every `pollInterval` as a safety net. Reads never overlap, and
 *   unchanged values are neither re-parsed nor re-reported.
 * - **Failures:** a Redis that is down or unreachable, a key holding another type, a value that is not JSON or an
 *   invalid document (its problems listed with their JSON paths, reported once) are `error` updates: the client
 *   keeps its last good flags (status `stale`) and recovers on the next good read. Reconnects use core's
 *   full-jitter backoff; every reconnect re-reads the key, since messages sent meanwhile are lost.
 * - **Closing** the client disconnects both connections and stops the timer: nothing keeps the process alive.
 *
 * @example
 * import { createFlagClient } from '@halyard/core';
 * import { redisSource } from '@halyard/redis';
 *
 * const flags = createFlagClient({ source: redisSource({ url: process.env.HALYARD_REDIS_URL!, key: 'halyard:flags' }) });
 * await flags.ready();
 * flags.isEnabled('new-checkout', { userId: '42' });
 */
export function redisSource(options: RedisSourceOptions): FlagSource {
  const layout = resolveLayout(options, 'redisSource()');
  if ((options.url === undefined) === (options.redis === undefined)) {
    throw new TypeError('@halyard/redis: redisSource() needs either { url: "redis://host:6379" } or { redis: <an ioredis client> }');
  }
  const pollInterval = options.pollInterval ?? 5_000;
  const limits: SnapshotLimits = { maxSize: options.maxSize ?? DEFAULT_MAX_SIZE, maxKeys: options.maxKeys ?? 10_000 };
  const where = options.url !== undefined ? describeUrl(options.url) : `${options.redis!.options.host ?? 'redis'}:${options.redis!.options.port ?? 6379}`;
  const name = `redis(${where} ${describeLayout(layout)})`;

  // Same settings as the caller's client (TLS, credentials, db), with our failure behaviour on top.
  const open = (): Redis => (options.url !== undefined ? connectRedis(options.url, options) : options.redis!.duplicate(failureOptions(options)));

  return {
    name,
    start(emit) {
      return follow(open, layout, limits, pollInterval, options.keyspaceNotifications ?? true, name, emit);
    },
  };
}

function follow(
  open: () => Redis,
  layout: RedisLayout,
  limits: SnapshotLimits,
  pollInterval: number,
  keyspace: boolean,
  name: string,
  emit: (update: SourceUpdate) => void,
): () => void {
  let stopped = false;
  // What was reported last: the text of a read (good or bad), or an error message. A repeat of it is not reported
  // again (an invalid document is reported once, not at every poll); anything else in between resets it, so a
  // recovery is always announced.
  let lastReported: string | undefined;
  // One connection report per outage: ioredis reports every failed reconnect attempt.
  let down = false;
  let everConnected = false;

  const reader = open();
  const subscriber = open();

  function report(key: string, update: SourceUpdate): void {
    if (stopped || key === lastReported) return;
    lastReported = key;
    emit(update);
  }

  function connectionLost(error: unknown): void {
    if (down || stopped) return;
    down = true;
    const message = everConnected
      ? `@halyard/redis: lost the connection to ${name} (${describe(error)}); serving the last good flags, reconnecting with backoff`
      : `@halyard/redis: cannot connect to ${name} (${describe(error)}); check the URL and that Redis is up — retrying with backoff`;
    report(`down:${message}`, { type: 'error', error: new Error(message) });
  }

  function fail(error: Error): void {
    report(`error:${error.message}`, { type: 'error', error });
  }

  async function loadOnce(): Promise<void> {
    // Not connected (yet, or any more): the reader's own events report that, and its next 'ready' reads.
    if (reader.status !== 'ready') return;
    let snapshot;
    try {
      snapshot = await readSnapshot(reader, layout, limits);
    } catch (error) {
      if (stopped) return;
      if (reader.status !== 'ready') connectionLost(error);
      else fail(error instanceof Error && error.message.startsWith('@halyard/') ? error : new Error(`@halyard/redis: reading ${name} failed: ${describe(error)}`));
      return;
    }
    if (stopped) return;
    down = false;
    const key = `text:${snapshot.text}`;
    if (key === lastReported) return;
    if (layout.mode === 'document' && snapshot.raws.get(layout.key) === null) {
      report(key, { type: 'error', error: new Error(`@halyard/redis: ${layout.key} does not exist (yet); write a flags document there, e.g. halyard import flags.json --redis <url>`) });
      return;
    }
    if (snapshot.problems.length > 0) {
      report(key, { type: 'error', error: new DefinitionsError(`@halyard/redis: ${name} holds a value that is not JSON`, snapshot.problems) });
      return;
    }
    const result = parseDefinitions(snapshot.document);
    if (!result.ok) {
      report(key, { type: 'error', error: new DefinitionsError(`@halyard/redis: ${name} is not a valid flags document`, result.problems) });
      return;
    }
    report(key, { type: 'definitions', definitions: result.definitions });
  }

  // Reads never overlap; a change during a read triggers exactly one more read afterwards.
  const load = serialReload(loadOnce, () => stopped);

  const db = reader.options.db ?? 0;
  const keyspaceChannel = layout.mode === 'document' ? `__keyspace@${db}__:${layout.key}` : undefined;
  const keyspacePatterns =
    layout.mode === 'keys' ? [`__keyspace@${db}__:${globEscape(layout.flagPrefix)}*`, `__keyspace@${db}__:${globEscape(layout.segmentPrefix)}*`] : [];

  subscriber.on('message', () => void load());
  subscriber.on('pmessage', () => void load());
  // Subscriptions are made on every (re)connect, by us rather than ioredis's auto-resubscribe, so a first connect
  // that failed still ends up subscribed; then the key is re-read, since anything published meanwhile was lost.
  subscriber.on('ready', () => {
    const channels = [layout.channel, ...(keyspace && keyspaceChannel ? [keyspaceChannel] : [])];
    const subscribed = subscriber.subscribe(...channels).then(() => (keyspace && keyspacePatterns.length > 0 ? subscriber.psubscribe(...keyspacePatterns) : undefined));
    subscribed.then(
      () => void load(),
      (error: unknown) => {
        // The connection dropped mid-subscribe: the next 'ready' subscribes again.
        if (!stopped && subscriber.status === 'ready') fail(new Error(`@halyard/redis: subscribing to ${layout.channel} failed: ${describe(error)}`));
      },
    );
  });
  reader.on('ready', () => {
    everConnected = true;
    void load();
  });
  reader.on('close', () => connectionLost('connection closed'));
  // ioredis emits 'error' for every failed attempt and crashes the process if nobody listens: the outage is
  // reported once, by the reader (the flags are as fresh as its reads). While only the subscriber is down the
  // poll keeps them fresh, and its next 'ready' re-reads.
  reader.on('error', (error: unknown) => connectionLost(error));
  subscriber.on('error', () => {});

  reader.connect().catch(() => {});
  subscriber.connect().catch(() => {});

  const timer = pollInterval > 0 ? setInterval(() => void load(), pollInterval) : undefined;

  return () => {
    stopped = true;
    if (timer !== undefined) clearInterval(timer);
    // disconnect(), not quit(): it also cancels a pending reconnect, and never waits on a dead server.
    reader.disconnect();
    subscriber.disconnect();
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
