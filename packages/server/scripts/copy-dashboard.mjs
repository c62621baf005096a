// Ships the built dashboard inside @halyard/server: copies packages/dashboard/dist to dist/dashboard (after
// tsup, which cleans dist/) and writes a .br and a .gz beside every compressible file at the highest levels, so
// the service compresses nothing at start or per request (routes/dashboard-assets.ts reads them).
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const source = resolve(here, '../../dashboard/dist');
const target = resolve(here, '../dist/dashboard');
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.map', '.svg', '.txt', '.webmanifest', '.ico', '.wasm']);
const MIN_BYTES = 512;

if (!existsSync(join(source, 'index.html'))) {
  console.error(`@halyard/server: no built dashboard at ${source}; run \`pnpm --dir packages/dashboard build\` first (turbo does it: turbo.json orders @halyard/dashboard#build before @halyard/server#build)`);
  process.exit(1);
}
rmSync(target, { recursive: true, force: true });
cpSync(source, target, { recursive: true });

let files = 0;
let raw = 0;
let brotli = 0;
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (COMPRESSIBLE.has(extname(name))) {
      const body = readFileSync(path);
      if (body.length < MIN_BYTES) continue;
      const br = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } });
      writeFileSync(`${path}.br`, br);
      writeFileSync(`${path}.gz`, gzipSync(body, { level: 9 }));
      files++;
      raw += body.length;
      brotli += br.length;
    }
  }
};
walk(target);
console.log(`dashboard → dist/dashboard: ${files} files precompressed, ${(raw / 1024).toFixed(1)} KiB → ${(brotli / 1024).toFixed(1)} KiB brotli`);
