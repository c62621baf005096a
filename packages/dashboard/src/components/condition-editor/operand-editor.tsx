import { useEffect, useState } from 'react';
import type { OperatorInfo } from '@halyard/core/definitions';
import type { FieldControlProps } from '../field';

type Scalar = string | number | boolean;

export interface OperandEditorProps {
  info: OperatorInfo;
  values: Scalar[];
  onChange(values: Scalar[]): void;
  /** Segment keys of the environment (for `inSegment`). */
  segments: readonly string[];
  disabled?: boolean;
  /** The id, aria-describedby and aria-invalid from the surrounding <Field>. */
  control: FieldControlProps;
}

const PLACEHOLDER: Partial<Record<OperatorInfo['operand']['kind'], string>> = {
  primitive: 'pro',
  string: '@example.com',
  regex: '^user-\\d+$',
  number: '42',
  count: '3',
  semver: '2.1.0',
  date: '2026-12-31T00:00:00Z',
  cidr: '10.0.0.0/8',
};

/**
 * A typed operand: numbers become numbers when they parse, anything else stays the text the user wrote, so the
 * service's own check reports it at this field (the registry is the one authority on what is valid).
 */
function typedOperand(kind: OperatorInfo['operand']['kind'], text: string, primitiveType: PrimitiveType): Scalar {
  const trimmed = text.trim();
  if (kind === 'number' || kind === 'count' || (kind === 'primitive' && primitiveType === 'number')) {
    const number = Number(trimmed);
    return trimmed !== '' && Number.isFinite(number) ? number : text;
  }
  if (kind === 'primitive' && primitiveType === 'boolean') return trimmed === 'true' ? true : trimmed === 'false' ? false : text;
  return text;
}

type PrimitiveType = 'string' | 'number' | 'boolean';

function primitiveTypeOf(values: readonly Scalar[]): PrimitiveType {
  const first = values[0];
  return typeof first === 'number' ? 'number' : typeof first === 'boolean' ? 'boolean' : 'string';
}

const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');
const sameValues = (a: readonly Scalar[], b: readonly Scalar[]) => a.length === b.length && a.every((value, index) => value === b[index]);

/** The operand input that fits the operator: none, one value, a list (one per line), or the segment picker. */
export function OperandEditor({ info, values, onChange, segments, disabled, control }: OperandEditorProps) {
  const { kind, count } = info.operand;
  const [primitiveType, setPrimitiveType] = useState<PrimitiveType>(() => primitiveTypeOf(values));
  const [text, setText] = useState(() => values.map(String).join('\n'));

  // Keep the text when it already means these values (typing a newline must not vanish); else show the new values.
  const parse = (raw: string, type = primitiveType) => (count === 'one' ? (raw.trim() === '' ? [] : [typedOperand(kind, raw, type)]) : lines(raw).map((line) => typedOperand(kind, line, type)));
  useEffect(() => {
    if (!sameValues(parse(text), values)) setText(values.map(String).join('\n'));
    // Only an outside change of the value re-syncs the text (the parse of the current text is what the user sees).
  }, [values]);

  if (count === 'none') return <p className="muted operand-none">This operator takes no values.</p>;

  if (kind === 'segment') {
    const chosen = new Set(values.map(String));
    const known = [...new Set([...segments, ...chosen])].sort();
    return (
      <fieldset className="segment-picker" id={control.id} aria-describedby={control['aria-describedby']} aria-invalid={control['aria-invalid']}>
        <legend className="field-label">Segments</legend>
        {known.length === 0 && <p className="muted">This environment has no segments yet.</p>}
        {known.map((segment) => (
          <label key={segment} className="checkbox">
            <input
              type="checkbox"
              checked={chosen.has(segment)}
              disabled={disabled}
              onChange={(event) => onChange(event.target.checked ? [...values, segment] : values.filter((value) => value !== segment))}
            />
            {segment}
            {!segments.includes(segment) && <span className="muted"> (unknown)</span>}
          </label>
        ))}
      </fieldset>
    );
  }

  const typePicker = kind === 'primitive' && (
    <label className="inline-label">
      Compare as
      <select
        value={primitiveType}
        disabled={disabled}
        onChange={(event) => {
          const type = event.target.value as PrimitiveType;
          setPrimitiveType(type);
          onChange(parse(text, type));
        }}
      >
        <option value="string">text</option>
        <option value="number">numbers</option>
        <option value="boolean">true / false</option>
      </select>
    </label>
  );

  const update = (raw: string) => {
    setText(raw);
    onChange(parse(raw));
  };

  return (
    <div className="operand-editor">
      {count === 'one' ? (
        <input
          {...control}
          type="text"
          inputMode={kind === 'number' || kind === 'count' ? 'decimal' : undefined}
          value={text}
          placeholder={PLACEHOLDER[kind]}
          disabled={disabled}
          spellCheck={false}
          onChange={(event) => update(event.target.value)}
        />
      ) : (
        <textarea {...control} rows={Math.min(6, Math.max(2, values.length + 1))} value={text} placeholder={PLACEHOLDER[kind]} disabled={disabled} spellCheck={false} onChange={(event) => update(event.target.value)} />
      )}
      {typePicker}
    </div>
  );
}
