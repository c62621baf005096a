import {
  parseDefinitions,
  type Condition,
  type FlagDefinition,
  type FlagsDocument,
  type JsonValue,
  type Prerequisite,
  type Rule,
  type RuleRollout,
  type SegmentDefinition,
  type Serve,
  type Target,
} from '@halyard/core';
import { LAUNCHDARKLY_RANGE, launchdarklyBucketing, launchdarklySalt } from './bucketing';
import { attributePath, ClauseError, convertClauses, type Alternatives } from './internal/clauses';

/** A part of the LaunchDarkly payload that could not be represented, located by its JSON path (`$.flags["x"].rules[2]…`). */
export interface LaunchDarklyImportProblem {
  path: string;
  message: string;
}

/** What `importLaunchDarkly` returns. It never throws. */
export interface LaunchDarklyImportResult {
  /** A valid Halyard document (it passes `parseDefinitions`); evaluate it with `launchdarklyBucketing` installed. */
  document: FlagsDocument;
  /** LaunchDarkly flag key → Halyard flag key (see `launchdarklyKey`). */
  keys: Record<string, string>;
  /** LaunchDarkly segment key → Halyard segment key. Helper segments the import adds are named `ldseg:<segment>:…`. */
  segmentKeys: Record<string, string>;
  /** Everything not imported as LaunchDarkly evaluates it, with its path; such a rule or flag is left out. */
  problems: LaunchDarklyImportProblem[];
}

const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;

/**
 * The Halyard key for a LaunchDarkly flag or segment key: the key itself when Halyard accepts it, else `ld:`
 * followed by the key with every other character written as `:` + its hex code (LaunchDarkly keys never contain `:`).
 *
 * @example
 * launchdarklyKey('new-checkout'); // 'new-checkout'
 * launchdarklyKey('_internal');    // 'ld::5finternal'
 */
export function launchdarklyKey(key: string): string {
  if (KEY_PATTERN.test(key) && !key.includes(':')) return key;
  let out = 'ld:';
  for (const ch of key) out += /[A-Za-z0-9.-]/.test(ch) ? ch : `:${(ch.codePointAt(0) as number).toString(16)}`;
  return out.slice(0, 200);
}

type Rec = Record<string, unknown>;

function isObj(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `path[i]`, `path.field`, or `path["key"]` for a flag or segment key (any characters). */
const at = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) && !path.endsWith('$.flags') && !path.endsWith('$.segments') ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;

/** Thrown while converting a flag: the flag is left out, reported at `path`. */
class FlagError extends Error {
  constructor(readonly path: string, message: string) {
    super(message);
  }
}

const BUCKETING = Object.freeze({ algorithm: launchdarklyBucketing.name });
/** A segment that never matches; `inSegment` of it, negated, is a condition that always holds. */
const NEVER_SEGMENT = 'ldseg::never';
const MAX_RULE_ID = 100;

function missing(attribute: string): Condition {
  return { attribute, operator: 'exists', negate: true } as Condition;
}

function inSegments(keys: string[], negate = false): Condition {
  return { operator: 'inSegment', values: keys, ...(negate ? { negate: true } : {}) } as unknown as Condition;
}

function valueType(v: unknown): string | undefined {
  if (typeof v === 'boolean' || typeof v === 'string') return typeof v;
  if (typeof v === 'number') return Number.isFinite(v) ? 'number' : undefined;
  if (typeof v === 'object' && v !== null) return 'json';
  return undefined;
}

/** One step of a served variation or rollout: units meeting `extra` (and `rollout`) get `serve`; the last step has neither. */
interface Step {
  extra: Condition[];
  rollout?: RuleRollout;
  serve: Serve;
}

class Converter {
  readonly problems: LaunchDarklyImportProblem[] = [];
  readonly keys: Record<string, string> = {};
  readonly segmentKeys: Record<string, string> = {};
  readonly segments: Record<string, SegmentDefinition> = {};
  /** Halyard segment key (and helper prefix) → LaunchDarkly segment key, to report what Halyard rejects. */
  readonly segmentOwner = new Map<string, string>();
  ldFlags: Rec = {};

  problem(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  clauseContext(path: string) {
    return {
      segmentKey: (ld: string) => (Object.hasOwn(this.segmentKeys, ld) ? this.segmentKeys[ld] : undefined),
      note: (message: string) => this.problem(path, message),
    };
  }

  convert(payload: unknown): FlagsDocument {
    let data = payload;
    if (typeof data === 'string') data = JSON.parse(data) as unknown;
    if (!isObj(data)) {
      this.problem('$', `@halyard/launchdarkly: the payload must be the JSON LaunchDarkly serves to server SDKs ({ "flags": { … }, "segments": { … } }), got ${data === null ? 'null' : typeof data}`);
      return { schemaVersion: 1, flags: {} };
    }
    // The streaming endpoint wraps the payload as { path: "/", data: { flags, segments } }.
    if (isObj(data.data) && data.flags === undefined) data = data.data as Rec;
    const flags = (data as Rec).flags;
    const segments = (data as Rec).segments ?? {};
    if (!isObj(flags)) {
      this.problem('$.flags', `@halyard/launchdarkly: "flags" must be an object of flag key → flag (the /sdk/latest-all shape), got ${JSON.stringify(flags) ?? 'nothing'}`);
      return { schemaVersion: 1, flags: {} };
    }
    if (!isObj(segments)) this.problem('$.segments', `"segments" must be an object of segment key → segment; segments are not imported`);
    const segs = isObj(segments) ? segments : {};
    this.ldFlags = flags;
    for (const [key, seg] of Object.entries(segs)) if (isObj(seg) && seg.deleted !== true) this.segmentKeys[key] = launchdarklyKey(key);
    for (const [key, flag] of Object.entries(flags)) if (isObj(flag) && flag.deleted !== true) this.keys[key] = launchdarklyKey(key);
    for (const key of Object.keys(this.segmentKeys)) this.convertSegment(key, segs[key] as Rec, at('$.segments', key));
    const out: Record<string, FlagDefinition> = {};
    for (const key of Object.keys(this.keys)) {
      try {
        out[this.keys[key] as string] = this.convertFlag(key, flags[key] as Rec, at('$.flags', key));
      } catch (e) {
        if (!(e instanceof FlagError)) throw e;
        this.problem(e.path, `${e.message}; the flag is left out`);
        delete this.keys[key];
      }
    }
    const document: FlagsDocument = { schemaVersion: 1, flags: out };
    if (Object.keys(this.segments).length > 0) document.segments = this.segments;
    return document;
  }

  /** `v<i>` for a valid variation index of the flag, else a FlagError (LaunchDarkly answers such a flag with an error). */
  variant(flag: Rec, index: unknown, path: string): string {
    const count = Array.isArray(flag.variations) ? flag.variations.length : 0;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= count) {
      throw new FlagError(path, `variation ${JSON.stringify(index) ?? 'undefined'} is not an index of "variations" (LaunchDarkly evaluates it as an error)`);
    }
    return `v${index}`;
  }

  convertFlag(key: string, flag: Rec, path: string): FlagDefinition {
    const variations = flag.variations;
    if (!Array.isArray(variations) || variations.length === 0) throw new FlagError(at(path, 'variations'), '"variations" must be a non-empty array');
    const types = new Set(variations.map(valueType));
    if (types.has(undefined)) throw new FlagError(at(path, 'variations'), 'a variation is null (Halyard variants are booleans, strings, numbers or JSON)');
    if (types.size > 1) throw new FlagError(at(path, 'variations'), `the variations mix types (${[...types].join(', ')}); Halyard variants share one type`);
    const variants: Record<string, JsonValue> = {};
    variations.forEach((v, i) => (variants[`v${i}`] = v as JsonValue));
    const def: FlagDefinition = { variants, enabled: flag.on === true, defaultServe: { variant: 'v0' } } as FlagDefinition;
    if (typeof flag.offVariation === 'number') def.offVariant = this.variant(flag, flag.offVariation, at(path, 'offVariation'));

    // Prerequisites: LaunchDarkly requires the prerequisite to be on and to serve exactly that variation index.
    const prerequisites: Prerequisite[] = [];
    let alwaysFails = false;
    if (Array.isArray(flag.prerequisites)) {
      flag.prerequisites.forEach((pre: unknown, i: number) => {
        const p = at(at(path, 'prerequisites'), i);
        const preKey = isObj(pre) ? pre.key : undefined;
        const target = typeof preKey === 'string' && Object.hasOwn(this.keys, preKey) ? (this.ldFlags[preKey] as Rec) : undefined;
        const count = target !== undefined && Array.isArray(target.variations) ? target.variations.length : 0;
        const index = isObj(pre) ? pre.variation : undefined;
        if (target === undefined || typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= count) {
          this.problem(p, `prerequisite ${JSON.stringify(preKey)} (variation ${JSON.stringify(index)}) can never be met (no such flag or variation), as in LaunchDarkly; the flag is imported disabled (it serves its off variation either way)`);
          alwaysFails = true;
          return;
        }
        if (Array.isArray(target.prerequisites) && target.prerequisites.length > 0 && target.offVariation === index) {
          // LaunchDarkly passes a prerequisite served by its off variation because ITS prerequisites failed
          // (only reason OFF fails); Halyard fails it, so the kill switch of a grandparent reaches the children.
          this.problem(p, `may differ: LaunchDarkly treats prerequisite ${JSON.stringify(preKey)} as met when it serves its off variation ${index} because its own prerequisites failed; Halyard fails a prerequisite whose prerequisites failed, so for those contexts this flag serves its off variation`);
        }
        const flagKey = this.keys[preKey as string] as string;
        const existing = prerequisites.find((x) => x.flag === flagKey);
        if (existing === undefined) prerequisites.push({ flag: flagKey, variants: [`v${index}`] });
        else if (existing.variants[0] !== `v${index}`) alwaysFails = true; // two different variations of one flag: never both
      });
    }
    if (alwaysFails) def.enabled = false;
    if (prerequisites.length > 0) def.prerequisites = prerequisites;

    const targets = this.targets(flag, path);
    if (targets.length > 0) def.targets = targets;

    const rules: Rule[] = [];
    const ids = new Set<string>();
    const ruleId = (base: string): string => {
      let id = base;
      for (let n = 1; ids.has(id); n++) id = `${base}.${n}`;
      ids.add(id);
      return id;
    };
    if (Array.isArray(flag.rules)) {
      flag.rules.forEach((rule: unknown, i: number) => {
        const p = at(at(path, 'rules'), i);
        if (!isObj(rule) || !Array.isArray(rule.clauses)) return; // LaunchDarkly: a rule without clauses never matches
        let alternatives: Alternatives;
        try {
          alternatives = convertClauses(rule.clauses, this.clauseContext(at(p, 'clauses')));
        } catch (e) {
          if (!(e instanceof ClauseError)) throw e;
          this.problem(at(p, 'clauses'), `${e.message}; the rule is left out (review it before switching traffic)`);
          return;
        }
        if (alternatives.length === 0) return; // never matches
        const steps = this.steps(key, flag, rule, p);
        const base = typeof rule.id === 'string' && rule.id !== '' && rule.id.length <= MAX_RULE_ID && rule.id !== 'target' ? rule.id : `rule-${i}`;
        for (const alternative of alternatives) {
          for (const step of steps) {
            const out: Rule = { id: ruleId(base), conditions: [...alternative, ...step.extra], serve: step.serve };
            if (step.rollout !== undefined) out.rollout = step.rollout;
            rules.push(out);
          }
        }
      });
    }
    if (!isObj(flag.fallthrough)) throw new FlagError(at(path, 'fallthrough'), '"fallthrough" is missing (LaunchDarkly evaluates it as an error)');
    const fallthrough = this.steps(key, flag, flag.fallthrough, at(path, 'fallthrough'));
    for (const step of fallthrough.slice(0, -1)) {
      const out: Rule = { id: ruleId('fallthrough'), conditions: step.extra, serve: step.serve };
      if (step.rollout !== undefined) out.rollout = step.rollout;
      rules.push(out);
    }
    def.defaultServe = (fallthrough[fallthrough.length - 1] as Step).serve;
    if (rules.length > 0) def.rules = rules;
    return def;
  }

  /** `contextTargets` in order (user-kind entries stand for `targets` of the same variation), else `targets`. */
  targets(flag: Rec, path: string): Target[] {
    const legacy = Array.isArray(flag.targets) ? (flag.targets as unknown[]).filter(isObj) : [];
    const context = Array.isArray(flag.contextTargets) ? (flag.contextTargets as unknown[]).filter(isObj) : [];
    const ordered: Array<{ kind: string; entry: Rec; path: string }> = [];
    if (context.length === 0) legacy.forEach((t, i) => ordered.push({ kind: 'user', entry: t, path: at(at(path, 'targets'), i) }));
    else {
      context.forEach((t, i) => {
        const kind = typeof t.contextKind === 'string' && t.contextKind !== '' ? t.contextKind : 'user';
        if (kind !== 'user') ordered.push({ kind, entry: t, path: at(at(path, 'contextTargets'), i) });
        else {
          const j = legacy.findIndex((u) => u.variation === t.variation);
          if (j >= 0) ordered.push({ kind, entry: legacy[j] as Rec, path: at(at(path, 'targets'), j) });
        }
      });
    }
    const seen = new Set<string>();
    const out: Target[] = [];
    for (const { kind, entry, path: p } of ordered) {
      if (kind.includes('.')) {
        this.problem(p, `context kind ${JSON.stringify(kind)} contains "." and cannot be a Halyard context path; the target is left out`);
        continue;
      }
      const attribute = `${kind}.key`;
      const values: string[] = [];
      for (const v of Array.isArray(entry.values) ? entry.values : []) {
        // The first target listing a key decides in LaunchDarkly; Halyard lists each key once.
        if (typeof v === 'string' && v !== '' && !seen.has(`${attribute}\u0000${v}`)) {
          seen.add(`${attribute}\u0000${v}`);
          values.push(v);
        }
      }
      if (values.length > 0) out.push({ variant: this.variant(flag, entry.variation, at(p, 'variation')), values, attribute });
    }
    return out;
  }

  /**
   * A LaunchDarkly `{ variation }` or `{ rollout }` as steps. A rollout is a split (or, when a variation appears in
   * slices that are not adjacent, a chain of rollout-gated rules) on the `launchdarkly` algorithm, preceded by the
   * step LaunchDarkly takes for a context without the bucketBy attribute: bucket 0, the first slice with weight.
   */
  steps(flagKey: string, flag: Rec, vr: Rec, path: string): Step[] {
    if (vr.variation !== undefined && vr.variation !== null) return [{ extra: [], serve: { variant: this.variant(flag, vr.variation, at(path, 'variation')) } }];
    const rollout = vr.rollout;
    if (!isObj(rollout) || !Array.isArray(rollout.variations) || rollout.variations.length === 0) {
      throw new FlagError(path, 'neither a variation nor a rollout with variations (LaunchDarkly evaluates it as an error)');
    }
    const experiment = rollout.kind === 'experiment';
    let bucketBy: string;
    try {
      // Experiments always bucket by key (LaunchDarkly ignores bucketBy there).
      bucketBy = attributePath(experiment || rollout.bucketBy === undefined ? 'key' : rollout.bucketBy, rollout.contextKind);
    } catch (e) {
      if (!(e instanceof ClauseError)) throw e;
      throw new FlagError(at(path, 'rollout'), `bucketBy: ${e.message}`);
    }
    const salt = launchdarklySalt(flagKey, typeof flag.salt === 'string' ? flag.salt : '', typeof rollout.seed === 'number' ? rollout.seed : undefined);
    const slices = this.slices(flag, rollout.variations as unknown[], at(path, 'rollout'));
    const first = slices.find((s) => s.weight > 0) ?? (slices[slices.length - 1] as { variant: string; weight: number });
    const live = slices.filter((s) => s.weight > 0);
    // LaunchDarkly cannot hash the kind list: every context gets bucket 0.
    if (live.length === 1 || bucketBy === 'kind') return [{ extra: [], serve: { variant: first.variant } }];
    const steps: Step[] = [{ extra: [missing(bucketBy)], serve: { variant: first.variant } }];
    if (new Set(live.map((s) => s.variant)).size === live.length) {
      steps.push({ extra: [], serve: { split: live.map((s) => ({ variant: s.variant, weight: s.weight })), bucketBy, salt, bucketing: BUCKETING } as Serve });
      return steps;
    }
    let cumulative = 0;
    live.forEach((s, i) => {
      cumulative += s.weight;
      if (i === live.length - 1) steps.push({ extra: [], serve: { variant: s.variant } });
      else steps.push({ extra: [], rollout: { weight: cumulative, total: LAUNCHDARKLY_RANGE, bucketBy, salt, bucketing: BUCKETING }, serve: { variant: s.variant } });
    });
    return steps;
  }

  /** Rollout weights as slices out of 100,000: clipped at 100,000, the last slice taking what is left (LaunchDarkly's "past the end"). */
  slices(flag: Rec, variations: unknown[], path: string): Array<{ variant: string; weight: number }> {
    const out: Array<{ variant: string; weight: number }> = [];
    let cumulative = 0;
    variations.forEach((v, i) => {
      const p = at(at(path, 'variations'), i);
      const entry = isObj(v) ? v : {};
      const variant = this.variant(flag, entry.variation, at(p, 'variation'));
      let weight = typeof entry.weight === 'number' && Number.isFinite(entry.weight) ? entry.weight : 0;
      if (!Number.isInteger(weight) || weight < 0) {
        this.problem(at(p, 'weight'), `weight ${JSON.stringify(entry.weight)} is not a non-negative integer; imported as ${Math.max(0, Math.round(weight))}`);
        weight = Math.max(0, Math.round(weight));
      }
      const end = i === variations.length - 1 ? LAUNCHDARKLY_RANGE : Math.min(cumulative + weight, LAUNCHDARKLY_RANGE);
      const last = out[out.length - 1];
      if (last !== undefined && last.variant === variant) last.weight += end - cumulative;
      else out.push({ variant, weight: end - cumulative });
      cumulative = end;
    });
    return out;
  }

  convertSegment(key: string, seg: Rec, path: string): void {
    const hk = this.segmentKeys[key] as string;
    this.segmentOwner.set(hk, key);
    const helper = (suffix: string, def: SegmentDefinition): string => {
      const name = `ldseg:${hk}:${suffix}`;
      this.segments[name] = def;
      this.segmentOwner.set(name, key);
      return name;
    };
    if (seg.unbounded === true) {
      this.problem(path, 'big segments (unbounded) are not imported: LaunchDarkly reads their members from a big segment store; imported as a segment with no members');
      this.segments[hk] = { description: `LaunchDarkly big segment "${key}" (members not imported)` };
      return;
    }
    const lists = (legacy: unknown, contexts: unknown, field: string): Map<string, string[]> => {
      const byPath = new Map<string, string[]>();
      const add = (kind: string, values: unknown, p: string) => {
        if (kind.includes('.')) {
          this.problem(p, `context kind ${JSON.stringify(kind)} contains "." and cannot be a Halyard context path; left out`);
          return;
        }
        const list = byPath.get(`${kind}.key`) ?? [];
        for (const v of Array.isArray(values) ? values : []) if (typeof v === 'string' && v !== '' && !list.includes(v)) list.push(v);
        if (list.length > 0) byPath.set(`${kind}.key`, list);
      };
      add('user', legacy, at(path, field));
      if (Array.isArray(contexts)) {
        contexts.forEach((c: unknown, i: number) => {
          if (isObj(c)) add(typeof c.contextKind === 'string' && c.contextKind !== '' ? c.contextKind : 'user', c.values, at(at(path, `${field}Contexts`), i));
        });
      }
      return byPath;
    };
    const included = lists(seg.included, seg.includedContexts, 'included');
    const excluded = lists(seg.excluded, seg.excludedContexts, 'excluded');

    // The rules, as the helper segments any of which makes a member ('always' when one always matches).
    let rules: string[] | 'always' = [];
    const salt = launchdarklySalt(key, typeof seg.salt === 'string' ? seg.salt : '');
    (Array.isArray(seg.rules) ? seg.rules : []).forEach((rule: unknown, j: number) => {
      const p = at(at(path, 'rules'), j);
      if (rules === 'always') return;
      if (!isObj(rule) || !Array.isArray(rule.clauses)) {
        this.problem(p, 'a segment rule needs "clauses"; left out');
        return;
      }
      let alternatives: Alternatives;
      let bucketBy = 'kind';
      try {
        alternatives = convertClauses(rule.clauses, this.clauseContext(at(p, 'clauses')));
        if (typeof rule.weight === 'number') bucketBy = attributePath(rule.bucketBy ?? 'key', rule.rolloutContextKind);
      } catch (e) {
        if (!(e instanceof ClauseError)) throw e;
        this.problem(p, `${e.message}; the segment rule is left out (review the segment before switching traffic)`);
        return;
      }
      const weight = typeof rule.weight === 'number' ? rule.weight : undefined;
      // bucket < weight / 100000: a weight of 0 never matches; bucket 0 (no bucketBy value, or the kind list) always does.
      if (weight !== undefined && weight <= 0) return;
      const gated = weight !== undefined && weight < LAUNCHDARKLY_RANGE && bucketBy !== 'kind';
      alternatives.forEach((conditions, n) => {
        if (rules === 'always') return;
        if (!gated) {
          if (conditions.length === 0) rules = 'always';
          else rules.push(helper(`r${j}.${n}`, { conditions }));
          return;
        }
        const rollout: RuleRollout = { weight: Math.ceil(weight as number), total: LAUNCHDARKLY_RANGE, bucketBy, salt, bucketing: BUCKETING };
        rules.push(helper(`r${j}.${n}`, conditions.length > 0 ? { conditions, rollout } : { rollout }));
        rules.push(helper(`r${j}.${n}.missing`, { conditions: [...conditions, missing(bucketBy)] }));
      });
    });

    const always = (): Condition => {
      this.segments[NEVER_SEGMENT] ??= { description: 'matches nothing (helper of the LaunchDarkly import)' };
      return inSegments([NEVER_SEGMENT], true);
    };
    const rulePart = (): Condition | undefined => (rules === 'always' ? always() : rules.length > 0 ? inSegments(rules) : undefined);
    const paths = new Set([...included.keys(), ...excluded.keys()]);
    const description = `LaunchDarkly segment "${key}"`;
    if (paths.size <= 1) {
      // One id attribute: Halyard's own included/excluded (LaunchDarkly's included wins over excluded).
      const attribute = [...paths][0] ?? 'user.key';
      const inc = included.get(attribute) ?? [];
      const exc = (excluded.get(attribute) ?? []).filter((v) => !inc.includes(v));
      const def: SegmentDefinition = { description };
      if (inc.length > 0 || exc.length > 0) def.attribute = attribute;
      if (inc.length > 0) def.included = inc;
      if (exc.length > 0) def.excluded = exc;
      const part = rulePart();
      if (part !== undefined) def.conditions = [part];
      this.segments[hk] = def;
      return;
    }
    const ins = [...included].map(([attribute, values], i) => helper(`in.${i}`, { attribute, included: values }));
    const outs = [...excluded].map(([attribute, values], i) => helper(`out.${i}`, { attribute, included: values }));
    const members = [...ins];
    const part = rulePart();
    if (part !== undefined) {
      const conditions = outs.length > 0 ? [inSegments(outs, true), part] : [part];
      members.push(helper('rules', { conditions }));
    }
    this.segments[hk] = members.length > 0 ? { description, conditions: [inSegments(members)] } : { description };
  }
}

/**
 * Converts the flags and segments JSON LaunchDarkly serves to server SDKs (`GET /sdk/latest-all`:
 * `{ flags: { key: FlagModel }, segments: { key: SegmentModel } }`) into a Halyard flags document that evaluates like
 * LaunchDarkly's server SDK for the same context, variation for variation and bucket for bucket (rollouts and
 * experiments name the `launchdarkly` bucketing algorithm). Contexts are read in the shape `launchdarklyContext`
 * produces. It never throws: what cannot be represented is in `problems` with its path, and such a rule is left
 * out (a flag, when the flag as a whole cannot be).
 *
 * @example
 * import { createEvaluator, parseDefinitions } from '@halyard/core';
 * import { importLaunchDarkly, launchdarklyBucketing, launchdarklyContext, launchdarklyKey } from '@halyard/launchdarkly';
 * const { document, problems } = importLaunchDarkly(await (await fetch(`${sdkBase}/sdk/latest-all`, { headers })).json());
 * for (const p of problems) console.warn(`${p.path}: ${p.message}`);
 * const evaluator = createEvaluator(parseDefinitions(document).definitions!, { bucketing: [launchdarklyBucketing] });
 * evaluator.getValue(launchdarklyKey('new-checkout'), false, launchdarklyContext({ kind: 'user', key: 'user-42' }));
 */
export function importLaunchDarkly(payload: unknown): LaunchDarklyImportResult {
  const converter = new Converter();
  let document: FlagsDocument;
  try {
    document = converter.convert(payload);
  } catch (e) {
    converter.problem('$', `@halyard/launchdarkly: the LaunchDarkly payload could not be read (${e instanceof Error ? e.message : String(e)}); pass plain JSON data`);
    document = { schemaVersion: 1, flags: {} };
  }
  const flagNames = new Map(Object.entries(converter.keys).map(([name, key]) => [key, name]));
  const starts = (problemPath: string, area: string, key: string) => problemPath.startsWith(`$.${area}.${key}`) || problemPath.startsWith(`$.${area}[${JSON.stringify(key)}]`);
  // Whatever Halyard rejects (a regex it refuses, a prerequisite cycle…) drops its flag or empties its segment, so
  // the document always parses.
  for (let attempt = 0; attempt < 8; attempt++) {
    const parsed = parseDefinitions(document);
    if (parsed.ok) break;
    let changed = false;
    for (const problem of parsed.problems) {
      const flag = Object.keys(document.flags).find((k) => starts(problem.path, 'flags', k));
      if (flag !== undefined) {
        const name = flagNames.get(flag) ?? flag;
        converter.problem(at('$.flags', name), `Halyard rejected the imported flag (${problem.path}: ${problem.message}); the flag is left out`);
        delete document.flags[flag];
        delete converter.keys[name];
        changed = true;
        continue;
      }
      const segment = Object.keys(document.segments ?? {}).find((k) => starts(problem.path, 'segments', k));
      const owner = segment === undefined ? undefined : converter.segmentOwner.get(segment);
      if (segment !== undefined && owner !== undefined && document.segments !== undefined) {
        converter.problem(at('$.segments', owner), `Halyard rejected the imported segment (${problem.path}: ${problem.message}); it is imported with no members`);
        for (const [name, who] of converter.segmentOwner) if (who === owner && name !== converter.segmentKeys[owner]) delete document.segments[name];
        document.segments[converter.segmentKeys[owner] as string] = { description: `LaunchDarkly segment "${owner}" (not imported: ${problem.message})`.slice(0, 500) };
        changed = true;
        continue;
      }
      converter.problem('$', `Halyard rejected the imported document (${problem.path}: ${problem.message})`);
    }
    if (!changed) {
      document = { schemaVersion: 1, flags: {} };
      break;
    }
  }
  return { document, keys: { ...converter.keys }, segmentKeys: { ...converter.segmentKeys }, problems: converter.problems };
}
