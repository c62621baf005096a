import type { EvaluationContext, FlagClient } from '@halyard/core';
import type { EventsOption, FlagsEndpointOptions } from '@halyard/core/adapter';
import type { Request } from 'express';

/** Derives the evaluation context from a request (cookies, session, headers…). Runs at most once per request. */
export type ContextFn = (req: Request) => EvaluationContext;

/** Receives every flag problem; the request always continues with defaults. */
export type ErrorHandler = (error: Error, req: Request | undefined) => void;

/**
 * Signed overrides for browser tests against a running server (a header or cookie carrying
 * `createOverrideToken(values, secret)`). Off unless this option is given; see {@link createOverrideToken}.
 */
export interface OverrideOptions {
  /** HMAC-SHA256 key, at least 32 characters. Keep it out of the repository (env var). */
  secret: string;
  /**
   * Overrides refuse to start when `NODE_ENV === 'production'`, so a test setting cannot leak into production.
   * Set this to `true` only for a deliberate production-like test environment.
   */
  allowInProduction?: boolean;
  /** Request header carrying the token. Default `x-halyard-override`. */
  header?: string;
  /** Cookie carrying the token. Default `halyard-override`. */
  cookie?: string;
}

/** Options of {@link halyard}. */
export interface HalyardOptions {
  /** A started client, e.g. `createFlagClient({ source: fileSource('./flags.json') })`. Shared by all requests. */
  client: FlagClient;
  /** Derives the evaluation context from the request; called lazily, at most once per request. */
  context: ContextFn;
  /** Where flag problems go. Default: `console.error` with the request's method and path. */
  onError?: ErrorHandler;
  /** Opt-in signed overrides for browser tests. Off by default; refuses short secrets and production. */
  overrides?: OverrideOptions;
  /**
   * Send exposures of `req.flags` reads (and the client's `guard` outcomes and `track` metrics) to the flag
   * service: `{ url, sdkKey }` or a sender from `createEventSender()`. Attached to the client (as if given to
   * `createFlagClient({ events })`, so configure it in one place); flushed when the HTTP server closes and on
   * `client.close()`. `halyard()` only: `flagsHandler` ignores it. See docs/events.md.
   */
  events?: EventsOption;
}

/**
 * Options of {@link flagsHandler}: the {@link HalyardOptions} plus the endpoint options shared with every adapter
 * (`allowClientContext`, `stream`, `heartbeatInterval`, `bodyLimit`, `readyTimeout`; see `FlagsEndpointOptions` in
 * `@halyard/core/adapter`).
 */
export interface FlagsHandlerOptions extends HalyardOptions, FlagsEndpointOptions {}

export type { FlagClient };
