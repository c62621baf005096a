#!/usr/bin/env node
// `pnpm test`: everything CI checks, in one command, ending with one `N passed, N failed` line.
// Steps: make sure Chromium and the local services are there, build the packages, typecheck every package,
// run every vitest project once, publint + arethetypeswrong on each published package, then the packed-package
// consumer test (packed/run.mjs: the tarballs installed with npm outside the workspace).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
process.chdir(root);
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', NEXT_TELEMETRY_DISABLED: '1', FORCE_COLOR: '0' };
const resultsDir = join(root, '.test-results');
mkdirSync(resultsDir, { recursive: true });

let passed = 0;
let failed = 0;
const failures = [];

function run(label, cmd, args, opts = {}) {
  console.log(`\n▶ ${label}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env, ...opts });
  return r.status === 0;
}

function check(label, ok) {
  if (ok) passed++;
  else {
    failed++;
    failures.push(label);
  }
  console.log(`${ok ? '✓' : '✗'} ${label}`);
}

function quiet(cmd, args) {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

// Browser tests need Debian's Chromium; never let a tool download its own browser.
if (!existsSync('/usr/bin/chromium') && quiet('sh', ['-c', 'command -v apt-get'])) {
  run('install chromium', 'sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null']);
}

// Integration tests talk to the real local PostgreSQL and Redis; start them if a machine has them stopped.
if (!quiet('pg_isready', ['-h', '127.0.0.1', '-p', '5432']) && quiet('sh', ['-c', 'command -v pg_ctlcluster'])) {
  run('start postgres', 'sh', ['-c', 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start']);
}
if (!quiet('redis-cli', ['-h', '127.0.0.1', 'ping']) && quiet('sh', ['-c', 'command -v redis-server'])) {
  run('start redis', 'sh', ['-c', 'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log']);
}

const packages = readdirSync(join(root, 'packages')).filter((d) => existsSync(join(root, 'packages', d, 'package.json')));

check('build packages', run('build', 'pnpm', ['exec', 'turbo', 'run', 'build', '--filter=./packages/*', '--output-logs=errors-only']));

for (const dir of packages) {
  const pkg = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
  if (pkg.scripts?.typecheck) check(`typecheck ${pkg.name}`, run(`typecheck ${pkg.name}`, 'pnpm', ['--dir', `packages/${dir}`, 'run', '--silent', 'typecheck']));
}

const vitestJson = join(resultsDir, 'vitest.json');
const unhandledJson = join(resultsDir, 'vitest-unhandled.json');
rmSync(unhandledJson, { force: true });
const vitestOk = run(
  'vitest',
  'pnpm',
  ['exec', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`, '--reporter=./scripts/lib/unhandled-errors-reporter.mjs'],
  { env: { ...env, HALYARD_UNHANDLED_ERRORS: unhandledJson } },
);
if (existsSync(vitestJson)) {
  const report = JSON.parse(readFileSync(vitestJson, 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  // A suite that fails to load has no failed tests but must still count.
  const brokenSuites = (report.testResults ?? []).filter((s) => s.status === 'failed' && (s.assertionResults ?? []).every((a) => a.status !== 'failed'));
  for (const s of brokenSuites) check(`load ${s.name.replace(root, '')}: ${(s.message ?? '').split('\n')[0]}`, false);
  for (const s of report.testResults ?? []) {
    for (const a of s.assertionResults ?? []) {
      if (a.status !== 'failed') continue;
      // The first lines of the failure travel with it: the summary is often all a CI log keeps.
      const why = (a.failureMessages ?? []).join('\n').split('\n').slice(0, 6).map((l) => `      ${l}`).join('\n');
      failures.push(`${s.name.replace(root, '')} › ${a.fullName}${why ? `\n${why}` : ''}`);
    }
  }
  // Errors outside any test fail the run too; name each one (where it surfaced, what it said).
  const unhandled = existsSync(unhandledJson) ? JSON.parse(readFileSync(unhandledJson, 'utf8')) : [];
  for (const e of unhandled) {
    const where = e.testFile ? ` in ${e.testFile.replace(root, '')}${e.testName ? ` › ${e.testName}` : ''}` : '';
    const stack = e.stack.split('\n').slice(1, 6).map((l) => `      ${l.trim()}`).join('\n');
    check(`unhandled ${e.name}${where}: ${e.message.split('\n')[0]}${stack ? `\n${stack}` : ''}`, false);
  }
  if (!vitestOk && report.numFailedTests === 0 && brokenSuites.length === 0 && unhandled.length === 0) check('vitest exit status', false);
} else {
  check('vitest produced a report', false);
}

for (const dir of packages) {
  const pkg = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
  if (pkg.private || !pkg.scripts?.['lint:package']) continue;
  check(`publint + attw ${pkg.name}`, run(`package lint ${pkg.name}`, 'pnpm', ['--dir', `packages/${dir}`, 'run', '--silent', 'lint:package']));
}

// What users install: every published package packed as a registry would, installed with npm into scratch apps
// outside the workspace, imported, required, rendered (React 18 and 19) and type-checked there (packed/run.mjs).
console.log('\n▶ packed packages: node packed/run.mjs');
const { runPackedChecks } = await import('../packed/run.mjs');
await runPackedChecks({
  root,
  check(label, ok, detail) {
    if (!ok && detail) console.log(detail.replace(/^/gm, '    '));
    check(label, ok);
  },
});

if (failures.length) {
  console.log('\nFailures:');
  for (const f of failures) console.log(`  ✗ ${f}`);
}
const summary = `${passed} passed, ${failed} failed`;
writeFileSync(join(resultsDir, 'summary.txt'), summary + '\n');
console.log(`\n${summary}`);
process.exit(failed === 0 ? 0 : 1);
