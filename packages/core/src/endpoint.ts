import type { EvaluationContext, FlagClient, FlagSnapshot } from './types';
import { DELTA_VALUE } from './internal/delta-header';
import { diffSnapshots } from './internal/snapshot-patch';
import { decodeContextParam } from './snapshot-store';

/*
 * Framework-neutral building blocks of the per-user flags endpoint (`flagsHandler()` in @halyard/express,
 * `createFlagsRoute()` in @halyard/next). Adapters keep only what their framework dictates: reading the request,
 * writing the response. Web APIs only, so this runs on edge runtimes too.
 */

/** Interval of `: ping` comments on open snapshot streams, in ms: well under the browser store's 37.5 s silence limit. */
export const DEFAULT_HEARTBEAT_INTERVAL = 15_000;
/** Largest flags request body an endpoint reads, in bytes. */
export const DEFAULT_BODY_LIMIT = 16 * 1024;
/** How many distinct problem keys a reporter remembers per definitions version before it starts over. */
export const MAX_REMEMBERED_PROBLEMS = 1000;
/** How long a request arriving before the first flags waits for them, in ms, before the endpoint answers 503. */
export const DEFAULT_READY_TIMEOUT = 2_000;

/**
 * Options every flags endpoint adapter accepts on top of its framework's own.
 */
export interface FlagsEndpointOptions {
  /**
   * Context attributes a browser may send (`POST {"context": {...}}` or the stream's `context` parameter).
   * Default none: the context comes only from the server, so a user cannot ask for somebody else's flags. Named
   * attributes are accepted as plain JSON values; server-derived attributes always win.
   */
  allowClientContext?: readonly string[];
  /** Serve server-sent events on `GET ?stream=1` (or `Accept: text/event-stream`). Default `true`. */
  stream?: boolean;
  /** Interval of `: ping` comments on open streams, in ms. Default 15,000 (the browser store reconnects after 37.5 s of silence). */
  heartbeatInterval?: number;
  /** Largest POST body read, in bytes (UTF-8 bytes on the wire, not characters). Default 16 KiB. */
  bodyLimit?: number;
  /**
   * How long a request that arrives before the client's first flags waits for them, in ms, before the answer is
   * `503` with `Retry-After: 1`. Default 2,000; `0` answers at once. A source that already failed answers at once.
   */
  readyTimeout?: number;
}

/** `FlagsEndpointOptions` with every default applied, as adapters use them per request. */
export interface ResolvedEndpointOptions {
  readonly allowed: ReadonlySet<string>;
  readonly stream: boolean;
  readonly heartbeatInterval: number;
  readonly bodyLimit: number;
  readonly readyTimeout: number;
}

/**
 * Applies the defaults of `FlagsEndpointOptions` once, when an adapter builds its handler, so every adapter
 * agrees on them.
 *
 * @example
 * const { allowed, stream, heartbeatInterval, bodyLimit, readyTimeout } = resolveEndpointOptions(options);
 */
export function resolveEndpointOptions(options: FlagsEndpointOptions): ResolvedEndpointOptions {
  return {
    allowed: new Set(options.allowClientContext ?? []),
    stream: options.stream !== false,
    heartbeatInterval: options.heartbeatInterval ?? DEFAULT_HEARTBEAT_INTERVAL,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    readyTimeout: options.readyTimeout ?? DEFAULT_READY_TIMEOUT,
  };
}

/**
 * Whether a GET asks for the server-sent-events stream: `?stream=1` or an `Accept: text/event-stream` header.
 *
 * @example
 * if (options.stream && wantsEventStream(url.searchParams.get('stream'), request.headers.get('accept'))) { ... }
 */
export function wantsEventStream(streamParam: string | null | undefined, accept: string | null | undefined): boolean {
  return streamParam === '1' || (accept ?? '').includes('text/event-stream');
}

/**
 * Whether a stream request asks for `patch` events: the `X-Halyard-Stream: delta` header (what Halyard's SDKs
 * send, leaving stream URLs as configured) or `?delta=1` (for clients that cannot set headers, like EventSource).
 * The one rule of the flag service's definitions stream and the flags endpoint's snapshot stream.
 *
 * @example
 * const delta = wantsDeltas(url.searchParams.get('delta'), request.headers.get('x-halyard-stream'));
 */
export function wantsDeltas(deltaParam: string | null | undefined, header: string | string[] | null | undefined): boolean {
  return deltaParam === '1' || header === DELTA_VALUE;
}

/**
 * A bad flags request: `status` is the HTTP status to answer with (400 or 413), `message` names the fix.
 *
 * @example
 * try {
 *   context = contextFromBodyText(text, allowed, '@halyard/my-adapter');
 * } catch (error) {
 *   if (error instanceof FlagsRequestError) return json({ error: error.message }, error.status);
 *   throw error;
 * }
 */
export class FlagsRequestError extends Error {
  readonly status: number;

  constructor(message: string, status = 400) {
    super(message);
    this.name = 'FlagsRequestError';
    this.status = status;
  }
}

/** Reports a problem; with a `dedupeKey`, at most once per (definitions version, key). Never throws. */
export type ProblemReporter<Extra extends unknown[] = []> = (error: Error, dedupeKey: string | undefined, ...extra: Extra) => void;

/**
 * Wraps an `onError` callback so a problem on a hot path (the same missing flag read on every request) is reported
 * once per definitions version and key instead of flooding logs, and so a throwing `onError` never turns a flag
 * problem into a failed request. Problems without a key are always reported. `extra` arguments (e.g. the request)
 * are passed through to `onError`.
 *
 * @example
 * const report = createProblemReporter(client, (error: Error, req: Request | undefined) => log(error, req));
 * report(new Error('flag "x" is not defined'), 'missing\u0000x', req); // reported
 * report(new Error('flag "x" is not defined'), 'missing\u0000x', req); // ignored until the definitions change
 */
export function createProblemReporter<Extra extends unknown[] = []>(
  client: Pick<FlagClient, 'getSnapshot'>,
  onError: (error: Error, ...extra: Extra) => void,
  maxKeys: number = MAX_REMEMBERED_PROBLEMS,
): ProblemReporter<Extra> {
  const seen = new Set<string>();
  let seenVersion: string | undefined;
  return (error, dedupeKey, ...extra) => {
    if (dedupeKey !== undefined) {
      const version = client.getSnapshot().version;
      if (version !== seenVersion) {
        seen.clear();
        seenVersion = version;
      }
      if (seen.has(dedupeKey)) return;
      // Unbounded keys (user input in flag keys) must not grow memory forever; forgetting only costs a repeat log.
      if (seen.size >= maxKeys) seen.clear();
      seen.add(dedupeKey);
    }
    try {
      onError(error, ...extra);
    } catch {
      // A throwing error handler must not turn a flag problem into a failed request.
    }
  };
}

/**
 * The strong ETag of a snapshot: its `version`, which changes whenever what this user sees changes.
 *
 * @example
 * response.headers.set('ETag', snapshotETag(snapshot)); // "\"3f2a…\""
 */
export function snapshotETag(snapshot: Pick<FlagSnapshot, 'version'>): string {
  return `"${snapshot.version}"`;
}

/**
 * Whether an `If-None-Match` header matches `etag`, so the endpoint can answer `304`: `*`, a single tag or a
 * comma-separated list, weak (`W/"…"`) tags compared weakly as RFC 9110 asks for `If-None-Match`.
 *
 * @example
 * if (ifNoneMatch(request.headers.get('if-none-match'), etag)) return new Response(null, { status: 304 });
 */
export function ifNoneMatch(header: string | null | undefined, etag: string): boolean {
  if (header === null || header === undefined) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((part) => part.trim().replace(/^W\//, '') === etag);
}

/**
 * The evaluation context of a flags request: browser-sent attributes first, server-derived ones over them, so the
 * server always has the last word (a browser cannot claim another `userId`).
 *
 * @example
 * mergeClientContext({ userId: 'u1' }, { userId: 'u2', locale: 'de' }); // { userId: 'u1', locale: 'de' }
 */
export function mergeClientContext(server: EvaluationContext, client: EvaluationContext | undefined): EvaluationContext {
  return client === undefined ? server : { ...client, ...server };
}

/**
 * Keeps only the `allowed` attributes of a browser-sent context. `undefined` when nothing is allowed or nothing was
 * sent; throws a {@link FlagsRequestError} (400) when `raw` is not a JSON object. `scope` prefixes error messages
 * (your package name) and `where` names the offending input.
 *
 * @example
 * pickClientContext({ locale: 'de', userId: 'admin' }, new Set(['locale']), 'body.context', '@halyard/express');
 * // { locale: 'de' }
 */
export function pickClientContext(raw: unknown, allowed: ReadonlySet<string>, where: string, scope: string): EvaluationContext | undefined {
  if (allowed.size === 0 || raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new FlagsRequestError(`${scope}: ${where} must be a JSON object`);
  const picked: EvaluationContext = {};
  for (const name of allowed) {
    if (Object.prototype.hasOwnProperty.call(raw, name)) picked[name] = (raw as Record<string, unknown>)[name];
  }
  return picked;
}

/**
 * Parses a flags request body (`{"context": {...}}`) as text, throwing a {@link FlagsRequestError} (400) naming
 * the expected shape when it is not JSON.
 *
 * @example
 * const body = parseFlagsBody(await request.text(), '@halyard/my-adapter');
 */
export function parseFlagsBody(text: string, scope: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new FlagsRequestError(`${scope}: the flags request body must be JSON like {"context":{...}}`);
  }
}

/**
 * The allowed client context of an already-parsed flags request body; throws a {@link FlagsRequestError} (400)
 * unless the body is a JSON object.
 *
 * @example
 * contextFromBody(req.body, new Set(['locale']), '@halyard/express'); // { locale: 'de' } or undefined
 */
export function contextFromBody(body: unknown, allowed: ReadonlySet<string>, scope: string): EvaluationContext | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new FlagsRequestError(`${scope}: the flags request body must be a JSON object like {"context":{...}}`);
  }
  return pickClientContext((body as { context?: unknown }).context, allowed, 'body.context', scope);
}

/**
 * The allowed client context of a raw flags request body: an empty body means none; otherwise
 * {@link parseFlagsBody} then {@link contextFromBody}.
 *
 * @example
 * const client = allowed.size === 0 ? undefined : contextFromBodyText(await request.text(), allowed, '@halyard/next');
 */
export function contextFromBodyText(text: string, allowed: ReadonlySet<string>, scope: string): EvaluationContext | undefined {
  if (text.trim() === '') return undefined;
  return contextFromBody(parseFlagsBody(text, scope), allowed, scope);
}

/**
 * The allowed client context of a stream request's `context` query parameter (base64url JSON, as
 * `encodeContextParam()` writes it). Throws a {@link FlagsRequestError} (400) when it cannot be decoded.
 *
 * @example
 * contextFromParam(url.searchParams.get('context'), allowed, '@halyard/next');
 */
export function contextFromParam(param: string | null | undefined, allowed: ReadonlySet<string>, scope: string): EvaluationContext | undefined {
  if (param === null || param === undefined || allowed.size === 0) return undefined;
  let decoded: EvaluationContext;
  try {
    decoded = decodeContextParam(param);
  } catch (error) {
    throw new FlagsRequestError(error instanceof Error ? error.message : String(error));
  }
  return pickClientContext(decoded, allowed, 'the context parameter', scope);
}

/** Options of {@link createSnapshotEventStream}. */
export interface SnapshotEventStreamOptions {
  /** The client whose definition changes trigger a re-evaluation. */
  client: Pick<FlagClient, 'subscribe'>;
  /** This user's current snapshot (called once at start and on every change). */
  evaluate: () => FlagSnapshot;
  /** Writes raw server-sent-event text to the response. A throw closes the stream. */
  write: (chunk: string) => void;
  /** The request's `Last-Event-ID`: a reconnecting browser that already has this version gets no repeat. */
  lastEventId?: string | undefined;
  /**
   * The client asked for patches (`X-Halyard-Stream: delta`, as `sseStream()` does): a change is sent as `event: patch` with only
   * the entries that changed for this user, when that is smaller than the snapshot. Default `false`.
   */
  delta?: boolean;
  /** Interval of `: ping` comments, in ms; `0` or less disables them. Default 15,000. */
  heartbeatInterval?: number;
  /** Called when `evaluate` throws; that change is skipped and the stream stays open. */
  onEvaluateError?: (error: unknown) => void;
  /** Called once when the stream closes (by `close()` or a failing `write`), after the subscription and timer stopped. */
  onClose?: () => void;
}

/** A running snapshot stream. */
export interface SnapshotEventStream {
  /** Stops the subscription and the heartbeat; idempotent. Call it when the connection closes. */
  close(): void;
  /** Whether the stream has been closed. */
  readonly closed: boolean;
}

/**
 * Drives a server-sent-events flags stream: writes a comment, then `event: update` / `id: <version>` /
 * `data: <FlagSnapshot>` now and whenever the client's definitions change this user's snapshot (only when its
 * version changed), and `: ping` heartbeats so proxies keep the connection. With `delta`, a change is sent as
 * `event: patch` / `data: {"base","version","flags","removed"?}` holding only this user's changed entries. The adapter only sets the response
 * headers, supplies `write`, and calls `close()` when the connection goes away.
 *
 * @example
 * const events = createSnapshotEventStream({
 *   client,
 *   evaluate: () => client.evaluateAll(context),
 *   lastEventId: request.headers.get('last-event-id') ?? undefined,
 *   write: (chunk) => controller.enqueue(encoder.encode(chunk)),
 *   onClose: () => controller.close(),
 * });
 * request.signal.addEventListener('abort', () => events.close());
 */
export function createSnapshotEventStream(options: SnapshotEventStreamOptions): SnapshotEventStream {
  const { client, evaluate, onEvaluateError, onClose } = options;
  const heartbeat = options.heartbeatInterval ?? DEFAULT_HEARTBEAT_INTERVAL;
  let sent = options.lastEventId;
  // The snapshot the client holds (version `sent`), when known: what a patch is computed against.
  let held: FlagSnapshot | undefined;
  let closed = false;
  let unsubscribe: (() => void) | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;

  const close = (): void => {
    if (closed) return;
    closed = true;
    unsubscribe?.();
    if (timer !== undefined) clearInterval(timer);
    onClose?.();
  };
  const write = (chunk: string): void => {
    if (closed) return;
    try {
      options.write(chunk);
    } catch {
      // A connection that cannot be written to is gone: stop the work for it rather than throw into a timer.
      close();
    }
  };
  const push = (): void => {
    let snapshot: FlagSnapshot;
    try {
      snapshot = evaluate();
    } catch (error) {
      onEvaluateError?.(error);
      return;
    }
    // Versions are content hashes: nothing changed for this user, so nothing is sent.
    if (snapshot.version === sent) {
      held = snapshot;
      return;
    }
    const patch = options.delta && held !== undefined ? diffSnapshots(held, snapshot) : undefined;
    sent = snapshot.version;
    held = snapshot;
    const event = patch === undefined ? `update\nid: ${snapshot.version}\ndata: ${JSON.stringify(snapshot)}` : `patch\nid: ${snapshot.version}\ndata: ${patch}`;
    write(`event: ${event}\n\n`);
  };

  write(': halyard flags stream\n\n');
  push();
  if (!closed) {
    unsubscribe = client.subscribe(push);
    if (heartbeat > 0) {
      timer = setInterval(() => write(': ping\n\n'), heartbeat);
      // An open stream must not keep a Node process alive on shutdown; edge runtimes have no unref.
      (timer as { unref?: () => void }).unref?.();
    }
  }
  return {
    close,
    get closed() {
      return closed;
    },
  };
}

/**
 * Waits (at most `timeout` ms) for a client's first flags; resolves `true` once it has some. A client whose source
 * failed before any flags arrived resolves at once (`false`), so a broken source does not hold requests.
 *
 * The one readiness policy of every server-side helper (flags endpoints, Next's `getFlags()`): the first requests
 * after a deploy usually arrive while the client is still fetching, and a short bounded wait turns them into one
 * slower success instead of a failure and a client-side retry.
 *
 * @example
 * if (!(await waitForFlags(client, 2_000))) return new Response(null, { status: 503, headers: { 'retry-after': '1' } });
 */
export async function waitForFlags(client: Pick<FlagClient, 'ready' | 'getSnapshot'>, timeout: number = DEFAULT_READY_TIMEOUT): Promise<boolean> {
  if (client.getSnapshot().definitions !== undefined) return true;
  if (timeout > 0) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        client.ready(),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeout);
        }),
      ]);
    } catch {
      // The source failed before any flags arrived: answer now, the caller reports it.
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }
  return client.getSnapshot().definitions !== undefined;
}

/**
 * Reads a request body as UTF-8 text, refusing more than `limit` BYTES with a {@link FlagsRequestError} (413):
 * at once when `Content-Length` says so, else as soon as the stream passes the limit (the rest is not read).
 *
 * @example
 * const text = await readBodyText(request, 16 * 1024, '@halyard/my-adapter');
 */
export async function readBodyText(request: Request, limit: number, scope: string): Promise<string> {
  const tooLarge = (): FlagsRequestError => new FlagsRequestError(`${scope}: the flags request body is larger than ${limit} bytes`, 413);
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > limit) throw tooLarge();
  if (request.body === null) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      void reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
