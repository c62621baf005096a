/**
 * `pnpm bench`: the evaluation benchmark (eval-bench.ts), then the Express overhead benchmark
 * (express-bench.ts), each in its own process. Arguments go to both (each ignores options it does not know),
 * so `pnpm bench --quick` smoke-tests both; `pnpm bench:eval` / `pnpm bench:express` run one.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);

function run(nodeFlags: string[], file: string): number {
  const script = fileURLToPath(new URL(file, import.meta.url));
  const child = spawnSync(process.execPath, [...nodeFlags, '--conditions=@halyard/source', '--import', 'tsx', script, ...args], {
    stdio: 'inherit',
  });
  return child.status ?? 1;
}

const evaluation = run(['--expose-gc'], './eval-bench.ts');
console.log('');
const express = run([], './express-bench.ts');
process.exit(evaluation || express);
