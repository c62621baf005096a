import type { FlagDefinition, Target } from '@halyard/core';
import { Field } from '../../components/field';
import { SelectControl } from '../../components/select';
import { fieldDomId } from '../../lib/problem-fields';
import { ListInput } from './list-input';

export interface TargetsSectionProps {
  draft: FlagDefinition;
  onChange(draft: FlagDefinition): void;
  variants: readonly string[];
  errors: Readonly<Record<string, string>>;
  disabled: boolean;
}

/** Individual targets: a variant for a list of unit ids, checked before the rules. */
export function TargetsSection({ draft, onChange, variants, errors, disabled }: TargetsSectionProps) {
  const targets = draft.targets ?? [];
  const set = (next: Target[]) => onChange({ ...draft, targets: next });
  const options = variants.map((name) => ({ value: name, label: name }));
  return (
    <section className="flag-section" aria-labelledby="targets-heading">
      <h2 id="targets-heading">Individual targets</h2>
      <p className="muted">Checked first: these unit ids get the variant whatever the rules say.</p>
      {errors.targets !== undefined && <p className="field-error">{errors.targets}</p>}
      <ul className="target-list">
        {targets.map((target, index) => {
          const at = (field: string) => `targets[${index}].${field}`;
          return (
            <li key={index} className="target-row" id={fieldDomId(`targets[${index}]`)}>
              {errors[`targets[${index}]`] !== undefined && <p className="field-error">{errors[`targets[${index}]`]}</p>}
              <Field label={`Target ${index + 1} variant`} id={fieldDomId(at('variant'))} error={errors[at('variant')]}>
                {(control) => (
                  <SelectControl {...control} value={target.variant} options={options} disabled={disabled} onValueChange={(variant) => set(targets.map((t, i) => (i === index ? { ...t, variant } : t)))} />
                )}
              </Field>
              <Field label={`Target ${index + 1} unit ids (one per line)`} id={fieldDomId(at('values'))} error={errors[at('values')]}>
                {(control) => <ListInput control={control} values={target.values} disabled={disabled} onChange={(values) => set(targets.map((t, i) => (i === index ? { ...t, values } : t)))} />}
              </Field>
              <Field label={`Target ${index + 1} attribute`} description="Defaults to userId." id={fieldDomId(at('attribute'))} error={errors[at('attribute')]}>
                <input
                  value={target.attribute ?? ''}
                  placeholder="userId"
                  spellCheck={false}
                  disabled={disabled}
                  onChange={(event) =>
                    set(
                      targets.map((t, i) => {
                        if (i !== index) return t;
                        const next = { ...t };
                        if (event.target.value === '') delete next.attribute;
                        else next.attribute = event.target.value;
                        return next;
                      }),
                    )
                  }
                />
              </Field>
              <button type="button" disabled={disabled} aria-label={`Remove target ${index + 1}`} onClick={() => set(targets.filter((_, i) => i !== index))}>
                Remove
              </button>
            </li>
          );
        })}
      </ul>
      <button type="button" disabled={disabled || variants.length === 0} onClick={() => set([...targets, { variant: variants[0]!, values: [] }])}>
        Add target
      </button>
    </section>
  );
}
