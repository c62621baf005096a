import { RequestServerFlags, ServerFlagsState, type ForcedValues } from '@halyard/core/adapter';
import type { Request } from 'express';

/**
 * Forces flag values for one request, through the same reader as everything else: type matching, variants,
 * `snapshot()` and its version behave exactly as for signed override tokens (whose values these win over).
 * Returns `false` when `halyard()` has not run for this request. Test kits build on it
 * (`forceFlags()` in `@halyard/testing/express`).
 *
 * @example
 * app.use(halyard(options));
 * app.use((req, _res, next) => {
 *   forceRequestFlags(req, { 'new-checkout': true });
 *   next();
 * });
 */
export function forceRequestFlags(req: Request, forced: ForcedValues): boolean {
  const current = (req as { flags?: unknown }).flags;
  if (!(current instanceof RequestServerFlags)) return false;
  const state = (current as RequestServerFlags<Request>).state;
  req.flags = new RequestServerFlags(req, new ServerFlagsState(state.host, undefined, { ...state.extra, ...forced }));
  return true;
}
