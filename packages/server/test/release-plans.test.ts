import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HalyardServer } from '../src/index';
import { cleanEnv, runCli } from './cli';
import { booleanFlag, call, createKey, createStorage, startServer, type TestStorage } from './helpers';

// Release plans over HTTP on real PostgreSQL, with two service instances sharing the database: exactly one stepper.
describe('release plans (HTTP, PostgreSQL, two instances)', () => {
  let storage: TestStorage;
  let a: HalyardServer;
  let b: HalyardServer;
  let admin: string;
  let viewer: string;
  const flag = { ...booleanFlag(), defaultServe: { variant: 'off' } };

  beforeAll(async () => {
    storage = createStorage('postgres');
    a = await startServer(storage, { releasePlans: { tickMs: 100 } });
    b = await startServer(storage, { releasePlans: { tickMs: 100 } });
    admin = a.bootstrapToken!;
    viewer = await createKey(a.url, admin, { type: 'admin', role: 'viewer', name: 'viewer' });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await storage?.drop();
  });

  it('viewers read, editors write; both instances tick and each step is written exactly once', async () => {
    await call(a.url, 'POST', '/api/v1/environments/development/flags', { token: admin, body: { key: 'multi', definition: flag } });
    const body = { schedule: { kind: 'steps', steps: [10, 20, 30, 40, 100].map((percentage) => ({ percentage, holdMs: percentage === 100 ? 0 : 300 })) }, guardrails: [], onBreach: 'rollback' };
    expect((await call(a.url, 'POST', '/api/v1/environments/development/flags/multi/release-plan', { token: viewer, body })).status).toBe(403);
    const bad = await call(a.url, 'POST', '/api/v1/environments/development/flags/multi/release-plan', { token: admin, body: { ...body, schedule: { kind: 'steps', steps: [{ percentage: 50, holdMs: 1 }, { percentage: 20, holdMs: 1 }] } } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('$.schedule.steps[1].percentage');
    const started = await call(a.url, 'POST', '/api/v1/environments/development/flags/multi/release-plan', { token: admin, body });
    expect(started.status).toBe(201);
    expect((await call(b.url, 'POST', '/api/v1/environments/development/flags/multi/release-plan', { token: admin, body })).status).toBe(409);
    const deadline = Date.now() + 30_000;
    let plan = started.body;
    while (plan.status === 'active' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      plan = (await call(b.url, 'GET', '/api/v1/environments/development/flags/multi/release-plan', { token: viewer })).body;
    }
    expect(plan).toMatchObject({ status: 'completed', percentage: 100 });
    const audit = await call(a.url, 'GET', '/api/v1/audit?flag=multi&limit=100', { token: admin });
    const rollouts = audit.body.entries.filter((e: { action: string }) => e.action === 'flag.rollout');
    // One write per step (10, 20, 30, 40, 100), however many instances tick: no step applied twice.
    expect(rollouts).toHaveLength(5);
    expect(rollouts.every((e: { actor: { name: string } }) => e.actor.name === 'release-plan')).toBe(true);
    const planAudit = await call(a.url, 'GET', '/api/v1/audit?resourceType=release-plan&limit=100', { token: admin });
    expect(planAudit.body.entries.map((e: { action: string }) => e.action).reverse()).toEqual(['release-plan.start', 'release-plan.advanced', 'release-plan.advanced', 'release-plan.advanced', 'release-plan.completed']);
    const openapi = await call(a.url, 'GET', '/openapi.json');
    expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(['/api/v1/environments/{env}/flags/{key}/release-plan', '/api/v1/environments/{env}/schedules']));
  });

  it('the CLI starts, shows, pauses, resumes and aborts a plan, and schedules changes', async () => {
    await call(a.url, 'POST', '/api/v1/environments/development/flags', { token: admin, body: { key: 'cli-plan', definition: flag } });
    const dir = mkdtempSync(join(tmpdir(), 'halyard-cli-plans-'));
    const env = cleanEnv({ HOME: dir, HALYARD_URL: a.url, HALYARD_TOKEN: admin, HALYARD_CONFIG: join(dir, 'none.json') });
    try {
      const start = await runCli(['rollouts', 'start', 'cli-plan', '--steps', '5,50,100', '--hold', '1h', '--max-error-rate', '2%', '--min-sample', '50'], env);
      expect(start.stderr).toBe('');
      expect(start.stdout).toContain('now at 5%');
      await runCli(['rollouts', 'pause', 'cli-plan'], env);
      const status = await runCli(['rollouts', 'status', 'cli-plan'], env);
      expect(status.stdout).toMatch(/cli-plan in development: paused at 5% — step 1 of 3 \(5% → 50% → 100%\)/);
      expect(status.stdout).toContain('GUARDRAILS');
      expect(status.stdout).toContain('TIMELINE');
      expect((await runCli(['rollouts', 'resume', 'cli-plan', '--json'], env)).stdout).toContain('"status": "active"');
      expect((await runCli(['rollouts', 'abort', 'cli-plan'], env)).stdout).toContain('aborted at 0%');
      const added = await runCli(['schedule', 'add', 'cli-plan', '+7d', 'rollout', '25', '--json'], env);
      const id = JSON.parse(added.stdout).id as string;
      expect((await runCli(['schedule', 'list'], env)).stdout).toMatch(/cli-plan\s+set-rollout 25%\s+pending/);
      expect((await runCli(['schedule', 'cancel', id], env)).stdout).toContain('Cancelled');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
