import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

export interface CliProcess {
  child: ChildProcess;
  url: string;
  /** Present only on the first start of an empty database. */
  token: string | undefined;
  stdout: () => string;
  exited: Promise<number | null>;
}

/**
 * Runs the real `halyard` CLI from source (tsx, with the @halyard/source condition so @halyard/core resolves to
 * TypeScript too) and waits until it prints its URL. The bound is generous on purpose: a first start on PGlite
 * (tsx compile plus WASM initdb) is a few CPU-seconds, and took over 60 s beside other test runs on 2 cores.
 */
export async function startCli(args: string[], env: Record<string, string>, timeoutMs = 120_000): Promise<CliProcess> {
  const child = spawn(process.execPath, ['--conditions=@halyard/source', '--import', 'tsx', 'src/cli.ts', 'serve', '--port', '0', ...args], {
    cwd: PACKAGE_DIR,
    env: { ...process.env, VITEST: '', HALYARD_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
    // The token line follows the URL line in the same write.
    if (url) return { child, url, token: /(hy_admin_[A-Za-z0-9_-]+)/.exec(out)?.[1], stdout: () => out, exited };
    if (child.exitCode !== null) throw new Error(`halyard exited with ${child.exitCode}: ${err}${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`halyard did not start within ${timeoutMs} ms: ${err}${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment every CLI run starts from: nothing of the developer's own setup leaks in. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || name.startsWith('HALYARD_') || ['NO_COLOR', 'FORCE_COLOR', 'XDG_CONFIG_HOME', 'VITEST', 'VITEST_POOL_ID', 'VITEST_WORKER_ID'].includes(name)) continue;
    env[name] = value;
  }
  for (const [name, value] of Object.entries(extra)) if (value !== undefined) env[name] = value;
  return env;
}

/** Runs one `halyard` command from source (tsx) to completion, like a user in a terminal (minus the TTY). */
export function runCli(args: string[], env: Record<string, string>, input?: string, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@halyard/source', '--import', 'tsx', 'src/cli.ts', ...args], {
      cwd: PACKAGE_DIR,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`halyard ${args.join(' ')} did not finish within ${timeoutMs} ms: ${stderr}${stdout}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin!.end(input ?? '');
  });
}
