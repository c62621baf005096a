import { copyFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEvaluator, parseDefinitions } from '@halyard/core';
import type { FlagsDocument } from '@halyard/core';
import { NEXT_APP } from './apps';

/** A temporary copy of the example's flags.json for one test run: the committed file is never touched. */
export function tempFlags() {
  const dir = mkdtempSync(path.join(tmpdir(), 'halyard-e2e-'));
  const file = path.join(dir, 'flags.json');
  copyFileSync(path.join(NEXT_APP, 'flags.json'), file);
  const original = JSON.parse(readFileSync(file, 'utf8')) as FlagsDocument;
  let version = 1;
  return {
    file,
    original,
    /** Writes a changed document atomically (like an editor or deploy tool does). */
    write(change: (document: FlagsDocument) => void) {
      const next = structuredClone(original);
      change(next);
      next.version = `e2e-${++version}`;
      const tmp = `${file}.tmp`;
      writeFileSync(tmp, JSON.stringify(next, null, 2));
      renameSync(tmp, file);
    },
    restore() {
      const tmp = `${file}.tmp`;
      writeFileSync(tmp, JSON.stringify({ ...original, version: `e2e-${++version}` }, null, 2));
      renameSync(tmp, file);
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Visitor ids on each side of the 50 % `new-checkout` rollout, found with the core's own evaluator (the same
 * murmur3 bucketing the servers use), plus the button colour each gets.
 */
export function usersBySide(document: FlagsDocument): { inside: string; outside: string; colors: Record<string, string> } {
  const parsed = parseDefinitions(document);
  if (!parsed.ok) throw new Error('flags.json is invalid');
  const evaluator = createEvaluator(parsed.definitions);
  let inside: string | undefined;
  let outside: string | undefined;
  for (let i = 0; inside === undefined || outside === undefined; i++) {
    const uid = `e2e-visitor-${i}`;
    const on = evaluator.getDetails('new-checkout', false, { userId: uid }).value;
    if (on && inside === undefined) inside = uid;
    if (!on && outside === undefined) outside = uid;
  }
  const colors = Object.fromEntries([inside, outside].map((uid) => [uid, evaluator.getDetails('button-color', 'blue', { userId: uid }).value]));
  return { inside, outside, colors };
}
