import { describe, has, isObj, own, quoteList, type Obj } from '../internal/json-shape';
import { MAX_SPLIT_TOTAL, PERCENT_SCALE, PERCENT_UNIT, percentageWeight } from '../internal/schema';
import type { BucketingSpec, RuleRollout, Serve, SplitSlice } from '../types';
import { field, index, type Checker } from './checker';

const VARIANT_SERVE_FIELDS = ['variant'];
const SPLIT_SERVE_FIELDS = ['split', 'bucketBy', 'salt', 'seed', 'bucketing'];
const SLICE_FIELDS = ['variant', 'weight', 'percentage'];
const ROLLOUT_FIELDS = ['weight', 'total', 'bucketBy', 'salt', 'seed', 'bucketing'];

/** The flag being checked, for variant references. */
export interface FlagContext {
  key: string;
  path: string;
  variantNames: string[];
}

export function checkVariantRef(c: Checker, v: unknown, path: string, flag: FlagContext, what: string): string | undefined {
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
      const units = percentageWeight(pc);
      if (units === undefined) {
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
    c.add(path, `percentages add up to ${total / PERCENT_UNIT}, they must add up to exactly 100`);
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

export function checkServe(c: Checker, v: unknown, path: string, flag: FlagContext): Serve | undefined {
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
    const out: { split: SplitSlice[]; bucketBy?: string; salt?: string; seed?: number; bucketing?: BucketingSpec } = { split: split ?? [] };
    const hashOk = checkHashing(c, v, path, out);
    return split !== undefined && hashOk ? out : undefined;
  }
  c.add(path, 'serve needs either "variant" (one variant for everyone) or "split" (a weighted split)');
  return undefined;
}

/** A rule's or a segment's percentage gate: integer weight out of an integer total, plus the split's bucketBy/salt/seed. */
export function checkRollout(c: Checker, v: unknown, path: string, what = 'a rule rollout'): RuleRollout | undefined {
  if (!isObj(v)) {
    c.add(path, `"rollout" must be an object like { "weight": 10, "total": 100 }, got ${describe(v)}`);
    return undefined;
  }
  c.fields(v, path, ROLLOUT_FIELDS, what);
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
function checkHashing(c: Checker, v: Obj, path: string, out: { bucketBy?: string; salt?: string; seed?: number; bucketing?: BucketingSpec }): boolean {
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
  if (has(v, 'bucketing')) {
    const b = own(v, 'bucketing');
    const p = field(path, 'bucketing');
    const algorithm = isObj(b) ? own(b, 'algorithm') : undefined;
    if (!isObj(b) || typeof algorithm !== 'string' || !BUCKETING_NAME.test(algorithm)) {
      c.add(p, `"bucketing" must be an object like { "algorithm": "growthbook-v2" } (a lower-case algorithm name), got ${describe(b)}`);
      ok = false;
    } else {
      c.fields(b, p, BUCKETING_FIELDS, '"bucketing"');
      if (has(v, 'seed')) {
        // The murmur3 seed means nothing to another algorithm; the salt is its seed.
        c.add(field(path, 'seed'), `"seed" only applies to murmur3 bucketing; with "bucketing" ${JSON.stringify(algorithm)} put the algorithm's seed in "salt"`);
        ok = false;
      }
      out.bucketing = { algorithm };
    }
  }
  return ok;
}

const BUCKETING_FIELDS = ['algorithm'];
const BUCKETING_NAME = /^[a-z][a-z0-9-]{0,63}$/;