import { OPERATOR_NAMES, operators } from './registry';

/** Markers around the generated operator table in docs/flags.md. */
export const OPERATOR_TABLE_START = '<!-- operators:start (generated from packages/core/src/operators by `pnpm --dir packages/core run docs:operators`; do not edit) -->';
export const OPERATOR_TABLE_END = '<!-- operators:end -->';

/** The Markdown table of every operator, its operands and what it tests, from the registry's docs. */
export function operatorTable(): string {
  const rows = OPERATOR_NAMES.map((name) => {
    const { doc, caseInsensitive } = operators[name];
    const ci = caseInsensitive ? '; `caseInsensitive` applies' : '';
    return `| \`${name}\` | ${doc.operands} | ${doc.description}${ci} |`;
  });
  return ['| operator | operands | matches when |', '|---|---|---|', ...rows].join('\n');
}

/** `markdown` with the text between the operator-table markers replaced by the current table. */
export function withOperatorTable(markdown: string): string {
  const start = markdown.indexOf(OPERATOR_TABLE_START);
  const end = markdown.indexOf(OPERATOR_TABLE_END);
  if (start < 0 || end < start) throw new Error('@halyard/core: docs/flags.md has no operator-table markers; add them around the operator table');
  return `${markdown.slice(0, start + OPERATOR_TABLE_START.length)}\n${operatorTable()}\n${markdown.slice(end)}`;
}
