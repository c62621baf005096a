import type { EvaluationContext, ExposureEvent, FlagClient } from '@halyard/core';

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
   * defaults (the flags route: before answering 503). Default 2,000 — the same policy as every flags endpoint.
   */
  readyTimeout?: number;
}
