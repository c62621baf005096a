import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvaluator, createFlagClient, parseDefinitions, type EvaluationContext, type FlagsDocument } from '@halyard/core';
import { createUnleashAdapter } from '@halyard/unleash';
import { fileSource } from '@halyard/core/node';
import type { HalyardServer } from '../src/index';
import { call, createStorage, startServer, type TestStorage } from './helpers';
import { cleanEnv, runCli, type CliResult } from './cli';

// The real `halyard` CLI, spawned from source, against a real service (PostgreSQL, port 0). The tests touch
// separate flags, environments and config files, so they run concurrently: each spawn mostly waits for tsx to start.

const require = createRequire(import.meta.url);
const FIXTURE = new URL('./fixtures/unleash-features.json', import.meta.url).pathname;

describe.concurrent('halyard CLI', { timeout: 180_000 }, () => {
  let storage: TestStorage;
  let server: HalyardServer;
  let admin: string;
  let dir: string;
  let env: Record<string, string>;
  const ESC = '\u001b[';

  /** Runs with the service URL and admin token in the environment, as scripts and CI do. */
  const halyard = (args: string[], extra: Record<string, string | undefined> = {}, input?: string): Promise<CliResult> => {
    const merged = { ...env };
    for (const [name, value] of Object.entries(extra)) {
      if (value === undefined) delete merged[name];
      else merged[name] = value;
    }
    return runCli(args, merged, input);
  };
  const json = (result: CliResult) => {
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout);
  };
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return path;
  };
  const documentOf = async (environment: string): Promise<FlagsDocument> => (await call(server.url, 'GET', `/api/v1/environments/${environment}/document`, { token: admin })).body;

  beforeAll(async () => {
    storage = createStorage('postgres');
    server = await startServer(storage, { authFailureLimit: 0 });
    admin = server.bootstrapToken!;
    dir = mkdtempSync(join(tmpdir(), 'halyard-cli-'));
    // HOME in a temporary directory: the default config path must never be the developer's own.
    env = cleanEnv({ HOME: dir, HALYARD_URL: server.url, HALYARD_TOKEN: admin, HALYARD_CONFIG: join(dir, 'unused-config.json') });
  });

  afterAll(async () => {
    await server?.close();
    await storage?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('has help for every command and exits 2 on wrong usage', async () => {
    const [root, create, group, unknown, badOption, missingArg, extraArg] = await Promise.all([
      halyard(['--help']),
      halyard(['flags', 'create', '--help']),
      halyard(['flags']),
      halyard(['flgs', 'list']),
      halyard(['flags', 'list', '--bogus']),
      halyard(['flags', 'rollout', 'x']),
      halyard(['validate', 'a.json', 'b.json']),
    ]);
    expect(root.code).toBe(0);
    for (const command of ['flags rollout <key> <percent>', 'segments create', 'keys revoke', 'audit', 'import <file>', 'export', 'validate <file>', 'login', 'serve']) {
      expect(root.stdout).toContain(command);
    }
    expect(create.code).toBe(0);
    expect(create.stdout).toMatch(/Usage: halyard flags create <key> \[options\]/);
    expect(create.stdout).toContain('--boolean');
    expect(group.code).toBe(2);
    expect(group.stderr).toMatch(/"halyard flags" needs a command/);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "flgs"/);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toMatch(/--bogus/);
    expect(badOption.stderr).toContain('halyard flags list --help');
    expect(missingArg.code).toBe(2);
    expect(missingArg.stderr).toMatch(/needs <key> <percent>/);
    expect(extraArg.code).toBe(2);
  });

  it('login saves URL and token 0600 (XDG_CONFIG_HOME or HALYARD_CONFIG); other commands use it only for that URL', async () => {
    const configHome = join(dir, 'xdg');
    const loginEnv = { HALYARD_URL: undefined, HALYARD_TOKEN: undefined, HALYARD_CONFIG: undefined, XDG_CONFIG_HOME: configHome };
    const base = cleanEnv({ HOME: dir, XDG_CONFIG_HOME: configHome });
    const refused = await runCli(['login', '--url', server.url], base, 'hy_admin_not-a-real-token');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refused this token \(401\).*nothing was saved/);
    expect(existsSync(join(configHome, 'halyard', 'config.json'))).toBe(false);

    const ok = await runCli(['login', '--url', `${server.url}/`], base, `${admin}\n`);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/Logged in to .* as "bootstrap admin" \(role admin\)/);
    const path = join(configHome, 'halyard', 'config.json');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ url: server.url, token: admin });

    const explicit = join(dir, 'explicit', 'halyard.json');
    const [me, elsewhere, viaFlag] = await Promise.all([
      runCli(['whoami', '--json'], base),
      runCli(['whoami', '--url', 'http://127.0.0.1:9'], base),
      halyard(['login', '--token', admin, '--json'], { ...loginEnv, HALYARD_CONFIG: explicit, HALYARD_URL: server.url }),
    ]);
    expect(json(me)).toMatchObject({ url: server.url, name: 'bootstrap admin', role: 'admin' });
    // The saved token is never sent to another service.
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toMatch(/no admin token for http:\/\/127\.0\.0\.1:9: run `halyard login/);

    expect(json(viaFlag).config).toBe(explicit);
    expect(statSync(explicit).mode & 0o777).toBe(0o600);
    const logout = await runCli(['logout'], base);
    expect(logout.code).toBe(0);
    expect(existsSync(path)).toBe(false);
  });

  it('flags: create, list, get, toggle, rollout, update (with If-Match), archive, restore, delete', async () => {
    // Independent commands run side by side; `a` goes through the switch and rollout, `b` through archiving.
    const [created, createdB, invalid, missing] = await Promise.all([
      halyard(['flags', 'create', 'cli-a', '--boolean', '--description', 'From the CLI']),
      halyard(['flags', 'create', 'cli-b', '--boolean']),
      halyard(['flags', 'create', 'bad-flag', '--file', file('bad-flag.json', { variants: { on: true }, enabled: true, offVariant: 'off', defaultServe: { variant: 'on' } })]),
      halyard(['flags', 'get', 'no-such-flag']),
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/Created flag cli-a in development \(version 1\)/);
    expect(created.stdout).not.toContain(ESC);
    expect(createdB.code, createdB.stderr).toBe(0);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/\$\.flags\["bad-flag"\]\.offVariant: unknown variant "off"/);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Flag "no-such-flag" in environment "development" not found/);

    const [duplicate, list, get, rollout, badPercent, archived] = await Promise.all([
      halyard(['flags', 'create', 'cli-a', '--boolean']),
      halyard(['flags', 'list', '--json']),
      halyard(['flags', 'get', 'cli-a', '--json']),
      halyard(['flags', 'rollout', 'cli-a', '25%', '--json']),
      halyard(['flags', 'rollout', 'cli-a', '250']),
      halyard(['flags', 'archive', 'cli-b']),
    ]);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/flag cli-a already exists in development; change it with `halyard flags update cli-a/);
    // (cli-b is being archived meanwhile, so only cli-a is certain to be listed.)
    expect(json(list).flags.map((f: { key: string }) => f.key)).toContain('cli-a');
    expect(json(get)).toMatchObject({ key: 'cli-a', definition: { enabled: true, variants: { on: true, off: false }, description: 'From the CLI' } });
    expect(json(rollout).definition.defaultServe).toEqual({ split: [{ variant: 'on', percentage: 25 }, { variant: 'off', percentage: 75 }] });
    expect(badPercent.code).toBe(2);
    expect(archived.stdout).toMatch(/Archived cli-b/);

    const [off, afterArchive, withArchived, toggleArchived] = await Promise.all([
      halyard(['flags', 'toggle', 'cli-a', '--off']),
      halyard(['flags', 'list', '--json']),
      halyard(['flags', 'list', '--archived']),
      halyard(['flags', 'toggle', 'cli-b']),
    ]);
    expect(off.stdout).toMatch(/cli-a is off in development \(version 3\)/);
    expect(json(afterArchive).flags.map((f: { key: string }) => f.key)).not.toContain('cli-b');
    expect(withArchived.stdout).toMatch(/^KEY\s+STATE\s+SERVES\s+VERSION\s+UPDATED$/m);
    expect(withArchived.stdout).toMatch(/cli-b\s+archived/);
    expect(toggleArchived.code).toBe(1);
    expect(toggleArchived.stderr).toMatch(/flag cli-b is archived in development; restore it first: halyard flags restore cli-b/);

    const [flipped, restored] = await Promise.all([halyard(['flags', 'toggle', 'cli-a', '--json']), halyard(['flags', 'restore', 'cli-b'])]);
    expect(json(flipped).definition.enabled).toBe(true);
    expect(restored.code, restored.stderr).toBe(0);

    // update: the file from `get --json` carries its version, so a change made meanwhile is detected (412).
    const [snapshotRun, deleted] = await Promise.all([halyard(['flags', 'get', 'cli-a', '--json']), halyard(['flags', 'delete', 'cli-b', '--env', 'development'])]);
    const snapshot = json(snapshotRun);
    expect(deleted.code).toBe(0);
    expect((await call(server.url, 'GET', '/api/v1/environments/development/flags/cli-b', { token: admin })).status).toBe(404);
    const edited = file('cli-a.json', { ...snapshot, definition: { ...snapshot.definition, owner: 'team-checkout' } });
    expect((await call(server.url, 'POST', '/api/v1/environments/development/flags/cli-a/toggle', { token: admin, body: { enabled: false } })).status).toBe(200);
    const conflict = await halyard(['flags', 'update', 'cli-a', '--file', edited]);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toMatch(/someone else changed cli-a since version 4 of your file \(now version 5\)/);
    const updated = await halyard(['flags', 'update', 'cli-a', '-f', file('cli-a-bare.json', { ...snapshot.definition, owner: 'team-checkout' })]);
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.stdout).toMatch(/Updated flag cli-a in development \(version 6\)/);
  });

  it('segments: create, list, get, update, delete (refused while used)', async () => {
    const segmentFile = file('staff.json', { conditions: [{ attribute: 'email', operator: 'endsWith', values: ['@example.com'] }] });
    expect((await halyard(['segments', 'create', 'staff', '-f', segmentFile, '--env', 'staging'])).code).toBe(0);
    const user = {
      variants: { on: true, off: false },
      enabled: true,
      offVariant: 'off',
      rules: [{ conditions: [{ operator: 'inSegment', values: ['staff'] }], serve: { variant: 'on' } }],
      defaultServe: { variant: 'off' },
    };
    expect((await call(server.url, 'POST', '/api/v1/environments/staging/flags', { token: admin, body: { key: 'staff-only', definition: user } })).status).toBe(201);
    const [list, get, duplicate, refused] = await Promise.all([
      halyard(['segments', 'list', '--env', 'staging']),
      halyard(['segments', 'get', 'staff', '--env', 'staging', '--json']),
      halyard(['segments', 'create', 'staff', '-f', segmentFile, '--env', 'staging']),
      halyard(['segments', 'delete', 'staff', '--env', 'staging']),
    ]);
    expect(list.stdout).toMatch(/staff\s+1 condition\s+1/);
    expect(json(get).definition.conditions).toHaveLength(1);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/segment staff already exists in staging/);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/unknown segment "staff"|staff/);
    const update = await halyard(['segments', 'update', 'staff', '-f', file('staff2.json', { included: ['u-1'] }), '--env', 'staging']);
    expect(update.code, update.stderr).toBe(0);
    expect(update.stdout).toMatch(/Updated segment staff in staging \(version 2\)/);
    expect((await call(server.url, 'DELETE', '/api/v1/environments/staging/flags/staff-only', { token: admin })).status).toBe(204);
    expect((await halyard(['segments', 'delete', 'staff', '--env', 'staging'])).code).toBe(0);
  });

  it('keys: create prints only the token on stdout, list, revoke by prefix', async () => {
    const created = await halyard(['keys', 'create', '--name', 'cli service', '--env', 'production']);
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^hy_sdk_[A-Za-z0-9_-]+$/);
    expect(created.stderr).toMatch(/shown once/);
    expect((await call(server.url, 'GET', '/sdk/v1/definitions', { token })).status).toBe(200);

    const [list, noRole, unknown] = await Promise.all([
      halyard(['keys', 'list', '--env', 'production', '--json']),
      halyard(['keys', 'create', '--type', 'admin', '--name', 'x']),
      halyard(['keys', 'revoke', 'hy_sdk_nothing']),
    ]);
    const keys = json(list).keys as Array<{ name: string; prefix: string; environment: string }>;
    expect(keys.map((k) => k.name)).toEqual(['cli service']);
    expect(noRole.code).toBe(2);
    expect(unknown.code).toBe(1);
    const revoked = await halyard(['keys', 'revoke', keys[0]!.prefix]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect((await call(server.url, 'GET', '/sdk/v1/definitions', { token })).status).toBe(401);
  });

  it('audit: filters by flag, actor, time; JSON for scripts', async () => {
    const flags = '/api/v1/environments/development/flags';
    expect((await call(server.url, 'POST', flags, { token: admin, body: { key: 'audited', definition: { variants: { on: true, off: false }, enabled: true, offVariant: 'off', defaultServe: { variant: 'on' } } } })).status).toBe(201);
    expect((await call(server.url, 'POST', `${flags}/audited/toggle`, { token: admin, body: { enabled: false } })).status).toBe(200);
    const [flagOnly, recent, badSince, table] = await Promise.all([
      halyard(['audit', '--flag', 'audited', '--json']),
      halyard(['audit', '--actor', 'bootstrap admin', '--since', '10m', '--limit', '2', '--json']),
      halyard(['audit', '--since', 'yesterday-ish']),
      halyard(['audit', '--flag', 'audited']),
    ]);
    expect(json(flagOnly).entries.map((e: { action: string }) => e.action)).toEqual(['flag.toggle', 'flag.create']);
    expect(json(recent).entries).toHaveLength(2);
    expect(badSince.code).toBe(2);
    expect(table.stdout).toMatch(/flag\.toggle\s+development\s+audited\s+enabled: true → false/);
  });

  it('fails clearly: unreachable service, bad token, no token, JSON errors', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createNetServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const [unreachable, badToken, noToken, jsonError] = await Promise.all([
      halyard(['flags', 'list', '--url', `http://127.0.0.1:${port}`]),
      halyard(['flags', 'list', '--token', 'hy_admin_wrong']),
      halyard(['flags', 'list'], { HALYARD_TOKEN: undefined, HALYARD_URL: 'http://127.0.0.1:4242' }),
      halyard(['flags', 'get', 'nope', '--json']),
    ]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain(`cannot reach http://127.0.0.1:${port}: is \`halyard serve\` running?`);
    expect(badToken.code).toBe(1);
    expect(badToken.stderr).toMatch(/refused the token \(401/);
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toMatch(/no admin token for http:\/\/127\.0\.0\.1:4242/);
    expect(jsonError.code).toBe(1);
    expect(jsonError.stdout).toBe('');
    expect(JSON.parse(jsonError.stderr).error).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('colours only on request (FORCE_COLOR) and never with NO_COLOR', async () => {
    const definition = { variants: { on: true, off: false }, enabled: true, offVariant: 'off', defaultServe: { variant: 'on' } };
    expect((await call(server.url, 'POST', '/api/v1/environments/development/flags', { token: admin, body: { key: 'colourful', definition } })).status).toBe(201);
    const [plain, forced, vetoed] = await Promise.all([
      halyard(['flags', 'list']),
      halyard(['flags', 'list'], { FORCE_COLOR: '1' }),
      halyard(['flags', 'list'], { FORCE_COLOR: '1', NO_COLOR: '1' }),
    ]);
    expect(plain.stdout).not.toContain(ESC);
    expect(forced.stdout).toContain(ESC);
    expect(vetoed.stdout).not.toContain(ESC);
  });

  it('validate: every problem with its path, exit 1; valid files exit 0', async () => {
    const bad = file('invalid.json', {
      schemaVersion: 1,
      flags: { a: { variants: { x: 1, y: 'two' }, enabled: true, offVariant: 'z', defaultServe: { variant: 'x' } } },
      extra: true,
    });
    const good = file('valid.json', { schemaVersion: 1, flags: { a: { variants: { on: true, off: false }, enabled: true, offVariant: 'off', defaultServe: { variant: 'on' } } } });
    const [invalid, invalidJson, notJson, valid, missing] = await Promise.all([
      halyard(['validate', bad], { HALYARD_URL: 'http://127.0.0.1:9', HALYARD_TOKEN: undefined }),
      halyard(['validate', bad, '--json']),
      halyard(['validate', file('broken.json', '{ "schemaVersion": 1, ')]),
      halyard(['validate', good]),
      halyard(['validate', join(dir, 'nope.json')]),
    ]);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toContain('$.extra:');
    expect(invalid.stdout).toContain('$.flags["a"].offVariant:');
    expect(invalid.stdout).toContain('$.flags["a"].variants["y"]:');
    expect(invalid.stderr).toMatch(/3 problems/);
    expect(invalidJson.code).toBe(1);
    expect(JSON.parse(invalidJson.stdout).problems).toHaveLength(3);
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toMatch(/is not valid JSON/);
    expect(valid.code).toBe(0);
    expect(valid.stdout).toMatch(/valid \(1 flag, 0 segments\)/);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no such file/);
  });

  describe.sequential('import and export', () => {
    const contexts: EvaluationContext[] = Array.from({ length: 400 }, (_, i) => ({
      userId: `user-${i}`,
      sessionId: `session-${i}`,
      plan: ['free', 'pro', 'enterprise'][i % 3],
      country: ['DE', 'FR', 'US', 'NL'][i % 4],
      email: i % 5 === 0 ? `p${i}@example.com` : `p${i}@else.org`,
    }));
    /** Every flag × context: value, variant and reason, as the core evaluator answers. */
    const evaluations = (document: FlagsDocument) => {
      const parsed = parseDefinitions(document);
      expect(parsed.problems).toBeUndefined();
      const evaluator = createEvaluator(parsed.definitions!);
      return evaluator.keys().flatMap((key) =>
        contexts.map((context) => {
          const { value, variant, reason } = evaluator.getDetails(key, null, context);
          return `${key} ${context.userId} ${JSON.stringify(value)} ${variant} ${reason}`;
        }),
      );
    };

    it('imports an Unleash export; users keep the buckets and variants unleash-client gives them', async () => {
      const dry = await halyard(['import', '--from', 'unleash', FIXTURE, '--env', 'production', '--dry-run']);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toMatch(/Dry run/);
      expect(Object.keys((await documentOf('production')).flags)).toEqual([]);

      const imported = await halyard(['import', '--from', 'unleash', FIXTURE, '--env', 'production']);
      expect(imported.code, imported.stderr).toBe(0);
      expect(imported.stdout).toMatch(/flags\s+7 created/);
      expect(imported.stderr).toMatch(/warning \$\.features\[6\]\.strategies\[0\]\.name: .*myCustomStrategy/);
      expect(imported.stderr).toMatch(/feature "Recherche Nouvelle" is flag "u:Recherche:20Nouvelle"/);

      // The real Unleash SDK evaluating the same payload (in-memory repository) vs the service's stored flags.
      const payload = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { features: Array<{ name: string }>; segments: Array<{ id: number }> };
      const { default: UnleashClient } = require('unleash-client/lib/client') as { default: new (...args: unknown[]) => any };
      const { defaultStrategies } = require('unleash-client/lib/strategy') as { defaultStrategies: unknown[] };
      const features = new Map(payload.features.map((f) => [f.name, f]));
      const segments = new Map(payload.segments.map((s) => [s.id, s]));
      const unleash = new UnleashClient({ getToggle: (n: string) => features.get(n), getSegment: (id: number) => segments.get(id) }, defaultStrategies);
      unleash.on('error', () => {});
      unleash.on('warn', () => {});
      const served = createEvaluator(parseDefinitions(await documentOf('production')).definitions!);
      const halyardAdapter = createUnleashAdapter(served);
      let enabled = 0;
      let total = 0;
      const variants = new Set<string>();
      for (const feature of payload.features) {
        for (let i = 0; i < 300; i++) {
          const context = { userId: `user-${i}`, sessionId: `s-${i}`, properties: { plan: ['free', 'pro'][i % 2]!, country: ['DE', 'NL', 'US'][i % 3]! } };
          const expectedEnabled = unleash.isEnabled(feature.name, context, () => false) as boolean;
          expect(halyardAdapter.isEnabled(feature.name, context), `${feature.name} ${context.userId}`).toBe(expectedEnabled);
          const expectedVariant = unleash.getVariant(feature.name, context) as { name: string; enabled: boolean; payload?: unknown };
          const variant = halyardAdapter.getVariant(feature.name, context);
          expect({ name: variant.name, enabled: variant.enabled, payload: variant.payload }, `${feature.name} ${context.userId}`).toEqual({
            name: expectedVariant.name,
            enabled: expectedVariant.enabled,
            payload: expectedVariant.payload,
          });
          enabled += expectedEnabled ? 1 : 0;
          total++;
          variants.add(variant.name);
        }
      }
      // Both paths are exercised: rollouts put some users in and some out; every variant is served.
      expect(enabled).toBeGreaterThan(total * 0.2);
      expect(enabled).toBeLessThan(total * 0.8);
      expect([...variants]).toEqual(expect.arrayContaining(['control', 'cheaper', 'bundle', 'disabled']));

      const again = json(await halyard(['import', '--from', 'unleash', FIXTURE, '--env', 'production', '--json']));
      expect(again).toMatchObject({ changed: false, flags: { created: [], updated: [], unchanged: 7 } });
      expect(again.keys['Recherche Nouvelle']).toBe('u:Recherche:20Nouvelle');
    });

    it('export → edit → validate → import round-trips: the same evaluations, loadable by fileSource', async () => {
      const exportedPath = join(dir, 'production.json');
      const exported = await halyard(['export', '--env', 'production', '-o', exportedPath]);
      expect(exported.code, exported.stderr).toBe(0);
      expect(exported.stdout).toMatch(/Exported 7 flags and 1 segment from production/);
      const original = await documentOf('production');
      const file0 = JSON.parse(readFileSync(exportedPath, 'utf8')) as FlagsDocument;
      expect(evaluations(file0)).toEqual(evaluations(original));

      // fileSource (GitOps without the service) loads the exported file and answers the same.
      const client = createFlagClient({ source: fileSource(exportedPath, { watch: false, pollInterval: 0 }) });
      await client.ready();
      const viaFile = contexts.slice(0, 50).map((c) => JSON.stringify(client.getDetails('pricing-experiment', null, c)));
      client.close();
      expect(viaFile).toEqual(contexts.slice(0, 50).map((c) => JSON.stringify(createEvaluator(parseDefinitions(original).definitions!).getDetails('pricing-experiment', null, c))));

      // Into an empty environment: identical document, identical evaluations.
      expect((await call(server.url, 'POST', '/api/v1/environments', { token: admin, body: { key: 'gitops' } })).status).toBe(201);
      const copy = await halyard(['import', exportedPath, '--env', 'gitops', '--replace']);
      expect(copy.code, copy.stderr).toBe(0);
      const gitops = await documentOf('gitops');
      expect({ ...gitops, version: 0 }).toEqual({ ...original, version: 0 });
      expect(evaluations(gitops)).toEqual(evaluations(original));

      // Edit the file: switch a flag on, drop one, roll another out further; then apply with --replace.
      const edited = structuredClone(file0);
      edited.flags['legacy-search']!.enabled = true;
      delete edited.flags['custom-thing'];
      edited.flags['new-checkout'] = { variants: { on: true, off: false }, enabled: true, offVariant: 'off', defaultServe: { split: [{ variant: 'on', percentage: 60 }, { variant: 'off', percentage: 40 }] } };
      const editedPath = file('edited.json', edited);
      const [validated, dry] = await Promise.all([halyard(['validate', editedPath]), halyard(['import', editedPath, '--env', 'gitops', '--replace', '--dry-run', '--json'])]);
      expect(validated.code).toBe(0);
      expect(json(dry)).toMatchObject({ dryRun: true, flags: { updated: ['legacy-search', 'new-checkout'], deleted: ['custom-thing'] } });
      const applied = json(await halyard(['import', editedPath, '--env', 'gitops', '--replace', '--json']));
      expect(applied).toMatchObject({ changed: true, flags: { created: [], updated: ['legacy-search', 'new-checkout'], deleted: ['custom-thing'], unchanged: 4 } });
      const after = await documentOf('gitops');
      expect(evaluations(after)).toEqual(evaluations(edited));
      expect(evaluations(after)).not.toEqual(evaluations(original));

      // Export again: the file that was imported. A broken file is refused with its problems; nothing is written.
      const broken = file('broken-import.json', { ...edited, flags: { ...edited.flags, 'new-checkout': { ...edited.flags['new-checkout'], offVariant: 'nope' } } });
      const [reexported, refused] = await Promise.all([halyard(['export', '--env', 'gitops']), halyard(['import', broken, '--env', 'gitops'])]);
      expect(JSON.parse(reexported.stdout)).toEqual(JSON.parse(JSON.stringify(edited)));
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/not a valid flags document \(1 problem\); nothing was imported/);
      expect(refused.stderr).toContain('$.flags["new-checkout"].offVariant');
      expect((await documentOf('gitops')).version).toBe(after.version);
    });
  });
});
