import type { Condition } from '@halyard/core';
import { Field } from './field';
import { OperandEditor } from './condition-editor/operand-editor';
import { OperatorSelect } from './condition-editor/operator-select';
import { newCondition, operatorInfo, withOperator } from './condition-editor/operators';
import { fieldDomId, fieldPath, parsePath } from '../lib/problem-fields';
import './condition-editor/condition-editor.css';

export interface ConditionsEditorProps {
  value: readonly Condition[];
  onChange(conditions: Condition[]): void;
  /** Segment keys of the environment, for `inSegment`. */
  segments: readonly string[];
  /** Error messages by field path (`rules[0].conditions[1].values`), e.g. from `mapProblems`. */
  errors?: Readonly<Record<string, string>>;
  /** The field path of this list in the definition: `rules[2].conditions` in a flag, `conditions` in a segment. */
  path: string;
  disabled?: boolean;
  /** Extra description ids for every control (e.g. the WriteGuard reason). */
  describedBy?: string;
}

function child(path: string, ...segments: Array<string | number>): string {
  return fieldPath(...(parsePath(path) ?? [path]), ...segments);
}

/** The field paths this editor renders for `conditions` at `path` (feed them to `mapProblems`). */
export function conditionFieldPaths(path: string, conditions: readonly Condition[]): string[] {
  const out = [path];
  conditions.forEach((_, index) => {
    for (const field of ['attribute', 'operator', 'values', 'negate', 'caseInsensitive']) out.push(child(path, index, field));
    out.push(child(path, index));
  });
  return out;
}

/**
 * Edits a list of conditions (all must match). The operator picker offers core's operators (the registry), the operand
 * input fits the chosen operator (none, one value, a list, the segment picker), and `caseInsensitive` appears only
 * where the registry allows it. Errors show at their field.
 *
 * @example
 * <ConditionsEditor value={rule.conditions} onChange={(conditions) => setRule({ ...rule, conditions })}
 *   segments={segmentKeys} errors={fieldErrors} path="rules[0].conditions" />
 */
export function ConditionsEditor({ value, onChange, segments, errors = {}, path, disabled, describedBy }: ConditionsEditorProps) {
  const update = (index: number, next: Condition) => onChange(value.map((condition, at) => (at === index ? next : condition)));
  const listError = errors[path];
  return (
    <div className="conditions-editor">
      {value.length === 0 && <p className="muted">No conditions: this matches every context.</p>}
      <ol className="condition-list">
        {value.map((condition, index) => {
          const info = operatorInfo(condition.operator);
          const at = (field: string) => child(path, index, field);
          const conditionError = errors[child(path, index)];
          return (
            <li key={index} className="condition" id={fieldDomId(child(path, index))} aria-label={`Condition ${index + 1}`}>
              {index > 0 && <span className="condition-and" aria-hidden="true">and</span>}
              {conditionError !== undefined && <p className="field-error">{conditionError}</p>}
              <div className="condition-fields">
                {info?.readsAttribute !== false ? (
                  <Field label="Attribute" id={fieldDomId(at('attribute'))} error={errors[at('attribute')]} className="condition-attribute">
                    <input
                      value={condition.attribute}
                      placeholder="account.plan"
                      spellCheck={false}
                      disabled={disabled}
                      aria-describedby={describedBy}
                      onChange={(event) => update(index, { ...condition, attribute: event.target.value })}
                    />
                  </Field>
                ) : (
                  <p className="muted condition-attribute">Segments name their own attributes.</p>
                )}
                <Field
                  label="Operator"
                  id={fieldDomId(at('operator'))}
                  error={errors[at('operator')]}
                  description={info?.description}
                  className="condition-operator"
                >
                  {(control) => (
                    <OperatorSelect
                      id={control.id}
                      aria-describedby={[control['aria-describedby'], describedBy].filter(Boolean).join(' ') || undefined}
                      value={condition.operator}
                      disabled={disabled}
                      onValueChange={(operator) => update(index, withOperator(condition, operator))}
                    />
                  )}
                </Field>
                {info && info.operand.kind === 'segment' ? (
                  <div className="field condition-values">
                    <OperandEditor
                      info={info}
                      values={condition.values ?? []}
                      segments={segments}
                      disabled={disabled}
                      onChange={(values) => update(index, { ...condition, values })}
                      control={{
                        id: fieldDomId(at('values')),
                        ...(errors[at('values')] !== undefined ? { 'aria-describedby': `${fieldDomId(at('values'))}-error`, 'aria-invalid': true } : {}),
                      }}
                    />
                    {errors[at('values')] !== undefined && (
                      <p className="field-error" id={`${fieldDomId(at('values'))}-error`}>
                        {errors[at('values')]}
                      </p>
                    )}
                  </div>
                ) : (
                  info &&
                  info.operand.count !== 'none' && (
                    <Field
                      label={info.operand.count === 'one' ? 'Value' : 'Values (one per line)'}
                      id={fieldDomId(at('values'))}
                      error={errors[at('values')]}
                      description={info.operands}
                      className="condition-values"
                    >
                      {(control) => (
                        <OperandEditor
                          info={info}
                          values={condition.values ?? []}
                          segments={segments}
                          disabled={disabled}
                          onChange={(values) => update(index, { ...condition, values })}
                          control={control}
                        />
                      )}
                    </Field>
                  )
                )}
              </div>
              <div className="condition-options">
                <label className="checkbox">
                  <input
                    type="checkbox"
                    id={fieldDomId(at('negate'))}
                    checked={condition.negate === true}
                    disabled={disabled}
                    onChange={(event) => {
                      const next = { ...condition };
                      if (event.target.checked) next.negate = true;
                      else delete next.negate;
                      update(index, next);
                    }}
                  />
                  Negate (does not match)
                </label>
                {info?.caseInsensitive && (
                  <label className="checkbox">
                    <input
                      type="checkbox"
                      id={fieldDomId(at('caseInsensitive'))}
                      checked={condition.caseInsensitive === true}
                      disabled={disabled}
                      onChange={(event) => {
                        const next = { ...condition };
                        if (event.target.checked) next.caseInsensitive = true;
                        else delete next.caseInsensitive;
                        update(index, next);
                      }}
                    />
                    Ignore case
                  </label>
                )}
                <button type="button" disabled={disabled} onClick={() => onChange(value.filter((_, at) => at !== index))} aria-label={`Remove condition ${index + 1}`}>
                  Remove
                </button>
              </div>
              {(errors[at('negate')] ?? errors[at('caseInsensitive')]) !== undefined && <p className="field-error">{errors[at('negate')] ?? errors[at('caseInsensitive')]}</p>}
            </li>
          );
        })}
      </ol>
      {listError !== undefined && (
        <p className="field-error" id={fieldDomId(path) + '-error'}>
          {listError}
        </p>
      )}
      <button type="button" disabled={disabled} onClick={() => onChange([...value, newCondition()])} aria-describedby={describedBy}>
        Add condition
      </button>
    </div>
  );
}
