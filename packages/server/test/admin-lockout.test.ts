import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HalyardServer } from '../src/index';
import { cleanEnv, runCli } from './cli';
import { BACKENDS, POSTGRES_URL, call, createKey, createStorage, startServer, type TestStorage } from './helpers';

// The last active admin token can never be revoked (else no restart mints another: permanent lock-out), and an
// operator with database access has a way back in: `halyard admin recover`.
describe.each(BACKENDS)('admin lock-out on %s', (backend) => {
  let storage: TestStorage;
  let server: HalyardServer;
  let home: string;

  beforeAll(async () => {
    storage = createStorage(backend);
    server = await startServer(storage, { authFailureLimit: 0 });
    home = mkdtempSync(join(tmpdir(), 'halyard-recover-'));
  });

  afterAll(async () => {
    await server?.close();
    await storage?.drop();
    rmSync(home, { recursive: true, force: true });
  });

  const idOf = async (token: string): Promise<string> => (await call(server.url, 'GET', '/api/v1/me', { token })).body.id;

  it('refuses to revoke the last admin, even when the last two revoke themselves at the same time', async () => {
    const first = server.bootstrapToken!;
    const second = await createKey(server.url, first, { type: 'admin', role: 'admin', name: 'second admin' });
    // An editor is not an admin: it does not count as a way to manage keys.
    await createKey(server.url, first, { type: 'admin', role: 'editor', name: 'editor' });
    const [firstId, secondId] = [await idOf(first), await idOf(second)];

    // Each admin revokes itself, concurrently: without a decision under a lock, both would see the other and succeed.
    const answers = await Promise.all([
      call(server.url, 'DELETE', `/api/v1/keys/${firstId}`, { token: first }),
      call(server.url, 'DELETE', `/api/v1/keys/${secondId}`, { token: second }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([204, 409]);
    const refused = answers.find((a) => a.status === 409)!;
    expect(refused.body.error.code).toBe('last_admin');
    expect(refused.body.error.message).toMatch(/last active admin token.*halyard keys create --type admin.*halyard admin recover/s);

    const survivor = answers[0]!.status === 409 ? first : second;
    const again = await call(server.url, 'DELETE', `/api/v1/keys/${await idOf(survivor)}`, { token: survivor });
    expect(again.status).toBe(409);
    const admins = (await call(server.url, 'GET', '/api/v1/keys', { token: survivor })).body.keys.filter((k: any) => k.role === 'admin');
    expect(admins).toHaveLength(1);
  });

  it('halyard admin recover mints an admin token straight in the database, audited as "recovery"', async () => {
    const databaseArgs =
      backend === 'postgres' ? ['--database-url', POSTGRES_URL, '--schema', storage.options.schema!] : ['--data-dir', storage.options.dataDir!];
    if (backend === 'postgres') {
      // Lock everyone out behind the service's back, as an old version or a hand-written SQL statement could.
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`update "${storage.options.schema!}".api_keys set revoked_at = now() where type = 'admin'`);
      await client.end();
    } else {
      // PGlite: one process owns the directory; the operator stops the service first.
      await server.close();
    }
    const result = await runCli(['admin', 'recover', ...databaseArgs, '--name', 'break glass'], cleanEnv({ HOME: home }));
    expect(result.code, result.stderr).toBe(0);
    const token = result.stdout.trim();
    expect(token).toMatch(/^hy_admin_[A-Za-z0-9_-]+$/);
    expect(result.stderr).toMatch(/shown once/);

    if (backend === 'pglite') server = await startServer(storage, { authFailureLimit: 0 });
    // A running PostgreSQL instance hears of the key by notification; allow it a moment (no fixed sleep).
    let me = await call(server.url, 'GET', '/api/v1/me', { token });
    for (let attempt = 0; me.status !== 200 && attempt < 100; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      me = await call(server.url, 'GET', '/api/v1/me', { token });
    }
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ name: 'break glass', role: 'admin', createdBy: 'recovery' });
    const audit = await call(server.url, 'GET', '/api/v1/audit?actor=recovery', { token });
    expect(audit.body.entries).toEqual([expect.objectContaining({ action: 'key.create', resourceKey: me.body.id, actor: { id: null, name: 'recovery' } })]);
  });
});
