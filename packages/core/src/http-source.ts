import { applyDefinitionsPatch } from './internal/document-patch';
import { resolveBackoff } from './internal/backoff';
import { DELTA_HEADER, DELTA_VALUE } from './internal/delta-header';
import { DefinitionsError } from './internal/problems';
import { createSync } from './internal/sync';
import { parseDefinitions } from './parse-definitions';
import type { Definitions, FlagSource } from './types';

export interface HttpSourceOptions {
  /** URL returning a FlagsDocument, e.g. the flag service's `https://flags.internal/sdk/v1/definitions`. */
  url: string;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Sent as `Authorization: Bearer <sdkKey>`. */
  sdkKey?: string;
  /** Time between polls after a successful one, in ms. Default 15,000. `0` polls only at start and after errors. */
  pollInterval?: number;
  /**
   * Receive changes over server-sent events instead of waiting for the next poll. Polling runs only while the
   * stream is down. Default `false`.
   */
  stream?: boolean;
  /** SSE endpoint; default `url` with its trailing `/definitions` replaced by `/stream`. */
  streamUrl?: string;
  /**
   * Ask the stream for changes only (header `X-Halyard-Stream: delta`): each change then arrives as a `patch`
   * event carrying the changed flags and segments instead of the whole document. Servers that do not
   * know the header keep sending documents, which are read as before. Default `true`.
   *
   * @example
   * httpSource({ url, sdkKey, stream: true, delta: false }); // whole documents on every change
   */
  delta?: boolean;
  /** Per-request timeout (and stream connect timeout), in ms. Default 10,000. */
  timeout?: number;
  /**
   * Reconnect the stream when no complete event and no heartbeat arrived for this long, in ms (bytes that never
   * finish an event do not count). Default 37,500 (2.5 × 15 s).
   */
  heartbeatTimeout?: number;
  /**
   * Retry timing after failures: full-jitter exponential backoff from `base` (1 s) up to `max` (60 s or
   * pollInterval). `base` is also the floor for the server's own hints (SSE `retry:`, `Retry-After`): they can
   * make the client wait longer, never shorter.
   */
  retry?: { base?: number; max?: number };
  /**
   * Largest definitions response read, in bytes. Default 16 MiB (the flag service's own document limit). A
   * longer body is cancelled at the limit and counts as a failed poll (the client keeps its last good flags).
   *
   * @example
   * httpSource({ url, maxBodySize: 64 * 1024 * 1024 }); // a very large flags document
   */
  maxBodySize?: number;
  /**
   * Largest stream line or event, in characters (bytes for ASCII JSON). Default: `maxBodySize`. A longer one
   * drops the stream (an `error` update), polling fills in, and the stream is resumed after a backoff delay.
   */
  maxEventSize?: number;
  /** A fetch implementation; default `globalThis.fetch`. */
  fetch?: typeof fetch;
}

/**
 * A source that polls the flag service (or any URL serving a FlagsDocument), optionally with live updates.
 *
 * - Conditional requests: remembers the `ETag` and sends `If-None-Match`; a `304` changes nothing but counts as a
 *   healthy answer (a `stale` client becomes `ready` again).
 * - Failures (network, timeout, non-2xx, invalid JSON, invalid document, a body over `maxBodySize`) are `error`
 *   updates — the client keeps its last good flags — and are retried with full-jitter exponential backoff (about
 *   1 s, doubling, capped at 60 s or `pollInterval` if longer; a `Retry-After` can lengthen the wait, never
 *   shorten it). Requests never overlap; stopping aborts the one in flight.
 * - `stream: true` reads the SSE endpoint (`event: update`, `id: <version>`, `data: <FlagsDocument JSON>`,
 *   `: ping` heartbeats) with fetch, so it works in Node, browsers and edge runtimes. With `delta` (the default)
 *   changes arrive as `event: patch` and are applied to the current definitions, then validated whole: a patch
 *   for another base version is ignored and the document fetched instead; an invalid one is an `error` update. It reconnects with backoff
 *   and `Last-Event-ID`, treats `heartbeatTimeout` without a complete event or heartbeat as a dead connection, and
 *   polls while it is down. An invalid payload or an event over `maxEventSize` is an `error` update and drops
 *   the stream until the next backoff delay; a server's `retry:` never makes it reconnect faster than `retry.base`.
 *
 * @example
 * const client = createFlagClient({
 *   source: httpSource({ url: 'https://flags.internal/sdk/v1/definitions', sdkKey: process.env.HALYARD_SDK_KEY, stream: true }),
 * });
 */
export function httpSource(options: HttpSourceOptions): FlagSource {
  const { url } = options;
  if (typeof url !== 'string' || url.length === 0) {
    throw new TypeError('@halyard/core: httpSource({ url }) needs the URL of a flags document, e.g. https://flags.example.com/sdk/v1/definitions');
  }
  const pollInterval = options.pollInterval ?? 15_000;
  const stream = options.stream ?? false;
  let streamUrl: string | undefined;
  if (stream) {
    streamUrl = options.streamUrl ?? deriveStreamUrl(url);
    if (streamUrl === undefined) {
      throw new TypeError(
        `@halyard/core: httpSource({ stream: true }) cannot derive the stream URL from "${url}" (it does not end in /definitions); pass streamUrl`,
      );
    }
  }
  const headers: Record<string, string> = { ...options.headers };
  if (options.sdkKey !== undefined) headers.authorization = `Bearer ${options.sdkKey}`;
  const backoff = resolveBackoff(options.retry, pollInterval);
  const maxBodySize = options.maxBodySize ?? DEFAULT_MAX_BODY_SIZE;

  return {
    name: `http(${url})`,
    start(emit) {
      let last: Definitions | undefined;
      const sync = createSync({
        fetch: options.fetch,
        timeout: options.timeout ?? 10_000,
        backoff,
        pollInterval,
        maxBodySize,
        request: () => ({ url, method: 'GET', headers }),
        headers: () => headers,
        stream:
          streamUrl === undefined
            ? undefined
            : {
                url: () => streamUrl,
                headers: options.delta === false ? {} : { [DELTA_HEADER]: DELTA_VALUE },
                heartbeatTimeout: options.heartbeatTimeout ?? 37_500,
                maxEventSize: options.maxEventSize ?? maxBodySize,
              },
        onPayload(body) {
          const result = parseDefinitions(body);
          if (!result.ok) throw new DefinitionsError(`@halyard/core: httpSource got an invalid flags document from ${url}`, result.problems);
          accept(result.definitions);
        },
        onPatch(body) {
          const result = last === undefined ? ({ ok: false, stale: true } as const) : applyDefinitionsPatch(last, body);
          if (result.ok) {
            if (result.definitions !== last) accept(result.definitions);
            return true;
          }
          // Never applied onto another version: fetch the whole document now (the stream stays up).
          if (result.stale) {
            void sync.refresh();
            return false;
          }
          // The connection drops (an `error` update with the paths), polling re-syncs, the stream resumes later.
          throw new DefinitionsError(`@halyard/core: httpSource got an invalid patch from ${streamUrl}`, result.problems);
        },
        onNotModified() {
          // Re-emitting the same object tells the client "still current" without a new update type.
          if (last !== undefined) emit({ type: 'definitions', definitions: last });
        },
        onError(error) {
          emit({ type: 'error', error: prefixed(error) });
        },
      });
      function accept(definitions: Definitions): void {
        last = definitions;
        sync.setLastEventId(last.version);
        emit({ type: 'definitions', definitions: last });
      }
      sync.start();
      return () => sync.stop();
    },
  };
}

/** The flag service refuses documents over 16 MiB, so no honest definitions response is larger. */
const DEFAULT_MAX_BODY_SIZE = 16 * 1024 * 1024;

function prefixed(error: Error): Error {
  return error.message.startsWith('@halyard/') ? error : new Error(`@halyard/core: httpSource: ${error.message}`, { cause: error });
}

/** `…/sdk/v1/definitions?x=1` → `…/sdk/v1/stream?x=1`; undefined when the path does not end in `/definitions`. */
export function deriveStreamUrl(url: string): string | undefined {
  const match = /\/definitions(?=\/?(?:[?#]|$))/.exec(url);
  if (match === null) return undefined;
  return url.slice(0, match.index) + '/stream' + url.slice(match.index + match[0].length);
}
