import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventSender } from '@halyard/core/events';
import type { HalyardServer } from '../src/index';
import { POSTGRES_URL, booleanFlag, call, createKey, createStorage, startServer, type TestStorage } from './helpers';
import { cleanEnv, runCli } from './cli';

// "Not evaluated by any SDK for N days": the service keeps each flag's last exposure (written on flush), the flag
// list reports it as lifecycle.lastEvaluatedAt, and `halyard lint --env` applies core's rule to it. Real
// PostgreSQL; old timestamps are written straight into the tables (the clock cannot be moved for a real flush).

describe('halyard lint --env: flags no SDK evaluated', { timeout: 180_000 }, () => {
  let storage: TestStorage;
  let server: HalyardServer;
  let db: pg.Client;
  let dir: string;
  let env: Record<string, string>;
  const DAY = 86_400_000;

  beforeAll(async () => {
    storage = createStorage('postgres');
    server = await startServer(storage, { events: { flushMs: 50 } });
    const admin = server.bootstrapToken!;
    for (const key of ['recent', 'idle', 'never', 'brand-new']) {
      const created = await call(server.url, 'POST', '/api/v1/environments/production/flags', { token: admin, body: { key, definition: { ...booleanFlag(), owner: 'web' } } });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
    }
    db = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${storage.options.schema!}` });
    await db.connect();
    // Three flags created 90 days ago; brand-new stays new.
    await db.query(`update flags set created_at = $1, updated_at = $1 where env = 'production' and key <> 'brand-new'`, [new Date(Date.now() - 90 * DAY).toISOString()]);
    // `recent` is evaluated now through the real pipeline; `idle` was last evaluated 40 days ago.
    const sdkKey = await createKey(server.url, admin, { type: 'sdk', environment: 'production', name: 'lint unused' });
    const sender = createEventSender({ url: `${server.url}/sdk/v1/events`, sdkKey });
    sender.exposure({ flag: 'recent', variant: 'on', value: true, unit: 'u1' });
    await sender.close();
    await db.query(`insert into event_flag_last_seen (env, flag, last_at) values ('production', 'idle', $1)`, [new Date(Date.now() - 40 * DAY).toISOString()]);
    dir = mkdtempSync(join(tmpdir(), 'halyard-lint-unused-'));
    env = cleanEnv({ HOME: dir, HALYARD_URL: server.url, HALYARD_TOKEN: admin, HALYARD_CONFIG: join(dir, 'unused-config.json') });
  });

  afterAll(async () => {
    await db?.end();
    await server?.close();
    await storage?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const lifecycles = async () => {
    const list = await call(server.url, 'GET', '/api/v1/environments/production/flags', { token: env.HALYARD_TOKEN });
    expect(list.status).toBe(200);
    return Object.fromEntries(list.body.flags.map((f: { key: string; lifecycle: unknown }) => [f.key, f.lifecycle])) as Record<string, { lastEvaluatedAt?: string | null; findings: Array<{ rule: string }> }>;
  };

  it('the flag list carries each flag’s last exposure; lint warns on the idle and the never-evaluated old flags only', async () => {
    // The exposure reaches the table on the next flush (50 ms).
    const deadline = Date.now() + 20_000;
    let byKey = await lifecycles();
    while (typeof byKey.recent?.lastEvaluatedAt !== 'string' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      byKey = await lifecycles();
    }
    expect(Date.now() - Date.parse(byKey.recent!.lastEvaluatedAt!)).toBeLessThan(10 * 60_000);
    expect(Math.round((Date.now() - Date.parse(byKey.idle!.lastEvaluatedAt!)) / DAY)).toBe(40);
    expect(byKey.never!.lastEvaluatedAt).toBeNull();
    expect(byKey['brand-new']!.lastEvaluatedAt).toBeNull();
    expect(byKey.idle!.findings.map((f) => f.rule)).toContain('not-evaluated');

    const result = await runCli(['lint', '--env', 'production', '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { findings: Array<{ flag: string; rule: string; message: string; days?: number }> };
    const unused = report.findings.filter((f) => f.rule === 'not-evaluated');
    expect(unused.map((f) => f.flag).sort()).toEqual(['idle', 'never']);
    expect(unused.find((f) => f.flag === 'idle')).toMatchObject({ days: 40, message: expect.stringContaining('has not been evaluated by any SDK for 40 days') });
    expect(unused.find((f) => f.flag === 'never')!.message).toContain('has not been evaluated by any SDK for 30 days or more');

    // --unused-days moves the limit: 50 days spares `idle` (40) but not `never` (created 90 days ago).
    const longer = JSON.parse((await runCli(['lint', '--env', 'production', '--unused-days', '50', '--json'], env)).stdout) as typeof report;
    expect(longer.findings.filter((f) => f.rule === 'not-evaluated').map((f) => f.flag)).toEqual(['never']);
    expect((await runCli(['lint', '--env', 'production', '--unused-days', 'soon'], env)).code).toBe(2);
  });
});
