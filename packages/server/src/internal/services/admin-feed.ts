import type { ServerResponse } from 'node:http';
import type { Store } from '../store/store';
import type { AuditEntry } from '../store/types';

/** What a dashboard invalidates when a change arrives (docs/server.md, "Dashboard"). */
export type ChangeResource = 'flag' | 'segment' | 'environment' | 'key' | 'release-plan' | 'document';

/** The `data` of one `event: change`. */
export interface ChangeEvent {
  env: string | null;
  resource: ChangeResource;
  key: string | null;
  action: string;
  version: number | null;
  actor: string;
  at: string;
}

export interface AdminFeedOptions {
  heartbeatMs: number;
  /**
   * The safety net, in ms: how often the log is read while streams are open, for changes no signal announced
   * (another instance's write whose notification was lost). Default 1,000.
   */
  pollMs?: number;
  /** At most this many open streams per instance; more answer 503. Default 1,000. */
  maxStreams?: number;
  onError: (error: unknown, message: string) => void;
}

interface FeedStream {
  res: ServerResponse;
  keyId: string;
  /** The session's hash when the stream was opened with a session cookie (sign-out ends it). */
  session: string | undefined;
}

const RESOURCES: Record<string, ChangeResource> = {
  flag: 'flag',
  segment: 'segment',
  environment: 'environment',
  key: 'key',
  'release-plan': 'release-plan',
  schedule: 'release-plan',
};
/** Entries read per query; a burst larger than this is read in several. */
const BATCH = 200;
/** A reconnecting client is caught up on at most this many missed entries (then it refetches anyway). */
const MAX_REPLAY = 500;
/** A client this far behind is dropped; it reconnects. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
const PING = Buffer.from(': ping\n\n');

export function changeEvent(entry: AuditEntry): ChangeEvent {
  const resource = RESOURCES[entry.resourceType] ?? 'document';
  const after = entry.after as { version?: unknown } | null;
  return {
    env: entry.environment,
    resource,
    key: entry.resourceKey === '' ? null : entry.resourceKey,
    action: entry.action,
    version: after !== null && typeof after === 'object' && typeof after.version === 'number' ? after.version : null,
    actor: entry.actor.name,
    at: entry.at,
  };
}

const frame = (entry: AuditEntry): Buffer => Buffer.from(`event: change\nid: ${entry.id}\ndata: ${JSON.stringify(changeEvent(entry))}\n\n`);

/**
 * The dashboard's live feed (`GET /api/v1/stream`): one SSE `change` event per audit entry, as it is written,
 * on every instance. The audit log is the source: a change signal (this instance's commits, other instances'
 * notifications) or the poll reads the entries after the last one sent, so every change with an audit entry is
 * announced exactly once, whichever instance wrote it. Reads only while a stream is open.
 */
export class AdminFeed {
  private readonly streams = new Set<FeedStream>();
  private lastId: string | undefined;
  private reading: Promise<void> | undefined;
  private again = false;
  private poll: NodeJS.Timeout | undefined;
  private readonly heartbeat: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly options: AdminFeedOptions,
  ) {
    this.heartbeat = setInterval(() => {
      for (const stream of this.streams) this.write(stream, PING);
    }, options.heartbeatMs);
    this.heartbeat.unref();
  }

  get connections(): number {
    return this.streams.size;
  }

  get full(): boolean {
    return this.streams.size >= (this.options.maxStreams ?? 1000);
  }

  /**
   * Starts streaming to `res` (headers already written). With `lastEventId` (the id of the last entry the
   * client saw) the entries since then are sent first.
   */
  async attach(res: ServerResponse, keyId: string, session: string | undefined, lastEventId: string | undefined): Promise<void> {
    if (this.closed) {
      res.end();
      return;
    }
    const stream: FeedStream = { res, keyId, session };
    if (this.lastId === undefined) this.lastId = await this.store.audit.newestId();
    // Written before the stream joins the fan-out, so it sees no entry twice.
    if (lastEventId !== undefined && /^\d{1,18}$/.test(lastEventId) && BigInt(lastEventId) < BigInt(this.lastId)) {
      const missed = await this.store.audit.since(lastEventId, MAX_REPLAY);
      for (const entry of missed) if (BigInt(entry.id) <= BigInt(this.lastId)) res.write(frame(entry));
    }
    res.write(': connected\n\n');
    this.streams.add(stream);
    const detach = () => {
      this.streams.delete(stream);
      if (this.streams.size === 0) this.stopPolling();
    };
    res.on('close', detach);
    res.on('error', detach);
    this.startPolling();
  }

  /** Something was written (here or elsewhere): read the log now. Coalesced; a no-op without streams. */
  changed(): void {
    if (this.streams.size === 0 || this.closed) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.read()
      .catch((error: unknown) => this.options.onError(error, '@halyard/server: reading the audit log for the live feed failed'))
      .finally(() => {
        this.reading = undefined;
        if (this.again) {
          this.again = false;
          this.changed();
        }
      });
  }

  /** Ends the streams opened with a session that just signed out. */
  endSession(session: string): void {
    for (const stream of this.streams) if (stream.session === session) stream.res.end();
  }

  close(): void {
    this.closed = true;
    clearInterval(this.heartbeat);
    this.stopPolling();
    for (const stream of this.streams) stream.res.end();
    this.streams.clear();
  }

  private async read(): Promise<void> {
    if (this.lastId === undefined) return;
    for (let batch = 0; batch < 50; batch++) {
      const entries = await this.store.audit.since(this.lastId, BATCH);
      for (const entry of entries) {
        this.lastId = entry.id;
        const bytes = frame(entry);
        for (const stream of this.streams) this.write(stream, bytes);
        // A revoked token's streams end (its sessions ended with it), on every instance: the entry says so.
        if (entry.action === 'key.revoke') for (const stream of this.streams) if (stream.keyId === entry.resourceKey) stream.res.end();
      }
      if (entries.length < BATCH) return;
    }
  }

  private write(stream: FeedStream, chunk: Buffer): void {
    const { res } = stream;
    if (res.destroyed || res.writableEnded) return;
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      res.destroy();
      return;
    }
    res.write(chunk);
  }

  private startPolling(): void {
    if (this.poll) return;
    this.poll = setInterval(() => this.changed(), this.options.pollMs ?? 1000);
    this.poll.unref();
  }

  private stopPolling(): void {
    if (this.poll) clearInterval(this.poll);
    this.poll = undefined;
  }
}
