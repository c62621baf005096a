import { createProblemReporter, type ForcedValues, type ServerFlagsHost } from '@halyard/core/adapter';
import type { EvaluationContext, FlagClient } from '@halyard/core';
import type { Request } from 'express';
import { createOverrideVerifier, type OverrideVerifier } from '../overrides';
import type { ContextFn, ErrorHandler, HalyardOptions } from '../types';

/** Per-app state shared by every request of one `halyard()` / `flagsHandler()` instance. */
export interface Shared {
  readonly client: FlagClient;
  readonly contextFn: ContextFn;
  readonly verifier: OverrideVerifier | undefined;
  /** Reports a problem at most once per (definitions version, key) so a bad read on a hot path cannot flood logs. */
  report(error: Error, req: Request | undefined, dedupeKey?: string): void;
  /** What core's server-side reader needs for `req.flags` (see `ServerFlagsHost`). */
  readonly host: ServerFlagsHost<Request>;
}

export function createShared(options: HalyardOptions, where: string): Shared {
  if (options === null || typeof options !== 'object') throw new TypeError(`@halyard/express: ${where} needs an options object { client, context }`);
  const { client, context } = options;
  if (client === null || typeof client !== 'object' || typeof client.getDetails !== 'function') {
    throw new TypeError(`@halyard/express: ${where} needs { client }: a FlagClient from createFlagClient() in @halyard/core`);
  }
  if (typeof context !== 'function') {
    throw new TypeError(`@halyard/express: ${where} needs { context: (req) => ({ userId: ... }) } to know who is asking`);
  }
  const onError: ErrorHandler = options.onError ?? defaultOnError;
  const verifier = options.overrides === undefined ? undefined : createOverrideVerifier(options.overrides, where);
  const reporter = createProblemReporter(client, onError);
  const report = (error: Error, req: Request | undefined, dedupeKey?: string): void => reporter(error, dedupeKey, req);
  const shared: Shared = {
    client,
    contextFn: context,
    verifier,
    report,
    host: {
      client,
      scope: '@halyard/express',
      // Per-flag reads: a handler reading 5 of 200 flags pays for 5 (the Express benchmark watches this).
      reads: 'client',
      context: (req) => resolveContext(shared, req),
      forced: verifier === undefined ? undefined : (req) => overrides(verifier, req, report),
      report,
    },
  };
  return shared;
}

/** The values of the request's signed override token (header, else cookie); `undefined` when there is none or it is bad. */
function overrides(verifier: OverrideVerifier, req: Request, report: Shared['report']): ForcedValues | undefined {
  const header = req.headers[verifier.header];
  const token = (Array.isArray(header) ? header[0] : header) ?? readCookie(req, verifier.cookie);
  if (token === undefined || token === '') return undefined;
  const result = verifier.verify(token);
  if (result instanceof Error) {
    report(new Error(`@halyard/express: ignored flag override token: ${result.message}`), req);
    return undefined;
  }
  return result;
}

function defaultOnError(error: Error, req: Request | undefined): void {
  const where = req === undefined ? '' : ` (${req.method} ${req.originalUrl ?? req.url})`;
  console.error(`@halyard/express: flag problem${where}; serving defaults:`, error);
}

/** Runs the app's context function, never throwing: a failure means an anonymous context plus a logged error. */
export function resolveContext(shared: Shared, req: Request): EvaluationContext {
  try {
    const context = shared.contextFn(req);
    if (context !== null && typeof context === 'object' && typeof (context as { then?: unknown }).then !== 'function') return context;
    shared.report(
      new TypeError('@halyard/express: context(req) must synchronously return an object like { userId }; using an empty context'),
      req,
      'context-shape',
    );
  } catch (error) {
    shared.report(new Error(`@halyard/express: context(req) threw; using an empty context: ${describe(error)}`, { cause: error }), req);
  }
  return {};
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** One cookie from the raw Cookie header (or from `req.cookies` when cookie-parser ran). */
export function readCookie(req: Request, name: string): string | undefined {
  const parsed = (req as { cookies?: Record<string, unknown> }).cookies;
  if (parsed !== undefined && parsed !== null && typeof parsed[name] === 'string') return parsed[name] as string;
  const header = req.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return undefined;
}
