import { createFlagClient, staticSource } from '@halyard/core';
import type { Definitions, FlagClient, FlagsDocument, ServerFlags } from '@halyard/core';
import { createEngine, evaluateRequest } from './internal/engine';
import { infoFromRequest } from './internal/request-info';
import type { HalyardNextOptions, NextContextFn } from './types';

/** Options of {@link evaluateInMiddleware}: a client, or definitions to evaluate directly (edge, no source). */
export type MiddlewareFlagOptions = Omit<HalyardNextOptions, 'client'> &
  (
    | { client: FlagClient; definitions?: undefined }
    | {
        /** A flags document or parsed definitions (e.g. bundled JSON). Compiled once per object. */
        definitions: FlagsDocument | Definitions;
        client?: undefined;
      }
  ) & { context: NextContextFn };

// Compiled evaluators per definitions object: a proxy runs for every request, compiling once per document matters.
const compiled = new WeakMap<object, FlagClient>();

/**
 * Evaluates flags for a request in `proxy.ts` / `middleware.ts` (or any Web `Request` handler): for redirects,
 * rewrites and headers by flag. Uses Web APIs only — it runs in the Node.js runtime (Next 16's `proxy.ts`) and
 * the edge runtime (`middleware.ts`, edge route handlers). Import it from `@halyard/next/middleware` to keep the
 * bundle free of React.
 *
 * The context function receives the request's cookies (a `NextRequest`'s own cookie jar when present, so a cookie
 * the proxy just set with `request.cookies.set` is seen) and headers.
 *
 * @example
 * // proxy.ts
 * import { NextResponse, type NextRequest } from 'next/server';
 * import { evaluateInMiddleware } from '@halyard/next/middleware';
 * import { client } from './flags.server';
 *
 * export async function proxy(request: NextRequest) {
 *   const flags = await evaluateInMiddleware(request, { client, context: ({ cookies }) => ({ userId: cookies.get('uid')?.value }) });
 *   if (request.nextUrl.pathname === '/deals' && !flags.isEnabled('deals-page')) return NextResponse.redirect(new URL('/', request.url));
 *   return NextResponse.next();
 * }
 */
export async function evaluateInMiddleware(request: Request, options: MiddlewareFlagOptions): Promise<ServerFlags> {
  const client = options.client ?? clientFor(options.definitions);
  const engine = createEngine({ ...options, client }, 'evaluateInMiddleware()');
  return evaluateRequest(engine, infoFromRequest(request));
}

/** A client over fixed definitions (static source: no timers, no I/O), compiled once per definitions object. */
function clientFor(definitions: FlagsDocument | Definitions | undefined): FlagClient {
  if (definitions === null || typeof definitions !== 'object') {
    throw new TypeError('@halyard/next: evaluateInMiddleware() needs { client } or { definitions } (a flags document)');
  }
  let client = compiled.get(definitions);
  if (client === undefined) {
    // staticSource validates and throws with every problem's JSON path: bundled flags are programmer input.
    client = createFlagClient({ source: staticSource(definitions), logger: false });
    compiled.set(definitions, client);
  }
  return client;
}
