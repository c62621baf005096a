import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GrowthBook } from '@growthbook/growthbook';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HalyardServer } from '../src/index';
import { cleanEnv, runCli } from './cli';
import { call, createKey, createStorage, startServer, type TestStorage } from './helpers';

// `halyard import --from growthbook` against a real service, then the service evaluating the imported flags for
// browsers (POST /sdk/v1/evaluate, which needs the GrowthBook bucketing the service registers) compared with the
// GrowthBook SDK on the same payload: a browser gets GrowthBook's buckets without carrying GrowthBook's hash.

const FIXTURE = new URL('./fixtures/growthbook-features.json', import.meta.url).pathname;

describe('halyard import --from growthbook', { timeout: 180_000 }, () => {
  let storage: TestStorage;
  let server: HalyardServer;
  let admin: string;
  let dir: string;

  beforeAll(async () => {
    storage = createStorage('postgres');
    server = await startServer(storage, { authFailureLimit: 0 });
    admin = server.bootstrapToken!;
    dir = mkdtempSync(join(tmpdir(), 'halyard-gb-'));
  });

  afterAll(async () => {
    await server?.close();
    await storage?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('imports a GrowthBook payload; the service serves GrowthBook buckets to browsers', async () => {
    const env = cleanEnv({ HOME: dir, HALYARD_URL: server.url, HALYARD_TOKEN: admin, HALYARD_CONFIG: join(dir, 'unused-config.json') });
    const imported = await runCli(['import', '--from', 'growthbook', FIXTURE, '--env', 'production'], env);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/flags\s+3 created/);

    const client = await createKey(server.url, admin, { type: 'client', environment: 'production', name: 'shop' });
    const { features } = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { features: Record<string, unknown> };
    const values = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const attributes: Record<string, unknown> = { id: `user-${i}`, plan: ['free', 'pro'][i % 2], country: ['US', 'DE', 'CA', 'FR'][i % 4] };
      if (i % 7 === 0) attributes.email = `qa${i}@example.com`;
      const response = await call(server.url, 'POST', '/sdk/v1/evaluate', { token: client, body: { context: attributes } });
      expect(response.status).toBe(200);
      const flags = response.body.flags as Record<string, { value: unknown; reason: string }>;
      const gb = new GrowthBook({ features: features as never, attributes });
      for (const key of Object.keys(features)) {
        const expected = gb.evalFeature(key).value;
        expect(flags[key], `${key} ${JSON.stringify(attributes)}`).toMatchObject({ value: expected });
        values.add(`${key}=${JSON.stringify(expected)}`);
      }
      gb.destroy();
    }
    // Every variation of every feature was served at least once.
    expect(values.size).toBe(3 + 2 + 2 + 1);
  });
});
