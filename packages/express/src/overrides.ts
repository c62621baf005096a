import { createHmac, timingSafeEqual } from 'node:crypto';
import type { JsonValue } from '@halyard/core';
import type { OverrideOptions } from './types';

/** Shortest accepted override secret: 32 characters, about 192 bits from a random base64 string. */
export const MIN_OVERRIDE_SECRET_LENGTH = 32;
/** Default lifetime of an override token: one hour. */
export const DEFAULT_OVERRIDE_TTL_MS = 60 * 60 * 1000;
const MAX_TOKEN_LENGTH = 8192;
const PREFIX = 'v1';

export interface OverrideTokenOptions {
  /** How long the token stays valid, in ms. Default one hour. */
  ttlMs?: number;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/**
 * Signs forced flag values for a browser test against a running server that enabled
 * `halyard({ overrides: { secret } })`. Send the token as the `x-halyard-override` header or the
 * `halyard-override` cookie; the server then serves these values (reason `STATIC`, ruleId `override`) in
 * `req.flags` and in the flags endpoint, and ignores tokens that are expired, tampered with or signed with
 * another secret.
 *
 * @example
 * const token = createOverrideToken({ 'new-checkout': true, 'button-color': 'green' }, process.env.HALYARD_OVERRIDE_SECRET!);
 * await context.addCookies([{ name: 'halyard-override', value: token, url: baseUrl }]);
 */
export function createOverrideToken(
  values: Readonly<Record<string, JsonValue>>,
  secret: string,
  options: OverrideTokenOptions = {},
): string {
  assertSecret(secret, 'createOverrideToken()');
  const now = options.now ?? Date.now;
  const payload = base64url(Buffer.from(JSON.stringify({ flags: values, exp: now() + (options.ttlMs ?? DEFAULT_OVERRIDE_TTL_MS) }), 'utf8'));
  return `${PREFIX}.${payload}.${sign(`${PREFIX}.${payload}`, secret)}`;
}

export interface OverrideVerifier {
  readonly header: string;
  readonly cookie: string;
  /** The forced values of a token, or an Error saying why the token was refused. */
  verify(token: string): Readonly<Record<string, JsonValue>> | Error;
}

/**
 * Validates the `overrides` option once, when the middleware is created: a short secret or a production
 * environment throws right away (at startup), so overrides can never be switched on by accident.
 */
export function createOverrideVerifier(options: OverrideOptions, where: string, now: () => number = Date.now): OverrideVerifier {
  assertSecret(options.secret, `${where} overrides.secret`);
  if (process.env.NODE_ENV === 'production' && options.allowInProduction !== true) {
    throw new Error(
      `@halyard/express: ${where} refuses to enable flag overrides when NODE_ENV is "production"; remove the overrides option in production, or set overrides.allowInProduction: true for a deliberate production-like test environment`,
    );
  }
  const secret = options.secret;
  return {
    header: (options.header ?? 'x-halyard-override').toLowerCase(),
    cookie: options.cookie ?? 'halyard-override',
    verify(token) {
      if (token.length > MAX_TOKEN_LENGTH) return new Error(`override token longer than ${MAX_TOKEN_LENGTH} characters`);
      const parts = token.split('.');
      if (parts.length !== 3 || parts[0] !== PREFIX) return new Error('override token is not of the form v1.<payload>.<signature>');
      const [, payload = '', signature = ''] = parts;
      const expected = Buffer.from(sign(`${PREFIX}.${payload}`, secret), 'utf8');
      const given = Buffer.from(signature, 'utf8');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return new Error('override token signature does not match (tampered, or signed with another secret)');
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        return new Error('override token payload is not JSON');
      }
      if (typeof parsed !== 'object' || parsed === null) return new Error('override token payload is not an object');
      const { flags, exp } = parsed as { flags?: unknown; exp?: unknown };
      if (typeof exp !== 'number' || exp <= now()) return new Error('override token expired; create a new one');
      if (typeof flags !== 'object' || flags === null || Array.isArray(flags)) return new Error('override token has no flags object');
      return flags as Record<string, JsonValue>;
    },
  };
}

function assertSecret(secret: unknown, where: string): void {
  if (typeof secret !== 'string' || secret.length < MIN_OVERRIDE_SECRET_LENGTH) {
    throw new Error(
      `@halyard/express: ${where} must be a string of at least ${MIN_OVERRIDE_SECRET_LENGTH} characters (got ${typeof secret === 'string' ? `${secret.length}` : typeof secret}); generate one with \`openssl rand -base64 32\``,
    );
  }
}

function sign(data: string, secret: string): string {
  return createHmac('sha256', secret).update(data).digest('base64url');
}

function base64url(buffer: Buffer): string {
  return buffer.toString('base64url');
}
