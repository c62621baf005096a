import { createFlagsHandler, createServerFlags } from '@halyard/core/adapter';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { createShared, describe, resolveContext } from './internal/shared';
import { toRequest, writeResponse } from './internal/to-request';
import type { FlagsHandlerOptions } from './types';

/**
 * Serves the per-user flag snapshot that `<FlagProvider endpoint>` (from `@halyard/react`) polls or streams from.
 * It is core's one flags endpoint (`createFlagsHandler` in `@halyard/core/adapter`, the same one Next's
 * `createFlagsRoute` exports), so every adapter answers alike:
 *
 * - `POST` with `{ "context": {...} }`, `GET` and `HEAD`: `200` with the FlagSnapshot JSON and an `ETag`, or `304`
 *   when `If-None-Match` matches. `Cache-Control: private, no-store` and `Vary: Cookie, Authorization`: the answer
 *   is per user and must never be stored by a shared cache. Other methods: `405` with `Allow: GET, HEAD, POST`.
 * - `GET ?stream=1` (or `Accept: text/event-stream`): server-sent events, `event: update` / `id: <version>` /
 *   `data: <FlagSnapshot>`, pushed whenever the client's definitions change what this user sees; `: ping`
 *   heartbeats keep proxies from closing it.
 * - Context: `context(req)` decides. Attributes sent by the browser are ignored unless named in
 *   `allowClientContext`, and server-derived attributes always win over them. Bodies over `bodyLimit` bytes: `413`.
 * - Before the client's first flags: waits up to `readyTimeout` (2 s), then `503` with `Retry-After: 1`.
 * - Signed override tokens (`overrides`) apply to the snapshot exactly as to `req.flags`.
 *
 * @example
 * const options = { client, context: (req) => ({ userId: req.session.userId }) };
 * app.use(halyard(options));
 * app.all('/api/flags', flagsHandler({ ...options, allowClientContext: ['locale'] }));
 */
export function flagsHandler(options: FlagsHandlerOptions): RequestHandler {
  const shared = createShared(options, 'flagsHandler()');
  // The core handler sees Web Requests; each maps back to its Express request for the app's context function.
  const express = new WeakMap<globalThis.Request, Request>();
  const handle = createFlagsHandler({
    ...options,
    client: shared.client,
    scope: '@halyard/express',
    context: (request) => resolveContext(shared, express.get(request) as Request),
    snapshot: (request, context) => createServerFlags(shared.host, express.get(request) as Request, context).snapshot(),
    vary: shared.verifier === undefined ? [] : [shared.verifier.header],
    report: (error, request, dedupeKey) => shared.report(error, express.get(request), dedupeKey),
  });

  return function halyardFlagsHandler(req: Request, res: Response, next: NextFunction): void {
    const request = toRequest(req, res);
    express.set(request, req);
    handle(request)
      .then((response) => writeResponse(response, res))
      .catch((error: unknown) => {
        shared.report(new Error(`@halyard/express: flagsHandler failed: ${describe(error)}`, { cause: error }), req);
        if (!res.headersSent) next(error);
      });
  };
}
