import { parseIsoDate } from './internal/date';
import { murmur3 } from './internal/murmur3';
import { checkRegex } from './internal/regex-guard';
import {
  DEFAULT_UNIT_ATTRIBUTE,
  FLAG_KINDS,
  FLAG_TYPES,
  KEY_PATTERN,
  KEY_RULE,
  MAX_SPLIT_TOTAL,
  OPERATORS,
  PERCENT_SCALE,
  STRING_OPERATORS,
  TARGET_RULE_ID,
  canonicalJson,
  splitAttributePath,
  validatedDefinitions,
  valueType,
} from './internal/schema';
import { parseSemver } from './internal/semver';
import { parseCidr } from './internal/cidr';
import type {
  Condition,
  DefinitionProblem,
  Definitions,
  FlagDefinition,
  FlagType,
  JsonValue,
  Operator,
  ParseResult,
  Prerequisite,
  Rule,
  RuleRollout,
  SegmentDefinition,
  Serve,
  SplitSlice,
  Target,
} from './types';

type Obj = Record<string, unknown>;

const TOP_FIELDS = ['$schema', 'schemaVersion', 'version', 'flags', 'segments'];
const FLAG_FIELDS = [
  'description',
  'owner',
  'tags',
  'kind',
  'expiresAt',
  'type',
  'variants',
  'enabled',
  'offVariant',
  'targets',
  'rules',
  'defaultServe',
  'prerequisites',
];
const RULE_FIELDS = ['id', 'description', 'conditions', 'rollout', 'serve'];
const ROLLOUT_FIELDS = ['weight', 'total', 'bucketBy', 'salt', 'seed'];
const CONDITION_FIELDS = ['attribute', 'operator', 'values', 'negate', 'caseInsensitive'];
const VARIANT_SERVE_FIELDS = ['variant'];
const SPLIT_SERVE_FIELDS = ['split', 'bucketBy', 'salt', 'seed'];
const SLICE_FIELDS = ['variant', 'weight', 'percentage'];
const TARGET_FIELDS = ['variant', 'values', 'attribute'];
const PREREQUISITE_FIELDS = ['flag', 'variants'];
const SEGMENT_FIELDS = ['description', 'conditions', 'included', 'excluded', 'attribute'];

/** Deepest nesting accepted inside a JSON variant value; deeper values are almost certainly a mistake or an attack. */
const MAX_JSON_DEPTH = 64;
const MAX_VERSION_LENGTH = 200;
const MAX_RULE_ID_LENGTH = 200;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function own(o: Obj, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

function has(o: Obj, key: string): boolean {
  return Object.hasOwn(o, key) && o[key] !== undefined;
}

const field = (path: string, name: string): string => `${path}.${name}`;
const member = (path: string, key: string): string => `${path}[${JSON.stringify(key)}]`;
const index = (path: string, i: number): string => `${path}[${i}]`;
/** A field that may not be an identifier (unknown fields as written by the user). */
const anyField = (path: string, name: string): string => (/^[A-Za-z_$][\w$]*$/.test(name) ? field(path, name) : member(path, name));

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  return typeof v;
}

function errorText(e: unknown): string {
  try {
    return e instanceof Error ? e.message : String(e);
  } catch {
    return 'unreadable error';
  }
}

function quoteList(items: readonly string[]): string {
  return items.length === 0 ? '(none)' : items.join(', ');
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99;
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j] as number;
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
      prev[j] = Math.min((prev[j] as number) + 1, (prev[j - 1] as number) + 1, diag + cost);
      diag = tmp;
    }
  }
  return prev[b.length] as number;
}

function suggestion(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  if (best !== undefined && bestDistance <= Math.max(1, Math.floor(word.length / 3))) return `did you mean "${best}"? `;
  // Abbreviations such as "attr" for "attribute".
  const lower = word.toLowerCase();
  const prefixed = lower.length >= 3 ? candidates.find((c) => c.toLowerCase().startsWith(lower)) : undefined;
  return prefixed === undefined ? '' : `did you mean "${prefixed}"? `;
}

/** Mutable problem list plus the keys known so far, threaded through the checks. */
class Checker {
  readonly problems: DefinitionProblem[] = [];
  segmentKeys = new Set<string>();

  add(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  /** Reports fields not in `allowed` (typos like `enable`). */
  fields(o: Obj, path: string, allowed: readonly string[], what: string): void {
    for (const key of Object.keys(o)) {
      if (!allowed.includes(key)) {
        this.add(
          anyField(path, key),
          `unknown field "${key}" in ${what}; ${suggestion(key, allowed)}allowed fields: ${allowed.join(', ')}`,
        );
      }
    }
  }

  optionalString(o: Obj, path: string, name: string): string | undefined {
    const v = own(o, name);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') {
      this.add(field(path, name), `"${name}" must be a string, got ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  optionalBoolean(o: Obj, path: string, name: string): boolean | undefined {
    const v = own(o, name);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') {
      this.add(field(path, name), `"${name}" must be true or false, got ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  attributePath(v: unknown, path: string, name: string): string | undefined {
    if (typeof v !== 'string') {
      this.add(path, `"${name}" must be a dot path string such as "userId" or "account.plan", got ${describe(v)}`);
      return undefined;
    }
    if (splitAttributePath(v) === undefined) {
      this.add(
        path,
        `"${name}" ${JSON.stringify(v)} is not a valid attribute path: use 1–256 characters of dot-separated, non-empty names such as "userId" or "account.plan"`,
      );
      return undefined;
    }
    return v;
  }

  stringArray(v: unknown, path: string, name: string, nonEmpty: boolean): string[] | undefined {
    if (!Array.isArray(v)) {
      this.add(path, `"${name}" must be an array of strings, got ${describe(v)}`);
      return undefined;
    }
    if (nonEmpty && v.length === 0) {
      this.add(path, `"${name}" must list at least one value`);
      return undefined;
    }
    let ok = true;
    for (let i = 0; i < v.length; i++) {
      if (typeof v[i] !== 'string') {
        this.add(index(path, i), `"${name}" entries must be strings, got ${describe(v[i])}`);
        ok = false;
      }
    }
    return ok ? [...(v as string[])] : undefined;
  }

  /** Validates and deep-copies a JSON value (plain objects and arrays only), reporting cycles, depth and non-JSON values. */
  json(v: unknown, path: string, depth: number, stack: unknown[]): { ok: boolean; value: JsonValue } {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return { ok: true, value: v };
    if (typeof v === 'number') {
      if (Number.isFinite(v)) return { ok: true, value: v };
      this.add(path, `${String(v)} is not a JSON number; use a finite number`);
      return { ok: false, value: null };
    }
    if (typeof v !== 'object') {
      this.add(path, `${typeof v} is not a JSON value; variant values must be JSON (objects, arrays, strings, numbers, booleans, null)`);
      return { ok: false, value: null };
    }
    if (stack.includes(v)) {
      this.add(path, 'the value contains a cycle (an object that contains itself); JSON values must be trees');
      return { ok: false, value: null };
    }
    if (depth > MAX_JSON_DEPTH) {
      this.add(path, `the value nests deeper than ${MAX_JSON_DEPTH} levels; flatten it`);
      return { ok: false, value: null };
    }
    stack.push(v);
    let ok = true;
    let value: JsonValue;
    if (Array.isArray(v)) {
      const out: JsonValue[] = [];
      for (let i = 0; i < v.length; i++) {
        const r = this.json(v[i], index(path, i), depth + 1, stack);
        ok &&= r.ok;
        out.push(r.value);
      }
      value = Object.freeze(out) as JsonValue[];
    } else {
      const proto = Object.getPrototypeOf(v) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        this.add(path, 'only plain objects are JSON values (not Dates, Maps or class instances); convert it to plain data');
        stack.pop();
        return { ok: false, value: null };
      }
      const out: Record<string, JsonValue> = {};
      for (const key of Object.keys(v)) {
        const r = this.json((v as Obj)[key], member(path, key), depth + 1, stack);
        ok &&= r.ok;
        // defineProperty, not assignment: a "__proto__" key from JSON.parse must stay an own data property.
        Object.defineProperty(out, key, { value: r.value, enumerable: true, writable: false, configurable: false });
      }
      value = Object.freeze(out);
    }
    stack.pop();
    return { ok, value };
  }
}

interface FlagContext {
  key: string;
  path: string;
  variantNames: string[];
}

function checkVariantRef(c: Checker, v: unknown, path: string, flag: FlagContext, what: string): string | undefined {
  if (typeof v !== 'string') {
    c.add(path, `${what} must be a variant name (string), got ${describe(v)}; known variants: ${quoteList(flag.variantNames)}`);
    return undefined;
  }
  if (!flag.variantNames.includes(v)) {
    c.add(path, `unknown variant ${JSON.stringify(v)}; known variants: ${quoteList(flag.variantNames)}`);
    return undefined;
  }
  return v;
}

function checkSeed(c: Checker, v: unknown, path: string): number | undefined {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    c.add(path, `"seed" must be an unsigned 32-bit integer (0 to 4294967295), got ${describe(v)}`);
    return undefined;
  }
  return v;
}

function checkSplit(c: Checker, v: unknown, path: string, flag: FlagContext): SplitSlice[] | undefined {
  if (!Array.isArray(v) || v.length === 0) {
    c.add(path, `"split" must be a non-empty array of { variant, weight } or { variant, percentage } slices, got ${describe(v)}`);
    return undefined;
  }
  let ok = true;
  let weights = 0;
  let percentages = 0;
  let total = 0;
  const seen = new Set<string>();
  const out: SplitSlice[] = [];
  for (let i = 0; i < v.length; i++) {
    const s: unknown = v[i];
    const p = index(path, i);
    if (!isObj(s)) {
      c.add(p, `a split slice must be an object like { "variant": "on", "percentage": 25 }, got ${describe(s)}`);
      ok = false;
      continue;
    }
    c.fields(s, p, SLICE_FIELDS, 'a split slice');
    const variant = checkVariantRef(c, own(s, 'variant'), field(p, 'variant'), flag, '"variant"');
    if (variant === undefined) ok = false;
    else if (seen.has(variant)) {
      // Duplicates are rejected: two slices of one variant make rollout steps hard to reason about and are almost
      // always a copy-paste mistake.
      c.add(field(p, 'variant'), `variant ${JSON.stringify(variant)} appears more than once in this split; merge its slices into one`);
      ok = false;
    } else seen.add(variant);
    const hasWeight = has(s, 'weight');
    const hasPercentage = has(s, 'percentage');
    if (hasWeight && hasPercentage) {
      c.add(p, 'give either "weight" or "percentage" for a slice, not both');
      ok = false;
      continue;
    }
    if (!hasWeight && !hasPercentage) {
      c.add(p, 'a split slice needs a "weight" (integer) or a "percentage" (0–100)');
      ok = false;
      continue;
    }
    if (hasWeight) {
      weights++;
      const w = own(s, 'weight');
      if (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w > MAX_SPLIT_TOTAL) {
        c.add(field(p, 'weight'), `"weight" must be a non-negative integer, got ${describe(w)}`);
        ok = false;
        continue;
      }
      total += w;
      if (variant !== undefined) out.push({ variant, weight: w });
    } else {
      percentages++;
      const pc = own(s, 'percentage');
      if (typeof pc !== 'number' || !Number.isFinite(pc) || pc < 0 || pc > 100) {
        c.add(field(p, 'percentage'), `"percentage" must be a number from 0 to 100, got ${describe(pc)}`);
        ok = false;
        continue;
      }
      const units = Math.round(pc * 1000);
      if (Math.abs(pc * 1000 - units) > 1e-6) {
        c.add(field(p, 'percentage'), `"percentage" ${pc} has more than 3 decimals; the resolution is 0.001 %`);
        ok = false;
        continue;
      }
      total += units;
      if (variant !== undefined) out.push({ variant, percentage: pc });
    }
  }
  if (weights > 0 && percentages > 0) {
    c.add(path, 'do not mix "weight" and "percentage" in one split; use weights for every slice or percentages for every slice');
    return undefined;
  }
  if (!ok) return undefined;
  if (percentages > 0 && total !== PERCENT_SCALE) {
    c.add(path, `percentages add up to ${total / 1000}, they must add up to exactly 100`);
    return undefined;
  }
  if (weights > 0 && total <= 0) {
    c.add(path, 'the weights add up to 0; give at least one slice a positive weight');
    return undefined;
  }
  if (weights > 0 && total > MAX_SPLIT_TOTAL) {
    c.add(path, `the weights add up to ${total}, more than ${MAX_SPLIT_TOTAL} (the hash range); use smaller weights`);
    return undefined;
  }
  return out;
}

function checkServe(c: Checker, v: unknown, path: string, flag: FlagContext): Serve | undefined {
  if (!isObj(v)) {
    c.add(path, `serve must be an object: { "variant": "on" } or { "split": [...] }, got ${describe(v)}`);
    return undefined;
  }
  const hasVariant = has(v, 'variant');
  const hasSplit = has(v, 'split');
  if (hasVariant && hasSplit) {
    c.add(path, 'serve has both "variant" and "split"; keep one');
    return undefined;
  }
  if (hasVariant) {
    c.fields(v, path, VARIANT_SERVE_FIELDS, 'a variant serve (bucketBy, salt and seed only apply to "split")');
    const variant = checkVariantRef(c, own(v, 'variant'), field(path, 'variant'), flag, '"variant"');
    return variant === undefined ? undefined : { variant };
  }
  if (hasSplit) {
    c.fields(v, path, SPLIT_SERVE_FIELDS, 'a split serve');
    const split = checkSplit(c, own(v, 'split'), field(path, 'split'), flag);
    const out: { split: SplitSlice[]; bucketBy?: string; salt?: string; seed?: number } = { split: split ?? [] };
    const hashOk = checkHashing(c, v, path, out);
    return split !== undefined && hashOk ? out : undefined;
  }
  c.add(path, 'serve needs either "variant" (one variant for everyone) or "split" (a weighted split)');
  return undefined;
}

/** A rule's percentage gate: integer weight out of an integer total, plus the split's bucketBy/salt/seed. */
function checkRollout(c: Checker, v: unknown, path: string): RuleRollout | undefined {
  if (!isObj(v)) {
    c.add(path, `"rollout" must be an object like { "weight": 10, "total": 100 }, got ${describe(v)}`);
    return undefined;
  }
  c.fields(v, path, ROLLOUT_FIELDS, 'a rule rollout');
  let ok = true;
  const total = own(v, 'total');
  const weight = own(v, 'weight');
  if (typeof total !== 'number' || !Number.isInteger(total) || total < 1 || total > MAX_SPLIT_TOTAL) {
    c.add(field(path, 'total'), `"total" must be an integer from 1 to ${MAX_SPLIT_TOTAL} (the number of buckets), got ${describe(total)}`);
    ok = false;
  }
  if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || (typeof total === 'number' && weight > total)) {
    c.add(field(path, 'weight'), `"weight" must be an integer from 0 to "total" (the buckets that pass), got ${describe(weight)}`);
    ok = false;
  }
  const out: RuleRollout = { weight: weight as number, total: total as number };
  if (!checkHashing(c, v, path, out)) ok = false;
  return ok ? out : undefined;
}

/**
 * The unit and hash settings splits and rule rollouts share (`bucketBy`, `salt`, `seed`): validates the ones
 * present into `out` and reports every problem; false when any is invalid.
 */
function checkHashing(c: Checker, v: Obj, path: string, out: { bucketBy?: string; salt?: string; seed?: number }): boolean {
  let ok = true;
  if (has(v, 'bucketBy')) {
    const b = c.attributePath(own(v, 'bucketBy'), field(path, 'bucketBy'), 'bucketBy');
    if (b === undefined) ok = false;
    else out.bucketBy = b;
  }
  if (has(v, 'salt')) {
    const s = own(v, 'salt');
    if (typeof s !== 'string' || s.length > 200) {
      c.add(field(path, 'salt'), `"salt" must be a string of at most 200 characters, got ${describe(s)}`);
      ok = false;
    } else out.salt = s;
  }
  if (has(v, 'seed')) {
    const s = checkSeed(c, own(v, 'seed'), field(path, 'seed'));
    if (s === undefined) ok = false;
    else out.seed = s;
  }
  return ok;
}

function operandCount(c: Checker, values: unknown[], path: string, op: Operator, exact: number | 'many'): boolean {
  if (exact === 'many') {
    if (values.length === 0) {
      c.add(path, `"${op}" needs at least one value in "values"`);
      return false;
    }
    return true;
  }
  if (values.length !== exact) {
    const hint = op === 'equals' ? '; use "in" to compare against several values' : '';
    c.add(path, `"${op}" takes exactly ${exact} value${exact === 1 ? '' : 's'}, got ${values.length}${hint}`);
    return false;
  }
  return true;
}

function checkCondition(c: Checker, v: unknown, path: string, inSegment: boolean): Condition | undefined {
  if (!isObj(v)) {
    c.add(path, `a condition must be an object like { "attribute": "country", "operator": "in", "values": ["US"] }, got ${describe(v)}`);
    return undefined;
  }
  c.fields(v, path, CONDITION_FIELDS, 'a condition');
  let ok = true;
  const opRaw = own(v, 'operator');
  let op: Operator | undefined;
  if (typeof opRaw !== 'string' || !(OPERATORS as readonly string[]).includes(opRaw)) {
    const hint = typeof opRaw === 'string' ? suggestion(opRaw, OPERATORS) : '';
    c.add(field(path, 'operator'), `unknown operator ${describe(opRaw)}; ${hint}known operators: ${OPERATORS.join(', ')}`);
    ok = false;
  } else op = opRaw as Operator;

  let attribute = '';
  const attrRaw = own(v, 'attribute');
  if (op === 'inSegment') {
    // The attribute is ignored for inSegment (segments name their own); normalised documents carry "".
    if (attrRaw !== undefined && typeof attrRaw !== 'string') {
      c.add(field(path, 'attribute'), `"attribute" is ignored for "inSegment" but must be a string when given, got ${describe(attrRaw)}`);
      ok = false;
    } else if (typeof attrRaw === 'string') attribute = attrRaw;
  } else {
    const a = c.attributePath(attrRaw, field(path, 'attribute'), 'attribute');
    if (a === undefined) ok = false;
    else attribute = a;
  }
  const negate = c.optionalBoolean(v, path, 'negate');
  const caseInsensitive = c.optionalBoolean(v, path, 'caseInsensitive');
  if (has(v, 'negate') && negate === undefined) ok = false;
  if (has(v, 'caseInsensitive') && caseInsensitive === undefined) ok = false;
  if (caseInsensitive === true && op !== undefined && !STRING_OPERATORS.has(op)) {
    c.add(field(path, 'caseInsensitive'), `"caseInsensitive" only applies to string operators (${[...STRING_OPERATORS].join(', ')}), not "${op}"; remove it`);
    ok = false;
  }

  const valuesRaw = own(v, 'values');
  const vp = field(path, 'values');
  let values: Array<string | number | boolean> = [];
  if (valuesRaw !== undefined) {
    if (!Array.isArray(valuesRaw)) {
      c.add(vp, `"values" must be an array, got ${describe(valuesRaw)}`);
      return undefined;
    }
    values = valuesRaw as Array<string | number | boolean>;
  }
  if (op === undefined) return undefined;

  const eachOf = (pred: (x: unknown) => boolean, expected: string): boolean => {
    let good = true;
    for (let i = 0; i < values.length; i++) {
      if (!pred(values[i])) {
        c.add(index(vp, i), `"${op}" expects ${expected}, got ${describe(values[i])}`);
        good = false;
      }
    }
    return good;
  };
  const primitive = (x: unknown): boolean =>
    typeof x === 'string' || typeof x === 'boolean' || (typeof x === 'number' && Number.isFinite(x));

  switch (op) {
    case 'equals':
      ok = operandCount(c, values, vp, op, 1) && eachOf(primitive, 'a string, a finite number or a boolean') && ok;
      break;
    case 'in':
    case 'notIn':
      ok = operandCount(c, values, vp, op, 'many') && eachOf(primitive, 'strings, finite numbers or booleans') && ok;
      break;
    case 'contains':
    case 'startsWith':
    case 'endsWith':
      ok = operandCount(c, values, vp, op, 'many') && eachOf((x) => typeof x === 'string', 'strings') && ok;
      break;
    case 'matches': {
      let good = operandCount(c, values, vp, op, 'many') && eachOf((x) => typeof x === 'string', 'regular expression strings');
      if (good) {
        for (let i = 0; i < values.length; i++) {
          const problem = checkRegex(values[i] as string, caseInsensitive === true ? 'iu' : 'u');
          if (problem !== undefined) {
            c.add(index(vp, i), `regular expression ${JSON.stringify(values[i])} is refused: ${problem}`);
            good = false;
          }
        }
      }
      ok = good && ok;
      break;
    }
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      ok = operandCount(c, values, vp, op, 1) && eachOf((x) => typeof x === 'number' && Number.isFinite(x), 'a finite number (not a numeric string)') && ok;
      break;
    case 'semverEq':
    case 'semverLt':
    case 'semverLte':
    case 'semverGt':
    case 'semverGte':
      ok =
        operandCount(c, values, vp, op, 1) &&
        eachOf((x) => typeof x === 'string' && parseSemver(x) !== undefined, 'a semantic version such as "1.4.0" or "2.0.0-beta.1" (no "v" prefix)') &&
        ok;
      break;
    case 'before':
    case 'after':
      ok =
        operandCount(c, values, vp, op, 1) &&
        eachOf(
          (x) => (typeof x === 'string' && parseIsoDate(x) !== undefined) || (typeof x === 'number' && Number.isFinite(x)),
          'an ISO-8601 date such as "2025-01-31" or "2025-01-31T12:00:00Z", or epoch milliseconds',
        ) &&
        ok;
      break;
    case 'inCidr':
      ok =
        operandCount(c, values, vp, op, 'many') &&
        eachOf((x) => typeof x === 'string' && parseCidr(x) !== undefined, 'IP addresses or CIDR ranges such as "10.0.0.0/8" or "2001:db8::/32"') &&
        ok;
      break;
    case 'exists':
      if (values.length > 0) {
        c.add(vp, '"exists" takes no values; remove "values"');
        ok = false;
      }
      break;
    case 'inSegment':
      if (inSegment) {
        c.add(field(path, 'operator'), 'segments cannot reference other segments; copy the conditions into this segment');
        ok = false;
        break;
      }
      if (!operandCount(c, values, vp, op, 'many')) {
        ok = false;
        break;
      }
      for (let i = 0; i < values.length; i++) {
        const s = values[i];
        if (typeof s !== 'string' || !c.segmentKeys.has(s)) {
          c.add(index(vp, i), `unknown segment ${describe(s)}; known segments: ${quoteList([...c.segmentKeys])}`);
          ok = false;
        }
      }
      break;
  }
  if (!ok) return undefined;
  const out: Condition = { attribute, operator: op };
  if (valuesRaw !== undefined) out.values = [...values];
  if (negate !== undefined) out.negate = negate;
  if (caseInsensitive !== undefined) out.caseInsensitive = caseInsensitive;
  return out;
}

function checkConditions(c: Checker, v: unknown, path: string, inSegment: boolean): Condition[] | undefined {
  if (!Array.isArray(v)) {
    c.add(path, `"conditions" must be an array of conditions (all must match), got ${describe(v)}`);
    return undefined;
  }
  let ok = true;
  const out: Condition[] = [];
  for (let i = 0; i < v.length; i++) {
    const cond = checkCondition(c, v[i], index(path, i), inSegment);
    if (cond === undefined) ok = false;
    else out.push(cond);
  }
  return ok ? out : undefined;
}

function checkSegment(c: Checker, key: string, v: unknown, path: string): SegmentDefinition | undefined {
  let ok = true;
  if (!KEY_PATTERN.test(key)) {
    c.add(path, `segment key ${JSON.stringify(key)} is invalid: ${KEY_RULE}`);
    ok = false;
  }
  if (!isObj(v)) {
    c.add(path, `a segment must be an object with "conditions", "included" and/or "excluded", got ${describe(v)}`);
    return undefined;
  }
  c.fields(v, path, SEGMENT_FIELDS, 'a segment');
  const out: SegmentDefinition = {};
  const description = c.optionalString(v, path, 'description');
  if (description !== undefined) out.description = description;
  else if (has(v, 'description')) ok = false;
  if (has(v, 'conditions')) {
    const conditions = checkConditions(c, own(v, 'conditions'), field(path, 'conditions'), true);
    if (conditions === undefined) ok = false;
    else out.conditions = conditions;
  }
  for (const name of ['included', 'excluded'] as const) {
    if (!has(v, name)) continue;
    const list = c.stringArray(own(v, name), field(path, name), name, false);
    if (list === undefined) ok = false;
    else out[name] = list;
  }
  if (has(v, 'attribute')) {
    const a = c.attributePath(own(v, 'attribute'), field(path, 'attribute'), 'attribute');
    if (a === undefined) ok = false;
    else out.attribute = a;
  }
  return ok ? out : undefined;
}

interface RawPrerequisites {
  path: string;
  value: unknown;
}

function checkFlag(c: Checker, key: string, v: unknown, path: string): { flag?: FlagDefinition; prerequisites?: RawPrerequisites; variantNames: string[] } {
  let ok = true;
  if (!KEY_PATTERN.test(key)) {
    c.add(path, `flag key ${JSON.stringify(key)} is invalid: ${KEY_RULE}`);
    ok = false;
  }
  if (!isObj(v)) {
    c.add(path, `a flag must be an object with "variants", "enabled", "offVariant" and "defaultServe", got ${describe(v)}`);
    return { variantNames: [] };
  }
  // Unknown fields do not stop the remaining checks; any problem at all makes the whole document invalid.
  c.fields(v, path, FLAG_FIELDS, 'a flag');

  const flagOut: Partial<FlagDefinition> = {};
  for (const name of ['description', 'owner'] as const) {
    const s = c.optionalString(v, path, name);
    if (s !== undefined) flagOut[name] = s;
    else if (has(v, name)) ok = false;
  }
  if (has(v, 'tags')) {
    const tags = c.stringArray(own(v, 'tags'), field(path, 'tags'), 'tags', false);
    if (tags === undefined) ok = false;
    else flagOut.tags = tags;
  }
  if (has(v, 'kind')) {
    const kind = own(v, 'kind');
    if (typeof kind !== 'string' || !(FLAG_KINDS as readonly string[]).includes(kind)) {
      c.add(field(path, 'kind'), `unknown kind ${describe(kind)}; use one of: ${FLAG_KINDS.join(', ')}`);
      ok = false;
    } else flagOut.kind = kind as FlagDefinition['kind'];
  }
  if (has(v, 'expiresAt')) {
    const e = own(v, 'expiresAt');
    if (typeof e !== 'string' || parseIsoDate(e) === undefined) {
      c.add(field(path, 'expiresAt'), `"expiresAt" must be an ISO-8601 date such as "2025-06-30" or "2025-06-30T00:00:00Z", got ${describe(e)}`);
      ok = false;
    } else flagOut.expiresAt = e;
  }
  let declaredType: FlagType | undefined;
  if (has(v, 'type')) {
    const t = own(v, 'type');
    if (typeof t !== 'string' || !(FLAG_TYPES as readonly string[]).includes(t)) {
      c.add(field(path, 'type'), `unknown type ${describe(t)}; use one of: ${FLAG_TYPES.join(', ')}`);
      ok = false;
    } else declaredType = t as FlagType;
  }

  // Variants.
  const variantNames: string[] = [];
  const variants = Object.create(null) as Record<string, JsonValue>;
  const vRaw = own(v, 'variants');
  const vPath = field(path, 'variants');
  let inferredType: FlagType | undefined = declaredType;
  let firstVariant: string | undefined;
  if (!isObj(vRaw) || Object.keys(vRaw).length === 0) {
    c.add(vPath, `"variants" must be a non-empty object of named values, e.g. { "on": true, "off": false }, got ${describe(vRaw)}`);
    ok = false;
  } else {
    for (const name of Object.keys(vRaw)) {
      const p = member(vPath, name);
      variantNames.push(name);
      if (!KEY_PATTERN.test(name)) {
        c.add(p, `variant name ${JSON.stringify(name)} is invalid: ${KEY_RULE}`);
        ok = false;
      }
      const raw = vRaw[name];
      const t = valueType(raw);
      if (t === undefined) {
        c.add(p, `wrong value type: variant values must be a boolean, a string, a finite number or a JSON object/array, got ${describe(raw)}`);
        ok = false;
        continue;
      }
      if (declaredType !== undefined && t !== declaredType) {
        c.add(p, `wrong value type: variant ${JSON.stringify(name)} is ${t === 'json' ? 'JSON' : `a ${t}`} but the flag's "type" is "${declaredType}"`);
        ok = false;
        continue;
      }
      if (inferredType === undefined) {
        inferredType = t;
        firstVariant = name;
      } else if (declaredType === undefined && t !== inferredType) {
        c.add(
          p,
          `wrong value type: variant ${JSON.stringify(name)} is ${t === 'json' ? 'JSON' : `a ${t}`} but variant ${JSON.stringify(firstVariant)} is ${inferredType === 'json' ? 'JSON' : `a ${inferredType}`}; all variants of a flag must have one type`,
        );
        ok = false;
        continue;
      }
      const copy = c.json(raw, p, 0, []);
      if (!copy.ok) ok = false;
      variants[name] = copy.value;
    }
  }
  const flag: FlagContext = { key, path, variantNames };

  // Required fields.
  const enabled = own(v, 'enabled');
  if (typeof enabled !== 'boolean') {
    c.add(field(path, 'enabled'), `"enabled" is required and must be true or false, got ${describe(enabled)}`);
    ok = false;
  }
  const offVariant = checkVariantRef(c, own(v, 'offVariant'), field(path, 'offVariant'), flag, '"offVariant" (required)');
  if (offVariant === undefined) ok = false;

  // Targets.
  let targets: Target[] | undefined;
  if (has(v, 'targets')) {
    const tRaw = own(v, 'targets');
    const tPath = field(path, 'targets');
    if (!Array.isArray(tRaw)) {
      c.add(tPath, `"targets" must be an array of { variant, values }, got ${describe(tRaw)}`);
      ok = false;
    } else {
      targets = [];
      // A unit id listed for two variants (same attribute) would silently depend on order: reject it.
      const seenIds = new Map<string, string>();
      for (let i = 0; i < tRaw.length; i++) {
        const t: unknown = tRaw[i];
        const p = index(tPath, i);
        if (!isObj(t)) {
          c.add(p, `a target must be an object like { "variant": "on", "values": ["user-1"] }, got ${describe(t)}`);
          ok = false;
          continue;
        }
        c.fields(t, p, TARGET_FIELDS, 'a target');
        const variant = checkVariantRef(c, own(t, 'variant'), field(p, 'variant'), flag, '"variant"');
        const values = c.stringArray(own(t, 'values'), field(p, 'values'), 'values', false);
        let attribute: string | undefined;
        if (has(t, 'attribute')) {
          attribute = c.attributePath(own(t, 'attribute'), field(p, 'attribute'), 'attribute');
          if (attribute === undefined) ok = false;
        }
        if (variant === undefined || values === undefined) {
          ok = false;
          continue;
        }
        const attrKey = attribute ?? DEFAULT_UNIT_ATTRIBUTE;
        for (let j = 0; j < values.length; j++) {
          const id = `${attrKey}\u0000${values[j] as string}`;
          const prev = seenIds.get(id);
          if (prev !== undefined) {
            c.add(index(field(p, 'values'), j), `${JSON.stringify(values[j])} is already targeted at ${prev}; list each unit id once`);
            ok = false;
          } else seenIds.set(id, `${tPath}[${i}]`);
        }
        const out: Target = { variant, values };
        if (attribute !== undefined) out.attribute = attribute;
        targets.push(out);
      }
    }
  }

  // Rules.
  let rules: Rule[] | undefined;
  if (has(v, 'rules')) {
    const rRaw = own(v, 'rules');
    const rPath = field(path, 'rules');
    if (!Array.isArray(rRaw)) {
      c.add(rPath, `"rules" must be an array of { conditions, serve }, got ${describe(rRaw)}`);
      ok = false;
    } else {
      rules = [];
      const ids = new Map<string, number>();
      for (let i = 0; i < rRaw.length; i++) {
        const r: unknown = rRaw[i];
        const p = index(rPath, i);
        if (!isObj(r)) {
          c.add(p, `a rule must be an object like { "conditions": [...], "serve": { "variant": "on" } }, got ${describe(r)}`);
          ok = false;
          continue;
        }
        c.fields(r, p, RULE_FIELDS, 'a rule');
        let id = `rule-${i}`;
        let ruleOk = true;
        if (has(r, 'id')) {
          const idRaw = own(r, 'id');
          if (typeof idRaw !== 'string' || idRaw.length === 0 || idRaw.length > MAX_RULE_ID_LENGTH) {
            c.add(field(p, 'id'), `"id" must be a non-empty string of at most ${MAX_RULE_ID_LENGTH} characters, got ${describe(idRaw)}`);
            ruleOk = false;
          } else if (idRaw === TARGET_RULE_ID) {
            c.add(field(p, 'id'), `"${TARGET_RULE_ID}" is reserved for individual targets; choose another rule id`);
            ruleOk = false;
          } else id = idRaw;
        }
        const prevIndex = ids.get(id);
        if (prevIndex !== undefined) {
          c.add(field(p, 'id'), `rule id ${JSON.stringify(id)} is already used by rules[${prevIndex}]; rule ids must be unique within a flag (rules without "id" are named "rule-<index>")`);
          ruleOk = false;
        } else ids.set(id, i);
        const description = c.optionalString(r, p, 'description');
        if (has(r, 'description') && description === undefined) ruleOk = false;
        if (!has(r, 'conditions')) {
          c.add(field(p, 'conditions'), '"conditions" is required (use [] to match everyone)');
          ruleOk = false;
        }
        const conditions = has(r, 'conditions') ? checkConditions(c, own(r, 'conditions'), field(p, 'conditions'), false) : undefined;
        let rollout: RuleRollout | undefined;
        if (has(r, 'rollout')) {
          rollout = checkRollout(c, own(r, 'rollout'), field(p, 'rollout'));
          if (rollout === undefined) ruleOk = false;
        }
        const serve = checkServe(c, own(r, 'serve'), field(p, 'serve'), flag);
        if (!ruleOk || conditions === undefined || serve === undefined) {
          ok = false;
          continue;
        }
        const out: Rule = { id, conditions, serve };
        if (description !== undefined) out.description = description;
        if (rollout !== undefined) out.rollout = rollout;
        rules.push(out);
      }
    }
  }

  const defaultServe = checkServe(c, own(v, 'defaultServe'), field(path, 'defaultServe'), flag);
  if (defaultServe === undefined) ok = false;

  let prerequisites: RawPrerequisites | undefined;
  if (has(v, 'prerequisites')) prerequisites = { path: field(path, 'prerequisites'), value: own(v, 'prerequisites') };

  if (!ok || inferredType === undefined || offVariant === undefined || defaultServe === undefined) {
    return prerequisites === undefined ? { variantNames } : { prerequisites, variantNames };
  }
  const out: FlagDefinition = {
    ...flagOut,
    type: inferredType,
    variants,
    enabled: enabled as boolean,
    offVariant,
    defaultServe,
  };
  if (targets !== undefined) out.targets = targets;
  if (rules !== undefined) out.rules = rules;
  return prerequisites === undefined ? { flag: out, variantNames } : { flag: out, prerequisites, variantNames };
}

function checkPrerequisites(
  c: Checker,
  key: string,
  raw: RawPrerequisites,
  variantsOf: Map<string, string[]>,
): Prerequisite[] | undefined {
  const { path, value } = raw;
  if (!Array.isArray(value)) {
    c.add(path, `"prerequisites" must be an array of { flag, variants }, got ${describe(value)}`);
    return undefined;
  }
  let ok = true;
  const out: Prerequisite[] = [];
  for (let i = 0; i < value.length; i++) {
    const pr: unknown = value[i];
    const p = index(path, i);
    if (!isObj(pr)) {
      c.add(p, `a prerequisite must be an object like { "flag": "other-flag", "variants": ["on"] }, got ${describe(pr)}`);
      ok = false;
      continue;
    }
    c.fields(pr, p, PREREQUISITE_FIELDS, 'a prerequisite');
    const flagKey = own(pr, 'flag');
    const known = typeof flagKey === 'string' ? variantsOf.get(flagKey) : undefined;
    if (typeof flagKey !== 'string' || known === undefined) {
      c.add(field(p, 'flag'), `unknown prerequisite flag ${describe(flagKey)}; it must be the key of another flag in this document`);
      ok = false;
      continue;
    }
    if (flagKey === key) {
      c.add(field(p, 'flag'), 'a flag cannot be its own prerequisite');
      ok = false;
      continue;
    }
    const variants = c.stringArray(own(pr, 'variants'), field(p, 'variants'), 'variants', true);
    if (variants === undefined) {
      ok = false;
      continue;
    }
    for (let j = 0; j < variants.length; j++) {
      if (!known.includes(variants[j] as string)) {
        c.add(
          index(field(p, 'variants'), j),
          `unknown variant ${JSON.stringify(variants[j])} of flag ${JSON.stringify(flagKey)}; known variants: ${quoteList(known)}`,
        );
        ok = false;
      }
    }
    out.push({ flag: flagKey, variants });
  }
  return ok ? out : undefined;
}

/** Reports every prerequisite cycle once, as "a → b → a". Iterative, so long chains cannot overflow the stack. */
function checkCycles(c: Checker, edges: Map<string, string[]>): boolean {
  const state = new Map<string, 1 | 2>(); // 1 = on the DFS path, 2 = done
  const reported = new Set<string>();
  let ok = true;
  for (const root of edges.keys()) {
    if (state.has(root)) continue;
    const path: string[] = [root];
    const nextIndex: number[] = [0];
    state.set(root, 1);
    while (path.length > 0) {
      const node = path[path.length - 1] as string;
      const targets = edges.get(node) ?? [];
      const i = nextIndex[nextIndex.length - 1] as number;
      if (i >= targets.length) {
        state.set(node, 2);
        path.pop();
        nextIndex.pop();
        continue;
      }
      nextIndex[nextIndex.length - 1] = i + 1;
      const next = targets[i] as string;
      const s = state.get(next);
      if (s === undefined) {
        state.set(next, 1);
        path.push(next);
        nextIndex.push(0);
      } else if (s === 1) {
        ok = false;
        const cycle = path.slice(path.indexOf(next));
        // Rotate to the smallest key so each cycle is reported once whichever node the search entered it by.
        let min = 0;
        for (let j = 1; j < cycle.length; j++) if ((cycle[j] as string) < (cycle[min] as string)) min = j;
        const rotated = [...cycle.slice(min), ...cycle.slice(0, min)];
        const id = rotated.join('\u0000');
        if (!reported.has(id)) {
          reported.add(id);
          const start = rotated[0] as string;
          c.add(
            field(member('$.flags', start), 'prerequisites'),
            `prerequisite cycle: ${[...rotated, start].join(' → ')}; remove one of these prerequisites`,
          );
        }
      }
    }
  }
  return ok;
}

function deepFreeze<T>(value: T): T {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
      for (const key of Object.keys(v)) stack.push((v as Obj)[key]);
      Object.freeze(v);
    }
  }
  return value;
}

function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/** 64-bit content hash (two murmur3 seeds) as 16 hex characters. */
export function contentHash(text: string): string {
  return hex32(murmur3(text, 0)) + hex32(murmur3(text, 0x5bd1e995));
}

function parseDocument(input: unknown): ParseResult {
  const c = new Checker();
  if (typeof input === 'string') {
    try {
      input = JSON.parse(input) as unknown;
    } catch (e) {
      return { ok: false, problems: [{ path: '$', message: `not valid JSON (${errorText(e)})` }] };
    }
  }
  if (!isObj(input)) {
    return {
      ok: false,
      problems: [{ path: '$', message: `the flags document must be an object like { "schemaVersion": 1, "flags": { ... } }, got ${describe(input)}` }],
    };
  }
  c.fields(input, '$', TOP_FIELDS, 'the document');
  const schemaVersion = own(input, 'schemaVersion');
  if (schemaVersion !== 1) {
    c.add('$.schemaVersion', `"schemaVersion" must be 1, got ${describe(schemaVersion)}; this version of @halyard/core reads schemaVersion 1 documents`);
  }
  if (has(input, '$schema') && typeof own(input, '$schema') !== 'string') {
    c.add('$.$schema', `"$schema" must be a string (a JSON Schema URL), got ${describe(own(input, '$schema'))}`);
  }
  let version: string | undefined;
  if (has(input, 'version')) {
    const v = own(input, 'version');
    if (typeof v === 'string' && v.length > 0 && v.length <= MAX_VERSION_LENGTH) version = v;
    else if (typeof v === 'number' && Number.isFinite(v)) version = String(v);
    else c.add('$.version', `"version" must be a non-empty string (at most ${MAX_VERSION_LENGTH} characters) or a finite number, got ${describe(v)}`);
  }

  // Segments first: flag conditions reference them.
  const segments = Object.create(null) as Record<string, SegmentDefinition>;
  if (has(input, 'segments')) {
    const sRaw = own(input, 'segments');
    if (!isObj(sRaw)) c.add('$.segments', `"segments" must be an object of named segments, got ${describe(sRaw)}`);
    else {
      for (const key of Object.keys(sRaw)) c.segmentKeys.add(key);
      for (const key of Object.keys(sRaw)) {
        const seg = checkSegment(c, key, sRaw[key], member('$.segments', key));
        if (seg !== undefined) segments[key] = seg;
      }
    }
  }

  const flags = Object.create(null) as Record<string, FlagDefinition>;
  const fRaw = own(input, 'flags');
  const pending: Array<{ key: string; raw: RawPrerequisites }> = [];
  const variantsOf = new Map<string, string[]>();
  if (!isObj(fRaw)) {
    c.add('$.flags', `"flags" is required and must be an object of flags keyed by flag key, got ${describe(fRaw)}`);
  } else {
    for (const key of Object.keys(fRaw)) {
      const result = checkFlag(c, key, fRaw[key], member('$.flags', key));
      variantsOf.set(key, result.variantNames);
      if (result.flag !== undefined) flags[key] = result.flag;
      if (result.prerequisites !== undefined) pending.push({ key, raw: result.prerequisites });
    }
  }
  const edges = new Map<string, string[]>();
  for (const { key, raw } of pending) {
    const prerequisites = checkPrerequisites(c, key, raw, variantsOf);
    if (prerequisites !== undefined) {
      edges.set(key, prerequisites.map((p) => p.flag));
      const flag = flags[key];
      if (flag !== undefined) flag.prerequisites = prerequisites;
    }
  }
  checkCycles(c, edges);

  if (c.problems.length > 0) return { ok: false, problems: c.problems };
  if (version === undefined) version = contentHash(canonicalJson({ schemaVersion: 1, flags, segments }));
  const definitions: Definitions = { schemaVersion: 1, version, flags, segments };
  deepFreeze(definitions);
  validatedDefinitions.add(definitions);
  return { ok: true, definitions };
}

/**
 * Validates a flags document and returns normalised, deep-frozen `Definitions`, or every problem found.
 *
 * Accepts the parsed document (or its JSON text). Never throws, whatever the input; nothing invalid is ever
 * partially loaded: one problem anywhere means `ok: false`. Problems carry a JSON path starting at `$`.
 *
 * Normalisation: `version` becomes a string (a 16-hex-digit content hash when the document has none); every
 * flag gets its `type` (declared or inferred from its variants); every rule gets its `id` (`"rule-<index>"` when
 * absent); `inSegment` conditions without an attribute get `attribute: ""`. The `flags`, `segments` and
 * `variants` records have a null prototype — look keys up with `Object.hasOwn`.
 *
 * Decisions worth knowing: a variant may appear only once per split; a unit id may be targeted only once per
 * attribute; segments cannot reference other segments; `caseInsensitive` is only allowed on string operators;
 * regular expressions are compiled with the `u` flag and refused when they could backtrack catastrophically.
 *
 * @example
 * const result = parseDefinitions(JSON.parse(text));
 * if (!result.ok) {
 *   for (const p of result.problems) console.error(`${p.path}: ${p.message}`);
 * } else {
 *   const evaluator = createEvaluator(result.definitions);
 * }
 */
export function parseDefinitions(input: unknown): ParseResult {
  try {
    return parseDocument(input);
  } catch (e) {
    // Hostile inputs (throwing getters, revoked proxies) end up here: report, never throw.
    return {
      ok: false,
      problems: [
        {
          path: '$',
          message: `@halyard/core: the flags document could not be read (${errorText(e)}); pass plain JSON data`,
        },
      ],
    };
  }
}
