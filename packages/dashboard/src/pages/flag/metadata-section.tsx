import type { FlagDefinition, FlagKind } from '@halyard/core';
import { Field } from '../../components/field';
import { SelectControl } from '../../components/select';
import { fieldDomId } from '../../lib/problem-fields';
import { ListInput } from './list-input';

export interface MetadataSectionProps {
  draft: FlagDefinition;
  onChange(draft: FlagDefinition): void;
  errors: Readonly<Record<string, string>>;
  disabled: boolean;
}

const NO_KIND = '__none__';
const KINDS: Array<{ value: FlagKind; label: string }> = [
  { value: 'release', label: 'release' },
  { value: 'experiment', label: 'experiment' },
  { value: 'operational', label: 'operational' },
  { value: 'permission', label: 'permission' },
];

function withText<K extends 'description' | 'owner' | 'expiresAt'>(draft: FlagDefinition, field: K, value: string): FlagDefinition {
  const next = { ...draft };
  if (value === '') delete next[field];
  else next[field] = value;
  return next;
}

/** Description, owner, kind, tags and expiry date. */
export function MetadataSection({ draft, onChange, errors, disabled }: MetadataSectionProps) {
  return (
    <section className="flag-section" aria-labelledby="metadata-heading">
      <h2 id="metadata-heading">About this flag</h2>
      <div className="metadata-grid">
        <Field label="Description" id={fieldDomId('description')} error={errors.description} className="metadata-wide">
          <textarea rows={2} value={draft.description ?? ''} disabled={disabled} onChange={(event) => onChange(withText(draft, 'description', event.target.value))} />
        </Field>
        <Field label="Owner" description="A team or person to ask about it." id={fieldDomId('owner')} error={errors.owner}>
          <input value={draft.owner ?? ''} disabled={disabled} onChange={(event) => onChange(withText(draft, 'owner', event.target.value))} />
        </Field>
        <Field label="Kind" description="Sets how long it may live before it counts as stale." id={fieldDomId('kind')} error={errors.kind}>
          {(control) => (
            <SelectControl
              {...control}
              value={draft.kind ?? NO_KIND}
              options={[{ value: NO_KIND, label: '(not set)' }, ...KINDS]}
              disabled={disabled}
              onValueChange={(value) => {
                const next = { ...draft };
                if (value === NO_KIND) delete next.kind;
                else next.kind = value as FlagKind;
                onChange(next);
              }}
            />
          )}
        </Field>
        <Field label="Tags" description="Comma separated." id={fieldDomId('tags')} error={errors.tags}>
          {(control) => <ListInput commas control={control} values={draft.tags ?? []} disabled={disabled} onChange={(tags) => onChange({ ...draft, tags })} />}
        </Field>
        <Field label="Expiry date" description="After this date the flag is reported as expired flag debt." id={fieldDomId('expiresAt')} error={errors.expiresAt}>
          <input type="date" value={draft.expiresAt?.slice(0, 10) ?? ''} disabled={disabled} onChange={(event) => onChange(withText(draft, 'expiresAt', event.target.value))} />
        </Field>
      </div>
    </section>
  );
}
