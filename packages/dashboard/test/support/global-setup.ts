import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Browser tests run the BUILT app (what the service ships). `pnpm test` builds it first; a lone run builds it here. */
export default function setup(): void {
  if (existsSync(path.join(PACKAGE, 'dist/index.html')) && process.env.HALYARD_DASHBOARD_REBUILD !== '1') return;
  const result = spawnSync('pnpm', ['exec', 'vite', 'build', '--logLevel', 'error'], { cwd: PACKAGE, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('@halyard/dashboard: vite build failed');
}
