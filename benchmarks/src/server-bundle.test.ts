import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { bundleServerCli } from './internal/server-bundle';

// `pnpm bench:server` runs this bundle as the service. It once failed at load ("Dynamic require of "tty" is not
// supported", from CommonJS code a bundled workspace package brought in), and only a benchmark run showed it.
describe('the bundled halyard CLI that pnpm bench:server runs', () => {
  it('loads every module and answers --help', async () => {
    const cli = await bundleServerCli();
    const run = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).not.toContain('Error');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('serve');
  }, 120_000);
});
