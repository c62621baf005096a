import { readAttr, type Attr, type Matcher } from '../evaluator/context';
import { compareSemver, parseSemver, type SemVer } from '../internal/semver';
import type { Condition } from '../types';
import { eachOperand, operandCount, type OperandCheck, type OperatorDefinition } from './operator';

/** Semantic-version comparison (SemVer 2.0.0 precedence) against `values[0]`; the attribute must be a strict SemVer string. */
function compileSemver(cond: Condition, attr: Attr): Matcher {
  const negate = cond.negate === true;
  const operand = parseSemver(String((cond.values ?? [])[0])) as SemVer;
  const op = cond.operator;
  return (ctx) => {
    const v = readAttr(ctx, attr);
    if (typeof v !== 'string') return false;
    const parsed = parseSemver(v);
    if (parsed === undefined) return false;
    const c = compareSemver(parsed, operand);
    const hit = op === 'semverEq' ? c === 0 : op === 'semverLt' ? c < 0 : op === 'semverLte' ? c <= 0 : op === 'semverGt' ? c > 0 : c >= 0;
    return hit !== negate;
  };
}

const checkVersion = (values: readonly unknown[], check: OperandCheck): boolean =>
  operandCount(values, check, 1) &&
  eachOperand(
    values,
    check,
    (x) => typeof x === 'string' && parseSemver(x) !== undefined,
    'a semantic version such as "1.4.0" or "2.0.0-beta.1" (no "v" prefix)',
  );

const semver = { caseInsensitive: false, readsAttribute: true, check: checkVersion, compile: compileSemver } as const;
const operands = 'one semantic version (`1.2.3-beta.1`, no `v` prefix)';

export const semverOperators = {
  semverEq: { ...semver, doc: { operands, description: 'the attribute is the same version (semver precedence; build metadata ignored)' } },
  semverLt: { ...semver, doc: { operands, description: 'the attribute is an earlier version' } },
  semverLte: { ...semver, doc: { operands, description: 'the attribute is an earlier or the same version' } },
  semverGt: { ...semver, doc: { operands, description: 'the attribute is a later version' } },
  semverGte: { ...semver, doc: { operands, description: 'the attribute is a later or the same version' } },
} as const satisfies Record<string, OperatorDefinition>;
