import { createFlagsHandler, createServerFlags, type FetchHandler, type FlagsEndpointOptions } from '@halyard/core/adapter';
import { createEngine, resolveContext } from './internal/engine';
import { infoFromRequest } from './internal/request-info';
import type { HalyardNextOptions } from './types';

/**
 * Options of {@link createFlagsRoute}: the {@link HalyardNextOptions} plus the endpoint options shared with every
 * adapter (`allowClientContext`, `stream`, `heartbeatInterval`, `bodyLimit`, `readyTimeout`; see
 * `FlagsEndpointOptions` in `@halyard/core/adapter`).
 */
export interface FlagsRouteOptions extends HalyardNextOptions, FlagsEndpointOptions {}

/**
 * The route handlers to export from `app/api/flags/route.ts`: every one is the same fetch handler. Export `GET`,
 * `HEAD` and `POST`; Next answers methods a route does not export with its own bare `405`, so export `PUT`,
 * `PATCH` and `DELETE` too if clients should get Halyard's `405` with `Allow: GET, HEAD, POST`.
 */
export interface FlagsRoute {
  GET: FetchHandler;
  HEAD: FetchHandler;
  POST: FetchHandler;
  PUT: FetchHandler;
  PATCH: FetchHandler;
  DELETE: FetchHandler;
}

/**
 * Route handlers for the flags endpoint that `<HalyardProvider>` / `<FlagProvider endpoint>` polls: core's one
 * flags endpoint (`createFlagsHandler` from `@halyard/core/adapter`, the same one `@halyard/express` wraps), so
 * both adapters answer alike — the per-user FlagSnapshot as JSON with an `ETag` (`304` when `If-None-Match`
 * matches), `Cache-Control: private, no-store` and `Vary: Cookie, Authorization`; server-sent events on
 * `GET ?stream=1`; browser attributes only when named in `allowClientContext`; bodies over `bodyLimit` bytes get
 * `413`; before the first flags it waits up to `readyTimeout` (2 s), then answers `503` with `Retry-After: 1`.
 * Works in the Node.js and edge runtimes (only Web APIs).
 *
 * @example
 * // app/api/flags/route.ts
 * import { createFlagsRoute } from '@halyard/next';
 * import { client, context } from '../../../flags.server';
 *
 * export const { GET, HEAD, POST } = createFlagsRoute({ client, context });
 */
export function createFlagsRoute(options: FlagsRouteOptions): FlagsRoute {
  const engine = createEngine(options, 'createFlagsRoute()');
  const handler = createFlagsHandler({
    ...options,
    client: engine.client,
    scope: '@halyard/next',
    context: (request) => resolveContext(engine, infoFromRequest(request)),
    snapshot: (request, context) => createServerFlags(engine.host, infoFromRequest(request), context).snapshot(),
    report: (error, _request, dedupeKey) => engine.report(error, dedupeKey),
  });
  return { GET: handler, HEAD: handler, POST: handler, PUT: handler, PATCH: handler, DELETE: handler };
}
