import { parseDefinitions, type BucketingAlgorithm, type Condition, type FlagDefinition, type FlagsDocument, type JsonValue, type Rule, type SegmentDefinition } from '@halyard/core';
import { bucketThreshold, fnv1a32, growthbookAlgorithm, growthbookV1Bucketing } from './bucketing';
import { ConditionError, convertCondition, type Dnf } from './internal/conditions';

/** A part of the GrowthBook payload that could not be represented, located by its JSON path (`$.features["x"].rules[2]…`). */
export interface GrowthBookImportProblem {
  path: string;
  message: string;
}

/** What `importGrowthBook` returns. It never throws. */
export interface GrowthBookImportResult {
  /** A valid Halyard document (it passes `parseDefinitions`); evaluate it with `growthbookBucketing` installed. */
  document: FlagsDocument;
  /** GrowthBook feature key → Halyard flag key (see `growthbookKey`). */
  keys: Record<string, string>;
  /**
   * Everything that was not imported as GrowthBook evaluates it, with its path: unsupported operators, prerequisite
   * rules, filters, saved groups, encrypted payloads… Such a rule is left out (a condition) or the part ignored.
   */
  problems: GrowthBookImportProblem[];
}

const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;

/**
 * The Halyard flag key for a GrowthBook feature key: the key itself when Halyard accepts it, else `gb:` followed
 * by the key with every other character written as `:` + its hex code (GrowthBook keys never contain `:`).
 *
 * @example
 * growthbookKey('new-checkout'); // 'new-checkout'
 * growthbookKey('dark_mode');    // 'dark_mode'
 * growthbookKey('promo banner/2'); // 'gb:promo:20banner:2f2'
 */
export function growthbookKey(key: string): string {
  if (KEY_PATTERN.test(key) && !key.includes(':')) return key;
  let out = 'gb:';
  for (const ch of key) out += /[A-Za-z0-9._-]/.test(ch) ? ch : `:${(ch.codePointAt(0) as number).toString(16)}`;
  return out.slice(0, 200);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON text with sorted keys, to give equal values one variant. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObj(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/** GrowthBook's `getBucketRanges`, verbatim in behaviour (coverage clamped, bad weights → equal weights). */
function bucketRanges(numVariations: number, coverage: unknown, weights: unknown): Array<[number, number]> {
  let c = coverage === undefined ? 1 : (coverage as number);
  if (c < 0) c = 0;
  else if (c > 1) c = 1;
  const equal = numVariations <= 0 ? [] : new Array<number>(numVariations).fill(1 / numVariations);
  let w = (weights || equal) as number[];
  if (!Array.isArray(w) || w.length !== numVariations) w = equal;
  const total = w.reduce((sum, x) => sum + x, 0);
  if (total < 0.99 || total > 1.01) w = equal;
  let cumulative = 0;
  return w.map((x) => {
    const start = cumulative;
    cumulative += x;
    return [start, start + c * x];
  });
}

const RULE_FIELDS = new Set([
  'id', 'condition', 'force', 'coverage', 'range', 'hashAttribute', 'fallbackAttribute', 'seed', 'hashVersion', 'variations',
  'weights', 'key', 'namespace', 'meta', 'ranges', 'name', 'phase', 'tracks', 'disableStickyBucketing', 'bucketVersion',
  'minBucketVersion', 'parentConditions', 'filters', 'contextualVariations', 'contextualBanditRef',
]);

class Converter {
  readonly problems: GrowthBookImportProblem[] = [];
  readonly keys: Record<string, string> = {};
  readonly segments: Record<string, SegmentDefinition> = {};

  problem(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  /**
   * Conditions passing the units whose GrowthBook bucket (hash `algorithm`, seed `salt`) lies in `[lo, hi)`: one
   * helper segment per bound (`inSegment` below `hi`, negated `inSegment` below `lo`). A rule holds one rollout
   * only, and a GrowthBook rule may need two ranges (namespace and variation); segments compose.
   */
  gate(attribute: string, algorithm: BucketingAlgorithm, salt: string, lo: number, hi: number): Condition[] | null {
    if (lo >= hi) return null;
    const segment = (weight: number): string => {
      const key = `gb-range.${fnv1a32(JSON.stringify([attribute, algorithm.name, salt])).toString(16)}.${weight}`;
      this.segments[key] ??= {
        description: `GrowthBook ${algorithm.name} bucket of ${JSON.stringify(attribute)} with seed ${JSON.stringify(salt)} below ${weight} of ${algorithm.range}`,
        rollout: { weight, total: algorithm.range, bucketBy: attribute, salt, bucketing: { algorithm: algorithm.name } },
      };
      return key;
    };
    const out: Condition[] = [{ operator: 'inSegment', values: [segment(hi)] } as Condition];
    if (lo > 0) out.push({ operator: 'inSegment', values: [segment(lo)], negate: true } as Condition);
    return out;
  }

  convert(payload: unknown): FlagsDocument {
    let data = payload;
    if (typeof data === 'string') data = JSON.parse(data) as unknown;
    if (!isObj(data)) {
      this.problem('$', `@halyard/growthbook: the payload must be GrowthBook's features JSON ({ "features": { … } }), got ${data === null ? 'null' : typeof data}`);
      return { schemaVersion: 1, flags: {} };
    }
    if (data.encryptedFeatures !== undefined) {
      this.problem('$.encryptedFeatures', 'encrypted features are not imported; export the payload with encryption off (or decrypt it) first');
    }
    if (isObj(data.savedGroups) && Object.keys(data.savedGroups).length > 0) {
      this.problem('$.savedGroups', 'saved groups are not imported; conditions referencing them ($inGroup, $notInGroup, $savedGroup) are reported where used');
    }
    const features = data.features;
    if (!isObj(features)) {
      if (features !== undefined || data.encryptedFeatures === undefined) this.problem('$.features', '"features" must be an object of feature definitions');
      return { schemaVersion: 1, flags: {} };
    }
    const flags: Record<string, FlagDefinition> = {};
    for (const [name, feature] of Object.entries(features)) {
      const path = `$.features[${JSON.stringify(name)}]`;
      const key = growthbookKey(name);
      if (Object.values(this.keys).includes(key)) {
        this.problem(path, `feature key maps to ${JSON.stringify(key)}, already used by another feature; skipped`);
        continue;
      }
      if (!isObj(feature)) {
        this.problem(path, 'a feature must be an object; skipped');
        continue;
      }
      const def = this.feature(name, feature, path);
      // Halyard variants hold one JSON type, never null (GrowthBook's value for a feature without defaultValue).
      const types = new Set(Object.values(def.variants).map((v) => (v === null ? 'null' : Array.isArray(v) || typeof v === 'object' ? 'JSON' : typeof v)));
      if (types.has('null') || types.size > 1) {
        const what = types.has('null') ? 'a null value (a missing "defaultValue" or a null force/variation)' : `values of several types (${[...types].join(', ')})`;
        this.problem(path, `the feature has ${what}; a Halyard flag's variants share one type and are never null; the feature is left out`);
        continue;
      }
      this.keys[name] = key;
      flags[key] = def;
    }
    const doc: FlagsDocument = { schemaVersion: 1, flags };
    if (Object.keys(this.segments).length > 0) doc.segments = this.segments;
    return doc;
  }

  feature(id: string, feature: Record<string, unknown>, path: string): FlagDefinition {
    const variants: Record<string, JsonValue> = {};
    const byValue = new Map<string, string>();
    const variantOf = (v: unknown): string => {
      const value = (v === undefined ? null : v) as JsonValue;
      const c = canonical(value);
      let name = byValue.get(c);
      if (name === undefined) {
        name = value === true ? 'on' : value === false ? 'off' : `v${byValue.size}`;
        if (name in variants) name = `v${byValue.size}`;
        byValue.set(c, name);
        variants[name] = value;
      }
      return name;
    };
    const defaultVariant = variantOf(feature.defaultValue);
    const rules: Rule[] = [];
    let experiment = false;
    const list = feature.rules;
    if (list !== undefined && !Array.isArray(list)) this.problem(`${path}.rules`, '"rules" must be an array; ignored');
    (Array.isArray(list) ? list : []).forEach((rule: unknown, i) => {
      const p = `${path}.rules[${i}]`;
      if (!isObj(rule)) {
        this.problem(p, 'a rule must be an object; skipped');
        return;
      }
      const made = this.rule(id, rule, p, i, variantOf);
      if (made.experiment) experiment = true;
      rules.push(...made.rules);
    });
    const def: FlagDefinition = { kind: experiment ? 'experiment' : 'release', variants, enabled: true, defaultServe: { variant: defaultVariant } };
    if (rules.length > 0) def.rules = rules;
    return def;
  }

  rule(featureId: string, rule: Record<string, unknown>, p: string, index: number, variantOf: (v: unknown) => string): { rules: Rule[]; experiment: boolean } {
    const none = { rules: [], experiment: false };
    for (const k of Object.keys(rule)) if (!RULE_FIELDS.has(k)) this.problem(`${p}.${k}`, `unknown rule field ${JSON.stringify(k)}; ignored`);
    if (rule.parentConditions !== undefined) {
      this.problem(`${p}.parentConditions`, 'prerequisite conditions on other features are not imported; the rule is left out');
      return none;
    }
    if (rule.filters !== undefined) {
      this.problem(`${p}.filters`, 'filters are not imported; the rule is left out');
      return none;
    }
    if (rule.contextualBanditRef !== undefined || rule.contextualVariations !== undefined) {
      this.problem(p, 'contextual bandits are not imported; the rule is left out');
      return none;
    }
    let dnf: Dnf = [[]];
    if (rule.condition !== undefined && rule.condition !== null) {
      try {
        dnf = convertCondition(rule.condition, `${p}.condition`);
      } catch (e) {
        if (!(e instanceof ConditionError)) throw e;
        this.problem(e.path, `${e.message}; the rule is left out`);
        return none;
      }
    }
    const hashAttribute = typeof rule.hashAttribute === 'string' && rule.hashAttribute !== '' ? rule.hashAttribute : 'id';
    if (hashAttribute.includes('.') || !/^[A-Za-z_$][\w$-]*$/.test(hashAttribute)) {
      this.problem(`${p}.hashAttribute`, `hash attribute ${JSON.stringify(hashAttribute)} is not a plain attribute name Halyard can read (GrowthBook reads it as one key); the rule is left out`);
      return none;
    }
    const hashVersion = (rule.hashVersion as number) || 1;
    const id = typeof rule.id === 'string' && rule.id !== '' ? rule.id : `rule-${index}`;
    const out: Rule[] = [];
    const emit = (gates: Condition[], serve: Rule['serve'], suffix: string): void => {
      dnf.forEach((conditions, j) => {
        const ruleId = `${id}${suffix}${dnf.length > 1 ? `.${j}` : ''}`;
        out.push({ id: ruleId, conditions: [...conditions, ...gates], serve });
      });
    };

    if ('force' in rule) {
      const seed = (rule.seed as string) || featureId;
      const range = rule.range;
      if (!range && rule.coverage === undefined) {
        emit([], { variant: variantOf(rule.force) }, '');
        return { rules: out, experiment: false };
      }
      if (!range && rule.coverage === 0) return none; // GrowthBook: nobody is included
      const algorithm = growthbookAlgorithm(hashVersion);
      if (algorithm === undefined) return none; // GrowthBook: an unknown hash version includes nobody
      let lo = 0;
      let hi: number;
      if (range) {
        if (!Array.isArray(range) || range.length < 2 || typeof range[0] !== 'number' || typeof range[1] !== 'number') {
          this.problem(`${p}.range`, '"range" must be [start, end] numbers; the rule is left out');
          return none;
        }
        lo = bucketThreshold(range[0], algorithm.range);
        hi = bucketThreshold(range[1], algorithm.range);
      } else {
        if (typeof rule.coverage !== 'number') {
          this.problem(`${p}.coverage`, '"coverage" must be a number from 0 to 1; the rule is left out');
          return none;
        }
        // GrowthBook includes n <= coverage.
        hi = bucketThreshold(rule.coverage, algorithm.range, true);
      }
      const gates = this.gate(hashAttribute, algorithm, String(seed), lo, hi);
      if (gates !== null) emit(gates, { variant: variantOf(rule.force) }, '');
      return { rules: out, experiment: false };
    }

    const variations = rule.variations;
    if (!Array.isArray(variations)) {
      this.problem(p, 'a rule without "force" or "variations" is skipped by GrowthBook; left out');
      return none;
    }
    if (variations.length < 2) return none; // GrowthBook: an experiment needs two variations
    const key = (rule.key as string) || featureId;
    const seed = String((rule.seed as string) || key);
    const algorithm = growthbookAlgorithm(hashVersion);
    if (algorithm === undefined) return none;
    const gates: Condition[] = [];
    if (rule.namespace !== undefined) {
      const ns = rule.namespace;
      if (!Array.isArray(ns) || ns.length < 3 || typeof ns[1] !== 'number' || typeof ns[2] !== 'number') {
        this.problem(`${p}.namespace`, '"namespace" must be [id, start, end]; the rule is left out');
        return none;
      }
      // GrowthBook: n = hash("__" + id, value, 1), in the namespace when start <= n < end.
      const range = growthbookV1Bucketing.range;
      const g = this.gate(hashAttribute, growthbookV1Bucketing, `__${String(ns[0])}`, bucketThreshold(ns[1], range), bucketThreshold(ns[2], range));
      if (g === null) return none;
      gates.push(...g);
    }
    for (const f of ['fallbackAttribute', 'bucketVersion', 'minBucketVersion', 'disableStickyBucketing'] as const) {
      if (rule[f] !== undefined) this.problem(`${p}.${f}`, 'sticky bucketing is not imported (Halyard assignments are stateless); ignored, as GrowthBook does without a sticky bucket service');
    }
    const ranges = (rule.ranges as Array<[number, number]> | undefined) || bucketRanges(variations.length, 'coverage' in rule ? rule.coverage : undefined, rule.weights);
    const meta = Array.isArray(rule.meta) ? (rule.meta as unknown[]) : [];
    const slices: Array<{ variant: string; lo: number; hi: number }> = [];
    for (let i = 0; i < variations.length && i < ranges.length; i++) {
      const r = ranges[i];
      if (!Array.isArray(r) || typeof r[0] !== 'number' || typeof r[1] !== 'number') {
        this.problem(`${p}.ranges[${i}]`, 'a range must be [start, end] numbers; that variation is left out');
        continue;
      }
      const m = meta[i];
      if (isObj(m) && m.passthrough) continue; // GrowthBook serves the next rule to units in a passthrough variation
      slices.push({ variant: variantOf(variations[i]), lo: bucketThreshold(r[0], algorithm.range), hi: bucketThreshold(r[1], algorithm.range) });
    }
    const live = slices.filter((s) => s.lo < s.hi);
    const contiguous =
      live.length === slices.length &&
      slices.length === variations.length &&
      slices[0]?.lo === 0 &&
      slices[slices.length - 1]?.hi === algorithm.range &&
      slices.every((s, i) => i === 0 || s.lo === slices[i - 1]?.hi) &&
      new Set(slices.map((s) => s.variant)).size === slices.length;
    if (contiguous) {
      // Everyone with a hash value is in one variation: one split, bucketed as GrowthBook does.
      // A unit without a hash value skips the split, hence the rule, as in GrowthBook.
      emit(gates, { split: slices.map((s) => ({ variant: s.variant, weight: s.hi - s.lo })), bucketBy: hashAttribute, salt: seed, bucketing: { algorithm: algorithm.name } }, '');
    } else {
      live.forEach((s, i) => {
        const g = this.gate(hashAttribute, algorithm, seed, s.lo, s.hi) as Condition[];
        emit([...gates, ...g], { variant: s.variant }, `.v${i}`);
      });
    }
    return { rules: out, experiment: true };
  }
}

/**
 * Converts a GrowthBook features payload (the SDK endpoint's `{ features, … }`, as an object or JSON text) into a
 * Halyard FlagsDocument that evaluates like GrowthBook's SDKs, bucket for bucket. Never throws: what cannot be
 * represented is listed in `problems` with its path and left out.
 *
 * Mapping, mirroring @growthbook/growthbook's `evalFeature`:
 * - each feature → a flag keyed by `growthbookKey(id)`; each distinct value → a variant (`on`/`off` for
 *   booleans, else `v0`, `v1`…); `defaultValue` → `defaultServe`.
 * - force rules → rules serving the value; with `coverage` or `range`, gated by the unit's GrowthBook bucket
 *   (`hashAttribute`, default `id`; seed default the feature key; `hashVersion` 1 or 2).
 * - experiment rules → one split (`"bucketing": { "algorithm": "growthbook-v1" | "growthbook-v2" }`, weights in
 *   buckets) when the variations cover everyone, else one rule per variation gated by its bucket range
 *   (coverage, custom `ranges`, passthrough variations); `namespace` → a GrowthBook v1 range gate.
 * - conditions → Halyard conditions; `$or`/`$not`/`$nor` expand into several rules; GrowthBook's answer for a
 *   missing attribute is kept with `exists` conditions.
 * - bucket ranges become helper segments `gb-range.<hash>.<bound>` whose rollout uses GrowthBook's bucketing.
 *
 * Not imported (reported): `parentConditions`, `filters`, saved groups, `$type`, `$inGroup`, JSON equality,
 * string ordering with `$gt`…, contextual bandits, encrypted payloads; sticky bucketing fields are ignored. A
 * feature with a null value (no `defaultValue`) or values of several types is left out (Halyard variants share one
 * type and are never null).
 * Attribute types matter: Halyard does not coerce (a string attribute compared with `$gt: 5`, or the number 0 as
 * a hash value, which GrowthBook skips and Halyard buckets, behave differently).
 *
 * @example
 * const { document, problems } = importGrowthBook(await (await fetch(`${host}/api/features/${clientKey}`)).json());
 * for (const p of problems) console.warn(`${p.path}: ${p.message}`);
 * const evaluator = createEvaluator(parseDefinitions(document).definitions!, { bucketing: [growthbookBucketing] });
 * evaluator.getValue(growthbookKey('checkout-color'), 'blue', { id: 'user-42', country: 'US' });
 */
export function importGrowthBook(payload: unknown): GrowthBookImportResult {
  const converter = new Converter();
  let document: FlagsDocument;
  try {
    document = converter.convert(payload);
  } catch (e) {
    converter.problem('$', `@halyard/growthbook: the GrowthBook payload could not be read (${e instanceof Error ? e.message : String(e)}); pass plain JSON data`);
    document = { schemaVersion: 1, flags: {} };
  }
  // Whatever Halyard rejects (a regex it refuses, …) drops its flag, so the document always parses.
  for (let attempt = 0; attempt < 3; attempt++) {
    const parsed = parseDefinitions(document);
    if (parsed.ok) break;
    const names = new Map(Object.entries(converter.keys).map(([name, key]) => [key, name]));
    const bad = new Set<string>();
    for (const problem of parsed.problems) {
      const key = Object.keys(document.flags).find((k) => problem.path.startsWith(`$.flags.${k}`) || problem.path.startsWith(`$.flags[${JSON.stringify(k)}]`));
      if (key !== undefined) {
        bad.add(key);
        converter.problem(`$.features[${JSON.stringify(names.get(key) ?? key)}]`, `Halyard rejected the imported flag (${problem.path}: ${problem.message}); the feature is left out`);
      } else converter.problem('$', `Halyard rejected the imported document (${problem.path}: ${problem.message})`);
    }
    if (bad.size === 0) {
      document = { schemaVersion: 1, flags: {} };
      break;
    }
    for (const key of bad) delete document.flags[key];
  }
  return { document, keys: { ...converter.keys }, problems: converter.problems };
}
