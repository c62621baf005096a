import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { ts } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { cleanupSource } from '../src/index';
import { listFiles } from '../src/internal/files';

// Robustness on real code: this repository's example apps and framework packages read these flags in every way
// the packages support. Removing each one, keeping either variant, must never throw and never leave a file that
// no longer parses (refusing is fine).
const ROOTS = ['../../../apps', '../../react/src', '../../express/src', '../../next/src'].map((p) => new URL(p, import.meta.url).pathname);
const FILES = listFiles(ROOTS).filter((file) => ['.ts', '.tsx'].includes(extname(file)) && !file.endsWith('.d.ts'));

describe('cleanup on this repository', { timeout: 120_000 }, () => {
  it.each(['new-checkout', 'button-color'])('removes %s from every file it appears in, leaving valid code', (key) => {
    const outcomes = { changed: 0, refused: 0, broken: [] as string[] };
    for (const file of FILES) {
      const text = readFileSync(file, 'utf8');
      if (!text.includes(key)) continue;
      for (const value of [true, false]) {
        const result = cleanupSource(text, file, { key, variant: value ? 'on' : 'off', value });
        if (!result.ok) {
          outcomes.refused++;
          continue;
        }
        if (result.output === text) continue;
        outcomes.changed++;
        const parsed = ts.createSourceFile(file, result.output, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
        const problems = (parsed as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics;
        if (problems.length > 0) outcomes.broken.push(`${file} (keep ${value}): ${ts.flattenDiagnosticMessageText(problems[0]!.messageText, ' ')}`);
      }
    }
    expect(outcomes.broken).toEqual([]);
    expect(outcomes.changed).toBeGreaterThan(0);
  });
});
