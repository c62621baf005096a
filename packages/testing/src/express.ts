import type { JsonValue } from '@halyard/core';
import { createOverrideToken, forceRequestFlags } from '@halyard/express';
import type { OverrideTokenOptions } from '@halyard/express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

// For a whole test app, give `createTestClient(values)` from '@halyard/testing' to `halyard({ client })`; the
// helpers below cover the other cases (pinning a few flags over a real client, driving a running server).
export { createOverrideToken };
export type { OverrideTokenOptions };

/**
 * Express middleware forcing some flags for every request, mounted AFTER the app's `halyard()`: the listed flags
 * read as the given values, through the same server-side reader as signed overrides (type matching, variants and
 * `snapshot()` behave as in production); every other flag still comes from the real client. Useful when the app
 * builds its own flag client and the test only wants to pin a few flags.
 *
 * @example
 * app.use(halyard({ client, context }));
 * if (process.env.NODE_ENV === 'test') app.use(forceFlags({ 'new-checkout': true }));
 */
export function forceFlags(values: Readonly<Record<string, JsonValue>>): RequestHandler {
  return function halyardForceFlags(req: Request, _res: Response, next: NextFunction): void {
    if (!forceRequestFlags(req, values)) {
      next(new Error('@halyard/testing/express: forceFlags() must be mounted after halyard() from @halyard/express'));
      return;
    }
    next();
  };
}

/**
 * Headers that make a server running `halyard({ overrides: { secret } })` serve these values, for HTTP clients
 * and browser contexts (`browser.newContext({ extraHTTPHeaders })`).
 *
 * @example
 * const page = await browser.newPage({ extraHTTPHeaders: overrideHeaders({ 'new-checkout': true }, secret) });
 */
export function overrideHeaders(values: Readonly<Record<string, JsonValue>>, secret: string, options?: OverrideTokenOptions & { header?: string }): Record<string, string> {
  return { [options?.header ?? 'x-halyard-override']: createOverrideToken(values, secret, options) };
}

/**
 * A cookie (Playwright/puppeteer `addCookies` shape) that makes a server running `halyard({ overrides: { secret } })`
 * serve these values; unlike a header it also reaches the browser's own requests to the flags endpoint.
 *
 * @example
 * await context.addCookies([overrideCookie({ 'new-checkout': true }, secret, 'http://127.0.0.1:3000')]);
 */
export function overrideCookie(
  values: Readonly<Record<string, JsonValue>>,
  secret: string,
  url: string,
  options?: OverrideTokenOptions & { cookie?: string },
): { name: string; value: string; url: string } {
  return { name: options?.cookie ?? 'halyard-override', value: createOverrideToken(values, secret, options), url };
}
