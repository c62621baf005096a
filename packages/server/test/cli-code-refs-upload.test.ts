import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HalyardServer } from '../src/index';
import { call, createStorage, startServer, type TestStorage } from './helpers';
import { cleanEnv, runCli } from './cli';

// `halyard code-refs --env --upload` against a real service (PostgreSQL and PGlite, port 0): the references land in the
// service, a second upload replaces them, and the flag's code-refs endpoint shows them grouped by repository.

describe.each(['postgres', 'pglite'] as const)('halyard code-refs --upload (%s)', { timeout: 180_000 }, (backend) => {
  let storage: TestStorage;
  let server: HalyardServer;
  let dir: string;
  let env: Record<string, string>;
  let admin: string;
  const environment = 'development';

  beforeAll(async () => {
    storage = createStorage(backend);
    server = await startServer(storage, { authFailureLimit: 0 });
    admin = server.bootstrapToken!;
    for (const key of ['checkout-theme', 'old-banner']) {
      const created = await call(server.url, 'POST', `/api/v1/environments/${environment}/flags`, {
        token: admin,
        body: { key, definition: { variants: { on: true, off: false }, enabled: true, defaultServe: { variant: 'on' } } },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
    }
    dir = mkdtempSync(join(tmpdir(), 'halyard-code-refs-upload-'));
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src/theme.tsx'), "import { useFlag } from '@halyard/react';\nexport const a = useFlag('checkout-theme');\nexport const b = useFlag('old-banner');\n");
    env = cleanEnv({ HOME: dir, HALYARD_URL: server.url, HALYARD_TOKEN: admin, HALYARD_CONFIG: join(dir, 'unused-config.json') });
  });

  afterAll(async () => {
    await server?.close();
    await storage?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const refsOf = async (flag: string) => {
    const got = await call(server.url, 'GET', `/api/v1/environments/${environment}/flags/${flag}/code-refs`, { token: admin });
    expect(got.status, JSON.stringify(got.body)).toBe(200);
    return got.body;
  };

  it('uploads, shows the references per flag, and a second upload replaces them; audited with counts', async () => {
    const first = await runCli(['code-refs', join(dir, 'src'), '--env', environment, '--upload', '--repo', 'web-app', '--branch', 'main', '--commit', 'abc123', '--json'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).uploaded).toEqual({ repo: 'web-app', references: 2, removed: 0, flags: 2 });
    const theme = await refsOf('checkout-theme');
    expect(theme).toMatchObject({ flag: 'checkout-theme', repos: [{ repo: 'web-app', branch: 'main', commit: 'abc123', references: [{ line: 2, column: expect.any(Number) }] }] });
    expect(theme.repos[0].references[0].file).toContain('theme.tsx');
    expect(Date.parse(theme.repos[0].uploadedAt)).not.toBeNaN();
    expect((await refsOf('old-banner')).repos).toHaveLength(1);

    writeFileSync(join(dir, 'src/theme.tsx'), "import { useFlag } from '@halyard/react';\nexport const a = useFlag('checkout-theme');\n");
    const second = await runCli(['code-refs', join(dir, 'src'), '--env', environment, '--upload', '--repo', 'web-app', '--branch', 'main', '--commit', 'def456'], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('Uploaded 1 reference of repository web-app');
    expect((await refsOf('old-banner')).repos).toEqual([]);
    expect((await refsOf('checkout-theme')).repos[0]).toMatchObject({ commit: 'def456', references: [{ line: 2 }] });

    const audit = await call(server.url, 'GET', `/api/v1/audit?action=code-refs.replace`, { token: admin });
    expect(audit.status).toBe(200);
    expect(audit.body.entries).toHaveLength(2);
    expect(audit.body.entries.map((e: { after: unknown }) => e.after)).toContainEqual({ branch: 'main', commit: 'def456', references: 1, removed: 2, flags: 1 });
  });

  it('takes the repository name, branch and commit from git when not given', async () => {
    const repoDir = join(dir, 'shop-frontend');
    mkdirSync(join(repoDir, 'src'), { recursive: true });
    writeFileSync(join(repoDir, 'src/a.ts'), "export const on = client.isEnabled('checkout-theme');\n");
    const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
    for (const args of [['init', '-q', '-b', 'trunk'], ['add', '.'], ['commit', '-q', '-m', 'x']]) execFileSync('git', ['-C', repoDir, ...args], { env: gitEnv });
    const sha = execFileSync('git', ['-C', repoDir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    const result = await runCli(['code-refs', join(repoDir, 'src'), '--env', environment, '--upload', '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).uploaded).toMatchObject({ repo: 'shop-frontend', references: 1 });
    const repos = (await refsOf('checkout-theme')).repos as Array<{ repo: string }>;
    expect(repos.find((r) => r.repo === 'shop-frontend')).toMatchObject({ branch: 'trunk', commit: sha });
  });

  it('a viewer token cannot upload (403); an invalid body is a 400 with the path; --upload needs --env', async () => {
    const viewer = await call(server.url, 'POST', '/api/v1/keys', { token: admin, body: { type: 'admin', role: 'viewer', name: 'code-refs viewer' } });
    expect(viewer.status).toBe(201);
    const refused = await call(server.url, 'PUT', `/api/v1/environments/${environment}/code-refs/web-app`, { token: viewer.body.token, body: { references: [] } });
    expect(refused.status).toBe(403);
    expect((await call(server.url, 'GET', `/api/v1/environments/${environment}/flags/checkout-theme/code-refs`, { token: viewer.body.token })).status).toBe(200);

    const bad = await call(server.url, 'PUT', `/api/v1/environments/${environment}/code-refs/web-app`, {
      token: admin,
      body: { references: [{ flag: 'checkout-theme', file: 'x'.repeat(501), line: 1 }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.problems[0]).toMatchObject({ path: '$.references[0].file' });
    // Nothing half-written: the earlier upload is still there.
    expect(((await refsOf('checkout-theme')).repos as Array<{ repo: string }>).find((r) => r.repo === 'web-app')).toMatchObject({ commit: 'def456', references: [{ line: 2 }] });

    const usage = await runCli(['code-refs', join(dir, 'src'), '--document', join(dir, 'flags.json'), '--upload'], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--upload needs --env <env>');
  });
});
