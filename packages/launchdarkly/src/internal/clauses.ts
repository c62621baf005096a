import type { Condition, JsonValue } from '@halyard/core';

/*
 * LaunchDarkly clauses → Halyard conditions. A LaunchDarkly clause matches when ANY of its values matches
 * (`matchAny`), against any element of an array attribute, then `negate` inverts that for a present attribute; a
 * missing attribute never matches, negated or not. Halyard's conditions follow the same array and missing-attribute
 * rules, so most clauses are one condition. Operators that take one operand in Halyard (numeric, date, semver)
 * reduce their values (`lessThan` any of [3, 7] is `lt 7`) or, for `semVerEqual`, expand into alternatives.
 *
 * The result is a disjunction: a list of alternatives, each a list of conditions that must all hold. `[]` never
 * matches; `[[]]` always does.
 */

export type Alternatives = Condition[][];

export class ClauseError extends Error {}

type Rec = Record<string, unknown>;

const NEVER: Alternatives = [];
const ALWAYS: Alternatives = [[]];

/** LaunchDarkly's attribute reference validity (`validate` in js-sdk-common). */
function validReference(ref: string): boolean {
  return ref !== '' && ref !== '/' && !/\/\/|(^\/.*~[^0|^1])|~$/.test(ref);
}

/**
 * The Halyard dot path of a LaunchDarkly attribute in one context kind: `<kind>.<components>`, or `kind` for the
 * kind attribute. Without `contextKind` the attribute is a literal name of the user kind (LaunchDarkly's rule for
 * clauses written before contexts); with one it is a reference (`/address/city`, `~1` for `/`, `~0` for `~`).
 */
export function attributePath(attribute: unknown, contextKind: unknown): string {
  if (typeof attribute !== 'string' || attribute === '') throw new ClauseError(`the attribute must be a non-empty string, got ${JSON.stringify(attribute) ?? 'nothing'}`);
  const literal = contextKind === undefined || contextKind === null || contextKind === '';
  let components: string[];
  if (literal || !attribute.startsWith('/')) components = [attribute];
  else {
    if (!validReference(attribute)) throw new ClauseError(`${JSON.stringify(attribute)} is not a valid attribute reference (LaunchDarkly evaluates it as an error)`);
    components = attribute.slice(1).split('/').map((c) => c.replace(/~1/g, '/').replace(/~0/g, '~'));
  }
  if (components.length === 1 && components[0] === 'kind') return 'kind';
  if (components[0] === '_meta') throw new ClauseError('"_meta" is not an addressable attribute (LaunchDarkly evaluates it as an error)');
  const kind = literal ? 'user' : String(contextKind);
  for (const part of [kind, ...components]) {
    if (part === '' || part.includes('.')) {
      throw new ClauseError(`${JSON.stringify(part)} (in attribute ${JSON.stringify(attribute)} of kind ${JSON.stringify(kind)}) cannot be a Halyard dot path segment (it is empty or contains ".")`);
    }
  }
  return [kind, ...components].join('.');
}

function isPrimitive(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

/** LaunchDarkly's `parseSemver` accepts what npm `semver.parse` does, plus 1–2 numeric parts; never a leading `v`. */
const LD_SEMVER = /^(0|[1-9]\d*)(\.(0|[1-9]\d*)){0,2}(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;

function cond(attribute: string, operator: string, values: JsonValue[] | undefined, negate: boolean): Condition {
  const out: Record<string, unknown> = { attribute, operator };
  if (values !== undefined) out.values = values;
  if (negate) out.negate = true;
  return out as unknown as Condition;
}

/**
 * A clause whose positive form is the disjunction `positive` (alternatives of one condition each, built without
 * `negate`): negating it gives one alternative holding every negated condition (De Morgan); an empty disjunction
 * (no usable values: never matches) negated holds for every present value, `exists`.
 */
function withNegate(attribute: string, positive: Condition[], negate: boolean): Alternatives {
  if (!negate) return positive.map((c) => [c]);
  if (positive.length === 0) return [[cond(attribute, 'exists', undefined, false)]];
  return [positive.map((c) => ({ ...c, negate: true }) as Condition)];
}

export interface ClauseContext {
  /** LaunchDarkly segment key → Halyard segment key, for `segmentMatch`. */
  segmentKey(ldKey: string): string | undefined;
  /** Notes a loss that still keeps the clause (values LaunchDarkly can never match, dropped). */
  note(message: string): void;
}

/** Converts one LaunchDarkly clause. Throws `ClauseError` for what cannot be represented. */
export function convertClause(clause: unknown, ctx: ClauseContext): Alternatives {
  if (typeof clause !== 'object' || clause === null) throw new ClauseError('a clause must be an object { attribute, op, values, negate }');
  const c = clause as Rec;
  const op = c.op;
  const negate = c.negate === true;
  const values: unknown[] = Array.isArray(c.values) ? c.values : [];
  if (op === 'segmentMatch') {
    const keys: string[] = [];
    for (const v of values) {
      const key = typeof v === 'string' ? ctx.segmentKey(v) : undefined;
      if (key === undefined) ctx.note(`segment ${JSON.stringify(v)} is not in the payload; LaunchDarkly treats it as not matching`);
      else if (!keys.includes(key)) keys.push(key);
    }
    if (keys.length === 0) return negate ? ALWAYS : NEVER;
    // The attribute of an inSegment condition is ignored, and left out.
    return [[{ operator: 'inSegment', values: keys, ...(negate ? { negate: true } : {}) } as unknown as Condition]];
  }
  const attribute = attributePath(c.attribute, c.contextKind);
  const strings = values.filter((v): v is string => typeof v === 'string');
  const numbers = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const one = (operator: string, operands: JsonValue[]): Condition[] => (operands.length === 0 ? [] : [cond(attribute, operator, operands, false)]);
  switch (op) {
    case 'in': {
      const prims = values.filter(isPrimitive);
      if (prims.length < values.length) ctx.note('values that are null, objects or arrays never equal a context value in LaunchDarkly (strict equality); dropped');
      return withNegate(attribute, one('in', [...new Set(prims)]), negate);
    }
    case 'startsWith':
    case 'endsWith':
    case 'contains':
      return withNegate(attribute, one(op, [...new Set(strings)]), negate);
    case 'matches': {
      // LaunchDarkly's `new RegExp(pattern)` failing means that pattern never matches (safeRegexMatch).
      const patterns = [...new Set(strings)].filter((pattern) => {
        try {
          new RegExp(pattern);
          return true;
        } catch {
          ctx.note(`${JSON.stringify(pattern)} is not a valid JavaScript regular expression, so it never matches in LaunchDarkly; dropped`);
          return false;
        }
      });
      return withNegate(attribute, one('matches', patterns), negate);
    }
    case 'lessThan':
    case 'lessThanOrEqual':
      return withNegate(attribute, numbers.length === 0 ? [] : [cond(attribute, op === 'lessThan' ? 'lt' : 'lte', [Math.max(...numbers)], false)], negate);
    case 'greaterThan':
    case 'greaterThanOrEqual':
      return withNegate(attribute, numbers.length === 0 ? [] : [cond(attribute, op === 'greaterThan' ? 'gt' : 'gte', [Math.min(...numbers)], false)], negate);
    case 'before':
    case 'after': {
      // LaunchDarkly parses clause dates with Date.parse (numbers are epoch milliseconds); so does the import.
      const times = values.map((v) => (typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN)).filter((t) => Number.isFinite(t));
      if (times.length === 0) return withNegate(attribute, [], negate);
      return withNegate(attribute, [cond(attribute, op, [op === 'before' ? Math.max(...times) : Math.min(...times)], false)], negate);
    }
    case 'semVerEqual':
    case 'semVerLessThan':
    case 'semVerGreaterThan': {
      const versions = [...new Set(strings.filter((s) => LD_SEMVER.test(s)))];
      const operator = op === 'semVerEqual' ? 'semverEq' : op === 'semVerLessThan' ? 'semverLt' : 'semverGt';
      const positive = versions.map((v) => cond(attribute, operator, [v], false));
      // LaunchDarkly refuses a leading "v" in the context value (never a version); Halyard accepts it. So a positive
      // clause also needs "does not start with v", and a negated one holds for such a value.
      if (!negate) return positive.map((c) => [c, cond(attribute, 'startsWith', ['v'], true)]);
      if (positive.length === 0) return withNegate(attribute, [], true);
      return [[cond(attribute, 'startsWith', ['v'], false)], positive.map((c) => ({ ...c, negate: true }) as Condition)];
    }
    default:
      throw new ClauseError(`operator ${JSON.stringify(op)} is not a LaunchDarkly operator Halyard can import`);
  }
}

/** All clauses of a rule (AND) as alternatives: the product of each clause's alternatives, bounded. */
export function convertClauses(clauses: readonly unknown[], ctx: ClauseContext, maxAlternatives = 64): Alternatives {
  let product: Alternatives = ALWAYS;
  for (const clause of clauses) {
    const alts = convertClause(clause, ctx);
    const next: Alternatives = [];
    for (const left of product) for (const right of alts) next.push([...left, ...right]);
    if (next.length > maxAlternatives) throw new ClauseError(`the rule expands into more than ${maxAlternatives} Halyard rules (several multi-version semVerEqual clauses); split it in LaunchDarkly first`);
    product = next;
  }
  return product;
}
