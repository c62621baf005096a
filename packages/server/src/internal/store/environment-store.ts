import type { Queryable } from './db';
import { iso, type RowOf } from './rows';
import type { EnvironmentInfo } from './types';

interface EnvRow {
  key: string;
  name: string;
  version: number | string;
  created_at: Date | string;
  updated_at: Date | string;
}

const envFromRow = (row: EnvRow): EnvironmentInfo => ({
  key: row.key,
  name: row.name,
  version: Number(row.version),
  createdAt: iso(row.created_at),
  updatedAt: iso(row.updated_at),
});

/** SQL for the `environments` table. */
export class EnvironmentStore {
  constructor(private readonly q: Queryable) {}

  async list(): Promise<EnvironmentInfo[]> {
    return (await this.q.query<RowOf<EnvRow>>('select * from environments order by ordinal')).map(envFromRow);
  }

  /** `lock`: `update` (writers of the environment wait for each other) or `share` (it must not vanish meanwhile). */
  async find(env: string, lock?: 'update' | 'share'): Promise<EnvironmentInfo | undefined> {
    const suffix = lock === 'update' ? ' for update' : lock === 'share' ? ' for share' : '';
    const row = (await this.q.query<RowOf<EnvRow>>(`select * from environments where key = $1${suffix}`, [env]))[0];
    return row ? envFromRow(row) : undefined;
  }

  /** `undefined` when the key is taken. The version comes from the global sequence, so it is never reused. */
  async insert(key: string, name: string): Promise<EnvironmentInfo | undefined> {
    const row = (
      await this.q.query<RowOf<EnvRow>>(
        `insert into environments (key, name, version) values ($1, $2, nextval('halyard_version_seq'))
         on conflict (key) do nothing returning *`,
        [key, name],
      )
    )[0];
    return row ? envFromRow(row) : undefined;
  }

  async rename(env: string, name: string): Promise<EnvironmentInfo | undefined> {
    const row = (await this.q.query<RowOf<EnvRow>>('update environments set name = $2, updated_at = now() where key = $1 returning *', [env, name]))[0];
    return row ? envFromRow(row) : undefined;
  }

  /** Deletes the environment; its flags, segments and keys go with it (cascade). */
  async delete(env: string): Promise<void> {
    await this.q.query('delete from environments where key = $1', [env]);
  }

  /** Gives the environment's document a new version (from the global sequence) and returns it. */
  async bumpVersion(env: string): Promise<number> {
    const rows = await this.q.query<{ version: unknown }>(
      `update environments set version = nextval('halyard_version_seq'), updated_at = now() where key = $1 returning version`,
      [env],
    );
    return Number(rows[0]!.version);
  }

  /** Every environment's document version, in one small query. */
  async versions(): Promise<Map<string, number>> {
    const rows = await this.q.query<{ key: string; version: unknown }>('select key, version from environments');
    return new Map(rows.map((row) => [row.key, Number(row.version)]));
  }
}
