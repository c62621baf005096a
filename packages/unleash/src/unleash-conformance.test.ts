/**
 * Runs every case of @unleash/client-specification (isEnabled `tests` and getVariant `variantTests`) through
 * importUnleash → parseDefinitions → createEvaluator → the Unleash adapter, and asserts Unleash's expected answer.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEvaluator, parseDefinitions } from '@halyard/core';
import { createUnleashAdapter, importUnleash } from './index';

const require = createRequire(import.meta.url);
const SPEC_DIR = join(dirname(require.resolve('@unleash/client-specification/package.json')), 'specifications');
const SPEC_VERSION = (JSON.parse(readFileSync(join(SPEC_DIR, '..', 'package.json'), 'utf8')) as { version: string }).version;

interface SpecCase {
  description: string;
  context: Record<string, unknown>;
  toggleName: string;
  expectedResult: unknown;
}

interface SpecFile {
  name: string;
  state: unknown;
  tests?: SpecCase[];
  variantTests?: SpecCase[];
}

/**
 * Cases that cannot pass because they depend on randomness, keyed by `<file> › <description>`. Empty: every case
 * in the 6.1.0 specification is deterministic (random rollouts there are 0 % or 100 %).
 */
const SKIPPED: Readonly<Record<string, string>> = {};

const files = (JSON.parse(readFileSync(join(SPEC_DIR, 'index.json'), 'utf8')) as string[]).map(
  (f) => JSON.parse(readFileSync(join(SPEC_DIR, f), 'utf8')) as SpecFile,
);

let total = 0;
let passed = 0;
const skipped: string[] = [];

afterAll(() => {
  console.log(`Unleash client-specification: ${passed} of ${total} passed (@unleash/client-specification@${SPEC_VERSION}, ${skipped.length} skipped)`);
  for (const s of skipped) console.log(`  skipped: ${s}`);
});

describe.each(files.map((f) => [f.name, f] as const))('%s', (name, spec) => {
  const imported = importUnleash(spec.state);
  const parsed = parseDefinitions(imported.document);
  const evaluator = parsed.ok ? createEvaluator(parsed.definitions) : undefined;
  const unleash = evaluator === undefined ? undefined : createUnleashAdapter(evaluator);

  it('imports into a valid document without errors', () => {
    expect(parsed.problems).toBeUndefined();
    expect(imported.errors).toEqual([]);
  });

  const cases = [
    ...(spec.tests ?? []).map((c) => ({ kind: 'isEnabled' as const, c })),
    ...(spec.variantTests ?? []).map((c) => ({ kind: 'getVariant' as const, c })),
  ];
  cases.forEach(({ kind, c }, i) => {
    const id = `${name} › ${c.description}`;
    total++;
    const reason = SKIPPED[id];
    if (reason !== undefined) {
      skipped.push(`${id} — ${reason}`);
      it.skip(`${kind} #${i + 1}: ${c.description} (${reason})`, () => {});
      return;
    }
    it(`${kind} #${i + 1}: ${c.description}`, () => {
      expect(unleash).toBeDefined();
      if (kind === 'isEnabled') {
        expect(unleash?.isEnabled(c.toggleName, c.context)).toBe(c.expectedResult);
      } else {
        const v = unleash?.getVariant(c.toggleName, c.context);
        const actual: Record<string, unknown> = { name: v?.name, enabled: v?.enabled, feature_enabled: v?.feature_enabled };
        if (v?.payload !== undefined) actual.payload = v.payload;
        expect(actual).toEqual(c.expectedResult);
      }
      passed++;
    });
  });
});
