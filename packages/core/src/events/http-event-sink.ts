import { toError } from '../internal/errors';
import { parseRetryAfter } from '../internal/backoff';
import type { EventTransport, SendResult } from './event-queue';
import { MAX_BEACON_BYTES } from './wire';

export interface HttpEventSinkOptions {
  /** The events endpoint, e.g. the flag service's `https://flags.internal/sdk/v1/events`. */
  url: string;
  /** A server SDK key, sent as `Authorization: Bearer <sdkKey>` (never in a URL). */
  sdkKey?: string;
  /**
   * A client key (browsers): sent as `Authorization: Bearer <clientKey>`, and as `?key=` on page-hide beacons,
   * which cannot carry headers (client keys are public).
   */
  clientKey?: string;
  /** Extra request headers (not sent with beacons). */
  headers?: Record<string, string>;
  /** Per-request timeout, in ms. Default 10,000. */
  timeout?: number;
  /** A fetch implementation; default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** A beacon implementation; default `navigator.sendBeacon` where it exists. `false`: never use beacons. */
  sendBeacon?: ((url: string, body: string) => boolean) | false;
}

interface BeaconNavigator {
  sendBeacon?(url: string, data?: string): boolean;
}

/** Statuses worth retrying: rate limited, overloaded, or a proxy/gateway failing in between. */
function retryable(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

/**
 * The HTTP transport of the events wire format: `POST <url>` with a JSON batch, `Authorization: Bearer <key>`, a
 * timeout per request; and, for pages being hidden, `navigator.sendBeacon(<url>?key=<clientKey>, <JSON as text/plain>)`.
 * No Node built-ins: runs in Node, browsers and edge runtimes.
 *
 * @example
 * const queue = createEventQueue({ transport: createHttpEventSink({ url: 'https://flags.internal/sdk/v1/events', sdkKey }) });
 */
export function createHttpEventSink(options: HttpEventSinkOptions): EventTransport {
  const { url, sdkKey, clientKey } = options;
  if (typeof url !== 'string' || url.length === 0) {
    throw new TypeError('@halyard/core: events need { url }: the events endpoint, e.g. https://flags.example.com/sdk/v1/events');
  }
  if (sdkKey !== undefined && clientKey !== undefined) {
    throw new TypeError('@halyard/core: events take { sdkKey } (servers) or { clientKey } (browsers), not both');
  }
  const key = sdkKey ?? clientKey;
  const timeout = options.timeout ?? 10_000;
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (key !== undefined) headers.authorization = `Bearer ${key}`;
  // Only a client key may travel in a URL (it ends up in logs); a server key never does, so no beacon then.
  const beaconUrl = sdkKey !== undefined ? undefined : clientKey === undefined ? url : `${url}${url.includes('?') ? '&' : '?'}key=${encodeURIComponent(clientKey)}`;
  const nav = (globalThis as { navigator?: BeaconNavigator }).navigator;
  const sendBeacon =
    options.sendBeacon === false || beaconUrl === undefined
      ? undefined
      : (options.sendBeacon ?? (typeof nav?.sendBeacon === 'function' ? (u: string, body: string) => nav.sendBeacon!(u, body) : undefined));

  const transport: EventTransport = {
    async send(body) {
      const doFetch = options.fetch ?? globalThis.fetch;
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new Error(`timed out after ${timeout} ms`)), timeout);
      (timer as { unref?: () => void }).unref?.();
      try {
        const response = await doFetch(url, {
          method: 'POST',
          headers,
          body,
          signal: controller.signal,
          // Lets the request outlive a page being closed; browsers allow it for small bodies only.
          keepalive: body.length <= MAX_BEACON_BYTES / 3,
        });
        // Read the body: it frees the connection (and a problem+json says what was wrong).
        const text = await response.text().catch(() => '');
        if (response.ok) return { ok: true } satisfies SendResult;
        const detail = problemDetail(text);
        return {
          ok: false,
          retry: retryable(response.status),
          retryAfter: parseRetryAfter(response.headers.get('retry-after')),
          error: new Error(`@halyard/core: POST ${url} answered HTTP ${response.status}${detail === undefined ? '' : ` (${detail})`}`),
        } satisfies SendResult;
      } catch (error) {
        const reason = controller.signal.aborted ? toError(controller.signal.reason) : toError(error);
        return { ok: false, retry: true, error: new Error(`@halyard/core: POST ${url} failed: ${reason.message}`, { cause: error }) } satisfies SendResult;
      } finally {
        clearTimeout(timer);
      }
    },
  };
  if (sendBeacon !== undefined) transport.beacon = (body) => sendBeacon(beaconUrl!, body);
  return transport;
}

/**
 * What the service said was wrong, shortened: a problem+json `detail` (else `title`), or Halyard's error body
 * `{ error: { message, problems: [{ path, message }] } }` (its first problem).
 */
function problemDetail(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { detail?: unknown; title?: unknown; error?: { message?: unknown; problems?: Array<{ path?: unknown; message?: unknown }> } };
    const first = Array.isArray(parsed.error?.problems) ? parsed.error.problems[0] : undefined;
    const detail =
      typeof parsed.detail === 'string'
        ? parsed.detail
        : first !== undefined && typeof first.path === 'string'
          ? `${first.path}: ${String(first.message)}`
          : typeof parsed.error?.message === 'string'
            ? parsed.error.message
            : typeof parsed.title === 'string'
              ? parsed.title
              : undefined;
    return detail === undefined ? undefined : detail.slice(0, 300);
  } catch {
    return undefined;
  }
}
