import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HalyardServer } from '../src/index';
import { call, createStorage, startServer, type TestStorage } from './helpers';
import { cleanEnv, runCli } from './cli';

// `halyard lint`, `codegen`, `code-refs` and `cleanup` against a real service (PostgreSQL, port 0): --env reads
// the environment's flags with their timestamps instead of a document file.

describe.concurrent('halyard lifecycle commands with --env', { timeout: 180_000 }, () => {
  let storage: TestStorage;
  let server: HalyardServer;
  let dir: string;
  let env: Record<string, string>;
  const environment = 'development';

  beforeAll(async () => {
    storage = createStorage('postgres');
    server = await startServer(storage, { authFailureLimit: 0 });
    const admin = server.bootstrapToken!;
    const flags = {
      'old-banner': { owner: 'growth', expiresAt: '2025-01-31', variants: { on: true, off: false }, enabled: true, defaultServe: { variant: 'on' } },
      'checkout-theme': { owner: 'web', variants: { dark: 'dark-theme', light: 'light-theme' }, enabled: true, defaultServe: { split: [{ variant: 'dark', weight: 1 }, { variant: 'light', weight: 1 }] } },
    };
    for (const [key, definition] of Object.entries(flags)) {
      const created = await call(server.url, 'POST', `/api/v1/environments/${environment}/flags`, { token: admin, body: { key, definition } });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
    }
    dir = mkdtempSync(join(tmpdir(), 'halyard-cli-lifecycle-'));
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src/theme.tsx'), "import { useVariant } from '@halyard/react';\nexport const Theme = () => (useVariant('checkout-theme') === 'dark' ? <Dark /> : <Light />);\n");
    env = cleanEnv({ HOME: dir, HALYARD_URL: server.url, HALYARD_TOKEN: admin, HALYARD_CONFIG: join(dir, 'unused-config.json') });
  });

  afterAll(async () => {
    await server?.close();
    await storage?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lint --env fails on the expired flag and, with the service timestamps, warns on one variant served to everyone', async () => {
    const result = await runCli(['lint', '--env', environment, '--stale-days', '0', '--json'], env);
    expect(result.code, result.stderr).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ source: `environment ${environment}`, errors: 1, flags: 2 });
    expect(report.findings.map((f: { flag: string; rule: string }) => `${f.flag} ${f.rule}`)).toEqual(['old-banner expired', 'old-banner single-variant']);
  });

  it('the admin API lists each flag with its lifecycle status, by the same rules', async () => {
    const list = await call(server.url, 'GET', `/api/v1/environments/${environment}/flags`, { token: env.HALYARD_TOKEN });
    expect(list.status).toBe(200);
    const byKey = Object.fromEntries(list.body.flags.map((f: { key: string; lifecycle: unknown }) => [f.key, f.lifecycle]));
    expect(byKey['old-banner']).toMatchObject({ status: 'expired', findings: [{ rule: 'expired', severity: 'error', message: expect.stringContaining('owner growth') }] });
    // The test server runs events: no SDK evaluated it yet (lastEvaluatedAt null), but the flag is new, so no finding.
    expect(byKey['checkout-theme']).toEqual({ status: 'active', findings: [], lastEvaluatedAt: null });
  });

  it('lint without a file or --env is a usage error', async () => {
    const result = await runCli(['lint'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('lint needs a flags document or --env <env>');
  });

  it('codegen --env writes the declaration of the environment', async () => {
    const out = join(dir, 'flags.d.ts');
    const result = await runCli(['codegen', '--env', environment, '--out', out], env);
    expect(result.code, result.stderr).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toContain(`// run \`halyard codegen --env ${environment} --out ${out}\``);
    expect(text).toContain('"checkout-theme": "dark-theme" | "light-theme";');
    expect((await runCli(['codegen', '--env', environment, '--out', out, '--check'], env)).code).toBe(0);
  });

  it('code-refs --env checks the code against the service; cleanup --env takes the variant value from it', async () => {
    const refs = await runCli(['code-refs', join(dir, 'src'), '--env', environment, '--json'], env);
    expect(refs.code, refs.stderr).toBe(0);
    expect(JSON.parse(refs.stdout)).toMatchObject({ unknown: [], expired: [], unused: ['old-banner'] });

    const cleaned = await runCli(['cleanup', 'checkout-theme', '--keep', 'dark', join(dir, 'src'), '--env', environment, '--json'], env);
    expect(cleaned.code, cleaned.stderr).toBe(0);
    expect(JSON.parse(cleaned.stdout)).toMatchObject({ flag: 'checkout-theme', keep: 'dark', value: 'dark-theme', written: false, changed: [{ reads: 1 }] });
    const typo = await runCli(['cleanup', 'checkout-thme', '--keep', 'dark', join(dir, 'src'), '--env', environment], env);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('no flag "checkout-thme" in environment development; did you mean "checkout-theme"?');
  });
});
