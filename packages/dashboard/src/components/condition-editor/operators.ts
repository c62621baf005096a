import { operatorCatalog, type OperandKind, type OperatorInfo } from '@halyard/core/definitions';
import type { Condition, Operator } from '@halyard/core';

/*
 * The operator picker reads core's registry (operatorCatalog()): the operators, what each one's operands are, and
 * whether `caseInsensitive` applies. Nothing here lists operators, so a new operator in core shows up here.
 */

export const OPERATORS: readonly OperatorInfo[] = operatorCatalog();

const BY_NAME = new Map<string, OperatorInfo>(OPERATORS.map((info) => [info.name, info]));

export function operatorInfo(name: string): OperatorInfo | undefined {
  return BY_NAME.get(name);
}

/** Group headings of the picker, by operand kind (order of first appearance in the registry). */
export const KIND_LABEL: Record<OperandKind, string> = {
  primitive: 'Equality and lists',
  string: 'Text',
  regex: 'Regular expressions',
  number: 'Numbers',
  count: 'Array size',
  semver: 'Versions',
  date: 'Dates',
  none: 'Presence',
  segment: 'Segments',
  cidr: 'IP addresses',
};

/** Operators grouped by operand kind, in registry order. */
export function operatorGroups(): Array<{ kind: OperandKind; operators: OperatorInfo[] }> {
  const groups = new Map<OperandKind, OperatorInfo[]>();
  for (const info of OPERATORS) {
    const list = groups.get(info.operand.kind) ?? [];
    list.push(info);
    groups.set(info.operand.kind, list);
  }
  return [...groups].map(([kind, operators]) => ({ kind, operators }));
}

/**
 * The condition after the user picks `operator`: values kept when the operand kind stays the same (trimmed to one
 * for a single-value operator), else cleared; `caseInsensitive` dropped where it does not apply.
 */
export function withOperator(condition: Condition, operator: Operator): Condition {
  const before = operatorInfo(condition.operator);
  const after = operatorInfo(operator);
  const next: Condition = { ...condition, operator };
  if (!after) return next;
  if (after.operand.count === 'none') delete next.values;
  else if (before?.operand.kind !== after.operand.kind) next.values = [];
  else if (after.operand.count === 'one') next.values = (condition.values ?? []).slice(0, 1);
  if (!after.caseInsensitive) delete next.caseInsensitive;
  if (!after.readsAttribute) next.attribute = '';
  return next;
}

/** A new condition for the "Add condition" button. */
export function newCondition(): Condition {
  return { attribute: 'userId', operator: 'in', values: [] };
}
