import { parseCookie } from 'cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { CsrfError, ForbiddenError, TooManyAttemptsError, UnauthorizedError } from '../errors';
import { csrfMatches } from '../services/session-service';
import type { ApiKey, AuthFailureLimiter, KeyRing, Role } from '../keys';
import { errorResponse } from './schemas';

/** What an endpoint needs: a server SDK key, any key that may evaluate (SDK or client), or an admin role. */
export type Permission = 'server-sdk' | 'evaluate' | Role;

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's API key, set by the authentication hook before the body is read; `null` on open routes. */
    auth: ApiKey | null;
  }
  interface FastifyContextConfig {
    /** The permission the route needs. Routes without one are open (health, OpenAPI, CORS preflight). */
    auth?: Permission;
    /** Also accept the key in `X-API-Key` (OFREP's second security scheme). */
    apiKeyHeader?: boolean;
  }
}

const AUTHENTICATES = Symbol('halyard.authenticates');

const ROLE_RANK: Record<Role, number> = { viewer: 1, editor: 2, admin: 3 };
const MAX_TOKEN_LENGTH = 256;

export function extractToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const token = header.startsWith('Bearer ') || header.startsWith('bearer ') ? header.slice(7).trim() : header.trim();
  return token === '' ? undefined : token;
}

export function allows(key: ApiKey, need: Permission): boolean {
  switch (need) {
    case 'server-sdk':
      return key.type === 'sdk';
    case 'evaluate':
      return key.type === 'sdk' || key.type === 'client';
    default:
      return key.type === 'admin' && key.role !== undefined && ROLE_RANK[key.role] >= ROLE_RANK[need];
  }
}

const NEEDS: Record<Permission, string> = {
  'server-sdk': 'a server SDK key (hy_sdk_…); client keys may only call POST /sdk/v1/evaluate and admin tokens the /api/v1 endpoints',
  evaluate: 'an SDK key (hy_sdk_…) or client key (hy_client_…)',
  viewer: 'an admin token (hy_admin_…) with role viewer, editor or admin',
  editor: 'an admin token (hy_admin_…) with role editor or admin',
  admin: 'an admin token (hy_admin_…) with role admin',
};

/** How each permission appears in /openapi.json (security schemes declared in http/openapi.ts). */
const SECURITY: Record<Permission, Array<Record<string, string[]>>> = {
  'server-sdk': [{ sdkKey: [] }],
  evaluate: [{ clientKey: [] }, { sdkKey: [] }],
  viewer: [{ adminToken: [] }],
  editor: [{ adminToken: [] }],
  admin: [{ adminToken: [] }],
};

export interface Credentials {
  ip: string;
  headers: { authorization?: string | undefined; 'x-api-key'?: string | string[] | undefined };
}

/** The dashboard's cookies: the HttpOnly session and the CSRF value its scripts echo in `x-halyard-csrf`. */
export const SESSION_COOKIE = 'halyard_session';
export const CSRF_COOKIE = 'halyard_csrf';
export const CSRF_HEADER = 'x-halyard-csrf';

/** What a cookie-authenticated request is checked with: its method, cookies, CSRF header and origin. */
export interface SessionCredentials extends Credentials {
  method: string;
  headers: Credentials['headers'] & { cookie?: string | undefined; origin?: string | undefined; 'sec-fetch-site'?: string | undefined } & Record<string, string | string[] | undefined>;
  /** The service's own origin as this request reached it (`https://flags.example.com`). */
  ownOrigin: string;
}

/** Resolves a session token to its admin token (services/session-service.ts). */
export interface SessionResolver {
  resolve(token: string): Promise<ApiKey | undefined>;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The session cookie of a request without an Authorization header, if any (bearer tokens win). */
export function sessionTokenOf(headers: { authorization?: string | undefined; cookie?: string | undefined }): string | undefined {
  if (headers.authorization !== undefined || headers.cookie === undefined) return undefined;
  const token = parseCookie(headers.cookie)[SESSION_COOKIE];
  return token === undefined || token === '' ? undefined : token;
}

export class Authenticator {
  constructor(
    private readonly keys: KeyRing,
    private readonly limiter: AuthFailureLimiter,
    private readonly sessions?: SessionResolver,
  ) {}

  /** Whether this request authenticates with a dashboard session cookie (admin-role routes only). */
  usesSession(request: { headers: { authorization?: string | undefined; cookie?: string | undefined } }, need: Permission): boolean {
    return this.sessions !== undefined && (need === 'viewer' || need === 'editor' || need === 'admin') && sessionTokenOf(request.headers) !== undefined;
  }

  /**
   * Authenticates a session cookie exactly like the token it was created from. A write (any method but GET,
   * HEAD, OPTIONS) must also prove it comes from the dashboard's own pages: the `x-halyard-csrf` header equal to
   * the `halyard_csrf` cookie and to the session's CSRF value, an `Origin` (when sent) equal to the service's
   * own, and no cross-site `Sec-Fetch-Site`. SameSite=Strict already keeps the cookie off cross-site requests;
   * this holds even where SameSite is missing or ignored.
   */
  async checkSession(request: SessionCredentials, need: Permission): Promise<ApiKey> {
    const blocked = this.limiter.blockedFor(request.ip);
    if (blocked > 0) throw new TooManyAttemptsError(blocked);
    const cookies = parseCookie(request.headers.cookie ?? '');
    const token = cookies[SESSION_COOKIE] ?? '';
    if (!SAFE_METHODS.has(request.method.toUpperCase())) {
      const header = request.headers[CSRF_HEADER];
      const value = typeof header === 'string' ? header : undefined;
      if (value === undefined || value !== cookies[CSRF_COOKIE] || !csrfMatches(token, value)) {
        throw new CsrfError(`A write with the session cookie needs the header ${CSRF_HEADER} equal to the ${CSRF_COOKIE} cookie; API clients send "Authorization: Bearer <token>" instead`);
      }
      const { origin } = request.headers;
      if (origin !== undefined && origin !== request.ownOrigin) {
        throw new CsrfError(`Cross-origin write refused: Origin ${origin.slice(0, 200)} is not this service (${request.ownOrigin})`);
      }
      const site = request.headers['sec-fetch-site'];
      if (site !== undefined && site !== 'same-origin' && site !== 'none') throw new CsrfError(`Cross-site write refused (Sec-Fetch-Site: ${site.slice(0, 40)})`);
    }
    const key = await this.sessions!.resolve(token);
    if (!key) {
      this.limiter.fail(request.ip);
      throw new UnauthorizedError('The session expired or was signed out (or its admin token was revoked); sign in again: POST /api/v1/session', 'Bearer');
    }
    return this.permit(key, need);
  }

  /**
   * Resolves the request's key or throws (401, 403, 429). Synchronous when the key is cached (the SDK hot path).
   * Every failure counts toward the address's failed-authentication limit, missing credentials included.
   */
  check(request: Credentials, need: Permission, options: { apiKeyHeader?: boolean | undefined } = {}): ApiKey | Promise<ApiKey> {
    const { ip } = request;
    const blocked = this.limiter.blockedFor(ip);
    if (blocked > 0) throw new TooManyAttemptsError(blocked);
    let token = extractToken(request.headers.authorization);
    if (token === undefined && options.apiKeyHeader) {
      const header = request.headers['x-api-key'];
      token = typeof header === 'string' && header.trim() !== '' ? header.trim() : undefined;
    }
    if (token === undefined) {
      this.limiter.fail(ip);
      const how = options.apiKeyHeader ? '"Authorization: Bearer <key>" or "X-API-Key: <key>"' : '"Authorization: Bearer <key>"';
      throw new UnauthorizedError(`Missing credentials: send ${how} with ${NEEDS[need]}`, 'Bearer');
    }
    const cached = token.length <= MAX_TOKEN_LENGTH ? this.keys.lookup(token) : undefined;
    if (cached) return this.permit(cached, need);
    if (token.length > MAX_TOKEN_LENGTH) return this.reject(ip);
    return this.keys.authenticate(token).then((key) => (key ? this.permit(key, need) : this.reject(ip)));
  }

  private permit(key: ApiKey, need: Permission): ApiKey {
    if (!allows(key, need)) {
      const what = key.type === 'admin' ? `an admin token with role ${key.role}` : key.type === 'sdk' ? 'a server SDK key' : 'a client key';
      throw new ForbiddenError(`This endpoint needs ${NEEDS[need]}; the request used ${what}`);
    }
    return key;
  }

  private reject(ip: string): never {
    this.limiter.fail(ip);
    throw new UnauthorizedError('Invalid or revoked API key', 'Bearer error="invalid_token"');
  }
}

/**
 * Declares `request.auth` and authenticates every route whose config names a permission, in an `onRequest` hook
 * added after the route's own (CORS headers first, so browsers can read a 401): the request is refused before
 * its body is even read. Also writes the route's security requirement and 401/403/429 answers into its schema,
 * so /openapi.json says what each endpoint needs. Call before any route is declared.
 */
export function installAuthentication(app: FastifyInstance, authenticator: Authenticator): void {
  app.decorateRequest('auth', null);
  app.addHook('onRoute', (route) => {
    const need = route.config?.auth;
    if (need === undefined) return;
    const apiKeyHeader = route.config?.apiKeyHeader === true;
    // Callback style: the cached-key path stays synchronous, without a promise per SDK request.
    const authenticate = (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void => {
      let result: ApiKey | Promise<ApiKey>;
      try {
        result = authenticator.usesSession(request, need)
          ? authenticator.checkSession({ ip: request.ip, method: request.method, headers: request.headers, ownOrigin: `${request.protocol}://${request.host}` }, need)
          : authenticator.check(request, need, { apiKeyHeader });
      } catch (error) {
        done(error as Error);
        return;
      }
      if (result instanceof Promise) {
        result.then(
          (key) => {
            request.auth = key;
            done();
          },
          (error: Error) => done(error),
        );
      } else {
        request.auth = result;
        done();
      }
    };
    const own = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
    // The automatic HEAD route copies its GET route's options, hooks included: authenticate once, not twice.
    if (own.some((hook) => (hook as { [AUTHENTICATES]?: true })[AUTHENTICATES])) return;
    Object.defineProperty(authenticate, AUTHENTICATES, { value: true });
    route.onRequest = [...own, authenticate as onRequestHookHandler];
    const schema = (route.schema ??= {}) as Record<string, unknown>;
    schema.security ??= apiKeyHeader ? [...SECURITY[need], { apiKeyHeader: [] }] : SECURITY[need];
    const role = need === 'viewer' || need === 'editor' || need === 'admin' ? `Role: ${need}. ` : '';
    if (role && typeof schema.description === 'string' && !schema.description.startsWith('Role:')) schema.description = role + schema.description;
    else if (role && schema.description === undefined) schema.description = role.trim();
    // Added before openapi.ts's onRoute hook moves the responses aside for the document.
    const response = (schema.response ??= {}) as Record<string, unknown>;
    response[401] ??= errorResponse('Missing, invalid or revoked key');
    response[403] ??= errorResponse(`The key is not ${NEEDS[need]}`);
    response[429] ??= errorResponse('Too many failed authentications from this address; see Retry-After (seconds)');
  });
}

/** The authenticated key of a route with `config.auth` (the hook has run, or the request was refused). */
export function keyOf(request: FastifyRequest): ApiKey {
  if (request.auth === null) throw new Error('@halyard/server: route without config.auth read request.auth');
  return request.auth;
}
