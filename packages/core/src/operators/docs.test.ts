import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPERATOR_TABLE_END, OPERATOR_TABLE_START, operatorTable, withOperatorTable } from './docs';
import { OPERATOR_NAMES } from './registry';

const flagsDoc = readFileSync(new URL('../../../../docs/flags.md', import.meta.url), 'utf8');

describe('docs/flags.md operator table', () => {
  it('is the table generated from the registry (run `pnpm --dir packages/core run docs:operators` to update it)', () => {
    expect(flagsDoc).toContain(OPERATOR_TABLE_START);
    expect(flagsDoc).toContain(OPERATOR_TABLE_END);
    expect(withOperatorTable(flagsDoc)).toBe(flagsDoc);
  });

  it('has one row per operator', () => {
    const rows = operatorTable().split('\n').slice(2);
    expect(rows.map((r) => /^\| `([^`]+)`/.exec(r)?.[1])).toEqual([...OPERATOR_NAMES]);
  });

  it('replaces only the text between the markers', () => {
    const stale = `intro\n${OPERATOR_TABLE_START}\n| old |\n${OPERATOR_TABLE_END}\noutro\n`;
    expect(withOperatorTable(stale)).toBe(`intro\n${OPERATOR_TABLE_START}\n${operatorTable()}\n${OPERATOR_TABLE_END}\noutro\n`);
    expect(() => withOperatorTable('no markers')).toThrow(/operator-table markers/);
  });
});
