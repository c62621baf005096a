#!/usr/bin/env node
// The packed-package consumer test: what a user gets from the registry, tried outside the monorepo.
//
// Packs every published package (`packages/*` not private) with `pnpm pack`, as a registry would get it
// (workspace:* rewritten to versions), installs the tarballs with npm into scratch apps under os.tmpdir(), and
// there imports and requires every entry point, renders with @halyard/testing/react under vitest on React 18 and
// 19, uses @halyard/testing without vitest (plain Node ESM and CJS, node --test, Jest), starts the flag service
// from its tarball and loads the dashboard it ships, and type-checks one use of every export plus a `Register`
// augmentation with tsc. The monorepo's own tests read `src/` through the
// `@halyard/source` condition, so only this test sees the published `dist/`, `exports` and dependency lists.
//
// `node packed/run.mjs` builds first (turbo, cached); `scripts/test.mjs` calls `runPackedChecks` after its build.
// Options: --no-build, --keep (keep the scratch directory), --root <dir> (another checkout, e.g. to try an old one).
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const fixtures = fileURLToPath(new URL('fixtures/', import.meta.url));

/** Exact versions: what the monorepo itself uses (React 18 and Jest apart). */
const VERSIONS = {
  vitest: '4.1.12',
  jsdom: '29.0.1',
  '@testing-library/react': '16.3.3',
  '@testing-library/dom': '10.4.2',
  typescript: '5.9.3',
  '@types/node': '20.19.9',
  jest: '30.5.2',
};
const REACT = {
  18: { react: '18.3.1', 'react-dom': '18.3.1' },
  19: { react: '19.3.1', 'react-dom': '19.3.1', '@types/react': '19.3.0', '@types/react-dom': '19.3.0' },
};
/** Peers of the published packages that the full app installs so every entry point can load. */
const PEERS = {
  next: '16.4.6',
  express: '5.3.0',
  '@types/express': '5.0.6',
  '@openfeature/core': '1.12.0',
  '@openfeature/server-sdk': '1.23.0',
  '@openfeature/web-sdk': '1.10.0',
};
const INSTALL_TIMEOUT = 600_000;
const RUN_TIMEOUT = 180_000;

/** Runs a command; resolves with its status and combined output (never rejects). */
function exec(cmd, args, { cwd, timeout = RUN_TIMEOUT, env = {} }) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      output += `\n[packed] timed out after ${timeout / 1000} s`;
      child.kill('SIGKILL');
    }, timeout);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ ok: status === 0, status, output });
    });
  });
}

/** The published packages of a checkout: name, directory, version and entry points from `exports`. */
export function publishedPackages(root) {
  return readdirSync(join(root, 'packages'))
    .filter((dir) => existsSync(join(root, 'packages', dir, 'package.json')))
    .map((dir) => ({ dir: join(root, 'packages', dir), manifest: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => !manifest.private)
    .map(({ dir, manifest }) => {
      const entries = Object.entries(manifest.exports ?? { '.': { import: manifest.module, require: manifest.main } })
        .filter(([subpath]) => !subpath.endsWith('.json'))
        .map(([subpath, target]) => {
          const conditions = typeof target === 'string' ? ['default'] : Object.keys(target);
          return {
            spec: manifest.name + subpath.slice(1),
            esm: conditions.includes('import') || conditions.includes('default'),
            cjs: conditions.includes('require') || conditions.includes('default'),
          };
        });
      return { name: manifest.name, version: manifest.version, dir, entries };
    });
}

function tarballName(pkg) {
  return `${pkg.name.replace('@', '').replace('/', '-')}-${pkg.version}.tgz`;
}

/** package.json of a scratch app: the tarballs (and overrides, so their own @halyard deps use them too) plus `deps`. */
function writeApp(dir, tarballs, deps) {
  mkdirSync(dir, { recursive: true });
  const files = Object.fromEntries(tarballs.map((pkg) => [pkg.name, `file:../tarballs/${tarballName(pkg)}`]));
  const overrides = Object.fromEntries(tarballs.map((pkg) => [pkg.name, `$${pkg.name}`]));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `halyard-packed-${dir.split('/').pop()}`, private: true, type: 'module', dependencies: { ...files, ...deps }, overrides }, null, 2));
}

function npmInstall(dir) {
  return exec('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', '--no-package-lock'], { cwd: dir, timeout: INSTALL_TIMEOUT });
}

function copyFixture(name, dir, as = name) {
  copyFileSync(join(fixtures, name), join(dir, as));
}

const tsconfig = (moduleResolution) => ({
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2022', 'DOM', 'DOM.Iterable'],
    module: moduleResolution === 'bundler' ? 'ESNext' : 'Node16',
    moduleResolution: moduleResolution === 'bundler' ? 'bundler' : 'node16',
    strict: true,
    noEmit: true,
    // Off on purpose: the published .d.ts files themselves must compile in a strict consumer (errors inside other
    // libraries' own declarations, e.g. Next's need for lib ESNext, are filtered out by `ownTypeErrors`).
    skipLibCheck: false,
    types: ['node'],
    jsx: 'react-jsx',
  },
  // A CommonJS consumer is its own program: one mixing ESM and CJS importers of @halyard/express would load its
  // global `Express.Request` augmentation twice (from index.d.ts and index.d.cts).
  files: moduleResolution === 'node16-cjs' ? ['uses.cts'] : ['uses.ts', 'registered.tsx'],
});

/** tsc's result counting only errors in the app's files and in @halyard/* declarations. */
function ownTypeErrors(tsc) {
  const errors = tsc.output.split('\n').filter((line) => /^[^\s(]+\(\d+,\d+\): error /.test(line));
  const own = errors.filter((line) => !line.startsWith('node_modules/') || line.startsWith('node_modules/@halyard/'));
  const failedToRun = !tsc.ok && errors.length === 0;
  return { ok: own.length === 0 && !failedToRun, output: failedToRun ? tsc.output : own.join('\n') };
}

/**
 * Runs every check; `check(label, ok, detail)` is called once per check (scripts/test.mjs counts them).
 * Returns the number of failed checks.
 */
export async function runPackedChecks({ root, check, keep = false }) {
  const started = Date.now();
  let failures = 0;
  let last = started;
  const report = (label, result) => {
    if (!result.ok) failures++;
    const now = Date.now();
    console.log(`[packed] ${label}: ${((now - last) / 1000).toFixed(1)} s`);
    last = now;
    check(`packed: ${label}`, result.ok, result.ok ? '' : result.output.trim().split('\n').slice(-40).join('\n'));
  };
  const work = mkdtempSync(join(tmpdir(), 'halyard-packed-'));
  try {
    const packages = publishedPackages(root);
    const missingDist = packages.filter((pkg) => !existsSync(join(pkg.dir, 'dist')));
    const tarballs = join(work, 'tarballs');
    mkdirSync(tarballs);
    const packed = await Promise.all(packages.map((pkg) => exec('pnpm', ['pack', '--pack-destination', tarballs], { cwd: pkg.dir })));
    const problems = packed.filter((r) => !r.ok).map((r) => r.output);
    if (missingDist.length) problems.push(`not built (run the build first): ${missingDist.map((p) => p.name).join(', ')}`);
    for (const pkg of packages) {
      const file = join(tarballs, tarballName(pkg));
      if (!existsSync(file)) continue;
      const manifest = spawnSync('tar', ['-xzOf', file, 'package/package.json'], { encoding: 'utf8' }).stdout;
      if (manifest.includes('workspace:')) problems.push(`${pkg.name}: packed package.json still has workspace: ranges`);
    }
    const names = packages.map((p) => p.name).join(', ');
    report(`pack ${packages.length} published packages (${names})`, { ok: problems.length === 0, output: problems.join('\n') });
    if (problems.length) return failures;

    const byName = (...list) => packages.filter((p) => list.includes(p.name));
    const full = join(work, 'react19');
    const react18 = join(work, 'react18');
    const plain = join(work, 'plain');
    const testTools = { vitest: VERSIONS.vitest, jsdom: VERSIONS.jsdom, '@testing-library/react': VERSIONS['@testing-library/react'], '@testing-library/dom': VERSIONS['@testing-library/dom'] };
    // Every package with React 19 and every peer; React 18 cannot take @halyard/next (Next 16 needs React 19).
    writeApp(full, packages, { ...REACT[19], ...testTools, ...PEERS, typescript: VERSIONS.typescript, '@types/node': VERSIONS['@types/node'] });
    writeApp(react18, byName('@halyard/core', '@halyard/react', '@halyard/testing'), { ...REACT[18], ...testTools });
    // No vitest, no React: what a Jest or node:test user of createTestClient has.
    writeApp(plain, byName('@halyard/core', '@halyard/testing'), { jest: VERSIONS.jest });
    const installs = await Promise.all([full, react18, plain].map(npmInstall));
    const installed = installs.map((r, i) => {
      report(`npm install the tarballs (${['React 19 + every peer', 'React 18', 'Jest, no vitest, no React'][i]})`, r);
      return r.ok;
    });

    if (installed[0]) {
      const entries = packages.flatMap((p) => p.entries);
      // Entries that register tests need their runner: they are imported by the runner checks below instead.
      const runnerOnly = new Set(['@halyard/testing/vitest']);
      const esm = entries.filter((e) => e.esm && !runnerOnly.has(e.spec)).map((e) => e.spec);
      const cjs = entries.filter((e) => e.cjs && !runnerOnly.has(e.spec)).map((e) => e.spec);
      const loader = (load) =>
        `let failed = 0;\nfor (const spec of ${JSON.stringify(load === 'import' ? esm : cjs)}) {\n  try {\n    const m = ${load === 'import' ? 'await import(spec)' : 'require(spec)'};\n    if (Object.keys(m).length === 0) throw new Error('no exports');\n  } catch (error) {\n    failed++;\n    console.error(\`✗ ${load} \${spec}: \${String(error?.message ?? error).split('\\n')[0]}\`);\n  }\n}\nif (failed) process.exit(1);\n`;
      writeFileSync(join(full, 'entries.mjs'), loader('import'));
      writeFileSync(join(full, 'entries.cjs'), loader('require'));
      report(`import (ESM) every entry point: ${esm.length}`, await exec('node', ['entries.mjs'], { cwd: full }));
      report(`require (CJS) every entry point: ${cjs.length}`, await exec('node', ['entries.cjs'], { cwd: full }));
      copyFixture('serve-dashboard.mjs', full);
      report('a service from the installed @halyard/server answers GET / with the dashboard it ships', await exec('node', ['serve-dashboard.mjs'], { cwd: full }));

      copyFixture('generate-type-uses.mjs', full);
      copyFixture('registered.tsx', full);
      const generated = await exec('node', ['generate-type-uses.mjs', ...entries.map((e) => e.spec)], { cwd: full });
      // The three programs are independent: run them side by side.
      const resolutions = ['node16', 'node16-cjs', 'bundler'];
      const runs = resolutions.map((resolution) => {
        writeFileSync(join(full, `tsconfig.${resolution}.json`), JSON.stringify(tsconfig(resolution), null, 2));
        return generated.ok ? exec(join(full, 'node_modules/.bin/tsc'), ['-p', `tsconfig.${resolution}.json`], { cwd: full }) : generated;
      });
      for (const [i, resolution] of resolutions.entries()) {
        const what = resolution === 'node16-cjs' ? 'node16, from CommonJS: every export of every entry' : `${resolution}: every export of every entry + Register`;
        report(`tsc 5.9 strict, moduleResolution ${what}`, generated.ok ? ownTypeErrors(await runs[i]) : generated);
      }
    }

    const renders = [[0, full, '19'], [1, react18, '18']].filter(([i]) => installed[i]).map(([, dir, major]) => {
      copyFixture('render.test.tsx', dir);
      writeFileSync(join(dir, 'vitest.config.mjs'), "export default { test: { include: ['render.test.tsx'] } };\n");
      return [major, exec(join(dir, 'node_modules/.bin/vitest'), ['run'], { cwd: dir, env: { EXPECTED_REACT_MAJOR: major, CI: '1' } })];
    });
    for (const [major, run] of renders) report(`render with @halyard/testing/react under vitest, React ${major}`, await run);

    if (installed[2]) {
      copyFixture('plain-client.mjs', plain);
      copyFixture('plain-client.cjs', plain);
      copyFixture('node-test-states.test.mjs', plain);
      report('@halyard/testing client helpers from plain Node without vitest (ESM)', await exec('node', ['plain-client.mjs'], { cwd: plain }));
      report('@halyard/testing client helpers from CommonJS', await exec('node', ['plain-client.cjs'], { cwd: plain }));
      const nodeTest = await exec('node', ['--test', '--test-reporter=tap', 'node-test-states.test.mjs'], { cwd: plain });
      // Four suites (two per flag) must have run, so a silently empty run fails too.
      const suites = (nodeTest.output.match(/^ok \d+ - when /gm) ?? []).length;
      report('forEachFlagState from @halyard/testing/node-test under node --test', { ok: nodeTest.ok && suites === 4, output: nodeTest.output });
      copyFixture('jest-states.test.cjs', plain);
      const jest = await exec(join(plain, 'node_modules/.bin/jest'), ['--ci', '--testMatch', '**/jest-states.test.cjs', '--json', '--outputFile=jest.json'], { cwd: plain });
      const jestReport = existsSync(join(plain, 'jest.json')) ? JSON.parse(readFileSync(join(plain, 'jest.json'), 'utf8')) : {};
      report('forEachFlagState from @halyard/testing (global describe) under Jest', { ok: jest.ok && jestReport.numPassedTests === 4, output: jest.output });
    }
    return failures;
  } finally {
    console.log(`[packed] ${((Date.now() - started) / 1000).toFixed(0)} s${keep ? `, kept ${work}` : ''}`);
    if (!keep) rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const rootArg = args.indexOf('--root');
  const root = rootArg >= 0 ? args[rootArg + 1] : fileURLToPath(new URL('..', import.meta.url));
  if (!args.includes('--no-build')) {
    const build = spawnSync('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=./packages/*', '--output-logs=errors-only'], { cwd: root, stdio: 'inherit', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } });
    if (build.status !== 0) process.exit(1);
  }
  let passed = 0;
  let failed = 0;
  await runPackedChecks({
    root,
    keep: args.includes('--keep'),
    check(label, ok, detail) {
      if (ok) passed++;
      else failed++;
      console.log(`${ok ? '✓' : '✗'} ${label}${detail ? `\n${detail.replace(/^/gm, '    ')}` : ''}`);
    },
  });
  console.log(`\n${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}
