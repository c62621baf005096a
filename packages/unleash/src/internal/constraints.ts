import type { Condition, RuleRollout } from '@halyard/core';
import { conditionProblem, isIpRange } from './halyard-check';
import type { Issues } from './issues';
import { describe, fld, idx, isObj, own, type Obj } from './json-shape';
import { toHalyardAttribute } from './keys';
import { translateRe2 } from './re2';

/*
 * Unleash constraints → Halyard conditions. Operands Halyard validates (semantic versions, regular expressions,
 * IP ranges) are checked with Halyard's own parser (`conditionProblem`), so this file holds only the mapping.
 */

/**
 * One Unleash constraint (or strategy parameter) as a boolean term over the context.
 * - `cond`: Unleash's value is AND(conds) — false when the attribute is missing or incomparable — inverted when
 *   `negated`. `stringFamily` marks conditions whose only "incomparable" case is a missing attribute (string
 *   operators on the all-strings context `unleashContext` builds), so a negation is "missing OR NOT cond".
 * - `any`: OR of conjunctions (positive only).
 */
export type Term =
  | { kind: 'const'; value: boolean; why?: string }
  | { kind: 'unsupported'; reason: string }
  | { kind: 'cond'; conds: Condition[]; negated: boolean; stringFamily: boolean }
  | { kind: 'any'; options: Condition[][] };

export const NEVER: Term = { kind: 'const', value: false };
export const ALWAYS: Term = { kind: 'const', value: true };

export function flip(t: Term): Term {
  if (t.kind === 'const') return { kind: 'const', value: !t.value };
  if (t.kind === 'cond') return { ...t, negated: !t.negated };
  return t;
}

/** Unleash's cleanValues: drop falsy entries, trim the rest. Non-strings (which crash Unleash) are reported. */
function cleanValues(v: unknown, path: string, issues: Issues): string[] {
  if (!Array.isArray(v)) {
    issues.error(path, `"values" must be an array of strings, got ${describe(v)}; treated as empty`);
    return [];
  }
  const out: string[] = [];
  v.forEach((x: unknown, i) => {
    if (!x) return;
    if (typeof x !== 'string') {
      issues.error(idx(path, i), `constraint values must be strings, got ${describe(x)}; ignored`);
      return;
    }
    const t = x.trim();
    if (t !== '') out.push(t);
  });
  return out;
}

const NUM_OPS: Record<string, 'lt' | 'lte' | 'gt' | 'gte' | 'eq'> = {
  NUM_LT: 'lt',
  NUM_LTE: 'lte',
  NUM_GT: 'gt',
  NUM_GTE: 'gte',
  NUM_EQ: 'eq',
};
const SEMVER_OPS: Record<string, Condition['operator']> = {
  SEMVER_EQ: 'semverEq',
  SEMVER_LT: 'semverLt',
  SEMVER_LTE: 'semverLte',
  SEMVER_GT: 'semverGt',
  SEMVER_GTE: 'semverGte',
};
const STR_OPS: Record<string, Condition['operator']> = {
  STR_CONTAINS: 'contains',
  STR_STARTS_WITH: 'startsWith',
  STR_ENDS_WITH: 'endsWith',
};

/**
 * node-semver, which Unleash uses, reads only full `major.minor.patch` versions, with no "v" in the context value;
 * Halyard also reads `2`, `2.0` and `v2.0.0`. Imported semver conditions therefore require this shape of the
 * context value too (a `matches` next to the comparison), and operands of another shape never match.
 */
const FULL_VERSION = '^\\d+\\.\\d+\\.\\d+(?:[-+]|$)';
const FULL_VERSION_RE = new RegExp(FULL_VERSION);

/** ISO-8601 for years 0–9999 (what Halyard's date parser reads), epoch milliseconds beyond. */
export function isoOrMs(ms: number): string | number {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  return y >= 0 && y <= 9999 ? d.toISOString() : ms;
}

export function constraintTerm(c: unknown, path: string, issues: Issues): Term {
  if (!isObj(c)) {
    // Unleash treats a falsy constraint as failing; anything else without an operator fails too.
    issues.error(path, `a constraint must be an object with "contextName", "operator" and "values"/"value", got ${describe(c)}; it never matches`);
    return NEVER;
  }
  const op = own(c, 'operator');
  const contextName = own(c, 'contextName');
  const inverted = Boolean(own(c, 'inverted'));
  const caseInsensitive = Boolean(own(c, 'caseInsensitive'));
  const known = typeof op === 'string' && (op === 'IN' || op === 'NOT_IN' || op === 'REGEX' || op === 'IN_CIDR' || op.startsWith('DATE_') || op in NUM_OPS || op in SEMVER_OPS || op in STR_OPS);
  if (!known) {
    // Unleash returns false for an unknown operator before looking at `inverted`.
    issues.warn(fld(path, 'operator'), `unknown constraint operator ${describe(op)}; it never matches, as in Unleash`);
    return NEVER;
  }
  const opName = op as string;
  let attribute: string | undefined;
  if (!opName.startsWith('DATE_')) {
    if (typeof contextName !== 'string') {
      issues.error(fld(path, 'contextName'), `"contextName" must be a string, got ${describe(contextName)}; the constraint never matches`);
      return NEVER;
    }
    attribute = toHalyardAttribute(contextName);
  }
  let base: Term;
  if (attribute === undefined && !opName.startsWith('DATE_')) {
    issues.warn(fld(path, 'contextName'), 'the context field name is longer than 256 characters and cannot be read by Halyard; it is treated as missing');
    base = NEVER;
  } else base = baseTerm(c, opName, attribute as string, caseInsensitive, path, issues);
  if (opName === 'NOT_IN') base = flip(base);
  return inverted ? flip(base) : base;
}

function baseTerm(c: Obj, op: string, attribute: string, caseInsensitive: boolean, path: string, issues: Issues): Term {
  if (op === 'IN' || op === 'NOT_IN') {
    const values = cleanValues(own(c, 'values'), fld(path, 'values'), issues);
    if (values.length === 0) return NEVER;
    return { kind: 'cond', conds: [{ attribute, operator: 'in', values }], negated: false, stringFamily: true };
  }
  const strOp = STR_OPS[op];
  if (strOp !== undefined) {
    const values = cleanValues(own(c, 'values'), fld(path, 'values'), issues);
    if (values.length === 0) return NEVER;
    const cond: Condition = { attribute, operator: strOp, values };
    if (caseInsensitive) cond.caseInsensitive = true;
    return { kind: 'cond', conds: [cond], negated: false, stringFamily: true };
  }
  const numOp = NUM_OPS[op];
  if (numOp !== undefined) {
    const raw = own(c, 'value');
    const n = Number(raw);
    if (Number.isNaN(n)) {
      issues.warn(fld(path, 'value'), `${describe(raw)} is not a number; the constraint never matches, as in Unleash`);
      return NEVER;
    }
    if (!Number.isFinite(n)) {
      // Context values are finite: only "below +∞" / "above -∞" can hold, and then for every number.
      const anyNumber = (n > 0 && (numOp === 'lt' || numOp === 'lte')) || (n < 0 && (numOp === 'gt' || numOp === 'gte'));
      if (!anyNumber) return NEVER;
      return { kind: 'cond', conds: [{ attribute, operator: 'gte', values: [-Number.MAX_VALUE] }], negated: false, stringFamily: false };
    }
    const conds: Condition[] =
      numOp === 'eq'
        ? [
            { attribute, operator: 'gte', values: [n] },
            { attribute, operator: 'lte', values: [n] },
          ]
        : [{ attribute, operator: numOp, values: [n] }];
    return { kind: 'cond', conds, negated: false, stringFamily: false };
  }
  if (op === 'DATE_AFTER' || op === 'DATE_BEFORE') {
    // Unleash compares the context's currentTime (never the named field) with new Date(value).
    const raw = own(c, 'value');
    const t = new Date(raw as string).getTime();
    if (!Number.isFinite(t)) {
      issues.warn(fld(path, 'value'), `${describe(raw)} is not a date; the constraint never matches, as in Unleash`);
      return NEVER;
    }
    return {
      kind: 'cond',
      conds: [{ attribute: 'currentTime', operator: op === 'DATE_AFTER' ? 'after' : 'before', values: [isoOrMs(t)] }],
      negated: false,
      stringFamily: false,
    };
  }
  const semOp = SEMVER_OPS[op];
  if (semOp !== undefined) {
    const raw = own(c, 'value');
    // node-semver trims and accepts one leading "v" in the operand (not in the context value).
    const text = typeof raw === 'string' ? raw.trim().replace(/^v/, '') : undefined;
    if (text === undefined || !FULL_VERSION_RE.test(text) || conditionProblem({ attribute, operator: semOp, values: [text] }) !== undefined) {
      issues.warn(fld(path, 'value'), `${describe(raw)} is not a semantic version; the constraint never matches, as in Unleash`);
      return NEVER;
    }
    const conds: Condition[] = [
      { attribute, operator: 'matches', values: [FULL_VERSION] },
      { attribute, operator: semOp, values: [text] },
    ];
    return { kind: 'cond', conds, negated: false, stringFamily: false };
  }
  if (op === 'REGEX') {
    const raw = own(c, 'value');
    if (typeof raw !== 'string') {
      issues.warn(fld(path, 'value'), `a REGEX constraint needs a pattern string in "value", got ${describe(raw)}; it never matches, as in Unleash`);
      return NEVER;
    }
    const t = translateRe2(raw, caseInsensitive);
    if (t.kind === 'invalid') {
      issues.warn(fld(path, 'value'), `${JSON.stringify(raw)} is not a valid RE2 pattern (${t.reason}); the constraint never matches, as in Unleash`);
      return NEVER;
    }
    if (t.kind === 'unsupported') return { kind: 'unsupported', reason: `the RE2 pattern ${JSON.stringify(raw)} uses ${t.reason}, which Halyard cannot express` };
    const cond: Condition = { attribute, operator: 'matches', values: [t.pattern] };
    if (t.caseInsensitive) cond.caseInsensitive = true;
    const refused = conditionProblem(cond);
    if (refused !== undefined) return { kind: 'unsupported', reason: `the pattern ${JSON.stringify(raw)} is refused by Halyard's regular-expression guard (${refused})` };
    return { kind: 'cond', conds: [cond], negated: false, stringFamily: true };
  }
  // IN_CIDR
  const values = cleanValues(own(c, 'values'), fld(path, 'values'), issues);
  const ranges = values.filter(isIpRange);
  if (ranges.length < values.length) {
    issues.warn(fld(path, 'values'), `ignored entries that are not IP addresses or CIDR ranges: ${values.filter((v) => !isIpRange(v)).join(', ')} (as Unleash does)`);
  }
  if (ranges.length === 0) return NEVER;
  return { kind: 'cond', conds: [{ attribute, operator: 'inCidr', values: ranges }], negated: false, stringFamily: false };
}

// ---------------------------------------------------------------------------------------------------------------
// Condition helpers

/** A conjunction of conditions plus what it implies about attribute presence. */
export interface Facts {
  present: ReadonlySet<string>;
  absent: ReadonlySet<string>;
}

export function factsOf(conds: readonly Condition[], rollout?: RuleRollout): Facts {
  const present = new Set<string>();
  const absent = new Set<string>();
  for (const c of conds) {
    if (c.operator === 'inSegment') continue;
    if (c.operator === 'exists') (c.negate === true ? absent : present).add(c.attribute);
    // Every other operator only matches a present value, negated or not.
    else present.add(c.attribute);
  }
  if (rollout?.bucketBy !== undefined) present.add(rollout.bucketBy);
  return { present, absent };
}

export const missing = (attribute: string): Condition => ({ attribute, operator: 'exists', negate: true });

export function negateCondition(c: Condition): Condition {
  if (c.operator === 'in' && c.negate !== true) return { ...c, operator: 'notIn' };
  if (c.operator === 'notIn' && c.negate !== true) return { ...c, operator: 'in' };
  return { ...c, negate: c.negate !== true };
}

/** `inSegment` ignores `attribute`; parseDefinitions accepts it absent, which keeps documents readable. */
export function inSegment(key: string, negate: boolean): Condition {
  const c = { operator: 'inSegment', values: [key] } as Condition;
  if (negate) c.negate = true;
  return c;
}
