#!/usr/bin/env node
import { main } from './internal/cli/main';

// exitCode, not process.exit(): output written to a pipe is flushed before the process ends, and `serve` keeps
// running after main() resolves.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`halyard: ${(error as Error)?.message ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
