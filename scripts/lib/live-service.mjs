// Drives a real `halyard serve` and the `halyard` CLI for `pnpm example:live` and the e2e tests: start the service,
// read the URL and the first admin token it prints, then create keys, import flags and toggle them with the CLI. Plain ESM + JSDoc so the
// script runs with bare `node` and the e2e tests (TypeScript) import it as is.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SERVER_PACKAGE = path.join(ROOT, 'packages/server');
const CLI = path.join(SERVER_PACKAGE, 'src/cli.ts');

/**
 * `halyard …` from the sources, the same as the root `pnpm halyard` script: TypeScript through tsx, workspace
 * packages through their `@halyard/source` export condition. No build needed.
 * @param {string[]} args
 * @returns {{ command: string, args: string[] }}
 */
export function halyardCommand(args) {
  return { command: process.execPath, args: ['--conditions=@halyard/source', '--import', TSX, CLI, ...args] };
}

// `--import tsx` would resolve from the working directory; resolving it from packages/server (which depends on tsx)
// works from any cwd, so relative paths in arguments stay relative to the caller.
const TSX = pathToFileURL(createRequire(path.join(SERVER_PACKAGE, 'package.json')).resolve('tsx')).href;

/**
 * Runs one `halyard …` command to completion.
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, cwd?: string }} [options]
 * @returns {Promise<{ code: number | null, stdout: string, stderr: string, exitedAt: number }>} `exitedAt`: Date.now() when the process exited
 */
export function runHalyard(args, options = {}) {
  const { command, args: argv } = halyardCommand(args);
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { cwd: options.cwd ?? ROOT, env: { ...process.env, FORCE_COLOR: '0', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr, exitedAt: Date.now() }));
  });
}

/**
 * @typedef {object} RunningService
 * @property {string} url        e.g. http://127.0.0.1:4242
 * @property {string} adminToken the first admin token (hy_admin_…), printed once on a fresh data directory
 * @property {() => string} logs everything the service printed
 * @property {() => Promise<void>} stop SIGTERM, then SIGKILL after 5 s
 */

/**
 * Starts `halyard serve` on a fresh data directory (embedded PGlite) and waits for its URL and first admin token.
 * @param {{ dataDir: string, port?: number, logLevel?: string, onOutput?: (text: string) => void }} options
 * @returns {Promise<RunningService>}
 */
export function startService(options) {
  const { command, args } = halyardCommand([
    'serve',
    '--port',
    String(options.port ?? 0),
    '--data-dir',
    options.dataDir,
    '--log-level',
    options.logLevel ?? 'warn',
  ]);
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let exited = false;
  const gone = new Promise((resolve) => child.once('exit', () => resolve(undefined)));
  child.once('exit', () => (exited = true));
  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    // Generous: a first start (tsx compile, PGlite's WASM initdb) took over 60 s on a loaded 2-core machine.
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`halyard serve did not print its URL and admin token within 120 s:\n${output}`));
    }, 120_000);
    const onData = (/** @type {Buffer} */ chunk) => {
      const text = chunk.toString();
      output += text;
      options.onOutput?.(text);
      const url = /listening on (https?:\/\/\S+)/.exec(output)?.[1];
      const adminToken = /\b(hy_admin_[A-Za-z0-9_-]+)/.exec(output)?.[1];
      if (url !== undefined && adminToken !== undefined) {
        clearTimeout(timer);
        resolve({ url, adminToken, logs: () => output, stop });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`halyard serve exited with ${code} before it was ready:\n${output}`));
    });
  });
}

/**
 * Runs `halyard …` against `service` (as HALYARD_URL / HALYARD_TOKEN); throws with its output when it fails.
 * @param {{ url: string, token: string }} service
 * @param {string[]} args
 */
export async function halyard(service, args) {
  const result = await runHalyard(args, { env: { HALYARD_URL: service.url, HALYARD_TOKEN: service.token } });
  if (result.code !== 0) throw new Error(`halyard ${args.join(' ')} exited with ${result.code}:\n${result.stdout}${result.stderr}`);
  return result;
}

/**
 * `halyard keys create`: an SDK key (`sdk`, servers: the whole ruleset) or a client key (`client`, browsers:
 * evaluation only) of one environment.
 * @param {{ url: string, token: string }} service
 * @param {{ type: 'sdk' | 'client', environment?: string, name: string }} key
 * @returns {Promise<string>} the token, shown only once
 */
export async function createKey(service, key) {
  const { stdout } = await halyard(service, ['keys', 'create', '--type', key.type, '--env', key.environment ?? 'development', '--name', key.name]);
  const token = /^hy_(sdk|client)_\S+/m.exec(stdout)?.[0];
  if (token === undefined) throw new Error(`halyard keys create printed no token:\n${stdout}`);
  return token;
}
