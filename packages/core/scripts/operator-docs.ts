/**
 * Regenerates the operator table in docs/flags.md from the operator registry (src/operators/*.ts):
 * `pnpm --dir packages/core run docs:operators`. src/operators/docs.test.ts fails while the table is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { withOperatorTable } from '../src/operators/docs';

const file = new URL('../../../docs/flags.md', import.meta.url);
const before = readFileSync(file, 'utf8');
const after = withOperatorTable(before);
if (after === before) console.log('docs/flags.md: operator table is up to date');
else {
  writeFileSync(file, after);
  console.log('docs/flags.md: operator table regenerated');
}
