import { afterAll, describe, expect, it } from 'vitest';
import { booleanFlag, call, createStorage, type TestStorage } from './helpers';
import { startCli, type CliProcess } from './cli';

const running: CliProcess[] = [];
const storages: TestStorage[] = [];

afterAll(async () => {
  for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await Promise.all(running.map((p) => p.exited));
  await Promise.all(storages.map((s) => s.drop()));
});

// Each test starts the CLI twice (tsx compile, PGlite's WASM initdb), each start bounded by startCli: on a loaded
// machine two starts do not fit in the project's 60 s test timeout, so the test's bound is the sum of its steps.
describe('halyard serve (the real CLI process)', { timeout: 300_000 }, () => {
  it('keeps every acknowledged write through a SIGKILL mid-stream on PostgreSQL', async () => {
    const storage = createStorage('postgres');
    storages.push(storage);
    const env = { DATABASE_URL: storage.options.databaseUrl!, HALYARD_DB_SCHEMA: storage.options.schema! };
    const first = await startCli([], env);
    running.push(first);
    expect(first.token).toMatch(/^hy_admin_/);
    const token = first.token!;

    // Four writers hammer the server; the process is killed while requests are in flight.
    const acknowledged: Array<{ key: string; enabled: boolean }> = [];
    let n = 0;
    let stop = false;
    const writer = async () => {
      while (!stop) {
        const key = `w-${n++}`;
        const enabled = n % 2 === 0;
        try {
          const r = await call(first.url, 'POST', '/api/v1/environments/production/flags', { token, body: { key, definition: booleanFlag(enabled) } });
          if (r.status === 201) acknowledged.push({ key, enabled });
          else if (r.status < 500) throw new Error(`unexpected ${r.status} ${JSON.stringify(r.body)}`);
        } catch (error) {
          if (!stop && first.child.exitCode === null && !String(error).includes('fetch failed')) throw error;
        }
      }
    };
    const writers = [writer(), writer(), writer(), writer()];
    while (acknowledged.length < 40) await new Promise((r) => setTimeout(r, 5));
    first.child.kill('SIGKILL');
    await first.exited;
    stop = true;
    await Promise.all(writers);

    const second = await startCli([], env);
    running.push(second);
    expect(second.token).toBeUndefined();
    expect(second.stdout()).not.toContain('hy_admin_');
    const flags = await call(second.url, 'GET', '/api/v1/environments/production/flags', { token });
    expect(flags.status).toBe(200);
    const stored = new Map<string, { definition: { enabled: boolean } }>(flags.body.flags.map((f: { key: string }) => [f.key, f]));
    for (const write of acknowledged) {
      expect(stored.get(write.key)?.definition.enabled, write.key).toBe(write.enabled);
    }
    // Whatever committed (acknowledged or not) has its audit entry: same transaction.
    const audit = await call(second.url, 'GET', '/api/v1/audit?env=production&action=flag.create&limit=500', { token });
    expect(new Set(audit.body.entries.map((e: { resourceKey: string }) => e.resourceKey))).toEqual(new Set(stored.keys()));
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('starts with zero configuration on PGlite, prints the token once, and keeps data across a restart', async () => {
    const storage = createStorage('pglite');
    storages.push(storage);
    const first = await startCli(['--data-dir', storage.options.dataDir!], {});
    running.push(first);
    expect(first.stdout()).toContain('PGlite');
    const token = first.token!;
    expect(token).toMatch(/^hy_admin_/);
    expect((await call(first.url, 'POST', '/api/v1/environments/development/flags', { token, body: { key: 'kept', definition: booleanFlag() } })).status).toBe(201);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = await startCli(['--data-dir', storage.options.dataDir!], {});
    running.push(second);
    expect(second.token).toBeUndefined();
    expect((await call(second.url, 'GET', '/api/v1/environments/development/flags/kept', { token })).status).toBe(200);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('rejects bad arguments with a usage hint', async () => {
    await expect(startCli(['--port', 'abc'], {})).rejects.toThrow(/--port must be a number/);
  });
});
