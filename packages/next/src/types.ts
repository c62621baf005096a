import type { EvaluationContext, EvaluationDetails, ExposureEvent, FlagClient, FlagSnapshot, JsonValue } from '@halyard/core';

/** Literal types widened to their primitive, so `flags.value('button-color', 'blue')` is a `string`. */
export type Widen<T> = T extends string ? string : T extends number ? number : T extends boolean ? boolean : T;

/** The part of Next's `RequestCookies`/`ReadonlyRequestCookies` Halyard uses (structural, so any version fits). */
export interface CookieReader {
  get(name: string): { name: string; value: string } | undefined;
  has(name: string): boolean;
  getAll(): Array<{ name: string; value: string }>;
}

/** The part of `Headers` Halyard uses. */
export interface HeaderReader {
  get(name: string): string | null;
  has(name: string): boolean;
}

/** What a context function receives: the request's cookies and headers, however the router exposes them. */
export interface RequestInfo {
  cookies: CookieReader;
  headers: HeaderReader;
}

/**
 * Derives the evaluation context of a request from its cookies and headers. One function serves the App Router
 * (`next/headers`), the Pages Router (`req`), route handlers and proxy/middleware (the `Request`).
 */
export type NextContextFn = (request: RequestInfo) => EvaluationContext | Promise<EvaluationContext>;

/**
 * One request's flags, read from a single evaluation of every flag (so server components, client components and
 * the snapshot the browser receives always agree). Reads never throw.
 */
export interface ServerFlags {
  /** `true` only when a boolean flag serves `true`. */
  isEnabled(key: string): boolean;
  /** The flag's value, or `defaultValue` when the flag is missing or of another type. */
  value<T extends JsonValue>(key: string, defaultValue: T): Widen<T>;
  /** The variant served, or `undefined` when the flag is missing. */
  variant(key: string): string | undefined;
  /** Value, variant and reason; a missing flag gives `defaultValue` (or `null`) with reason `ERROR`. */
  details<T extends JsonValue = JsonValue>(key: string, defaultValue?: T): EvaluationDetails<Widen<T>>;
  /** Every flag for this request: what `<FlagProvider snapshot>` needs. */
  snapshot(): FlagSnapshot;
  /** The evaluation context of this request. */
  context(): EvaluationContext;
}

/** Options shared by every server-side helper of `@halyard/next`. */
export interface HalyardNextOptions {
  /** A started client, created once per server process (see the example's `flags.server.ts`). */
  client: FlagClient;
  /** Derives the evaluation context from cookies and headers. */
  context: NextContextFn;
  /** Called once per (flag, variant, unit) the first time server code reads a flag through `getFlags()`. */
  onExposure?: (event: ExposureEvent) => void;
  /** Where flag problems go (the page always renders, with defaults). Default `console.error`. */
  onError?: (error: Error) => void;
  /**
   * How long the first requests after boot wait for the client's first flags, in ms, before rendering with
   * defaults. Default 2,000.
   */
  readyTimeout?: number;
}
