/**
 * `pnpm size`: gzipped size of a React app's flag client — provider + one flag hook — for Halyard and peers,
 * measured on what ships: the published build of @halyard/react and @halyard/core (built first, turbo-cached),
 * resolved through `exports` as an installed package. Exits 1 when @halyard/react exceeds its 2,048-byte gzip
 * budget (or cannot be bundled). `--analyze` lists what the Halyard bundle is made of; `--markdown` also prints
 * the table as markdown; `--no-build` skips the build.
 */
import { SIZE_ANCHORS } from './internal/anchors';
import { buildHalyardReact, ENTRIES, HALYARD_GZIP_BUDGET, measureBundle, type BundleSize } from './internal/bundle-size';
import { formatMarkdown, formatTable } from './internal/table';

const markdown = process.argv.includes('--markdown');
const analyze = process.argv.includes('--analyze');
if (!process.argv.includes('--no-build')) buildHalyardReact();
const results = new Map<string, BundleSize | Error>();
for (const e of ENTRIES) {
  try {
    results.set(e.name, await measureBundle(e));
  } catch (error) {
    results.set(e.name, error as Error);
  }
}

const halyard = results.get('halyard');
const halyardGzip = halyard instanceof Error || !halyard ? undefined : halyard.gzipBytes;
const n = (v: number) => v.toLocaleString('en-US');
const header = ['package (provider + flag hook)', 'min B', 'gzip B', 'gzip ÷ Halyard', 'anchor min / gzip'];
const rows = ENTRIES.map((e) => {
  const r = results.get(e.name)!;
  const anchor = SIZE_ANCHORS.find((a) => a.name === e.name);
  const anchorCell = anchor ? `${anchor.minKB} KB / ${anchor.gzipKB} KB` : '—';
  if (r instanceof Error) return [e.label, 'error', 'error', '—', anchorCell];
  return [e.label, n(r.minBytes), n(r.gzipBytes), halyardGzip ? `${(r.gzipBytes / halyardGzip).toFixed(1)}×` : '—', anchorCell];
});
for (const a of SIZE_ANCHORS.filter((a) => !ENTRIES.some((e) => e.name === a.name))) {
  rows.push([a.label, '—', '—', '—', `${a.minKB} KB / ${a.gzipKB} KB`]);
}

console.log('React client bundle size: esbuild --bundle --minify --format=esm --platform=browser, react/react-dom external;');
console.log('Halyard measured on its published dist/ (package.json exports, `import` condition), as installed.');
console.log('gzip = node:zlib level 9. Anchors: shared anchors file (same machine kind, 2026-11), KB as reported there.\n');
console.log(formatTable(header, rows));
if (markdown) console.log(`\n${formatMarkdown(header, rows)}`);

if (halyard && !(halyard instanceof Error) && (analyze || halyard.gzipBytes > HALYARD_GZIP_BUDGET)) {
  console.log('\n@halyard/react bundle, minified bytes per input file:');
  for (const input of halyard.inputs) console.log(`  ${String(input.bytes).padStart(6)}  ${input.path}`);
}
for (const [name, r] of results) {
  if (r instanceof Error && name !== 'halyard') console.log(`\n${name}: could not bundle: ${r.message.split('\n')[0]}`);
}
if (halyard instanceof Error || halyardGzip === undefined) {
  console.log(`\nFAIL  @halyard/react could not be bundled: ${halyard instanceof Error ? halyard.message : 'unknown error'}`);
  process.exitCode = 1;
} else if (halyardGzip > HALYARD_GZIP_BUDGET) {
  console.log(`\nFAIL  @halyard/react is ${n(halyardGzip)} B gzipped, over the ${n(HALYARD_GZIP_BUDGET)} B budget`);
  process.exitCode = 1;
} else {
  console.log(`\nPASS  @halyard/react is ${n(halyardGzip)} B gzipped (budget ${n(HALYARD_GZIP_BUDGET)} B)`);
}
