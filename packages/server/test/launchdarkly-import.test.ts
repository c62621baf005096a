import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEvaluator, parseDefinitions } from '@halyard/core';
import { importLaunchDarkly, launchdarklyBucketing, launchdarklyContext } from '@halyard/launchdarkly';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HalyardServer } from '../src/index';
import { cleanEnv, runCli } from './cli';
import { call, createKey, createStorage, startServer, type TestStorage } from './helpers';

// `halyard import --from launchdarkly` against a real service, then the service evaluating the imported flags for
// browsers (POST /sdk/v1/evaluate, which needs the `launchdarkly` bucketing the service registers) compared with an
// in-process evaluator given `launchdarklyBucketing` — which packages/launchdarkly's conformance test compares with
// LaunchDarkly's own SDK on the same fixture.

const FIXTURE = new URL('../../launchdarkly/test/fixtures/launchdarkly-flags.json', import.meta.url).pathname;

describe('halyard import --from launchdarkly', { timeout: 180_000 }, () => {
  let storage: TestStorage;
  let server: HalyardServer;
  let admin: string;
  let dir: string;

  beforeAll(async () => {
    storage = createStorage('postgres');
    server = await startServer(storage, { authFailureLimit: 0 });
    admin = server.bootstrapToken!;
    dir = mkdtempSync(join(tmpdir(), 'halyard-ld-'));
  });

  afterAll(async () => {
    await server?.close();
    await storage?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('imports a LaunchDarkly payload with its warnings; the service serves LaunchDarkly buckets to browsers', async () => {
    const env = cleanEnv({ HOME: dir, HALYARD_URL: server.url, HALYARD_TOKEN: admin, HALYARD_CONFIG: join(dir, 'unused-config.json') });
    const imported = await runCli(['import', '--from', 'launchdarkly', FIXTURE, '--env', 'production'], env);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/flags\s+20 created/);
    expect(imported.stderr).toMatch(/\$\.segments\["big"\]: big segments/);

    const { document } = importLaunchDarkly(JSON.parse(readFileSync(FIXTURE, 'utf8')));
    const parsed = parseDefinitions(document);
    if (!parsed.ok) throw new Error('the imported fixture does not parse');
    const local = createEvaluator(parsed.definitions, { bucketing: [launchdarklyBucketing] });
    const client = await createKey(server.url, admin, { type: 'client', environment: 'production', name: 'shop' });
    const served = new Set<string>();
    for (let i = 0; i < 150; i++) {
      const ld = i % 3 === 0
        ? { kind: 'multi', user: { key: `user-${i}`, country: ['US', 'FR', 'DE'][i % 3] }, org: { key: `org-${i % 5}`, plan: 'pro', name: `Org ${i}` } }
        : { kind: 'user', key: `user-${i}`, email: `u${i}@${['example.com', 'acme.io'][i % 2]}`, age: i % 90, country: ['US', 'CA', 'FR', 'DE'][i % 4] };
      const context = launchdarklyContext(ld);
      const response = await call(server.url, 'POST', '/sdk/v1/evaluate', { token: client, body: { context } });
      expect(response.status).toBe(200);
      const flags = response.body.flags as Record<string, { value: unknown; variant?: string }>;
      for (const key of ['rollout-fallthrough', 'experiment', 'rule-rollout', 'split-repeat', 'segment-flag']) {
        const details = local.getDetails(key, null as never, context);
        expect(flags[key], `${key} ${JSON.stringify(ld)}`).toMatchObject({ value: details.value });
        served.add(`${key}=${JSON.stringify(details.value)}`);
      }
    }
    // Both rollouts' variations were served (the service buckets with the launchdarkly algorithm, not an error).
    for (const v of ['"control"', '"blue"', '"green"']) expect(served).toContain(`rollout-fallthrough=${v}`);
    for (const v of ['"control"', '"treatment"']) expect(served).toContain(`experiment=${v}`);
  });
});
