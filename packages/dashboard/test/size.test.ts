import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_DIST } from './support/harness';

/** The first-load budget of issue #12: JavaScript a signed-in user downloads to see the flags list, gzipped. */
const BUDGET_BYTES = 150 * 1024;

interface ManifestChunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}
type Manifest = Record<string, ManifestChunk>;

const read = (file: string) => readFileSync(path.join(DASHBOARD_DIST, file));
const gzipped = (file: string) => gzipSync(read(file), { level: 9 }).length;

/** A chunk and everything it statically imports (what the browser must fetch before the module runs). */
function withStaticImports(manifest: Manifest, key: string, into: Set<string>): void {
  if (into.has(key)) return;
  const chunk = manifest[key];
  if (chunk === undefined) throw new Error(`@halyard/dashboard: manifest has no chunk ${key}; rebuild with \`pnpm --dir packages/dashboard run build\``);
  into.add(key);
  for (const imported of chunk.imports ?? []) withStaticImports(manifest, imported, into);
}

describe('first-load JavaScript budget (built dist/)', () => {
  it('entry + modulepreloads + the shell and flags list chunks stay within 150 KB gzipped', () => {
    const html = read('index.html').toString('utf8');
    const manifest = JSON.parse(read('.vite/manifest.json').toString('utf8')) as Manifest;
    const entryKey = Object.keys(manifest).find((key) => manifest[key]!.isEntry === true);
    expect(entryKey, 'the manifest names an entry (build.manifest: true in vite.config.ts)').toBeDefined();
    const entry = manifest[entryKey!]!;

    // What index.html itself loads: its module script and the modulepreload links.
    const fromHtml = [...html.matchAll(/<script[^>]+type="module"[^>]+src="\/([^"]+)"/g), ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+)"/g)].map((match) => match[1]!);
    expect(fromHtml).toContain(entry.file);

    // The first route a signed-in user lands on: the shell layout and the flags list (lazy chunks of the entry).
    const keys = new Set<string>();
    withStaticImports(manifest, entryKey!, keys);
    const firstRoute = ['src/pages/shell/index.tsx', 'src/pages/flags/index.tsx'];
    for (const page of firstRoute) {
      expect(entry.dynamicImports ?? [], `${page} is a lazy chunk of the entry`).toContain(page);
      withStaticImports(manifest, page, keys);
    }

    const files = new Set([...fromHtml, ...[...keys].map((key) => manifest[key]!.file)].filter((file) => file.endsWith('.js')));
    const sizes = [...files].map((file) => ({ file, gzip: gzipped(file) })).sort((a, b) => b.gzip - a.gzip);
    const total = sizes.reduce((sum, { gzip }) => sum + gzip, 0);
    const css = [...new Set([...keys].flatMap((key) => manifest[key]!.css ?? []))].reduce((sum, file) => sum + gzipped(file), 0);

    console.log(
      `first-load JavaScript: ${(total / 1024).toFixed(1)} KB gzipped of ${(BUDGET_BYTES / 1024).toFixed(0)} KB budget, ${sizes.length} files` +
        ` (largest: ${sizes.slice(0, 3).map((s) => `${s.file} ${(s.gzip / 1024).toFixed(1)} KB`).join(', ')}); CSS ${(css / 1024).toFixed(1)} KB gzipped`,
    );
    expect(sizes.length).toBeGreaterThan(2);
    expect(total).toBeLessThanOrEqual(BUDGET_BYTES);
  });
});
