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
 * TypeScript too) and waits until it prints its URL.
 */
export async function startCli(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<CliProcess> {
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
