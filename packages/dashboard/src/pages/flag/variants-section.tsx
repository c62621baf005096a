import type { FlagDefinition } from '@halyard/core';
import { Field } from '../../components/field';
import { SelectControl } from '../../components/select';
import { fieldDomId, fieldPath } from '../../lib/problem-fields';
import { newVariantRow, renameVariant, variantTextError, type VariantRow } from './draft';

export interface VariantsSectionProps {
  rows: VariantRow[];
  draft: FlagDefinition;
  onChange(rows: VariantRow[], draft: FlagDefinition): void;
  errors: Readonly<Record<string, string>>;
  disabled: boolean;
}

const NO_OFF_VARIANT = '__none__';

/** Variants (name + JSON value, validated as typed; a rename follows every reference) and the off variant. */
export function VariantsSection({ rows, draft, onChange, errors, disabled }: VariantsSectionProps) {
  const names = rows.map((row) => row.name);
  return (
    <section className="flag-section" aria-labelledby="variants-heading">
      <h2 id="variants-heading">Variants</h2>
      {errors.variants !== undefined && (
        <p className="field-error" id={`${fieldDomId('variants')}-error`}>
          {errors.variants}
        </p>
      )}
      <ul className="variant-list">
        {rows.map((row, index) => {
          const path = fieldPath('variants', row.name);
          const local = variantTextError(row, rows);
          return (
            <li key={row.id} className="variant-row">
              <Field label={`Variant ${index + 1} name`} id={`variant-name-${row.id}`}>
                <input
                  value={row.name}
                  spellCheck={false}
                  disabled={disabled}
                  onChange={(event) => {
                    const name = event.target.value;
                    const nextRows = rows.map((other) => (other.id === row.id ? { ...other, name } : other));
                    onChange(nextRows, renameVariant(draft, row.name, name));
                  }}
                />
              </Field>
              <Field label={`Variant ${index + 1} value (JSON)`} id={fieldDomId(path)} error={local ?? errors[path]}>
                <input
                  value={row.text}
                  spellCheck={false}
                  disabled={disabled}
                  className="json-input"
                  onChange={(event) => onChange(rows.map((other) => (other.id === row.id ? { ...other, text: event.target.value } : other)), draft)}
                />
              </Field>
              <button type="button" disabled={disabled || rows.length <= 1} aria-label={`Remove variant ${row.name}`} onClick={() => onChange(rows.filter((other) => other.id !== row.id), draft)}>
                Remove
              </button>
            </li>
          );
        })}
      </ul>
      <button type="button" disabled={disabled} onClick={() => onChange([...rows, newVariantRow(rows)], draft)}>
        Add variant
      </button>
      <Field
        label="Off variant"
        description="Served while the flag is off, when a prerequisite fails, and to a unit the default split cannot bucket. Without one, callers get their own default."
        id={fieldDomId('offVariant')}
        error={errors.offVariant}
      >
        {(control) => (
          <SelectControl
            {...control}
            value={draft.offVariant ?? NO_OFF_VARIANT}
            options={[{ value: NO_OFF_VARIANT, label: '(none: the caller’s default)' }, ...names.filter((name) => name !== '').map((name) => ({ value: name, label: name }))]}
            disabled={disabled}
            onValueChange={(value) => {
              const next = { ...draft };
              if (value === NO_OFF_VARIANT) delete next.offVariant;
              else next.offVariant = value;
              onChange(rows, next);
            }}
          />
        )}
      </Field>
    </section>
  );
}
