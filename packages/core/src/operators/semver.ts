import { readAttr, type Attr, type Matcher } from '../evaluator/context';
import { compareSemver, parseSemver, type SemVer } from '../internal/semver';
import type { Condition } from '../types';
import { anyElement, eachOperand, operandCount, type OperandCheck, type OperatorDefinition } from './operator';

/**
 * Semantic-version comparison (SemVer 2.0.0 precedence) against `values[0]`. The attribute must be a version
 * string, written as people write them: `2`, `2.0`, `v2.0.0` and `2.0.0` are one version (see internal/semver.ts).
 */
function compileSemver(cond: Condition, attr: Attr): Matcher {
  const negate = cond.negate === true;
  const operand = parseSemver(String((cond.values ?? [])[0])) as SemVer;
  const op = cond.operator;
  const compare = (v: SemVer): boolean => {
    const c = compareSemver(v, operand);
    return op === 'semverEq' ? c === 0 : op === 'semverLt' ? c < 0 : op === 'semverLte' ? c <= 0 : op === 'semverGt' ? c > 0 : c >= 0;
  };
  const element = (e: unknown): boolean => {
    const parsed = typeof e === 'string' ? parseSemver(e) : undefined;
    return parsed !== undefined && compare(parsed);
  };
  return (ctx) => {
    const v = readAttr(ctx, attr);
    if (typeof v !== 'string') return anyElement(v, element, negate);
    const parsed = parseSemver(v);
    return parsed !== undefined && compare(parsed) !== negate;
  };
}

const checkVersion = (values: readonly unknown[], check: OperandCheck): boolean =>
  operandCount(values, check, 1) &&
  eachOperand(values, check, (x) => typeof x === 'string' && parseSemver(x) !== undefined, 'a version such as "1.4.0", "2.0", "v3" or "2.0.0-beta.1"');

const semver = { caseInsensitive: false, readsAttribute: true, operand: { kind: 'semver', count: 'one' }, check: checkVersion, compile: compileSemver } as const;
const operands = 'one version: 1–3 numeric parts, missing parts 0, an optional `v`, prerelease and build as in SemVer (`2`, `v1.4`, `1.2.3-beta.1`)';

export const semverOperators = {
  semverEq: { ...semver, doc: { operands, description: 'the attribute (a version string, same forms) is the same version (semver precedence; build metadata ignored)' } },
  semverLt: { ...semver, doc: { operands, description: 'the attribute is an earlier version' } },
  semverLte: { ...semver, doc: { operands, description: 'the attribute is an earlier or the same version' } },
  semverGt: { ...semver, doc: { operands, description: 'the attribute is a later version' } },
  semverGte: { ...semver, doc: { operands, description: 'the attribute is a later or the same version' } },
} as const satisfies Record<string, OperatorDefinition>;
