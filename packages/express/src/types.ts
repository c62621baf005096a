import type { EvaluationContext, EvaluationDetails, FlagClient, FlagsEndpointOptions, FlagSnapshot, JsonValue } from '@halyard/core';
import type { Request } from 'express';

/** Literal types widened to their primitive, so `req.flags.value('button-color', 'blue')` is a `string`. */
export type Widen<T> = T extends string ? string : T extends number ? number : T extends boolean ? boolean : T;

/**
 * The flags of one request, attached as `req.flags` by {@link halyard}. Nothing is evaluated until the first read;
 * the context is computed once, each flag evaluated once per request, and exposures are recorded only for the
 * flags actually read (through the client's `onExposure`). Reads never throw: on any problem they return the
 * default and report the error through `onError`.
 */
export interface RequestFlags {
  /** `true` only when a boolean flag serves `true`. */
  isEnabled(key: string): boolean;
  /** The flag's value, or `defaultValue` when the flag is missing, failing, or of another type than the default. */
  value<T extends JsonValue>(key: string, defaultValue: T): Widen<T>;
  /** The variant served (e.g. `"treatment"`), or `undefined` when the flag is missing. */
  variant(key: string): string | undefined;
  /** Value, variant and reason. Without `defaultValue` any flag type is accepted and a missing flag gives `null`. */
  details<T extends JsonValue = JsonValue>(key: string, defaultValue?: T): EvaluationDetails<Widen<T>>;
  /**
   * Every flag evaluated for this request's context: what to hand a browser `<FlagProvider snapshot>`. Does not
   * record exposures (the browser does when a component reads a flag).
   */
  snapshot(): FlagSnapshot;
  /** The evaluation context of this request (computed on first use). */
  context(): EvaluationContext;
}

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
}

/**
 * Options of {@link flagsHandler}: the {@link HalyardOptions} plus the endpoint options shared with every adapter
 * (`allowClientContext`, `stream`, `heartbeatInterval`, `bodyLimit`; see `FlagsEndpointOptions` in `@halyard/core`).
 */
export interface FlagsHandlerOptions extends HalyardOptions, FlagsEndpointOptions {}

export type { FlagClient };
