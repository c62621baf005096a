import type { Serve, SplitServe } from '@halyard/core';
import { Field } from '../../components/field';
import { SelectControl } from '../../components/select';
import { fieldDomId } from '../../lib/problem-fields';
import { roundPercent } from './draft';

export interface ServeEditorProps {
  /** Field path of the serve (`defaultServe`, `rules[1].serve`). */
  path: string;
  /** A readable name for the serve in labels ("Rule 2", "Default"). */
  label: string;
  value: Serve;
  onChange(serve: Serve): void;
  variants: readonly string[];
  errors: Readonly<Record<string, string>>;
  disabled?: boolean;
}

const sum = (serve: SplitServe) => roundPercent(serve.split.reduce((total, slice) => total + (slice.percentage ?? 0), 0));

/** Serve one variant, or a deterministic percentage split (with the bucketing attribute). */
export function ServeEditor({ path, label, value, onChange, variants, errors, disabled }: ServeEditorProps) {
  const isSplit = 'split' in value;
  const options = variants.map((name) => ({ value: name, label: name }));
  const first = variants[0] ?? 'on';
  const error = errors[path];
  return (
    <div className="serve-editor" id={fieldDomId(path)}>
      <fieldset className="serve-mode">
        <legend>{label}: serve</legend>
        <label className="checkbox">
          <input
            type="radio"
            name={`${path}-mode`}
            checked={!isSplit}
            disabled={disabled}
            onChange={() => onChange({ variant: isSplit ? (value.split[0]?.variant ?? first) : value.variant })}
          />
          One variant
        </label>
        <label className="checkbox">
          <input
            type="radio"
            name={`${path}-mode`}
            checked={isSplit}
            disabled={disabled}
            onChange={() => {
              const chosen = isSplit ? first : value.variant;
              const other = variants.find((name) => name !== chosen) ?? chosen;
              onChange({ split: [{ variant: chosen, percentage: 50 }, { variant: other, percentage: 50 }] });
            }}
          />
          Percentage split
        </label>
      </fieldset>
      {error !== undefined && (
        <p className="field-error" id={`${fieldDomId(path)}-error`}>
          {error}
        </p>
      )}
      {!isSplit ? (
        <Field label={`${label}: variant`} id={fieldDomId(`${path}.variant`)} error={errors[`${path}.variant`]}>
          {(control) => <SelectControl {...control} value={value.variant} options={options} disabled={disabled} onValueChange={(variant) => onChange({ variant })} />}
        </Field>
      ) : (
        <div className="split-editor">
          <ul className="split-slices">
            {value.split.map((slice, index) => {
              const at = `${path}.split[${index}]`;
              const sliceError = errors[at] ?? errors[`${at}.weight`];
              return (
                <li key={index} className="split-slice">
                  <Field label={`Slice ${index + 1} variant`} id={fieldDomId(`${at}.variant`)} error={errors[`${at}.variant`]}>
                    {(control) => (
                      <SelectControl
                        {...control}
                        value={slice.variant}
                        options={options}
                        disabled={disabled}
                        onValueChange={(variant) => onChange({ ...value, split: value.split.map((s, i) => (i === index ? { ...s, variant } : s)) })}
                      />
                    )}
                  </Field>
                  <Field label={`Slice ${index + 1} percentage`} id={fieldDomId(`${at}.percentage`)} error={errors[`${at}.percentage`] ?? sliceError}>
                    <input
                      type="number"
                      min={0}
                      max={100}
                      step={0.001}
                      value={slice.percentage ?? ''}
                      disabled={disabled}
                      onChange={(event) => {
                        const percentage = event.target.value === '' ? 0 : roundPercent(Number(event.target.value));
                        const { weight: _weight, ...rest } = slice;
                        onChange({ ...value, split: value.split.map((s, i) => (i === index ? { ...rest, percentage } : s)) });
                      }}
                    />
                  </Field>
                  <button
                    type="button"
                    disabled={disabled || value.split.length <= 1}
                    aria-label={`Remove slice ${index + 1} of ${label}`}
                    onClick={() => onChange({ ...value, split: value.split.filter((_, i) => i !== index) })}
                  >
                    Remove
                  </button>
                </li>
              );
            })}
          </ul>
          <p className={sum(value) === 100 ? 'muted' : 'warning-text'} aria-live="polite">
            Total: {sum(value)} % {sum(value) === 100 ? '' : '(must be exactly 100 %)'}
          </p>
          {errors[`${path}.split`] !== undefined && <p className="field-error">{errors[`${path}.split`]}</p>}
          <button type="button" disabled={disabled} onClick={() => onChange({ ...value, split: [...value.split, { variant: first, percentage: 0 }] })}>
            Add slice
          </button>
          <Field
            label="Bucket by (attribute)"
            description="The context attribute that identifies the unit; the same unit always lands in the same bucket."
            id={fieldDomId(`${path}.bucketBy`)}
            error={errors[`${path}.bucketBy`]}
          >
            <input
              value={value.bucketBy ?? ''}
              placeholder="userId"
              spellCheck={false}
              disabled={disabled}
              onChange={(event) => {
                const next: SplitServe = { ...value };
                if (event.target.value === '') delete next.bucketBy;
                else next.bucketBy = event.target.value;
                onChange(next);
              }}
            />
          </Field>
        </div>
      )}
    </div>
  );
}
