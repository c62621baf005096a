import type { ServerFlags } from '@halyard/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { connectEvents } from '@halyard/core/adapter';
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
 * exposures are recorded (through the client's `onExposure` and, with `events`, sent to the flag service) only for
 * flags actually read. A flag problem never
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
 * app.use(halyard({
 *   client,
 *   context: (req) => ({ userId: req.get('x-user-id') }),
 *   // optional: exposures of req.flags reads go to the flag service (docs/events.md)
 *   events: { url: 'https://flags.internal/sdk/v1/events', sdkKey: process.env.HALYARD_SDK_KEY },
 * }));
 * app.get('/checkout', (req, res) => {
 *   res.send(req.flags.isEnabled('new-checkout') ? 'new checkout' : 'old checkout');
 *   // req.flags.getValue('button-color', 'blue'), req.flags.getDetails('checkout-experiment', 'control')
 * });
 */
export function halyard(options: HalyardOptions): RequestHandler {
  const shared = createShared(options, 'halyard()');
  const { sender } = connectEvents(shared.client, options.events, undefined, '@halyard/express');
  if (sender === undefined) {
    return function halyardMiddleware(req: Request, _res: Response, next: NextFunction): void {
      attachFlags(req, shared);
      next();
    };
  }
  // Events queued when the server stops would wait for the next flush interval, which a closing process does not
  // live to see: flush when each HTTP server serving this middleware closes (one identity check per request).
  let last: object | undefined;
  const watched = new WeakSet<object>();
  return function halyardMiddleware(req: Request, _res: Response, next: NextFunction): void {
    attachFlags(req, shared);
    const server = (req.socket as { server?: ClosingServer } | undefined)?.server;
    if (server !== undefined && server !== last) {
      last = server;
      if (!watched.has(server) && typeof server.once === 'function') {
        watched.add(server);
        server.once('close', () => void sender.flush());
      }
    }
    next();
  };
}

/** The part of `http.Server` the flush-on-close needs (a request's `req.socket.server`). */
interface ClosingServer {
  once(event: 'close', listener: () => void): unknown;
}
