import type { FastifyRequest } from 'fastify';
import { HttpError } from './errors';
import type { ApiKey, AuthFailureLimiter, KeyRing, Role } from './keys';

/** What an endpoint needs: a server SDK key, any key that may evaluate (SDK or client), or an admin role. */
export type Permission = 'server-sdk' | 'evaluate' | Role;

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

export class Authenticator {
  constructor(
    private readonly keys: KeyRing,
    private readonly limiter: AuthFailureLimiter,
  ) {}

  /**
   * Resolves the request's key or throws 401/403/429. Synchronous when the key is cached (the SDK hot path).
   * `apiKeyHeader`: also accept the key in `X-API-Key` (OFREP's second security scheme).
   */
  check(request: FastifyRequest, need: Permission, options: { apiKeyHeader?: boolean } = {}): ApiKey | Promise<ApiKey> {
    const ip = request.ip;
    const blocked = this.limiter.blockedFor(ip);
    if (blocked > 0) {
      throw new HttpError(429, 'too_many_failed_attempts', `Too many failed authentication attempts from this address; retry in ${blocked} s`, undefined, {
        'retry-after': String(blocked),
      });
    }
    let token = extractToken(request.headers.authorization);
    if (token === undefined && options.apiKeyHeader) {
      const header = request.headers['x-api-key'];
      token = typeof header === 'string' && header.trim() !== '' ? header.trim() : undefined;
    }
    if (token === undefined) {
      const how = options.apiKeyHeader ? '"Authorization: Bearer <key>" or "X-API-Key: <key>"' : '"Authorization: Bearer <key>"';
      throw new HttpError(401, 'unauthorized', `Missing credentials: send ${how} with ${NEEDS[need]}`, undefined, {
        'www-authenticate': 'Bearer',
      });
    }
    const cached = token.length <= MAX_TOKEN_LENGTH ? this.keys.lookup(token) : undefined;
    if (cached) return this.permit(cached, need);
    if (token.length > MAX_TOKEN_LENGTH) return this.reject(ip);
    return this.keys.authenticate(token).then((key) => (key ? this.permit(key, need) : this.reject(ip)));
  }

  private permit(key: ApiKey, need: Permission): ApiKey {
    if (!allows(key, need)) {
      const what = key.type === 'admin' ? `an admin token with role ${key.role}` : key.type === 'sdk' ? 'a server SDK key' : 'a client key';
      throw new HttpError(403, 'forbidden', `This endpoint needs ${NEEDS[need]}; the request used ${what}`);
    }
    return key;
  }

  private reject(ip: string): never {
    this.limiter.fail(ip);
    throw new HttpError(401, 'unauthorized', 'Invalid or revoked API key', undefined, { 'www-authenticate': 'Bearer error="invalid_token"' });
  }
}
