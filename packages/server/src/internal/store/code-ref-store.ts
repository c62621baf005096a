import type { Queryable } from './db';

export interface CodeRefInput {
  flag: string;
  file: string;
  line: number;
  column?: number | undefined;
}

export interface CodeRefUpload {
  repo: string;
  branch: string | null;
  commit: string | null;
  uploadedAt: string;
  uploadedBy: string;
}

export interface FlagCodeRefs extends CodeRefUpload {
  references: Array<{ file: string; line: number; column: number | null }>;
}

/** Code references that `halyard code-refs --upload` stored, per environment × repository. SQL only. */
export class CodeRefStore {
  constructor(private readonly q: Queryable) {}

  /** Replaces the repository's upload and all its references; run inside a transaction so it is all or nothing. */
  async replace(env: string, repo: string, upload: { branch: string | null; commit: string | null; uploadedBy: string }, references: CodeRefInput[]): Promise<{ removed: number }> {
    // The upload row first: its row lock makes concurrent uploads of one repo take turns, so the later one's delete
    // sees (and removes) the earlier one's references instead of both sets surviving.
    await this.q.query(
      `insert into code_ref_uploads (env, repo, branch, commit, uploaded_at, uploaded_by) values ($1, $2, $3, $4, now(), $5)
       on conflict (env, repo) do update set branch = excluded.branch, commit = excluded.commit, uploaded_at = excluded.uploaded_at, uploaded_by = excluded.uploaded_by`,
      [env, repo, upload.branch, upload.commit, upload.uploadedBy],
    );
    const removed = await this.q.query<{ n: string }>('select count(*) as n from code_refs where env = $1 and repo = $2', [env, repo]);
    await this.q.query('delete from code_refs where env = $1 and repo = $2', [env, repo]);
    // One statement per batch of arrays (unnest), not one per reference: 50,000 references are a few round trips.
    const BATCH = 10_000;
    for (let at = 0; at < references.length; at += BATCH) {
      const batch = references.slice(at, at + BATCH);
      await this.q.query(
        `insert into code_refs (env, repo, flag, file, line, col)
         select $1, $2, f, p, l, c from unnest($3::text[], $4::text[], $5::integer[], $6::integer[]) as t(f, p, l, c)`,
        [env, repo, batch.map((r) => r.flag), batch.map((r) => r.file), batch.map((r) => r.line), batch.map((r) => r.column ?? null)],
      );
    }
    return { removed: Number(removed[0]?.n ?? 0) };
  }

  /** Where `flag` is read in `env`, grouped by repository (ordered by repository, then file and line). */
  async forFlag(env: string, flag: string): Promise<FlagCodeRefs[]> {
    const rows = await this.q.query<{ repo: string; branch: string | null; commit: string | null; uploaded_at: Date | string; uploaded_by: string; file: string; line: number; col: number | null }>(
      `select u.repo, u.branch, u.commit, u.uploaded_at, u.uploaded_by, r.file, r.line, r.col
       from code_refs r join code_ref_uploads u on u.env = r.env and u.repo = r.repo
       where r.env = $1 and r.flag = $2 order by u.repo, r.file, r.line, r.col nulls first`,
      [env, flag],
    );
    const byRepo = new Map<string, FlagCodeRefs>();
    for (const row of rows) {
      let group = byRepo.get(row.repo);
      if (!group) {
        group = { repo: row.repo, branch: row.branch, commit: row.commit, uploadedAt: new Date(row.uploaded_at).toISOString(), uploadedBy: row.uploaded_by, references: [] };
        byRepo.set(row.repo, group);
      }
      group.references.push({ file: row.file, line: Number(row.line), column: row.col === null ? null : Number(row.col) });
    }
    return [...byRepo.values()];
  }
}
