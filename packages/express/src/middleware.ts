import type { ServerFlags } from '@halyard/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { attachFlags } from './internal/attach';
import { createShared } from './internal/shared';
import type { HalyardOptions } from './types';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** This request's feature flags, attached by `halyard()` from `@halyard/express`; typed by `Register` in `@halyard/core`. */
      flags: ServerFlags;
    }
  }
}

/**
 * Express middleware attaching `req.flags` (`ServerFlags` from `@halyard/core`) to every request. Nothing is evaluated until a
 * handler reads a flag: the context is computed once, on first read, each flag evaluated once per request, and
 * exposures are recorded (through the client's `onExposure`) only for flags actually read. A flag problem never
 * fails the request: reads return the default and the error goes to `onError` (default `console.error`).
 *
 * @example
 * import express from 'express';
 * import { createFlagClient } from '@halyard/core';
 * import { fileSource } from '@halyard/core/node';
 * import { halyard } from '@halyard/express';
 *
 * const client = createFlagClient({ source: fileSource('./flags.json') });
 * const app = express();
 * app.use(halyard({ client, context: (req) => ({ userId: req.get('x-user-id') }) }));
 * app.get('/checkout', (req, res) => {
 *   res.send(req.flags.isEnabled('new-checkout') ? 'new checkout' : 'old checkout');
 *   // req.flags.getValue('button-color', 'blue'), req.flags.getDetails('checkout-experiment', 'control')
 * });
 */
export function halyard(options: HalyardOptions): RequestHandler {
  const shared = createShared(options, 'halyard()');
  return function halyardMiddleware(req: Request, _res: Response, next: NextFunction): void {
    attachFlags(req, shared);
    next();
  };
}
