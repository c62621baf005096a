import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const ROOT = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
export const NEXT_APP = path.join(ROOT, 'apps/next-example');
export const EXPRESS_APP = path.join(ROOT, 'apps/express-example');
export const REACT_APP = path.join(ROOT, 'apps/react-example');

// A developer's own HALYARD_URL/HALYARD_SDK_KEY would switch the examples to the flag service: each test says
// which mode it starts.
const { HALYARD_URL: _url, HALYARD_SDK_KEY: _key, HALYARD_TOKEN: _token, ...AMBIENT } = process.env;
const BASE_ENV = { ...AMBIENT, NEXT_TELEMETRY_DISABLED: '1', FORCE_COLOR: '0' };

/** Where an example reads its flags: a flags.json file, or the flag service with a server SDK key. */
export type FlagsFrom = { file: string } | { service: string; sdkKey: string };

function flagsEnv(from: FlagsFrom): NodeJS.ProcessEnv {
  return 'file' in from ? { HALYARD_FLAGS_FILE: from.file } : { HALYARD_URL: from.service, HALYARD_SDK_KEY: from.sdkKey };
}

/** Runs a command to completion, failing with its output. */
export function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...BASE_ENV, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} (in ${options.cwd}) exited with ${code}:\n${output.slice(-4000)}`))));
  });
}

/**
 * Builds what the example apps run on: the packages Next consumes as built code (dist/, where the 'use client'
 * boundaries are), the Next app itself, and the React SPA. Runs once per vitest run (./global-setup.ts); one
 * build serves both flag modes, chosen by environment at start. Set E2E_SKIP_BUILD=1 to reuse earlier builds.
 */
export async function buildAll(): Promise<void> {
  if (process.env.E2E_SKIP_BUILD === '1') return;
  await run('pnpm', ['--filter', '@halyard/core', '--filter', '@halyard/react', '--filter', '@halyard/next', 'run', 'build'], { cwd: ROOT });
  await run(process.execPath, [path.join(NEXT_APP, 'node_modules/next/dist/bin/next'), 'build'], { cwd: NEXT_APP });
  await run(process.execPath, [path.join(REACT_APP, 'node_modules/vite/bin/vite.js'), 'build'], { cwd: REACT_APP });
}

export interface RunningApp {
  url: string;
  logs(): string;
  stop(): Promise<void>;
}

/**
 * Starts a long-running server in its own process group on port 0, reads the address it bound from the line
 * `listening` matches (group 1), and waits until `probe` answers there. Port 0, not a port found free beforehand:
 * between such a check and the app's own bind, a parallel test run could take the port (and answer the probe).
 */
async function startServer(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, listening: RegExp, probe: string): Promise<RunningApp> {
  const child: ChildProcess = spawn(command, args, { cwd, env: { ...BASE_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let exited = false;
  child.on('exit', () => (exited = true));
  const stop = async (): Promise<void> => {
    if (exited || child.pid === undefined) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5_000);
    await gone;
    clearTimeout(timer);
  };
  // Generous, like the service's start bound: tsx and Next start in seconds alone, far slower beside other runs.
  const deadline = Date.now() + 120_000;
  let base: string | undefined;
  for (;;) {
    if (exited) throw new Error(`${command} ${args.join(' ')} exited before answering:\n${output}`);
    // Colour codes stripped: vite's picocolors colours on any FORCE_COLOR, even the "0" BASE_ENV sets.
    base ??= listening.exec(output.replace(/\x1b\[[0-9;]*m/g, ''))?.[1]?.replace(/\/$/, '');
    if (base !== undefined) {
      try {
        const response = await fetch(`${base}${probe}`, { redirect: 'manual' });
        await response.arrayBuffer();
        return { url: base, logs: () => output, stop };
      } catch {
        // not answering yet
      }
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${base ?? command} did not answer ${probe} within 120 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export function startNext(from: FlagsFrom): Promise<RunningApp> {
  return startServer(
    process.execPath,
    [path.join(NEXT_APP, 'node_modules/next/dist/bin/next'), 'start', '-p', '0', '-H', '127.0.0.1'],
    NEXT_APP,
    { ...flagsEnv(from), NODE_ENV: 'production' },
    /Local:\s+(http:\/\/127\.0\.0\.1:\d+)/,
    '/favicon.svg',
  );
}

export function startExpress(from: FlagsFrom, options: { overrideSecret?: string; spaDir?: string } = {}): Promise<RunningApp> {
  return startServer(
    process.execPath,
    ['--conditions=@halyard/source', '--import', 'tsx', 'src/server.ts'],
    EXPRESS_APP,
    {
      ...flagsEnv(from),
      PORT: '0',
      // Signed overrides are a test-only switch: enabled here, never in the app's production configuration.
      ...(options.overrideSecret === undefined ? {} : { HALYARD_OVERRIDE_SECRET: options.overrideSecret }),
      SPA_DIR: options.spaDir ?? path.join(REACT_APP, 'dist'),
      NODE_ENV: 'test',
    },
    /listening on (http:\/\/127\.0\.0\.1:\d+)/,
    '/spa/',
  );
}

/** Builds the React SPA into `outDir` with extra (build-time) `VITE_*` variables. */
export async function buildSpa(outDir: string, env: NodeJS.ProcessEnv): Promise<void> {
  await run(process.execPath, [path.join(REACT_APP, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], { cwd: REACT_APP, env });
}

/** Serves a built SPA with `vite preview` (a static server, as any host of a backend-less SPA would be). */
export function startSpaPreview(outDir: string): Promise<RunningApp> {
  return startServer(
    process.execPath,
    [path.join(REACT_APP, 'node_modules/vite/bin/vite.js'), 'preview', '--outDir', outDir, '--port', '0', '--strictPort', '--host', '127.0.0.1'],
    REACT_APP,
    {},
    /Local:\s+(http:\/\/127\.0\.0\.1:\d+)/,
    '/',
  );
}
