#!/usr/bin/env node
// `pnpm example:live`: the Next.js example on the live flag service, in one command.
//
//   pnpm example:live                 start `halyard serve` (PGlite in a temporary directory), create a server SDK
//                                     key, import apps/next-example/flags.json, build and start the example
//   pnpm example:live --skip-build    reuse the last `next build`
//   HALYARD_URL=… HALYARD_TOKEN=hy_admin_… pnpm example:live
//                                     use a running service instead (the import sets the example's four flags to
//                                     flags.json's definitions, other flags are kept); HALYARD_SDK_KEY=hy_sdk_…
//                                     skips creating a key, and without HALYARD_TOKEN nothing is imported
//
// PORT (default 3000) is the app's port, HALYARD_PORT (default 4242, or any free one) the service's.
// Then toggle a flag from another terminal with the command it prints: open pages change within a second.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, createKey, halyard, startService } from './lib/live-service.mjs';

const app = path.join(ROOT, 'apps/next-example');
const next = path.join(app, 'node_modules/next/dist/bin/next');
const flagsFile = path.join(app, 'flags.json');
const port = process.env.PORT ?? '3000';
const environment = 'development';

const cleanups = [];
let exiting = false;
async function exit(code) {
  if (exiting) return;
  exiting = true;
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => void exit(0));

function fail(message) {
  console.error(`example:live: ${message}`);
  return exit(1);
}

function run(command, args, cwd, env = process.env) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`))));
  });
}

function portIsFree(candidate) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(candidate, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

// 1. The service: the one given, or a fresh one.
let service;
let started = false;
if (process.env.HALYARD_URL) {
  service = { url: process.env.HALYARD_URL.replace(/\/+$/, ''), token: process.env.HALYARD_TOKEN };
  if (!service.token && !process.env.HALYARD_SDK_KEY) {
    await fail('HALYARD_URL is set: also set HALYARD_TOKEN (an admin token, to create a key and import the flags) or HALYARD_SDK_KEY (hy_sdk_…)');
  }
} else {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'halyard-example-'));
  cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  const wanted = Number(process.env.HALYARD_PORT ?? 4242);
  console.log(`› starting the flag service (PGlite in ${dataDir})…`);
  try {
    const running = await startService({ dataDir, port: (await portIsFree(wanted)) ? wanted : 0 });
    cleanups.push(() => running.stop());
    service = { url: running.url, token: running.adminToken };
    started = true;
  } catch (error) {
    await fail(error.message);
  }
}

// 2. A server SDK key and the example's flags.
let sdkKey = process.env.HALYARD_SDK_KEY;
try {
  if (!sdkKey) {
    sdkKey = await createKey(service, { type: 'sdk', environment, name: 'next-example (pnpm example:live)' });
    console.log(`› created a server SDK key for "${environment}"`);
  }
  if (service.token) {
    // Merge: the file's flags are created or set to the file's definitions, other flags are kept.
    const { stdout } = await halyard(service, ['import', '--from', 'file', flagsFile, '--env', environment]);
    console.log(`› halyard import --from file ${path.relative(ROOT, flagsFile)}\n${stdout.trimEnd()}`);
  }
} catch (error) {
  await fail(error.message);
}

// 3. The example, built once (the flag source is chosen at start, from the environment).
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', HALYARD_URL: service.url, HALYARD_SDK_KEY: sdkKey };
if (!process.argv.includes('--skip-build')) {
  try {
    console.log('› building @halyard/core, @halyard/react, @halyard/next (tsup)…');
    await run('pnpm', ['--filter', '@halyard/core', '--filter', '@halyard/react', '--filter', '@halyard/next', 'run', 'build'], ROOT);
    console.log('› next build (apps/next-example)…');
    await run(process.execPath, [next, 'build'], app);
  } catch (error) {
    await fail(error.message);
  }
}

const server = spawn(process.execPath, [next, 'start', '-p', port], { cwd: app, env, stdio: ['ignore', 'pipe', 'inherit'] });
cleanups.push(
  () =>
    new Promise((resolve) => {
      if (server.exitCode !== null) return resolve();
      server.once('exit', () => resolve());
      server.kill('SIGTERM');
    }),
);
let announced = false;
server.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  if (announced || !/Ready|started server/i.test(chunk.toString())) return;
  announced = true;
  const auth = service.token ? `HALYARD_URL=${service.url} HALYARD_TOKEN=${service.token}` : `HALYARD_URL=${service.url} HALYARD_TOKEN=<admin token>`;
  console.log(`
  Halyard example shop, flags from the service: http://localhost:${port}/checkout
  Flag service: ${service.url}${started ? ' (a fresh PGlite database, deleted when you stop this)' : ''}${started ? `\n  Admin token: ${service.token}` : ''}

  In another terminal, flip the AI recommendations kill switch; the open page follows within a second:
    ${auth} pnpm halyard flags toggle ai-recommendations --off
  (--on brings it back; without either it flips.)
`);
});
server.on('exit', (code) => void exit(code ?? 0));
