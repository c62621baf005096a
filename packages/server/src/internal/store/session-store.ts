import type { ApiKey, KeyType, Role } from '../keys';
import type { Queryable } from './db';
import type { RowOf } from './rows';

interface SessionKeyRow {
  expires_at: Date | string;
  last_seen_at: Date | string;
  id: string;
  type: KeyType;
  role: Role | null;
  env: string | null;
  name: string;
  prefix: string;
  created_at: Date | string;
  created_by: string | null;
}

/** An active session and the admin token it was created from. */
export interface SessionRecord {
  key: ApiKey;
  expiresAt: Date;
  lastSeenAt: Date;
}

/** SQL for `admin_sessions`: keyed by the SHA-256 of the session token, never the token. */
export class SessionStore {
  constructor(private readonly q: Queryable) {}

  async insert(hash: string, keyId: string, expiresAt: Date): Promise<void> {
    await this.q.query('insert into admin_sessions (hash, key_id, expires_at) values ($1, $2, $3)', [hash, keyId, expiresAt.toISOString()]);
  }

  /** The live session: not expired, and its token not revoked (the join is what makes revocation end sessions). */
  async findActive(hash: string): Promise<SessionRecord | undefined> {
    const row = (
      await this.q.query<RowOf<SessionKeyRow>>(
        `select s.expires_at, s.last_seen_at, k.id, k.type, k.role, k.env, k.name, k.prefix, k.created_at, k.created_by
         from admin_sessions s join api_keys k on k.id = s.key_id
         where s.hash = $1 and s.expires_at > now() and k.revoked_at is null`,
        [hash],
      )
    )[0];
    if (!row) return undefined;
    const key: ApiKey = { id: row.id, type: row.type, name: row.name, prefix: row.prefix, createdAt: new Date(row.created_at).toISOString(), createdBy: row.created_by };
    if (row.role) key.role = row.role;
    if (row.env) key.environment = row.env;
    return { key, expiresAt: new Date(row.expires_at), lastSeenAt: new Date(row.last_seen_at) };
  }

  /** Slides the expiry to `expiresAt`; never shortens it and never past `maxLifetimeMs` after sign-in. */
  async touch(hash: string, expiresAt: Date, maxLifetimeMs: number): Promise<void> {
    await this.q.query(
      `update admin_sessions set last_seen_at = now(),
         expires_at = least(greatest(expires_at, $2::timestamptz), created_at + $3::double precision * interval '1 millisecond')
       where hash = $1`,
      [hash, expiresAt.toISOString(), maxLifetimeMs],
    );
  }

  async delete(hash: string): Promise<boolean> {
    return (await this.q.query('delete from admin_sessions where hash = $1 returning hash', [hash])).length > 0;
  }

  async deleteExpired(): Promise<void> {
    await this.q.query('delete from admin_sessions where expires_at <= now()');
  }
}
