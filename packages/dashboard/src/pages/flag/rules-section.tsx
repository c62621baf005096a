import type { FlagDefinition, Rule } from '@halyard/core';
import { ConditionsEditor } from '../../components/condition-editor';
import { Field } from '../../components/field';
import { fieldDomId } from '../../lib/problem-fields';
import { RuleRolloutField } from './rule-rollout-field';
import { ServeEditor } from './serve-editor';

export interface RulesSectionProps {
  draft: FlagDefinition;
  onChange(draft: FlagDefinition): void;
  variants: readonly string[];
  segments: readonly string[];
  errors: Readonly<Record<string, string>>;
  disabled: boolean;
  /** Announces a move for screen readers (the focus stays on the button that moved the rule). */
  announce(message: string): void;
}

/**
 * The anchor of rule `index` on the flag page: `#rule-0` is the first rule, the same name the evaluator gives a rule
 * without an `id` (`ruleId: "rule-0"`), so a rule id from logs or results finds its rule.
 */
export const ruleAnchor = (index: number) => `rule-${index}`;

/** Ordered rules: the first whose conditions all match decides. Add, remove, and move up/down with the keyboard. */
export function RulesSection({ draft, onChange, variants, segments, errors, disabled, announce }: RulesSectionProps) {
  const rules = draft.rules ?? [];
  const set = (next: Rule[]) => onChange({ ...draft, rules: next });
  const move = (from: number, to: number) => {
    const next = [...rules];
    const [rule] = next.splice(from, 1);
    if (!rule) return;
    next.splice(to, 0, rule);
    set(next);
    announce(`Rule moved to position ${to + 1} of ${next.length}.`);
    // Keep the keyboard where the rule went: the same button on its new card, or the other one at an end.
    requestAnimationFrame(() => {
      const card = document.getElementById(ruleAnchor(to));
      const button = card?.querySelector<HTMLButtonElement>(`button[data-move="${to < from ? 'up' : 'down'}"]:not(:disabled)`) ?? card?.querySelector<HTMLButtonElement>('button[data-move]:not(:disabled)');
      button?.focus();
    });
  };
  return (
    <section className="flag-section" aria-labelledby="rules-heading">
      <h2 id="rules-heading">Rules</h2>
      <p className="muted">In order: the first rule whose conditions all match serves. Contexts no rule matches get the default serve.</p>
      {errors.rules !== undefined && <p className="field-error">{errors.rules}</p>}
      <ol className="rule-list">
        {rules.map((rule, index) => {
          const base = `rules[${index}]`;
          const title = `Rule ${index + 1}${rule.id ? ` (${rule.id})` : ''}`;
          return (
            <li key={index} className="rule-card" id={ruleAnchor(index)} aria-labelledby={`${ruleAnchor(index)}-title`} tabIndex={-1}>
              <div className="rule-header">
                <h3 id={`${ruleAnchor(index)}-title`}>{title}</h3>
                <div className="rule-actions">
                  <button type="button" data-move="up" disabled={disabled || index === 0} aria-label={`Move up: rule ${index + 1}`} onClick={() => move(index, index - 1)}>
                    Move up
                  </button>
                  <button type="button" data-move="down" disabled={disabled || index === rules.length - 1} aria-label={`Move down: rule ${index + 1}`} onClick={() => move(index, index + 1)}>
                    Move down
                  </button>
                  <button type="button" disabled={disabled} aria-label={`Remove rule ${index + 1}`} onClick={() => set(rules.filter((_, i) => i !== index))}>
                    Remove
                  </button>
                </div>
              </div>
              {errors[base] !== undefined && (
                <p className="field-error" id={`${fieldDomId(base)}-error`}>
                  {errors[base]}
                </p>
              )}
              <div className="rule-meta">
                <Field label="Rule id" description="Optional; shown in evaluation results." id={fieldDomId(`${base}.id`)} error={errors[`${base}.id`]}>
                  <input
                    value={rule.id ?? ''}
                    spellCheck={false}
                    disabled={disabled}
                    onChange={(event) => {
                      const next = { ...rule };
                      if (event.target.value === '') delete next.id;
                      else next.id = event.target.value;
                      set(rules.map((r, i) => (i === index ? next : r)));
                    }}
                  />
                </Field>
                <Field label="Rule description" id={fieldDomId(`${base}.description`)} error={errors[`${base}.description`]}>
                  <input
                    value={rule.description ?? ''}
                    disabled={disabled}
                    onChange={(event) => {
                      const next = { ...rule };
                      if (event.target.value === '') delete next.description;
                      else next.description = event.target.value;
                      set(rules.map((r, i) => (i === index ? next : r)));
                    }}
                  />
                </Field>
              </div>
              <h4>Conditions (all must match)</h4>
              <ConditionsEditor
                path={`${base}.conditions`}
                value={rule.conditions}
                segments={segments}
                errors={errors}
                disabled={disabled}
                onChange={(conditions) => set(rules.map((r, i) => (i === index ? { ...r, conditions } : r)))}
              />
              <RuleRolloutField
                path={base}
                label={`Rule ${index + 1}`}
                value={rule.rollout}
                error={errors[`${base}.rollout`] ?? errors[`${base}.rollout.weight`]}
                disabled={disabled}
                onChange={(rollout) =>
                  set(
                    rules.map((r, i) => {
                      if (i !== index) return r;
                      const next = { ...r };
                      if (rollout === undefined) delete next.rollout;
                      else next.rollout = rollout;
                      return next;
                    }),
                  )
                }
              />
              <ServeEditor
                path={`${base}.serve`}
                label={`Rule ${index + 1}`}
                value={rule.serve}
                variants={variants}
                errors={errors}
                disabled={disabled}
                onChange={(serve) => set(rules.map((r, i) => (i === index ? { ...r, serve } : r)))}
              />
            </li>
          );
        })}
      </ol>
      <button
        type="button"
        disabled={disabled || variants.length === 0}
        onClick={() => set([...rules, { conditions: [{ attribute: 'userId', operator: 'in', values: [] }], serve: { variant: variants[0]! } }])}
      >
        Add rule
      </button>
    </section>
  );
}
