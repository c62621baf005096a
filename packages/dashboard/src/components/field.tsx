import { cloneElement, isValidElement, useId, type ReactElement, type ReactNode } from 'react';

/** The props a field hands to its control so the label, description and error are linked to it. */
export interface FieldControlProps {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: true;
  'aria-required'?: true;
}

export interface FieldProps {
  label: ReactNode;
  /** Help text under the label (linked with aria-describedby). */
  description?: ReactNode;
  /** The error message; sets aria-invalid on the control and is announced with it. */
  error?: ReactNode;
  required?: boolean;
  /** Use a given id for the control (else one is generated). */
  id?: string;
  className?: string;
  /** One control element (its props are merged), or a function that spreads the props where they belong. */
  children: ReactElement<Record<string, unknown>> | ((control: FieldControlProps) => ReactNode);
}

/**
 * A form field: a label, an optional description and an error message, all tied to the one control inside.
 *
 * @example
 * <Field label="Flag key" description="Lower case, digits and dashes." error={errors['key']}>
 *   <input value={key} onChange={(e) => setKey(e.target.value)} />
 * </Field>
 * // or, when the control is nested:
 * <Field label="Owner">{(control) => <div className="row"><input {...control} /></div>}</Field>
 */
export function Field({ label, description, error, required, id, className, children }: FieldProps) {
  const generated = useId();
  const controlId = id ?? `field-${generated}`;
  const descriptionId = description === undefined ? undefined : `${controlId}-description`;
  const hasError = error !== undefined && error !== null && error !== false && error !== '';
  const errorId = hasError ? `${controlId}-error` : undefined;
  const describedBy = [descriptionId, errorId].filter(Boolean).join(' ') || undefined;
  const control: FieldControlProps = {
    id: controlId,
    ...(describedBy === undefined ? {} : { 'aria-describedby': describedBy }),
    ...(hasError ? { 'aria-invalid': true as const } : {}),
    ...(required ? { 'aria-required': true as const } : {}),
  };

  let rendered: ReactNode;
  if (typeof children === 'function') rendered = children(control);
  else if (isValidElement(children)) {
    const own = children.props['aria-describedby'];
    const merged = [typeof own === 'string' ? own : undefined, describedBy].filter(Boolean).join(' ') || undefined;
    rendered = cloneElement(children, { ...control, 'aria-describedby': merged });
  } else rendered = children;

  return (
    <div className={['field', className].filter(Boolean).join(' ')}>
      <label htmlFor={controlId}>
        {label}
        {required && <span aria-hidden="true"> *</span>}
      </label>
      {description !== undefined && (
        <p id={descriptionId} className="field-description">
          {description}
        </p>
      )}
      {rendered}
      {hasError && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
