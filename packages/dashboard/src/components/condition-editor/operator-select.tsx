import { Select } from 'radix-ui';
import type { Operator } from '@halyard/core';
import { KIND_LABEL, operatorGroups } from './operators';

export interface OperatorSelectProps {
  id: string;
  'aria-describedby'?: string | undefined;
  value: Operator;
  onValueChange(operator: Operator): void;
  disabled?: boolean | undefined;
}

const GROUPS = operatorGroups();

/**
 * The operator picker: core's operators grouped by what their operands are (Radix Select with group labels). Its
 * list is capped to the space Radix measures and scrolls, since thirty operators do not fit a phone screen.
 */
export function OperatorSelect({ id, value, onValueChange, disabled, ...aria }: OperatorSelectProps) {
  return (
    <Select.Root value={value} onValueChange={(next) => onValueChange(next as Operator)} disabled={disabled}>
      <Select.Trigger id={id} className="select-trigger" {...aria}>
        <Select.Value>{value}</Select.Value>
        <Select.Icon aria-hidden="true">▾</Select.Icon>
      </Select.Trigger>
      <Select.Portal>
        <Select.Content className="select-content operator-select-content" position="popper" sideOffset={4}>
          <Select.Viewport>
            {GROUPS.map((group) => (
              <Select.Group key={group.kind}>
                <Select.Label className="operator-group-label">{KIND_LABEL[group.kind]}</Select.Label>
                {group.operators.map((info) => (
                  <Select.Item key={info.name} value={info.name} className="select-item">
                    <Select.ItemText>{info.name}</Select.ItemText>
                  </Select.Item>
                ))}
              </Select.Group>
            ))}
          </Select.Viewport>
        </Select.Content>
      </Select.Portal>
    </Select.Root>
  );
}
