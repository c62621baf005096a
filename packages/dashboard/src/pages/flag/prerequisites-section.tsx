import type { FlagDefinition, Prerequisite } from '@halyard/core';
import { Field } from '../../components/field';
import { SelectControl } from '../../components/select';
import { fieldDomId } from '../../lib/problem-fields';
import type { StoredFlag } from '../../api/flag';

export interface PrerequisitesSectionProps {
  flagKey: string;
  draft: FlagDefinition;
  onChange(draft: FlagDefinition): void;
  /** The environment's other flags (for the picker and their variants). */
  flags: readonly StoredFlag[];
  errors: Readonly<Record<string, string>>;
  disabled: boolean;
}

/** Prerequisites: another flag that must serve one of the chosen variants, else this flag serves its off variant. */
export function PrerequisitesSection({ flagKey, draft, onChange, flags, errors, disabled }: PrerequisitesSectionProps) {
  const prerequisites = draft.prerequisites ?? [];
  const set = (next: Prerequisite[]) => onChange({ ...draft, prerequisites: next });
  const others = flags.filter((flag) => flag.key !== flagKey);
  const options = others.map((flag) => ({ value: flag.key, label: flag.key }));
  return (
    <section className="flag-section" aria-labelledby="prerequisites-heading">
      <h2 id="prerequisites-heading">Prerequisites</h2>
      <p className="muted">Each prerequisite flag must serve one of the chosen variants; a disabled prerequisite always fails.</p>
      {errors.prerequisites !== undefined && <p className="field-error">{errors.prerequisites}</p>}
      <ul className="prerequisite-list">
        {prerequisites.map((prerequisite, index) => {
          const at = (field: string) => `prerequisites[${index}].${field}`;
          const parent = flags.find((flag) => flag.key === prerequisite.flag);
          const variantNames = parent ? Object.keys(parent.definition.variants) : prerequisite.variants;
          const chosen = new Set(prerequisite.variants);
          const flagOptions = options.some((option) => option.value === prerequisite.flag) ? options : [{ value: prerequisite.flag, label: `${prerequisite.flag} (unknown)` }, ...options];
          return (
            <li key={index} className="prerequisite-row" id={fieldDomId(`prerequisites[${index}]`)}>
              {errors[`prerequisites[${index}]`] !== undefined && <p className="field-error">{errors[`prerequisites[${index}]`]}</p>}
              <Field label={`Prerequisite ${index + 1} flag`} id={fieldDomId(at('flag'))} error={errors[at('flag')]}>
                {(control) => (
                  <SelectControl
                    {...control}
                    value={prerequisite.flag}
                    options={flagOptions}
                    disabled={disabled}
                    onValueChange={(flag) => {
                      const target = flags.find((candidate) => candidate.key === flag);
                      const first = target ? Object.keys(target.definition.variants)[0] : undefined;
                      set(prerequisites.map((p, i) => (i === index ? { flag, variants: first === undefined ? [] : [first] } : p)));
                    }}
                  />
                )}
              </Field>
              <fieldset className="segment-picker" id={fieldDomId(at('variants'))} aria-describedby={errors[at('variants')] ? `${fieldDomId(at('variants'))}-error` : undefined}>
                <legend className="field-label">Prerequisite {index + 1} must serve</legend>
                {variantNames.map((variant) => (
                  <label key={variant} className="checkbox">
                    <input
                      type="checkbox"
                      checked={chosen.has(variant)}
                      disabled={disabled}
                      onChange={(event) =>
                        set(prerequisites.map((p, i) => (i === index ? { ...p, variants: event.target.checked ? [...p.variants, variant] : p.variants.filter((v) => v !== variant) } : p)))
                      }
                    />
                    {variant}
                  </label>
                ))}
              </fieldset>
              {errors[at('variants')] !== undefined && (
                <p className="field-error" id={`${fieldDomId(at('variants'))}-error`}>
                  {errors[at('variants')]}
                </p>
              )}
              <button type="button" disabled={disabled} aria-label={`Remove prerequisite ${index + 1}`} onClick={() => set(prerequisites.filter((_, i) => i !== index))}>
                Remove
              </button>
            </li>
          );
        })}
      </ul>
      <button
        type="button"
        disabled={disabled || others.length === 0}
        onClick={() => {
          const first = others[0];
          if (!first) return;
          const variant = Object.keys(first.definition.variants)[0];
          set([...prerequisites, { flag: first.key, variants: variant === undefined ? [] : [variant] }]);
        }}
      >
        Add prerequisite
      </button>
      {others.length === 0 && <p className="muted">No other flags in this environment.</p>}
    </section>
  );
}
