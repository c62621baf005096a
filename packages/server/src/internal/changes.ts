import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Database, Queryable } from './store/db';

/** What instances tell each other after a commit. Small on purpose: receivers re-read the database. */
export type ChangeMessage =
  | { type: 'env'; env: string; version: number }
  | { type: 'env-deleted'; env: string }
  | { type: 'keys' };

type Envelope = ChangeMessage & { origin: string };

export interface ChangeBusOptions {
  db: Database;
  /** Namespaces channels so several Halyard deployments can share one database server or Redis. */
  namespace: string;
  postgresNotify: boolean;
  redisUrl: string | undefined;
  redisChannel: string | undefined;
  onMessage: (message: ChangeMessage) => void;
  /** Messages may have been lost (a listener reconnected): re-read everything cached. */
  onResync: () => void;
  onError: (error: unknown, message: string) => void;
  /** Redis: connect and command timeout, in ms; also how often the subscriber checks its connection. Default 5,000. */
  redisTimeoutMs?: number | undefined;
}

/**
 * Propagates committed changes between instances: Postgres NOTIFY sent inside the writing transaction (so it is
 * delivered exactly when the change commits), and optionally Redis pub/sub after the commit. PGlite runs in one
 * process, so there the local path is all there is.
 */
export class ChangeBus {
  readonly instanceId = randomUUID();
  readonly pgChannel: string;
  readonly redisChannel: string;
  private stopListening: (() => Promise<void>) | undefined;
  private publisher: Redis | undefined;
  private subscriber: Redis | undefined;
  private probe: NodeJS.Timeout | undefined;

  constructor(private readonly options: ChangeBusOptions) {
    // NOTIFY channels are per database, not per schema: hash the namespace into a valid identifier.
    this.pgChannel = `halyard_${createHash('sha256').update(options.namespace).digest('hex').slice(0, 24)}`;
    this.redisChannel = options.redisChannel ?? `halyard:changes:${options.namespace}`;
  }

  private receive(raw: string): void {
    let message: Envelope;
    try {
      message = JSON.parse(raw) as Envelope;
    } catch {
      return;
    }
    // This instance applied its own change before answering the request.
    if (message.origin === this.instanceId) return;
    if (message.type !== 'env' && message.type !== 'env-deleted' && message.type !== 'keys') return;
    this.options.onMessage(message);
  }

  async start(): Promise<void> {
    const { db, onError, onResync } = this.options;
    if (db.kind === 'postgres' && this.options.postgresNotify) {
      this.stopListening = await db.listen(this.pgChannel, (payload) => this.receive(payload), onResync);
    }
    if (this.options.redisUrl) {
      // Loaded only when configured: ioredis costs ~9 MB of RSS that most deployments never use.
      const { Redis } = await import('ioredis');
      const timeoutMs = this.options.redisTimeoutMs ?? 5000;
      const common = {
        lazyConnect: true,
        connectTimeout: timeoutMs,
        // A black-holed Redis answers nothing: without this, every publish would wait (and be kept) forever.
        commandTimeout: timeoutMs,
        maxRetriesPerRequest: 1,
        // Reconnect with exponential backoff and jitter, 100 ms up to 5 s, forever: Redis is best effort.
        retryStrategy: (times: number) => Math.round(Math.min(100 * 2 ** Math.min(times, 6), 5000) * (0.5 + Math.random() / 2)),
      } as const;
      // Fan-out degrades instead of queueing: while Redis is away a publish fails at once (logged), and the
      // receivers resync everything when their subscriber reconnects (or on their periodic re-read).
      this.publisher = new Redis(this.options.redisUrl, { ...common, enableOfflineQueue: false });
      this.subscriber = new Redis(this.options.redisUrl, { ...common, enableOfflineQueue: true });
      let lastLogged = 0;
      const logError = (error: Error) => {
        // ioredis retries forever and emits an error per attempt; one log line per 10 s is enough.
        if (Date.now() - lastLogged > 10_000) {
          lastLogged = Date.now();
          onError(error, '@halyard/server: Redis connection error (retrying)');
        }
      };
      this.publisher.on('error', logError);
      this.subscriber.on('error', logError);
      this.subscriber.on('message', (channel: string, payload: string) => {
        if (channel === this.redisChannel) this.receive(payload);
      });
      let ready = false;
      this.subscriber.on('ready', () => {
        if (ready) onResync();
        ready = true;
      });
      // A subscriber on a black-holed path hears nothing and notices nothing: a periodic PING (bounded by
      // commandTimeout) finds out, and the reconnect that follows resyncs.
      const subscriber = this.subscriber;
      this.probe = setInterval(() => {
        if (subscriber.status !== 'ready') return;
        subscriber.ping().catch((error: unknown) => {
          logError(error as Error);
          subscriber.disconnect(true);
        });
      }, timeoutMs);
      this.probe.unref();
      try {
        await withTimeout(Promise.all([this.publisher.connect(), this.subscriber.connect()]), timeoutMs * 2);
        await this.subscriber.subscribe(this.redisChannel);
      } catch (error) {
        await this.close();
        throw new Error(`@halyard/server: cannot connect to Redis at REDIS_URL (${(error as Error).message}); check the URL or unset REDIS_URL`);
      }
    }
  }

  /** Call inside the writing transaction: Postgres delivers it if and when the transaction commits. */
  async notifyInTransaction(tx: Queryable, message: ChangeMessage): Promise<void> {
    if (this.options.db.kind !== 'postgres' || !this.options.postgresNotify) return;
    await tx.query('select pg_notify($1, $2)', [this.pgChannel, JSON.stringify({ ...message, origin: this.instanceId })]);
  }

  /** Call after the commit. Redis is best effort: a lost message is repaired by the next one or a resync. */
  afterCommit(message: ChangeMessage): void {
    this.publisher?.publish(this.redisChannel, JSON.stringify({ ...message, origin: this.instanceId })).catch((error: unknown) => {
      this.options.onError(error, '@halyard/server: publishing a change to Redis failed');
    });
  }

  async close(): Promise<void> {
    if (this.probe) clearInterval(this.probe);
    await this.stopListening?.();
    this.stopListening = undefined;
    const clients = [this.publisher, this.subscriber].filter((c): c is Redis => c !== undefined);
    this.publisher = this.subscriber = undefined;
    await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error as Error);
      },
    );
  });
}
