import type { ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gzip as gzipCallback, gzipSync } from 'node:zlib';
import { createEvaluator, parseDefinitions } from '@halyard/core';
import type { Evaluator, FlagsDocument } from '@halyard/core';
import { diffDocuments } from '@halyard/core/definitions';
import { eppoBucketing } from '@halyard/eppo';
import { growthbookBucketing } from '@halyard/growthbook';
import { launchdarklyBucketing } from '@halyard/launchdarkly';
import type { DocumentStore } from './store/document-store';
import type { EnvironmentStore } from './store/environment-store';

/** Every pluggable bucketing algorithm the flag service ships (documents imported from other vendors name them). */
const SERVER_BUCKETING = [growthbookBucketing, launchdarklyBucketing, eppoBucketing];

const gzip = promisify(gzipCallback);

/** A `patch` event: the change from version `base` to `version`, serialised and compressed once for every stream. */
export interface PatchFrame {
  readonly base: string;
  readonly version: string;
  readonly frame: Buffer;
  readonly gzipFrame: Buffer;
}

/** At most this many recent patches are kept per environment for resuming delta streams. */
const MAX_PATCHES = 64;

/** One published version of an environment's document, serialised and compressed once and shared by every request. */
export interface DocumentEntry {
  readonly env: string;
  readonly version: number;
  readonly document: FlagsDocument;
  readonly body: Buffer;
  readonly gzipBody: Buffer;
  /** Strong ETags; the gzip representation has its own, as RFC 9110 requires. */
  readonly etag: string;
  readonly gzipEtag: string;
  /** The SSE frame announcing this version. */
  readonly frame: Buffer;
  /**
   * The same frame as one complete gzip member, for streams whose client accepts gzip: a gzip stream may be a
   * series of members, so each event is compressed once per version and shared by every connection (no
   * per-connection compressor state), and arrives decodable on its own.
   */
  readonly gzipFrame: Buffer;
  /**
   * The patches that lead to this version, oldest first and contiguous (each one's `base` is the previous one's
   * `version`, the last one's `version` is this one): what a delta stream resuming from a recent version is sent
   * instead of the document. Bounded by count and by bytes (never more than the full frame, past which the
   * document is the cheaper answer); empty when this version could not be expressed as a patch.
   */
  readonly patches: readonly PatchFrame[];
  /** Compiled lazily: only client-key evaluation needs it. `undefined` if the stored document no longer parses. */
  evaluator(): Evaluator | undefined;
}

/**
 * Serialises and compresses `document` once; with the `previous` entry of the same environment, also the patch
 * from it (computed here, once per change, whichever path — local commit, NOTIFY, Redis, resync — brought it).
 */
export async function buildEntry(env: string, document: FlagsDocument, previous?: DocumentEntry): Promise<DocumentEntry> {
  const json = JSON.stringify(document);
  const body = Buffer.from(json);
  const version = Number(document.version);
  const frame = Buffer.from(`event: update\nid: ${version}\ndata: ${json}\n\n`);
  const diff = previous === undefined ? undefined : diffDocuments(previous.document, document);
  let patchFrame = diff === undefined ? undefined : Buffer.from(`event: patch\nid: ${version}\ndata: ${JSON.stringify(diff)}\n\n`);
  // A patch as large as the document saves nothing (a whole-document import): send the document.
  if (patchFrame !== undefined && patchFrame.length >= frame.length) patchFrame = undefined;
  // The compressions run in libuv's thread pool, in parallel, off the event loop.
  const [gzipBody, gzipFrame, gzipPatchFrame] = await Promise.all([
    gzip(body, { level: 6 }),
    gzip(frame, { level: 6 }),
    patchFrame === undefined ? undefined : gzip(patchFrame, { level: 6 }),
  ]);
  let patches: PatchFrame[] = [];
  if (previous !== undefined && patchFrame !== undefined && gzipPatchFrame !== undefined) {
    patches = [...previous.patches, { base: String(previous.version), version: String(version), frame: patchFrame, gzipFrame: gzipPatchFrame }];
    let bytes = 0;
    for (const patch of patches) bytes += patch.frame.length;
    while (patches.length > MAX_PATCHES || bytes > frame.length) bytes -= patches.shift()!.frame.length;
  }
  let evaluator: Evaluator | undefined;
  let compiled = false;
  return {
    env,
    version,
    document,
    body,
    gzipBody,
    etag: `"${version}"`,
    gzipEtag: `"${version}-gzip"`,
    frame,
    gzipFrame,
    patches,
    evaluator() {
      if (!compiled) {
        compiled = true;
        const parsed = parseDefinitions(document);
        // The service serves every bucketing algorithm it ships, so browsers (given evaluated snapshots) need none.
        evaluator = parsed.ok ? createEvaluator(parsed.definitions, { bucketing: SERVER_BUCKETING }) : undefined;
      }
      return evaluator;
    },
  };
}

/** The patch events that bring a client from `from` to `entry`'s version, or `undefined` when they are not kept. */
export function patchesSince(entry: DocumentEntry, from: string): readonly PatchFrame[] | undefined {
  const start = entry.patches.findIndex((patch) => patch.base === from);
  return start === -1 ? undefined : entry.patches.slice(start);
}

interface Stream {
  res: ServerResponse;
  keyId: string;
  gzip: boolean;
  /** The client asked for `patch` events (`X-Halyard-Stream: delta`). */
  delta: boolean;
}

const PING = Buffer.from(': ping\n\n');
const PING_GZIP = gzipSync(PING);
const CONNECTED = Buffer.from(': connected\n\n');
const CONNECTED_GZIP = gzipSync(CONNECTED);
/** A client this far behind is dropped; it reconnects and gets the latest version in one frame. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export interface DocumentHubOptions {
  store: { documents: DocumentStore; environments: EnvironmentStore };
  heartbeatMs: number;
  onError: (error: unknown, message: string) => void;
}

/**
 * Caches each environment's current document and fans new versions out to SSE streams.
 * Versions only move forward: an entry is replaced only by a higher version, whichever path (local commit,
 * notification reload) delivers it first.
 */
export class DocumentHub {
  private entries = new Map<string, DocumentEntry>();
  private loading = new Map<string, Promise<DocumentEntry | undefined>>();
  private reloadAgain = new Set<string>();
  /** Per environment, the last queued install: entries are built one after another, each diffed against the one before. */
  private building = new Map<string, Promise<unknown>>();
  private streams = new Map<string, Set<Stream>>();
  private streamCount = 0;
  private readonly heartbeat: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly options: DocumentHubOptions) {
    // One timer for all streams: idle connections cost memory, never timers.
    this.heartbeat = setInterval(() => this.ping(), options.heartbeatMs);
    this.heartbeat.unref();
  }

  get connections(): number {
    return this.streamCount;
  }

  peek(env: string): DocumentEntry | undefined {
    return this.entries.get(env);
  }

  async get(env: string): Promise<DocumentEntry | undefined> {
    return this.entries.get(env) ?? this.reload(env);
  }

  /** Installs a version this instance just committed (read-your-writes without a round trip). */
  async publish(env: string, document: FlagsDocument): Promise<void> {
    await this.installDocument(env, document);
  }

  /** Another instance changed `env` (or this one lost notifications): re-read it if anybody here cares. */
  changed(env: string): void {
    if (!this.entries.has(env) && !this.streams.has(env)) return;
    this.reload(env).catch(() => {});
  }

  changedAll(): void {
    for (const env of new Set([...this.entries.keys(), ...this.streams.keys()])) this.changed(env);
  }

  /**
   * Compares cached versions with the database and re-reads what is behind: bounds staleness when a notification
   * was lost (Redis-only propagation, a listener that died silently). One small query.
   */
  async verify(): Promise<void> {
    if (this.entries.size === 0) return;
    const versions = await this.options.store.environments.versions();
    for (const [env, entry] of this.entries) {
      const version = versions.get(env);
      if (version === undefined) this.dropped(env);
      else if (version > entry.version) this.changed(env);
    }
  }

  /** The environment is gone: forget it and end its streams (SDKs reconnect and get a 401/404). */
  dropped(env: string): void {
    this.entries.delete(env);
    const streams = this.streams.get(env);
    if (streams) for (const stream of streams) stream.res.end();
  }

  private reload(env: string): Promise<DocumentEntry | undefined> {
    const inflight = this.loading.get(env);
    if (inflight) {
      // A change may have committed after the in-flight read took its snapshot: read once more afterwards.
      this.reloadAgain.add(env);
      return inflight;
    }
    const run = (async () => {
      try {
        let entry: DocumentEntry | undefined;
        do {
          this.reloadAgain.delete(env);
          const document = await this.options.store.documents.load(env);
          if (!document) {
            this.dropped(env);
            return undefined;
          }
          entry = await this.installDocument(env, document);
        } while (this.reloadAgain.has(env) && !this.closed);
        return entry;
      } catch (error) {
        this.options.onError(error, `@halyard/server: reloading environment "${env}" failed; serving the cached version`);
        // Retry once the database is back, otherwise the cache could stay behind until the next change.
        if (this.entries.has(env) || this.streams.has(env)) {
          setTimeout(() => this.changed(env), 1000).unref();
        }
        throw error;
      } finally {
        this.loading.delete(env);
      }
    })();
    this.loading.set(env, run);
    return run;
  }

  /**
   * Builds and installs `document` after any build already queued for `env`, so that each entry is diffed
   * against the entry it replaces: concurrent commits (or a commit racing a reload) still yield one contiguous
   * chain of patches instead of patches against a version the streams never saw.
   */
  private installDocument(env: string, document: FlagsDocument): Promise<DocumentEntry> {
    const run = (this.building.get(env) ?? Promise.resolve()).then(async () => {
      const current = this.entries.get(env);
      if (current && current.version >= Number(document.version)) return current;
      return this.install(await buildEntry(env, document, current));
    });
    const settled = run.then(
      () => {},
      () => {},
    );
    this.building.set(env, settled);
    void settled.then(() => {
      if (this.building.get(env) === settled) this.building.delete(env);
    });
    return run;
  }

  private install(entry: DocumentEntry): DocumentEntry {
    const current = this.entries.get(entry.env);
    if (current && current.version >= entry.version) return current;
    if (this.closed) return entry;
    this.entries.set(entry.env, entry);
    const streams = this.streams.get(entry.env);
    if (streams) {
      // Every delta stream holds `current` (attach and every install leave it there), so the patch from it fits all.
      const last = entry.patches.at(-1);
      const patch = current !== undefined && last?.base === String(current.version) && last.version === String(entry.version) ? last : undefined;
      for (const stream of streams) {
        if (patch !== undefined && stream.delta) this.write(stream, stream.gzip ? patch.gzipFrame : patch.frame);
        else this.write(stream, stream.gzip ? entry.gzipFrame : entry.frame);
      }
    }
    return entry;
  }

  /**
   * Registers an SSE response (headers already sent, with `Content-Encoding: gzip` when `gzip`). Sends a comment
   * (so proxies and clients see the stream is live), then the current document unless the client's Last-Event-ID
   * says it already has this version. A `delta` stream resuming from a recent version gets the patches since
   * then instead of the document, and `patch` events for later changes.
   */
  attach(env: string, entry: DocumentEntry, res: ServerResponse, keyId: string, lastEventId: string | undefined, gzip: boolean, delta = false): void {
    const stream: Stream = { res, keyId, gzip, delta };
    this.write(stream, gzip ? CONNECTED_GZIP : CONNECTED);
    let set = this.streams.get(env);
    if (!set) this.streams.set(env, (set = new Set()));
    set.add(stream);
    this.streamCount++;
    const current = this.entries.get(env) ?? entry;
    if (lastEventId !== String(current.version)) {
      const patches = delta && lastEventId !== undefined ? patchesSince(current, lastEventId) : undefined;
      if (patches === undefined) this.write(stream, gzip ? current.gzipFrame : current.frame);
      else for (const patch of patches) this.write(stream, gzip ? patch.gzipFrame : patch.frame);
    }
    const detach = () => {
      if (!set.delete(stream)) return;
      this.streamCount--;
      if (set.size === 0 && this.streams.get(env) === set) this.streams.delete(env);
    };
    res.on('close', detach);
    res.on('error', detach);
  }

  /** Ends the streams opened with keys that were revoked or deleted. */
  revoke(keyIds: ReadonlySet<string>): void {
    if (keyIds.size === 0) return;
    for (const set of this.streams.values()) for (const stream of set) if (keyIds.has(stream.keyId)) stream.res.end();
  }

  private write(stream: Stream, chunk: Buffer): void {
    const { res } = stream;
    if (res.destroyed || res.writableEnded) return;
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      res.destroy();
      return;
    }
    res.write(chunk);
  }

  private ping(): void {
    for (const set of this.streams.values()) for (const stream of set) this.write(stream, stream.gzip ? PING_GZIP : PING);
  }

  close(): void {
    this.closed = true;
    clearInterval(this.heartbeat);
    for (const set of this.streams.values()) for (const stream of set) stream.res.end();
    this.streams.clear();
    this.entries.clear();
  }
}
