import { Select } from 'radix-ui';

export interface SelectOption {
  value: string;
  label: string;
}

export interface SelectControlProps {
  /** Give the trigger an id and point a <label htmlFor> (or <Field>) at it, or pass `aria-label`. */
  id?: string;
  'aria-label'?: string;
  'aria-describedby'?: string;
  value: string;
  onValueChange: (value: string) => void;
  /** Values must be non-empty strings (Radix reserves '' for "no value"): use a sentinel such as `all`. */
  options: readonly SelectOption[];
  disabled?: boolean;
  className?: string;
}

/**
 * A single-choice picker (Radix Select: a combobox button and a listbox, typeahead and arrow keys included).
 *
 * @example
 * <label htmlFor="kind">Kind</label>
 * <SelectControl id="kind" value={kind} onValueChange={setKind} options={[{ value: 'all', label: 'All kinds' }]} />
 */
export function SelectControl({ id, value, onValueChange, options, disabled, className, ...aria }: SelectControlProps) {
  const current = options.find((option) => option.value === value);
  return (
    <Select.Root value={value} onValueChange={onValueChange} disabled={disabled}>
      <Select.Trigger id={id} className={['select-trigger', className].filter(Boolean).join(' ')} {...aria}>
        <Select.Value>{current?.label ?? value}</Select.Value>
        <Select.Icon aria-hidden="true">▾</Select.Icon>
      </Select.Trigger>
      <Select.Portal>
        <Select.Content className="select-content" position="popper" sideOffset={4}>
          <Select.Viewport>
            {options.map((option) => (
              <Select.Item key={option.value} value={option.value} className="select-item">
                <Select.ItemText>{option.label}</Select.ItemText>
              </Select.Item>
            ))}
          </Select.Viewport>
        </Select.Content>
      </Select.Portal>
    </Select.Root>
  );
}
