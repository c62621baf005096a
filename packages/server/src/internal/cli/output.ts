/** Terminal output for the CLI: colours only where they help (a TTY, no NO_COLOR), aligned tables, a progress bar. */

export interface Stream {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

export interface Palette {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

/**
 * Colours follow the usual conventions: never when NO_COLOR is set (any non-empty value, https://no-color.org),
 * with `--no-color` or TERM=dumb; always with FORCE_COLOR (except FORCE_COLOR=0); otherwise only on a TTY.
 */
export function colorEnabled(stream: Stream, env: NodeJS.ProcessEnv, noColorFlag: boolean): boolean {
  if (noColorFlag || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '') return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export function palette(enabled: boolean): Palette {
  const wrap = (open: number, close: number) => (text: string) => (enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text);
  return {
    enabled,
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
  };
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

export const visibleLength = (text: string): number => [...text.replace(ANSI, '')].length;

/** Left-aligned columns separated by two spaces; the last column is not padded (no trailing spaces). */
export function table(headers: string[], rows: string[][], colors: Palette): string {
  const widths = headers.map((header, i) => Math.max(visibleLength(header), ...rows.map((row) => visibleLength(row[i] ?? ''))));
  const line = (cells: string[], style: (s: string) => string = (s) => s) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? style(cell) : style(cell) + ' '.repeat(widths[i]! - visibleLength(cell))))
      .join('  ')
      .trimEnd();
  return [line(headers, colors.dim), ...rows.map((row) => line(row))].join('\n') + '\n';
}

/** "3 flags", "1 flag". */
export const plural = (count: number, noun: string, pluralNoun = `${noun}s`): string => `${count} ${count === 1 ? noun : pluralNoun}`;

export interface Progress {
  update(done: number, label?: string): void;
  finish(): void;
}

/**
 * A one-line progress bar on stderr, redrawn in place; nothing at all when stderr is not a TTY (CI logs, pipes),
 * where the final summary line is what matters.
 */
export function progress(stream: Stream, total: number, label: string, colors: Palette): Progress {
  if (stream.isTTY !== true || total <= 0) return { update() {}, finish() {} };
  let last = '';
  let current = label;
  const draw = (done: number) => {
    const width = 28;
    const ratio = Math.max(0, Math.min(1, done / total));
    const filled = Math.round(ratio * width);
    const text = `\r${colors.cyan('█'.repeat(filled))}${colors.dim('░'.repeat(width - filled))} ${String(Math.round(ratio * 100)).padStart(3)}% ${current}`;
    if (text !== last) {
      stream.write(`${text}\u001b[K`);
      last = text;
    }
  };
  draw(0);
  return {
    update(done, nextLabel) {
      if (nextLabel !== undefined) current = nextLabel;
      draw(done);
    },
    finish() {
      stream.write('\r\u001b[K');
    },
  };
}

/** Relative time for tables: "just now", "5 min ago", "3 h ago", "2 d ago", else the date. */
export function ago(iso: string, now = Date.now()): string {
  const at = Date.parse(iso);
  if (!Number.isFinite(at)) return iso;
  const seconds = Math.round((now - at) / 1000);
  if (seconds < 45) return 'just now';
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  if (seconds < 30 * 86_400) return `${Math.round(seconds / 86_400)} d ago`;
  return iso.slice(0, 10);
}
