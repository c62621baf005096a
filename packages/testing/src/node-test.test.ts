import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

describe('forEachFlagState from @halyard/testing/node-test', () => {
  it('registers one node:test suite per state, and node --test runs their tests', () => {
    const run = spawnSync(
      process.execPath,
      ['--conditions=@halyard/source', '--import', 'tsx', '--test', '--test-reporter=tap', 'test/fixtures/node-test-suite.ts'],
      { cwd: packageDir, encoding: 'utf8', timeout: 60_000 },
    );
    const lines = run.stdout.split('\n').map((line) => line.trim());
    const suites = lines.filter((line) => /^(not )?ok \d+ - when /.test(line)).map((line) => line.replace(/^(not )?ok \d+ - /, '$1'));
    expect(suites, run.stderr).toEqual([
      'when new-checkout is true',
      'when new-checkout is false',
      'when button-color is "blue"',
      'not when button-color is "green"',
    ]);
    expect(lines).toContain('# pass 4');
    expect(lines).toContain('# fail 1');
    expect(run.status).toBe(1);
  });
});
