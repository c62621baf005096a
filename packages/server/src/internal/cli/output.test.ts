import { describe, expect, it } from 'vitest';
import { parseSince } from './commands/admin';
import { colorEnabled, palette, progress, table, visibleLength } from './output';

const sink = (isTTY: boolean) => {
  const chunks: string[] = [];
  return { isTTY, chunks, write: (chunk: string) => chunks.push(chunk) > 0 };
};

describe('CLI output', () => {
  it('uses colours on a TTY or with FORCE_COLOR, never with NO_COLOR, --no-color or TERM=dumb', () => {
    expect(colorEnabled({ isTTY: true, write: () => true }, {}, false)).toBe(true);
    expect(colorEnabled({ isTTY: false, write: () => true }, {}, false)).toBe(false);
    expect(colorEnabled({ isTTY: false, write: () => true }, { FORCE_COLOR: '1' }, false)).toBe(true);
    expect(colorEnabled({ isTTY: true, write: () => true }, { FORCE_COLOR: '0' }, false)).toBe(false);
    expect(colorEnabled({ isTTY: true, write: () => true }, { NO_COLOR: '1', FORCE_COLOR: '1' }, false)).toBe(false);
    expect(colorEnabled({ isTTY: true, write: () => true }, { NO_COLOR: '' }, false)).toBe(true);
    expect(colorEnabled({ isTTY: true, write: () => true }, {}, true)).toBe(false);
    expect(colorEnabled({ isTTY: true, write: () => true }, { TERM: 'dumb' }, false)).toBe(false);
  });

  it('aligns table columns by visible width, colours included, without trailing spaces', () => {
    const colors = palette(true);
    const text = table(['KEY', 'STATE', 'N'], [[colors.bold('a'), colors.green('on'), '1'], ['longer-key', colors.red('off'), '22']], colors);
    const lines = text.trimEnd().split('\n').map((line) => line.replace(/\u001b\[[0-9;]*m/g, ''));
    expect(lines).toEqual(['KEY         STATE  N', 'a           on     1', 'longer-key  off    22']);
    expect(visibleLength(colors.red('héllo'))).toBe(5);
  });

  it('draws a progress bar only on a TTY', () => {
    const tty = sink(true);
    const bar = progress(tty, 100, 'uploading', palette(false));
    bar.update(50);
    bar.update(100, 'writing…');
    bar.finish();
    expect(tty.chunks.some((c) => c.includes(' 50% uploading'))).toBe(true);
    expect(tty.chunks.some((c) => c.includes('100% writing…'))).toBe(true);
    expect(tty.chunks.at(-1)).toBe('\r\u001b[K');

    const pipe = sink(false);
    const silent = progress(pipe, 100, 'uploading', palette(false));
    silent.update(50);
    silent.finish();
    expect(pipe.chunks).toEqual([]);
  });

  it('reads --since as a date or a duration back from now', () => {
    const now = Date.UTC(2026, 0, 31, 12, 0, 0);
    expect(parseSince('30m', '--since', now)).toBe('2026-01-31T11:30:00.000Z');
    expect(parseSince('7d', '--since', now)).toBe('2026-01-24T12:00:00.000Z');
    expect(parseSince('2026-01-01', '--since', now)).toBe('2026-01-01T00:00:00.000Z');
    expect(() => parseSince('soon', '--since', now)).toThrow(/--since must be a date/);
  });
});
