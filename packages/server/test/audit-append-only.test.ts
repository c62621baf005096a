import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { POSTGRES_URL, createStorage, startServer } from './helpers';
import { openServiceHarness } from './service-harness';

// The audit log is append-only in the database itself, so not even SQL typed by hand can rewrite history.
describe('audit log append-only trigger', () => {
  const statements = ['update audit_log set actor_name = $$x$$', 'delete from audit_log', 'truncate audit_log'];

  it('refuses update, delete and truncate on PostgreSQL', async () => {
    const storage = createStorage('postgres');
    const server = await startServer(storage);
    const client = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${storage.options.schema!}` });
    await client.connect();
    try {
      for (const statement of statements) await expect(client.query(statement), statement).rejects.toThrow(/audit_log is append-only/);
      expect(Number((await client.query('select count(*) as n from audit_log')).rows[0].n)).toBeGreaterThan(0);
    } finally {
      await client.end();
      await server.close();
      await storage.drop();
    }
  });

  it('refuses update, delete and truncate on PGlite', async () => {
    const harness = await openServiceHarness();
    try {
      for (const statement of statements) await expect(harness.db.query(statement), statement).rejects.toThrow(/audit_log is append-only/);
      expect(Number((await harness.db.query<{ n: string }>('select count(*) as n from audit_log'))[0]!.n)).toBeGreaterThan(0);
    } finally {
      await harness.close();
    }
  });
});
