import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HalyardServer } from '../src/index';
import { cleanEnv, runCli } from './cli';
import { call, createKey, createStorage, startServer, type TestStorage } from './helpers';

// `halyard experiments results|size`, the real CLI spawned from source, against a real service (PostgreSQL).

describe.concurrent('halyard experiments', { timeout: 180_000 }, () => {
  let storage: TestStorage;
  let server: HalyardServer;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    storage = createStorage('postgres');
    server = await startServer(storage, { events: { flushMs: 100 } });
    const admin = server.bootstrapToken!;
    dir = mkdtempSync(join(tmpdir(), 'halyard-cli-exp-'));
    env = cleanEnv({ HOME: dir, HALYARD_URL: server.url, HALYARD_TOKEN: admin, HALYARD_CONFIG: join(dir, 'unused-config.json'), NO_COLOR: '1' });
    await call(server.url, 'POST', '/api/v1/environments/development/flags', {
      token: admin,
      body: {
        key: 'checkout',
        definition: {
          kind: 'experiment',
          variants: { control: false, treatment: true },
          enabled: true,
          offVariant: 'control',
          defaultServe: { split: [{ variant: 'control', weight: 50 }, { variant: 'treatment', weight: 50 }] },
          experiment: { control: 'control', metrics: { 'purchase-rate': { type: 'conversion', event: 'purchase' } }, primaryMetric: 'purchase-rate', startAt: new Date(Date.now() - 3_600_000).toISOString() },
        },
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const sdk = await createKey(server.url, admin, { type: 'sdk', name: 'app', environment: 'development' });
    const time = Date.now() - 60_000;
    const events = [];
    for (let i = 0; i < 200; i++) {
      events.push({ kind: 'exposure', flag: 'checkout', variant: i % 2 === 0 ? 'control' : 'treatment', unit: `u${i}`, time });
      if (i % 4 === 0 || i % 4 === 1 || i % 4 === 3) events.push({ kind: 'metric', name: 'purchase', unit: `u${i}`, time: time + 1000 });
    }
    await call(server.url, 'POST', '/sdk/v1/events', { token: sdk, body: { events } });
    await new Promise((resolve) => setTimeout(resolve, 600));
  });

  afterAll(async () => {
    await server?.close();
    await storage?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('prints the results as a table and as JSON', async () => {
    const text = await runCli(['experiments', 'results', 'checkout', '--env', 'development'], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/checkout in development: running; control control/);
    expect(text.stdout).toMatch(/SRM: not flagged/);
    expect(text.stdout).toMatch(/purchase-rate \(conversion, primary\)/);
    expect(text.stdout).toMatch(/control \(control\)\s+100\s+50\.00%/);
    expect(text.stdout).toMatch(/treatment\s+100\s+100\.00%\s+\+100\.00%/);
    const json = await runCli(['experiments', 'results', 'checkout', '--env', 'development', '--json'], env);
    expect(json.code, json.stderr).toBe(0);
    const body = JSON.parse(json.stdout);
    expect(body.metrics[0].variants[1]).toMatchObject({ variant: 'treatment', units: 100, value: 1 });
    const missing = await runCli(['experiments', 'results', 'nope', '--env', 'development'], env);
    expect(missing.code).toBe(1);
  });

  it('sizes an experiment, with duration, as text and JSON; wrong usage exits 2', async () => {
    const text = await runCli(['experiments', 'size', '--baseline', '0.05', '--mde', '10%', '--daily', '20000'], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/31,231 units per variant, 62,462 in total/);
    expect(text.stdout).toMatch(/4 days at 20,000 units a day/);
    const json = await runCli(['experiments', 'size', '--baseline', '5%', '--mde', '0.1', '--alpha', '0.05', '--power', '0.8', '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({ perVariant: 31231, total: 62462, mdeType: 'relative' });
    const wrong = await runCli(['experiments', 'size', '--baseline', '0.05'], env);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--mde/);
    const bad = await runCli(['experiments', 'size', '--baseline', '2', '--mde', '10%'], env);
    expect(bad.code).toBe(2);
    const help = await runCli(['experiments', 'size', '--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--baseline <rate>/);
  });
});
