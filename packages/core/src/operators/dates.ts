import { readAttr, type Attr, type Matcher } from '../evaluator/context';
import { parseIsoDate, toEpochMs } from '../internal/date';
import type { Condition } from '../types';
import { anyElement, eachOperand, operandCount, type OperandCheck, type OperatorDefinition } from './operator';

/** Date comparison against `values[0]`; the attribute may be an ISO-8601 string (UTC without an offset), epoch ms or a `Date`. */
function compileDate(cond: Condition, attr: Attr): Matcher {
  const negate = cond.negate === true;
  const operand = toEpochMs((cond.values ?? [])[0]) as number;
  const before = cond.operator === 'before';
  const element = (e: unknown): boolean => {
    const t = toEpochMs(e);
    return t !== undefined && (before ? t < operand : t > operand);
  };
  return (ctx) => {
    const v = readAttr(ctx, attr);
    const t = toEpochMs(v);
    if (t === undefined) return anyElement(v, element, negate);
    return (before ? t < operand : t > operand) !== negate;
  };
}

const checkDate = (values: readonly unknown[], check: OperandCheck): boolean =>
  operandCount(values, check, 1) &&
  eachOperand(
    values,
    check,
    (x) => (typeof x === 'string' && parseIsoDate(x) !== undefined) || (typeof x === 'number' && Number.isFinite(x)),
    'an ISO-8601 date such as "2025-01-31" or "2025-01-31T12:00:00Z", or epoch milliseconds',
  );

const date = { caseInsensitive: false, readsAttribute: true, operand: { kind: 'date', count: 'one' }, check: checkDate, compile: compileDate } as const;
const operands = 'one date: an ISO-8601 string (UTC when it has no offset) or epoch milliseconds';

export const dateOperators = {
  before: { ...date, doc: { operands, description: 'the attribute (ISO-8601 string, epoch ms or `Date`) is earlier' } },
  after: { ...date, doc: { operands, description: 'the attribute (ISO-8601 string, epoch ms or `Date`) is later' } },
} as const satisfies Record<string, OperatorDefinition>;
