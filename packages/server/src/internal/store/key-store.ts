import type { ApiKey, KeyType, NewKey, Role } from '../keys';
import type { Queryable } from './db';
import type { RowOf } from './rows';

interface KeyRow {
  id: string;
  type: KeyType;
  role: Role | null;
  env: string | null;
  name: string;
  hash: string;
  prefix: string;
  created_at: Date | string;
  created_by: string | null;
}

const KEY_COLUMNS = 'id, type, role, env, name, hash, prefix, created_at, created_by';

function keyFromRow(row: KeyRow): ApiKey {
  const key: ApiKey = {
    id: row.id,
    type: row.type,
    name: row.name,
    prefix: row.prefix,
    createdAt: new Date(row.created_at).toISOString(),
    createdBy: row.created_by,
  };
  if (row.role) key.role = row.role;
  if (row.env) key.environment = row.env;
  return key;
}

/** An active key with the hash of its token (never the token itself). */
export interface HashedKey {
  key: ApiKey;
  hash: string;
}

/** SQL for the `api_keys` table. */
export class KeyStore {
  constructor(private readonly q: Queryable) {}

  async listActive(filter: { environment?: string } = {}): Promise<ApiKey[]> {
    const rows =
      filter.environment === undefined
        ? await this.q.query<RowOf<KeyRow>>(`select ${KEY_COLUMNS} from api_keys where revoked_at is null order by created_at, id`)
        : await this.q.query<RowOf<KeyRow>>(`select ${KEY_COLUMNS} from api_keys where revoked_at is null and env = $1 order by created_at, id`, [
            filter.environment,
          ]);
    return rows.map(keyFromRow);
  }

  /** Every active key with its hash: what an instance keeps in memory to authenticate without a query. */
  async activeHashes(): Promise<HashedKey[]> {
    const rows = await this.q.query<RowOf<KeyRow>>(`select ${KEY_COLUMNS} from api_keys where revoked_at is null`);
    return rows.map((row) => ({ key: keyFromRow(row), hash: row.hash }));
  }

  async findActiveByHash(hash: string): Promise<HashedKey | undefined> {
    const row = (await this.q.query<RowOf<KeyRow>>(`select ${KEY_COLUMNS} from api_keys where hash = $1 and revoked_at is null`, [hash]))[0];
    return row ? { key: keyFromRow(row), hash: row.hash } : undefined;
  }

  async activeIdsOfEnvironment(env: string): Promise<string[]> {
    return (await this.q.query<{ id: string }>('select id from api_keys where env = $1 and revoked_at is null', [env])).map((row) => row.id);
  }

  async insert(created: NewKey, input: { type: KeyType; name: string; environment?: string; role?: Role }, createdBy: string | null): Promise<ApiKey> {
    const rows = await this.q.query<RowOf<KeyRow>>(
      `insert into api_keys (id, type, role, env, name, hash, prefix, created_by) values ($1, $2, $3, $4, $5, $6, $7, $8) returning ${KEY_COLUMNS}`,
      [created.id, input.type, input.role ?? null, input.environment ?? null, input.name, created.hash, created.prefix, createdBy],
    );
    return keyFromRow(rows[0]!);
  }

  /**
   * The ids of the active admin tokens with role admin, locked until the transaction ends: a concurrent
   * revocation waits here and then sees this one's outcome (READ COMMITTED re-checks locked rows).
   */
  async lockActiveAdmins(): Promise<string[]> {
    const rows = await this.q.query<{ id: string }>(`select id from api_keys where type = 'admin' and role = 'admin' and revoked_at is null order by id for update`);
    return rows.map((row) => row.id);
  }

  /** `undefined` when there is no such active key. */
  async revoke(id: string): Promise<ApiKey | undefined> {
    const row = (await this.q.query<RowOf<KeyRow>>(`update api_keys set revoked_at = now() where id = $1 and revoked_at is null returning ${KEY_COLUMNS}`, [id]))[0];
    return row ? keyFromRow(row) : undefined;
  }
}
