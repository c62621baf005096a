/** Aligned plain-text table: first column left-aligned, the rest right-aligned (they hold numbers). */
export function formatTable(header: string[], rows: string[][], leftColumns = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < leftColumns ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Markdown table with the same cells (for pasting into docs/benchmarks.md). */
export function formatMarkdown(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

export function fmtNs(ns: number | undefined): string {
  if (ns === undefined || !Number.isFinite(ns)) return '—';
  return ns < 10 ? ns.toFixed(2) : ns < 100 ? ns.toFixed(1) : Math.round(ns).toLocaleString('en-US');
}

export function fmtBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return '—';
  return bytes < 10 ? bytes.toFixed(1) : Math.round(bytes).toLocaleString('en-US');
}

export function fmtRatio(ratio: number): string {
  return ratio < 10 ? `${ratio.toFixed(2)}×` : `${ratio.toFixed(1)}×`;
}
