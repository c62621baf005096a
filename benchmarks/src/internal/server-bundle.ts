import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const SERVER_DIR = fileURLToPath(new URL('../../../packages/server/', import.meta.url));

/**
 * Bundles `halyard` (packages/server/src/cli.ts) into one ES module that plain `node` runs, for the benchmarks
 * that measure the service as its own process (`pnpm bench:server`). Returns the file's path.
 */
export async function bundleServerCli(): Promise<string> {
  // Inside the server package's node_modules, so the external npm dependencies resolve from there.
  const outdir = join(SERVER_DIR, 'node_modules', '.cache', 'halyard-bench');
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, 'cli.mjs');
  const manifest = JSON.parse(readFileSync(join(SERVER_DIR, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
  await build({
    entryPoints: [join(SERVER_DIR, 'src', 'cli.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@halyard/source'],
    // Every npm dependency of the server stays external, as when installed; only workspace packages it depends on
    // are bundled. Optional peers (@halyard/lifecycle, which brings the TypeScript compiler for `halyard cleanup`)
    // stay external too: the published server loads them only when such a command runs, and bundling them would
    // add ~70 MB to the measured RSS of a server that never uses them.
    external: [
      ...Object.entries(manifest.dependencies)
        .filter(([, version]) => !version.startsWith('workspace:'))
        .map(([name]) => name),
      ...Object.keys(manifest.peerDependencies ?? {}),
    ],
    // Bundled workspace packages bring the CommonJS code of their own npm dependencies (@halyard/stats → @stdlib →
    // debug, which requires `tty`). An ES module has no `require` for esbuild's shim to call, so give it one.
    banner: { js: "import { createRequire as __halyardCreateRequire } from 'node:module'; const require = __halyardCreateRequire(import.meta.url);" },
    logLevel: 'error',
  });
  return outfile;
}
