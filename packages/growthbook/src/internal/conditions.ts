import type { Condition } from '@halyard/core';

/*
 * GrowthBook conditions (MongoDB-style, evaluated by the SDKs' `evalCondition`) → Halyard conditions in
 * disjunctive normal form: a list of alternatives, each a list of ANDed Halyard conditions. `$or` becomes several
 * Halyard rules with the same serve; `$not`, `$nor`, `$ne` and `$nin` are pushed down to single conditions.
 *
 * The one semantic gap handled here is missing attributes: GrowthBook reads a missing attribute as `null` and
 * compares that (`{ age: { $lt: 18 } }` holds, since `null < 18`), whereas a Halyard condition on a missing
 * attribute is false even when negated. Every operator is therefore evaluated once on `null`, the way the SDK
 * would, and an `exists`-negated alternative is added where GrowthBook's answer for a missing attribute is true.
 */

/** Alternatives (ORed) of ANDed conditions. `[]` never holds, `[[]]` always does. */
export type Dnf = Condition[][];

/** Above this many alternatives a condition is reported as too complex rather than expanded further. */
export const MAX_ALTERNATIVES = 64;

const TRUE: Dnf = [[]];
const FALSE: Dnf = [];

export class ConditionError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function and(a: Dnf, b: Dnf, path: string): Dnf {
  const out: Dnf = [];
  for (const x of a) for (const y of b) out.push([...x, ...y]);
  if (out.length > MAX_ALTERNATIVES) throw new ConditionError(path, `the condition expands to more than ${MAX_ALTERNATIVES} alternatives; simplify its $or/$not nesting`);
  return out;
}

function or(a: Dnf, b: Dnf, path: string): Dnf {
  const out = [...a, ...b];
  if (out.length > MAX_ALTERNATIVES) throw new ConditionError(path, `the condition expands to more than ${MAX_ALTERNATIVES} alternatives; simplify its $or/$not nesting`);
  return out;
}

const missing = (attribute: string): Condition => ({ attribute, operator: 'exists', negate: true });

/**
 * An atom: one Halyard condition equal to GrowthBook's answer whenever the attribute is present, plus
 * GrowthBook's answer when it is missing.
 */
function atom(attribute: string, c: Omit<Condition, 'attribute'> | null, whenMissing: boolean, positive: boolean): Dnf {
  const present: Dnf = c === null ? FALSE : [[{ attribute, ...c }]];
  const presentNot: Dnf = c === null ? TRUE.map(() => [{ attribute, operator: 'exists' as const }]) : [[{ attribute, ...c, negate: !(c.negate ?? false) }]];
  const m = positive ? whenMissing : !whenMissing;
  const base = positive ? present : presentNot;
  return m ? [...base, [missing(attribute)]] : base;
}

/** GrowthBook's `paddedVersionString`, for the answer of `$v…` operators on a missing attribute (read as "0"). */
export function paddedVersionString(input: unknown): string {
  const raw = typeof input === 'number' ? String(input) : input;
  const s = raw && typeof raw === 'string' ? raw : '0';
  const parts = s.replace(/(^v|\+.*$)/g, '').split(/[-.]/);
  if (parts.length === 3) parts.push('~');
  return parts.map((v) => (/^[0-9]+$/.test(v) ? v.padStart(5, ' ') : v)).join('-');
}

type Scalar = string | number | boolean;
const isScalar = (v: unknown): v is Scalar => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean';

const COMPARE: Record<string, { op: Condition['operator']; js: (a: unknown, b: number) => boolean }> = {
  $lt: { op: 'lt', js: (a, b) => (a as number) < b },
  $lte: { op: 'lte', js: (a, b) => (a as number) <= b },
  $gt: { op: 'gt', js: (a, b) => (a as number) > b },
  $gte: { op: 'gte', js: (a, b) => (a as number) >= b },
};

const VERSION: Record<string, { op: Condition['operator']; negate?: boolean; cmp: (a: string, b: string) => boolean }> = {
  $veq: { op: 'semverEq', cmp: (a, b) => a === b },
  $vne: { op: 'semverEq', negate: true, cmp: (a, b) => a !== b },
  $vgt: { op: 'semverGt', cmp: (a, b) => a > b },
  $vgte: { op: 'semverGte', cmp: (a, b) => a >= b },
  $vlt: { op: 'semverLt', cmp: (a, b) => a < b },
  $vlte: { op: 'semverLte', cmp: (a, b) => a <= b },
};

function safeRegex(source: string, flags: string): RegExp | undefined {
  try {
    return new RegExp(source.replace(/([^\\])\//g, '$1\\/'), flags);
  } catch {
    return undefined;
  }
}

/** One operator of an operator object on `attribute`. */
function operator(attribute: string, op: string, expected: unknown, positive: boolean, path: string): Dnf {
  const cmp = COMPARE[op];
  if (cmp !== undefined) {
    if (typeof expected !== 'number' || !Number.isFinite(expected)) {
      throw new ConditionError(path, `${op} with ${JSON.stringify(expected)} compares strings or mixed types the way JavaScript does; Halyard compares numbers only (use a number)`);
    }
    return atom(attribute, { operator: cmp.op, values: [expected] }, cmp.js(null, expected), positive);
  }
  const version = VERSION[op];
  if (version !== undefined) {
    if (typeof expected !== 'string' && typeof expected !== 'number') throw new ConditionError(path, `${op} needs a version string, got ${JSON.stringify(expected)}`);
    const whenMissing = version.cmp(paddedVersionString(null), paddedVersionString(expected));
    const c: Omit<Condition, 'attribute'> = { operator: version.op, values: [String(expected)] };
    if (version.negate) c.negate = true;
    return atom(attribute, c, whenMissing, positive);
  }
  switch (op) {
    case '$eq':
    case '$ne': {
      const pos = op === '$eq' ? positive : !positive;
      if (expected === null) return atom(attribute, null, true, pos);
      if (!isScalar(expected)) throw new ConditionError(path, `${op} with an object or array compares by identity in GrowthBook (never true for JSON attributes); not representable`);
      return atom(attribute, { operator: 'equals', values: [expected] }, false, pos);
    }
    case '$in':
    case '$nin':
    case '$ini':
    case '$nini': {
      const pos = op === '$in' || op === '$ini' ? positive : !positive;
      // GrowthBook: a non-array operand never matches, for $nin too.
      if (!Array.isArray(expected)) return positive ? FALSE : TRUE;
      const values = expected.filter(isScalar);
      if (values.length + expected.filter((v) => v === null).length !== expected.length) {
        throw new ConditionError(path, `${op} lists objects or arrays, which GrowthBook compares by identity; not representable`);
      }
      const c: Omit<Condition, 'attribute'> | null = values.length === 0 ? null : { operator: 'in', values };
      if (c !== null && (op === '$ini' || op === '$nini')) c.caseInsensitive = true;
      return atom(attribute, c, expected.includes(null), pos);
    }
    case '$exists':
      return (expected ? positive : !positive) ? [[{ attribute, operator: 'exists' }]] : [[missing(attribute)]];
    case '$regex':
    case '$regexi': {
      if (typeof expected !== 'string') throw new ConditionError(path, `${op} needs a pattern string, got ${JSON.stringify(expected)}`);
      const re = safeRegex(expected, op === '$regexi' ? 'i' : '');
      // An invalid pattern never matches in GrowthBook (the SDK catches the error).
      if (re === undefined) return positive ? FALSE : TRUE;
      const c: Omit<Condition, 'attribute'> = { operator: 'matches', values: [expected] };
      if (op === '$regexi') c.caseInsensitive = true;
      // GrowthBook tests the string "null" for a missing attribute.
      return atom(attribute, c, re.test('null'), positive);
    }
    case '$size': {
      if (typeof expected !== 'number' || !Number.isInteger(expected) || expected < 0) {
        throw new ConditionError(path, `$size is only imported with a non-negative integer, got ${JSON.stringify(expected)}`);
      }
      return atom(attribute, { operator: 'sizeEq', values: [expected] }, false, positive);
    }
    case '$all': {
      if (!Array.isArray(expected) || !expected.every(isScalar) || expected.length === 0) {
        throw new ConditionError(path, '$all is only imported with a non-empty list of strings, numbers or booleans');
      }
      return atom(attribute, { operator: 'containsAll', values: expected }, false, positive);
    }
    case '$elemMatch':
      return elemMatch(attribute, expected, positive, path);
    case '$not':
      return value(attribute, expected, !positive, path);
    default:
      throw new ConditionError(path, `GrowthBook operator ${op} is not imported (no Halyard equivalent)`);
  }
}

/**
 * `$elemMatch` with one operator on the elements (`{ $eq }`, `{ $in }`, `{ $regex }`, `{ $gt }`…): a Halyard
 * condition on an array attribute already means "some element matches". Element objects are not imported.
 */
function elemMatch(attribute: string, expected: unknown, positive: boolean, path: string): Dnf {
  const keys = isObj(expected) ? Object.keys(expected) : [];
  const ok = ['$eq', '$in', '$ini', '$regex', '$regexi', '$lt', '$lte', '$gt', '$gte'];
  if (!isObj(expected) || keys.length !== 1 || !ok.includes(keys[0] as string)) {
    throw new ConditionError(path, `$elemMatch is only imported with one element operator of ${ok.join(', ')}; conditions on element objects are not`);
  }
  const op = keys[0] as string;
  const inner = operator(attribute, op, expected[op], true, `${path}.${op}`);
  // Drop the "missing" alternative: $elemMatch needs an array. What is left is one condition.
  const only = inner.find((alt) => !(alt.length === 1 && alt[0]?.operator === 'exists'));
  if (only === undefined || only.length !== 1) return positive ? FALSE : [[missing(attribute)], [{ attribute, operator: 'exists' }]];
  const c = only[0] as Condition;
  return positive ? [[c]] : [[{ ...c, negate: !(c.negate ?? false) }], [missing(attribute)]];
}

/** The value side of `{ attribute: value }`: a literal (implicit equality) or an operator object. */
function value(attribute: string, v: unknown, positive: boolean, path: string): Dnf {
  if (typeof v === 'string') return atom(attribute, { operator: 'equals', values: [v] }, v === 'null', positive);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return positive ? FALSE : TRUE;
    return atom(attribute, { operator: 'equals', values: [v] }, v === 0, positive);
  }
  if (typeof v === 'boolean') return atom(attribute, { operator: 'equals', values: [v] }, false, positive);
  if (v === null) return atom(attribute, null, true, positive);
  if (!isObj(v) || Object.keys(v).length === 0 || Object.keys(v).some((k) => !k.startsWith('$'))) {
    throw new ConditionError(path, 'equality with an object or array (JSON comparison) is not imported; compare its fields instead');
  }
  let out: Dnf = positive ? TRUE : FALSE;
  for (const [op, expected] of Object.entries(v)) {
    const d = operator(attribute, op, expected, positive, `${path}.${op}`);
    out = positive ? and(out, d, path) : or(out, d, path);
  }
  return out;
}

function list(v: unknown, path: string, op: string): unknown[] {
  if (!Array.isArray(v)) throw new ConditionError(path, `${op} needs an array of conditions`);
  return v;
}

/**
 * Converts a GrowthBook condition object into alternatives of Halyard conditions. Throws `ConditionError` (with
 * the path of the part) for what cannot be represented.
 */
export function convertCondition(cond: unknown, path: string, positive = true): Dnf {
  if (!isObj(cond)) throw new ConditionError(path, `a condition must be an object, got ${JSON.stringify(cond)}`);
  let out: Dnf = positive ? TRUE : FALSE;
  const combine = (d: Dnf): void => {
    out = positive ? and(out, d, path) : or(out, d, path);
  };
  for (const [k, v] of Object.entries(cond)) {
    const p = `${path}.${k}`;
    switch (k) {
      case '$or':
      case '$nor': {
        const items = list(v, p, k);
        const pos = k === '$or' ? positive : !positive;
        // Empty $or holds (GrowthBook's evalOr returns true).
        let d: Dnf = items.length === 0 ? (pos ? TRUE : FALSE) : pos ? FALSE : TRUE;
        items.forEach((c, i) => {
          const x = convertCondition(c, `${p}[${i}]`, pos);
          d = pos ? or(d, x, p) : and(d, x, p);
        });
        combine(d);
        break;
      }
      case '$and': {
        const items = list(v, p, k);
        let d: Dnf = positive ? TRUE : FALSE;
        items.forEach((c, i) => {
          const x = convertCondition(c, `${p}[${i}]`, positive);
          d = positive ? and(d, x, p) : or(d, x, p);
        });
        combine(d);
        break;
      }
      case '$not':
        combine(convertCondition(v, p, !positive));
        break;
      case '$savedGroup':
        throw new ConditionError(p, '$savedGroup references are not imported; inline the saved group condition');
      default:
        if (k.startsWith('$')) throw new ConditionError(p, `GrowthBook condition operator ${k} is not imported`);
        combine(value(k, v, positive, p));
    }
  }
  return out;
}
