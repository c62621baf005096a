import { useEffect, useState } from 'react';
import type { FieldControlProps } from '../../components/field';

export interface ListInputProps {
  values: readonly string[];
  onChange(values: string[]): void;
  control: FieldControlProps;
  disabled?: boolean;
  /** Separate by commas on one line (tags) instead of one value per line. */
  commas?: boolean;
}

const split = (text: string, commas: boolean) =>
  text
    .split(commas ? ',' : '\n')
    .map((value) => value.trim())
    .filter((value) => value !== '');

/** A list of strings as text (one per line, or comma separated); the text is kept while it means the same list. */
export function ListInput({ values, onChange, control, disabled, commas = false }: ListInputProps) {
  const joiner = commas ? ', ' : '\n';
  const [text, setText] = useState(values.join(joiner));
  useEffect(() => {
    const parsed = split(text, commas);
    if (parsed.length !== values.length || parsed.some((value, index) => value !== values[index])) setText(values.join(joiner));
    // Only an outside change of the value re-syncs the text (the parse of the current text is what the user sees).
  }, [values]);
  const update = (raw: string) => {
    setText(raw);
    onChange(split(raw, commas));
  };
  return commas ? (
    <input {...control} value={text} disabled={disabled} spellCheck={false} onChange={(event) => update(event.target.value)} />
  ) : (
    <textarea {...control} rows={Math.min(6, Math.max(2, values.length + 1))} value={text} disabled={disabled} spellCheck={false} onChange={(event) => update(event.target.value)} />
  );
}
