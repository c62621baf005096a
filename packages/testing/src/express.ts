import type { EvaluationContext, EvaluationDetails, FlagSnapshot, JsonValue } from '@halyard/core';
import { createOverrideToken } from '@halyard/express';
import type { OverrideTokenOptions, RequestFlags, Widen } from '@halyard/express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

// For a whole test app, give `createTestClient(values)` from '@halyard/testing' to `halyard({ client })`; the
// helpers below cover the other cases (pinning a few flags over a real client, driving a running server).
export { createOverrideToken };
export type { OverrideTokenOptions };

/**
 * Express middleware forcing some flags for every request, mounted AFTER the app's `halyard()`: the listed flags
 * read as the given values (reason `STATIC`, ruleId `override`); every other flag still comes from the real
 * client. Useful when the app builds its own flag client and the test only wants to pin a few flags.
 *
 * @example
 * app.use(halyard({ client, context }));
 * if (process.env.NODE_ENV === 'test') app.use(forceFlags({ 'new-checkout': true }));
 */
export function forceFlags(values: Readonly<Record<string, JsonValue>>): RequestHandler {
  return function halyardForceFlags(req: Request, _res: Response, next: NextFunction): void {
    const inner = (req as { flags?: RequestFlags }).flags;
    if (inner === undefined) {
      next(new Error('@halyard/testing/express: forceFlags() must be mounted after halyard() from @halyard/express'));
      return;
    }
    req.flags = new ForcedFlags(inner, values);
    next();
  };
}

class ForcedFlags implements RequestFlags {
  private snap: FlagSnapshot | undefined;

  constructor(
    private readonly inner: RequestFlags,
    private readonly forced: Readonly<Record<string, JsonValue>>,
  ) {}

  private has(key: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.forced, key);
  }

  private entry<T extends JsonValue>(key: string, defaultValue: T | null): EvaluationDetails<T> {
    const value = this.forced[key] as JsonValue;
    if (defaultValue !== null && (typeof value !== typeof defaultValue || Array.isArray(value) !== Array.isArray(defaultValue))) {
      return { value: defaultValue, reason: 'ERROR', errorCode: 'TYPE_MISMATCH', errorMessage: `@halyard/testing/express: flag "${key}" is forced to a ${typeof value}` };
    }
    const variant = this.inner.snapshot().flags[key]?.variant;
    const base = { value: value as T, reason: 'STATIC' as const, ruleId: 'override' };
    return variant === undefined || JSON.stringify(this.inner.snapshot().flags[key]?.value) !== JSON.stringify(value) ? base : { ...base, variant };
  }

  isEnabled(key: string): boolean {
    return this.has(key) ? this.forced[key] === true : this.inner.isEnabled(key);
  }

  value<T extends JsonValue>(key: string, defaultValue: T): Widen<T> {
    return (this.has(key) ? this.entry(key, defaultValue).value : this.inner.value(key, defaultValue)) as Widen<T>;
  }

  variant(key: string): string | undefined {
    return this.has(key) ? this.entry(key, null).variant : this.inner.variant(key);
  }

  details<T extends JsonValue = JsonValue>(key: string, defaultValue?: T): EvaluationDetails<Widen<T>> {
    return (this.has(key) ? this.entry(key, defaultValue ?? null) : this.inner.details(key, defaultValue)) as EvaluationDetails<Widen<T>>;
  }

  snapshot(): FlagSnapshot {
    if (this.snap !== undefined) return this.snap;
    const base = this.inner.snapshot();
    const flags = { ...base.flags };
    for (const key of Object.keys(this.forced)) flags[key] = { value: this.forced[key] as JsonValue, reason: 'STATIC', ruleId: 'override' };
    return (this.snap = { version: `${base.version}.forced-${hash(JSON.stringify(this.forced))}`, flags });
  }

  context(): EvaluationContext {
    return this.inner.context();
  }
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

function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}
