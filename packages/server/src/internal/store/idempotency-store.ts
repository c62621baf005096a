import type { Queryable } from './db';

/** Who sent a write, and to what: an `Idempotency-Key` means something only within its scope. */
export interface IdempotencyScope {
  /** The API key (admin token) id. */
  tokenId: string;
  method: string;
  /** The URL path, without the query string. */
  path: string;
  key: string;
}

/** The answer recorded for a key, replayed to a retry. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface IdempotencyRecord {
  requestHash: string;
  response: StoredResponse | undefined;
}

const SCOPE = 'token_id = $1 and method = $2 and path = $3 and key = $4';
const params = (s: IdempotencyScope) => [s.tokenId, s.method, s.path, s.key];

/** `Idempotency-Key`s of admin writes (table `idempotency_keys`); expired rows are ignored and swept lazily. */
export class IdempotencyStore {
  constructor(private readonly q: Queryable) {}

  async find(scope: IdempotencyScope): Promise<IdempotencyRecord | undefined> {
    const rows = await this.q.query<{ request_hash: string; status: number | null; headers: Record<string, string> | null; body: string | null }>(
      `select request_hash, status, headers, body from idempotency_keys where ${SCOPE} and expires_at > now()`,
      params(scope),
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      requestHash: row.request_hash,
      response: row.status === null ? undefined : { status: Number(row.status), headers: row.headers ?? {}, body: row.body ?? '' },
    };
  }

  /**
   * Takes the key for this request (or an expired row of it). `false` when another live request holds it. Inside
   * the write's transaction, a concurrent retry waits here until the first one commits or rolls back.
   */
  async claim(scope: IdempotencyScope, requestHash: string, ttlMs: number): Promise<boolean> {
    const rows = await this.q.query(
      `insert into idempotency_keys (token_id, method, path, key, request_hash, expires_at)
       values ($1, $2, $3, $4, $5, now() + $6 * interval '1 millisecond')
       on conflict (token_id, method, path, key) do update
         set request_hash = excluded.request_hash, status = null, headers = null, body = null, created_at = now(), expires_at = excluded.expires_at
         where idempotency_keys.expires_at <= now()
       returning 1 as claimed`,
      [...params(scope), requestHash, ttlMs],
    );
    return rows.length === 1;
  }

  async complete(scope: IdempotencyScope, response: StoredResponse): Promise<void> {
    await this.q.query(`update idempotency_keys set status = $5, headers = $6, body = $7 where ${SCOPE}`, [
      ...params(scope),
      response.status,
      JSON.stringify(response.headers),
      response.body,
    ]);
  }

  /** Deletes up to `limit` expired keys; returns how many. */
  async sweep(limit: number): Promise<number> {
    const rows = await this.q.query(
      `delete from idempotency_keys where ctid in (select ctid from idempotency_keys where expires_at <= now() limit $1) returning 1`,
      [limit],
    );
    return rows.length;
  }
}
