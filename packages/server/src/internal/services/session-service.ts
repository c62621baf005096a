import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hashToken, type ApiKey } from '../keys';
import type { Store } from '../store/store';

export interface SessionOptions {
  /** Idle lifetime, in ms: each use slides the expiry this far ahead. Default 12 h. */
  ttlMs?: number;
  /** Absolute lifetime after sign-in, in ms, however active the session. Default 7 days. */
  maxLifetimeMs?: number;
}

/** A session just created: the token and CSRF value go into cookies once; only the token's hash is stored. */
export interface NewSession {
  token: string;
  csrf: string;
  key: ApiKey;
  expiresAt: Date;
}

const TOKEN_PREFIX = 'hys_';
const TOKEN_PATTERN = /^hys_[A-Za-z0-9_-]{43}$/;
/** Sliding the expiry writes a row; once a minute per session is precise enough for a 12-hour window. */
const TOUCH_EVERY_MS = 60_000;

/**
 * Dashboard sessions: a browser signs in once with an admin token and then carries an HttpOnly cookie instead
 * of the token. A session acts with its token's role, and ends when the token is revoked (the lookup joins the
 * active keys, on every instance), when it idles past `ttlMs`, or on sign-out.
 */
export class SessionService {
  readonly ttlMs: number;
  readonly maxLifetimeMs: number;

  constructor(
    private readonly store: Store,
    options: SessionOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 12 * 60 * 60 * 1000;
    this.maxLifetimeMs = options.maxLifetimeMs ?? 7 * 24 * 60 * 60 * 1000;
  }

  /** Starts a session for an admin token the caller has already authenticated. */
  async create(key: ApiKey): Promise<NewSession> {
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + Math.min(this.ttlMs, this.maxLifetimeMs));
    // Housekeeping on the rare path: the table holds live sessions only.
    await this.store.sessions.deleteExpired();
    await this.store.sessions.insert(hashToken(token).toString('hex'), key.id, expiresAt);
    return { token, csrf: csrfOf(token), key, expiresAt };
  }

  /** The session's admin token, or `undefined` when the session is unknown, expired or its token revoked. */
  async resolve(token: string): Promise<ApiKey | undefined> {
    if (!TOKEN_PATTERN.test(token)) return undefined;
    const hash = hashToken(token).toString('hex');
    const found = await this.store.sessions.findActive(hash);
    if (!found) return undefined;
    const now = Date.now();
    if (now - found.lastSeenAt.getTime() >= Math.min(TOUCH_EVERY_MS, this.ttlMs / 4)) await this.store.sessions.touch(hash, new Date(now + this.ttlMs), this.maxLifetimeMs);
    return found.key;
  }

  /** Sign-out: the row goes, so the cookie is worthless even if a copy survives. */
  async end(token: string): Promise<void> {
    if (!TOKEN_PATTERN.test(token)) return;
    await this.store.sessions.delete(hashToken(token).toString('hex'));
  }
}

/**
 * The CSRF value of a session, derived from its token: a page of another site can neither read it nor make it,
 * and a cookie planted by a sibling subdomain (cookie tossing) does not match a session it did not create.
 */
export function csrfOf(token: string): string {
  return createHash('sha256').update(`halyard-csrf:${token}`).digest('base64url');
}

/** Constant-time: whether `header` is the CSRF value of the session `token`. */
export function csrfMatches(token: string, header: string | undefined): boolean {
  if (header === undefined) return false;
  const expected = Buffer.from(csrfOf(token));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
