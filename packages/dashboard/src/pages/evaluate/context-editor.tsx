import { useState } from 'react';
import { Tabs } from 'radix-ui';
import type { EvaluationContext } from '../../api/evaluate';

/*
 * A context as key/value rows (values read as JSON when they parse — 42, true, ["a","b"] — else as text; a dotted
 * key such as account.plan becomes a nested attribute) or as raw JSON. Both views edit one context.
 */

export interface ContextRow {
  id: number;
  key: string;
  value: string;
}

let nextId = 1;

export function rowsFromContext(context: EvaluationContext): ContextRow[] {
  const rows = Object.entries(context).map(([key, value]) => ({ id: nextId++, key, value: typeof value === 'string' ? value : JSON.stringify(value) }));
  return rows.length > 0 ? rows : [{ id: nextId++, key: 'userId', value: '' }];
}

function readValue(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return '';
  // Only JSON that is clearly not meant as text: numbers, booleans, null, arrays, objects.
  if (/^(-?\d|true$|false$|null$|\[|\{)/.test(trimmed)) {
    try {
      return JSON.parse(trimmed) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

export function contextFromRows(rows: readonly ContextRow[]): EvaluationContext {
  const context: EvaluationContext = {};
  for (const row of rows) {
    const key = row.key.trim();
    if (key === '') continue;
    const parts = key.split('.');
    let node: Record<string, unknown> = context;
    parts.slice(0, -1).forEach((part) => {
      const existing = node[part];
      if (typeof existing !== 'object' || existing === null || Array.isArray(existing)) node[part] = {};
      node = node[part] as Record<string, unknown>;
    });
    node[parts[parts.length - 1]!] = readValue(row.value);
  }
  return context;
}

/** The context JSON text's problem, or undefined when it is a JSON object. */
export function contextJsonError(text: string): string | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? undefined : 'The context must be a JSON object, e.g. { "userId": "u-1" }.';
  } catch (error) {
    return `Not valid JSON: ${(error as Error).message}`;
  }
}

export interface ContextEditorProps {
  /** Prefix of element ids (two editors may share a page). */
  idPrefix: string;
  rows: ContextRow[];
  onRowsChange(rows: ContextRow[]): void;
  json: string;
  onJsonChange(json: string): void;
  mode: 'rows' | 'json';
  onModeChange(mode: 'rows' | 'json'): void;
}

/** Key/value rows or raw JSON (Radix Tabs); switching converts the one into the other. */
export function ContextEditor({ idPrefix, rows, onRowsChange, json, onJsonChange, mode, onModeChange }: ContextEditorProps) {
  const [switchError, setSwitchError] = useState<string | undefined>();
  const jsonError = mode === 'json' ? contextJsonError(json) : undefined;
  return (
    <Tabs.Root
      className="context-editor"
      value={mode}
      onValueChange={(next) => {
        if (next === 'rows') {
          const problem = contextJsonError(json);
          if (problem) {
            setSwitchError(problem);
            return;
          }
          onRowsChange(rowsFromContext(JSON.parse(json) as EvaluationContext));
        } else onJsonChange(JSON.stringify(contextFromRows(rows), null, 2));
        setSwitchError(undefined);
        onModeChange(next as 'rows' | 'json');
      }}
    >
      <Tabs.List className="tabs-list" aria-label="Context input">
        <Tabs.Trigger className="tabs-trigger" value="rows">
          Attributes
        </Tabs.Trigger>
        <Tabs.Trigger className="tabs-trigger" value="json">
          Raw JSON
        </Tabs.Trigger>
      </Tabs.List>
      {switchError !== undefined && <p className="field-error">{switchError}</p>}
      <Tabs.Content value="rows" className="tabs-content">
        <ul className="context-rows">
          {rows.map((row, index) => (
            <li key={row.id} className="context-row">
              <label>
                <span className="visually-hidden">Attribute {index + 1} name</span>
                <input
                  aria-label={`Attribute ${index + 1} name`}
                  value={row.key}
                  placeholder="account.plan"
                  spellCheck={false}
                  onChange={(event) => onRowsChange(rows.map((other) => (other.id === row.id ? { ...other, key: event.target.value } : other)))}
                />
              </label>
              <label>
                <span className="visually-hidden">Attribute {index + 1} value</span>
                <input
                  aria-label={`Attribute ${index + 1} value`}
                  value={row.value}
                  placeholder="value"
                  spellCheck={false}
                  onChange={(event) => onRowsChange(rows.map((other) => (other.id === row.id ? { ...other, value: event.target.value } : other)))}
                />
              </label>
              <button type="button" aria-label={`Remove attribute ${index + 1}`} onClick={() => onRowsChange(rows.filter((other) => other.id !== row.id))}>
                Remove
              </button>
            </li>
          ))}
        </ul>
        <button type="button" onClick={() => onRowsChange([...rows, { id: nextId++, key: '', value: '' }])}>
          Add attribute
        </button>
        <p className="muted">Values are read as JSON when they parse (42, true, [&quot;a&quot;]); anything else is text. A dotted name (account.plan) is a nested attribute.</p>
      </Tabs.Content>
      <Tabs.Content value="json" className="tabs-content">
        <label htmlFor={`${idPrefix}-json`} className="field-label">
          Context (JSON object)
        </label>
        <textarea
          id={`${idPrefix}-json`}
          rows={8}
          value={json}
          spellCheck={false}
          aria-invalid={jsonError !== undefined ? true : undefined}
          aria-describedby={jsonError !== undefined ? `${idPrefix}-json-error` : undefined}
          onChange={(event) => onJsonChange(event.target.value)}
        />
        {jsonError !== undefined && (
          <p id={`${idPrefix}-json-error`} className="field-error">
            {jsonError}
          </p>
        )}
      </Tabs.Content>
    </Tabs.Root>
  );
}

/** The state of one context editor, and the context it means now (or why there is none). */
export function useContextInput(initial: EvaluationContext = { userId: '' }) {
  const [rows, setRows] = useState<ContextRow[]>(() => rowsFromContext(initial));
  const [json, setJson] = useState(() => JSON.stringify(initial, null, 2));
  const [mode, setMode] = useState<'rows' | 'json'>('rows');
  const read = (): { context: EvaluationContext } | { error: string } => {
    if (mode === 'rows') return { context: contextFromRows(rows) };
    const error = contextJsonError(json);
    return error ? { error } : { context: JSON.parse(json) as EvaluationContext };
  };
  const load = (context: EvaluationContext) => {
    setRows(rowsFromContext(context));
    setJson(JSON.stringify(context, null, 2));
  };
  return { editorProps: { rows, onRowsChange: setRows, json, onJsonChange: setJson, mode, onModeChange: setMode }, read, load };
}
