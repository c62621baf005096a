import type { RuleRollout } from '@halyard/core';
import { Field } from '../../components/field';
import { fieldDomId } from '../../lib/problem-fields';

/** Buckets of a rollout the dashboard creates: 0.001 % resolution, like the default serve's percentages. */
const NEW_TOTAL = 100_000;

export interface RuleRolloutFieldProps {
  /** The rule's path in the definition (`rules[0]`): the field's id and its validation error follow from it. */
  path: string;
  label: string;
  value: RuleRollout | undefined;
  error: string | undefined;
  disabled: boolean;
  onChange(value: RuleRollout | undefined): void;
}

/** The share `rollout` lets through, in percent with 3 decimals. */
export const rolloutPercent = (rollout: RuleRollout): number => Math.round((rollout.weight / rollout.total) * 100_000) / 1000;

/**
 * A rule's percentage gate: "apply this rule to N % of the units it matches". Only `weight` changes, so the hash
 * (salt, seed, bucketBy) stays and raising the share only adds units (the same monotonic bucketing as rollouts).
 *
 * @example
 * <RuleRolloutField path="rules[0]" label="Rule 1" value={rule.rollout} error={errors['rules[0].rollout']} disabled={false} onChange={setRollout} />
 */
export function RuleRolloutField({ path, label, value, error, disabled, onChange }: RuleRolloutFieldProps) {
  const id = fieldDomId(`${path}.rollout`);
  if (value === undefined) {
    return (
      <p>
        <button type="button" disabled={disabled} aria-label={`${label}: apply to a share of matching units`} onClick={() => onChange({ weight: NEW_TOTAL, total: NEW_TOTAL })}>
          Apply to a share of matching units
        </button>
        {error !== undefined && <span className="field-error"> {error}</span>}
      </p>
    );
  }
  return (
    <div className="rule-rollout">
      <Field
        label={`${label}: share of matching units (%)`}
        description={`Units outside it skip this rule and go on to the next. Raising it only adds units (${value.total.toLocaleString('en-US')} buckets${value.bucketBy === undefined ? '' : `, by ${value.bucketBy}`}).`}
        id={id}
        error={error}
      >
        <input
          type="number"
          min={0}
          max={100}
          step={0.001}
          inputMode="decimal"
          disabled={disabled}
          value={rolloutPercent(value)}
          onChange={(event) => {
            const percent = event.target.valueAsNumber;
            if (!Number.isFinite(percent)) return;
            const clamped = Math.min(100, Math.max(0, percent));
            onChange({ ...value, weight: Math.round((clamped / 100) * value.total) });
          }}
        />
      </Field>
      <button type="button" disabled={disabled} aria-label={`${label}: apply to every matching unit`} onClick={() => onChange(undefined)}>
        Apply to every matching unit
      </button>
    </div>
  );
}
