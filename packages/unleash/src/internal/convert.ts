/**
 * Unleash features payload → Halyard FlagsDocument. See `importUnleash` in ../import-unleash.ts for the public
 * contract; this file holds the mapping of features, segments and dependencies (constraints.ts, strategies.ts
 * and variants.ts hold the rest). Every rule mirrors unleash-client-node 6 (strategy/*.js, variant.js,
 * client.js) and the Unleash client specification; comments point out where Halyard must approximate.
 */
import { murmur3 } from '@halyard/core';
import type { Condition, FlagDefinition, FlagKind, FlagsDocument, JsonValue, Prerequisite, Rule, RuleRollout, SegmentDefinition, Serve } from '@halyard/core';
import { canonicalJson } from '@halyard/core/definitions';
import { constraintTerm, factsOf, inSegment, missing, negateCondition, type Facts, type Term } from './constraints';
import { Issues } from './issues';
import { describe, fld, idx, isObj, own, type Obj } from './json-shape';
import { toHalyardKey } from './keys';
import { OFF_VARIANT, ON_VARIANT, RESERVED_VARIANT_KEYS, UNLEASH_VARIANT_SEED, type UnleashVariantValue } from './model';
import { readList, readPayload, type SourceFeature, type SourcePayload, type SourceSegment } from './payload';
import { convertStrategy, type SegmentInfo, type StrategyScope } from './strategies';
import { readVariants, splitSlices, stickinessOf, type ParsedVariants, type VariantEntry, type VariantSet } from './variants';

interface RuleDraft {
  conditions: Condition[];
  rollout?: RuleRollout;
  serve: Serve;
}

interface BuiltFlag {
  name: string;
  key: string;
  path: string;
  raw: Obj;
  def: FlagDefinition;
  /** Unleash variant name and feature_enabled per Halyard variant key. */
  variantInfo: Map<string, { name: string; featureEnabled: boolean }>;
  hasDependencies: boolean;
}

const KIND_OF_TYPE: Record<string, FlagKind> = {
  release: 'release',
  experiment: 'experiment',
  operational: 'operational',
  permission: 'permission',
  'kill-switch': 'operational',
};

export class UnleashConverter implements StrategyScope {
  readonly issues = new Issues();
  private readonly segments: Record<string, SegmentDefinition> = {};
  readonly segmentInfo = new Map<string, SegmentInfo>();
  private readonly helperKeys = new Map<string, string>();
  /** Unleash feature name → Halyard flag key. */
  readonly keys: Record<string, string> = Object.create(null) as Record<string, string>;

  convert(input: unknown): FlagsDocument {
    const payload = readPayload(input, this.issues);
    const doc: FlagsDocument = { schemaVersion: 1, flags: {} };
    if (payload === undefined) return doc;
    if (payload.revision !== undefined) doc.version = payload.revision;

    for (const seg of payload.segments.values()) this.convertSegment(seg);

    const built = new Map<string, BuiltFlag>();
    const usedKeys = new Map<string, string>();
    for (const f of payload.features.values()) {
      const key = toHalyardKey(f.name);
      const clash = usedKeys.get(key);
      if (clash !== undefined) {
        this.issues.error(f.path, `feature ${JSON.stringify(f.name)} maps to the Halyard key ${JSON.stringify(key)}, already used by ${JSON.stringify(clash)}; skipped`);
        continue;
      }
      usedKeys.set(key, f.name);
      try {
        built.set(f.name, this.convertFeature(f, key, payload));
      } catch (e) {
        this.issues.error(f.path, `could not be converted (${e instanceof Error ? e.message : String(e)}); skipped`);
      }
    }
    for (const b of built.values()) this.resolveDependencies(b, built);

    for (const b of built.values()) {
      doc.flags[b.key] = b.def;
      this.keys[b.name] = b.key;
    }
    if (Object.keys(this.segments).length > 0) doc.segments = this.segments;
    return doc;
  }

  // -- segments ---------------------------------------------------------------------------------------------

  private convertSegment(seg: SourceSegment): void {
    const list = readList(own(seg.raw, 'constraints'), fld(seg.path, 'constraints'), 'constraints', this.issues);
    const terms = list.map((c, i) => constraintTerm(c, idx(fld(seg.path, 'constraints'), i), this.issues));
    const unsupported = terms.find((t) => t.kind === 'unsupported');
    if (unsupported !== undefined) {
      this.segmentInfo.set(seg.id, { kind: 'unsupported', reason: unsupported.reason });
      this.issues.warn(seg.path, `segment ${seg.id}: ${unsupported.reason}; strategies using this segment are not imported`);
      return;
    }
    if (terms.some((t) => t.kind === 'const' && !t.value)) {
      this.segmentInfo.set(seg.id, { kind: 'const', value: false });
      return;
    }
    const live = terms.filter((t) => t.kind !== 'const');
    if (live.length === 0) {
      this.segmentInfo.set(seg.id, { kind: 'const', value: true });
      return;
    }
    // A Halyard segment is one conjunction without segment references: possible when nothing is negated.
    if (live.every((t) => t.kind === 'cond' && !t.negated)) {
      const key = toHalyardKey(`segment-${seg.id}`);
      const def: SegmentDefinition = { conditions: live.flatMap((t) => (t.kind === 'cond' ? t.conds : [])) };
      const name = own(seg.raw, 'name');
      def.description = typeof name === 'string' && name.length > 0 ? `Unleash segment ${seg.id} "${name}"` : `Unleash segment ${seg.id}`;
      this.segments[key] = def;
      this.segmentInfo.set(seg.id, { kind: 'halyard', key });
      return;
    }
    this.segmentInfo.set(seg.id, { kind: 'inline', terms: live });
  }

  /** A segment holding `conds`, referenced negated: "NOT all of conds", true for missing/incomparable values too. */
  private helperSegment(conds: Condition[]): string {
    const text = canonicalJson(conds);
    const existing = this.helperKeys.get(text);
    if (existing !== undefined) return existing;
    let key = `unleash-not-${murmur3(text).toString(16).padStart(8, '0')}`;
    for (let n = 2; Object.hasOwn(this.segments, key); n++) key = `unleash-not-${murmur3(text).toString(16).padStart(8, '0')}-${n}`;
    const attrs = [...new Set(conds.map((c) => c.attribute))].join(', ');
    this.segments[key] = {
      description: `Helper for an inverted Unleash constraint on ${attrs}: rules reference it with "negate": true, which also holds when the attribute is missing or not comparable (Unleash semantics)`,
      conditions: conds,
    };
    this.helperKeys.set(text, key);
    return key;
  }

  /** Terms (ANDed) → alternatives (ORed conjunctions). `[]` means never; a string means unsupported. */
  expand(terms: Term[]): Condition[][] | string {
    let alts: Condition[][] = [[]];
    // Each "missing OR not" negation doubles the rules; beyond a few, negations go through helper segments.
    let budget = 3;
    for (const t of terms) {
      if (t.kind === 'unsupported') return t.reason;
      if (t.kind === 'const') {
        if (!t.value) return [];
        continue;
      }
      if (t.kind === 'any') {
        if (t.options.length === 0) return [];
        alts = alts.flatMap((a) => t.options.map((o) => [...a, ...o]));
        continue;
      }
      if (!t.negated) {
        alts = alts.map((a) => [...a, ...t.conds]);
        continue;
      }
      const only = t.conds[0] as Condition;
      if (t.stringFamily && t.conds.length === 1 && budget > 0) {
        budget--;
        const neg = negateCondition(only);
        const miss = missing(only.attribute);
        alts = alts.flatMap((a) => [
          [...a, neg],
          [...a, miss],
        ]);
        continue;
      }
      const key = this.helperSegment(t.conds);
      alts = alts.map((a) => [...a, inSegment(key, true)]);
    }
    return alts;
  }

  // -- features ---------------------------------------------------------------------------------------------

  private convertFeature(f: SourceFeature, key: string, payload: SourcePayload): BuiltFlag {
    const raw = f.raw;
    const name = f.name;
    const issues = this.issues;
    const variantInfo = new Map<string, { name: string; featureEnabled: boolean }>();
    const values = new Map<string, JsonValue>();
    const contentToKey = new Map<string, string>();

    const enabledRaw = own(raw, 'enabled');
    if (typeof enabledRaw !== 'boolean') {
      issues.error(fld(f.path, 'enabled'), `"enabled" must be true or false, got ${describe(enabledRaw)}; using its truthiness, as Unleash does`);
    }
    let enabled = Boolean(enabledRaw);

    const strategiesRaw = own(raw, 'strategies');
    const malformed = !Array.isArray(strategiesRaw);
    const strategies: unknown[] = malformed ? [] : strategiesRaw;
    if (malformed) {
      if (strategiesRaw !== undefined) issues.error(fld(f.path, 'strategies'), `"strategies" must be an array, got ${describe(strategiesRaw)}; the feature is imported as disabled, as Unleash evaluates it`);
      else issues.error(fld(f.path, 'strategies'), '"strategies" is missing; the feature is imported as disabled, as Unleash evaluates it');
      enabled = false;
    }

    // Parse every variant list first: the flag is JSON-typed when any of them can serve a variant.
    const featureVariants = readVariants(own(raw, 'variants'), fld(f.path, 'variants'), this.issues);
    const strategyVariants = strategies.map((s, i) => {
      if (!isObj(s)) return undefined;
      return readVariants(own(s, 'variants'), fld(idx(fld(f.path, 'strategies'), i), 'variants'), this.issues);
    });
    const json = featureVariants !== undefined || strategyVariants.some((v) => v !== undefined);

    /** Key for a variant value; equal values share a key unless it is in `avoid` (a split lists a variant once). */
    const addVariant = (unleashName: string, featureEnabled: boolean, value: JsonValue, preferred: string, avoid?: ReadonlySet<string>): string => {
      const content = canonicalJson(value);
      const existing = contentToKey.get(content);
      if (existing !== undefined && !(avoid?.has(existing) ?? false)) return existing;
      let k = preferred;
      for (let n = 2; values.has(k); n++) k = `${preferred}:${n}`;
      values.set(k, value);
      if (existing === undefined) contentToKey.set(content, k);
      variantInfo.set(k, { name: unleashName, featureEnabled });
      return k;
    };
    if (json) {
      addVariant('disabled', false, { name: 'disabled', enabled: false, feature_enabled: false }, OFF_VARIANT);
    } else {
      values.set(OFF_VARIANT, false);
      variantInfo.set(OFF_VARIANT, { name: 'disabled', featureEnabled: false });
    }
    const onKey = (): string => {
      if (json) return addVariant('disabled', true, { name: 'disabled', enabled: false, feature_enabled: true }, ON_VARIANT);
      values.set(ON_VARIANT, true);
      variantInfo.set(ON_VARIANT, { name: 'disabled', featureEnabled: true });
      return ON_VARIANT;
    };

    const variantSet = (parsed: ParsedVariants | undefined, groupId: string, stickiness: string, path: string): VariantSet | undefined => {
      if (parsed === undefined) return undefined;
      // Keys already used earlier in this list (except the previous entry, whose slice merges) must not repeat.
      const used = new Set<string>();
      let previous: string | undefined;
      const entries = parsed.entries.map((e) => {
        const value: UnleashVariantValue = { name: e.name, enabled: true, feature_enabled: true };
        if (e.payload !== undefined) value.payload = e.payload;
        const avoid = new Set(used);
        if (previous !== undefined) avoid.delete(previous);
        const k = addVariant(e.name, true, value as unknown as JsonValue, toHalyardKey(e.name, RESERVED_VARIANT_KEYS), avoid);
        used.add(k);
        previous = k;
        return { key: k, name: e.name, weight: e.weight, overrides: e.overrides };
      });
      let best = entries[0] as VariantEntry;
      for (const e of entries) if (e.weight > best.weight) best = e;
      return { entries, stickiness, groupId, fallback: best.key, path };
    };

    const featureSet = variantSet(featureVariants, name, featureVariants === undefined ? 'default' : featureVariants.stickiness, fld(f.path, 'variants'));

    // What an enabled strategy (or a strategy-less feature) serves: its own variants, else the feature's.
    const serveBlock = (set: VariantSet | undefined, facts: Facts): Array<{ conditions: Condition[]; serve: Serve }> => {
      if (set === undefined) return [{ conditions: [], serve: { variant: onKey() } }];
      const out: Array<{ conditions: Condition[]; serve: Serve }> = [];
      for (const e of set.entries) for (const o of e.overrides) out.push({ conditions: [o], serve: { variant: e.key } });
      const slices = splitSlices(set.entries);
      const chain = set.stickiness === 'default' || set.stickiness === 'random' ? ['userId', 'sessionId', 'remoteAddress'] : [set.stickiness];
      for (const attr of chain) {
        if (facts.absent.has(attr)) continue;
        // A unit without the attribute skips a split rule, which is Unleash's fall-through to the next id.
        out.push({ conditions: [], serve: { split: slices, bucketBy: attr, salt: set.groupId, seed: UNLEASH_VARIANT_SEED } });
        if (facts.present.has(attr)) return out;
      }
      out.push({ conditions: [], serve: { variant: set.fallback } });
      return out;
    };

    const warnRandomVariants = (set: VariantSet | undefined): void => {
      if (set === undefined) return;
      const fallbackName = set.entries.find((e) => e.key === set.fallback)?.name ?? set.fallback;
      const who =
        set.stickiness === 'default' || set.stickiness === 'random'
          ? 'contexts without userId, sessionId or remoteAddress'
          : `contexts without ${JSON.stringify(set.stickiness)}`;
      if (set.stickiness === 'random') {
        issues.warn(set.path, `stickiness "random" picks a new variant on every call in Unleash; Halyard has no randomness and uses the default stickiness (userId, then sessionId, then remoteAddress) instead`);
      }
      issues.warn(set.path, `${who} get a random variant in Unleash; Halyard serves the heaviest variant ${JSON.stringify(fallbackName)} to them`);
    };

    const rules: Rule[] = [];
    let defaultServe: Serve = { variant: OFF_VARIANT };
    // Disabled features keep their strategies, so turning them on in Halyard behaves as in Unleash.
    if (!malformed && strategies.length === 0) {
      // No strategies: enabled for everyone, with the feature's variants.
      const block = serveBlock(featureSet, { present: new Set(), absent: new Set() });
      warnRandomVariants(featureSet);
      block.slice(0, -1).forEach((b, j) => rules.push({ id: `variants.${j + 1}`, description: 'Unleash feature variants', conditions: b.conditions, serve: b.serve }));
      defaultServe = (block[block.length - 1] as { serve: Serve }).serve;
    } else if (!malformed) {
      let featureSetWarned = false;
      strategies.forEach((s, i) => {
        const sPath = idx(fld(f.path, 'strategies'), i);
        const drafts = convertStrategy(this, s, sPath, name, payload);
        if (drafts === undefined) return;
        const sv = strategyVariants[i];
        const paramsRaw = isObj(s) ? own(s, 'parameters') : undefined;
        const params: Obj = isObj(paramsRaw) ? paramsRaw : {};
        let set: VariantSet | undefined;
        if (sv !== undefined) {
          const groupIdRaw = own(params, 'groupId');
          let groupId = name;
          if (typeof groupIdRaw === 'string' && groupIdRaw.length > 0 && groupIdRaw.length <= 200) groupId = groupIdRaw;
          else if (!['flexibleRollout', 'gradualRolloutUserId', 'gradualRolloutSessionId'].includes(own(s as Obj, 'name') as string)) {
            // (rollout strategies already warned about their groupId)
            issues.warn(fld(fld(sPath, 'parameters'), 'groupId'), `no usable groupId for the strategy variants; hashing with the feature name ${JSON.stringify(name)}`);
          }
          // Strategy variants take the first variant's stickiness, else the strategy's.
          const st = sv.firstStickiness ? sv.stickiness : stickinessOf(own(params, 'stickiness'), fld(fld(sPath, 'parameters'), 'stickiness'), issues);
          set = variantSet(sv, groupId, st, fld(sPath, 'variants'));
          warnRandomVariants(set);
        } else {
          set = featureSet;
          if (!featureSetWarned) {
            warnRandomVariants(featureSet);
            featureSetWarned = true;
          }
        }
        const ruleDrafts: RuleDraft[] = [];
        for (const d of drafts.alternatives) {
          for (const b of serveBlock(set, factsOf(d.conditions, d.rollout))) {
            const draft: RuleDraft = { conditions: [...d.conditions, ...b.conditions], serve: b.serve };
            if (d.rollout !== undefined) draft.rollout = d.rollout;
            ruleDrafts.push(draft);
          }
        }
        ruleDrafts.forEach((d, j) => {
          const rule: Rule = {
            id: ruleDrafts.length === 1 ? `strategy-${i + 1}` : `strategy-${i + 1}.${j + 1}`,
            description: drafts.description,
            conditions: d.conditions,
            serve: d.serve,
          };
          if (d.rollout !== undefined) rule.rollout = d.rollout;
          rules.push(rule);
        });
      });
    }
    if (!values.has(ON_VARIANT) && !json) onKey(); // boolean flags always carry both values

    const def: FlagDefinition = {
      type: json ? 'json' : 'boolean',
      variants: Object.fromEntries(values) as Record<string, JsonValue>,
      enabled,
      offVariant: OFF_VARIANT,
      defaultServe,
    };
    const description = own(raw, 'description');
    if (typeof description === 'string' && description.length > 0) def.description = description;
    const type = own(raw, 'type');
    if (typeof type === 'string' && KIND_OF_TYPE[type] !== undefined) def.kind = KIND_OF_TYPE[type];
    const tags: string[] = [];
    const project = own(raw, 'project');
    if (typeof project === 'string' && project.length > 0) tags.push(`project:${project}`);
    for (const t of Array.isArray(own(raw, 'tags')) ? (own(raw, 'tags') as unknown[]) : []) {
      if (isObj(t) && typeof own(t, 'type') === 'string' && typeof own(t, 'value') === 'string') tags.push(`${own(t, 'type') as string}:${own(t, 'value') as string}`);
    }
    if (own(raw, 'stale') === true) tags.push('stale');
    if (tags.length > 0) def.tags = tags;
    if (rules.length > 0) def.rules = rules;
    const deps = own(raw, 'dependencies');
    return {
      name,
      key,
      path: f.path,
      raw,
      def,
      variantInfo,
      hasDependencies: Array.isArray(deps) && deps.length > 0,
    };
  }

  // -- dependencies -----------------------------------------------------------------------------------------

  private resolveDependencies(b: BuiltFlag, built: ReadonlyMap<string, BuiltFlag>): void {
    const deps = own(b.raw, 'dependencies');
    if (deps === undefined || deps === null) return;
    const path = fld(b.path, 'dependencies');
    if (!Array.isArray(deps)) {
      this.issues.error(path, `"dependencies" must be an array, got ${describe(deps)}; ignored`);
      return;
    }
    const prerequisites: Prerequisite[] = [];
    let impossible = false;
    const never = (p: string, why: string): void => {
      this.issues.warn(p, `${why}; Unleash never enables this feature, so it is imported as disabled`);
      b.def.enabled = false;
      impossible = true;
    };
    deps.forEach((d: unknown, i) => {
      const p = idx(path, i);
      if (!isObj(d) || typeof own(d, 'feature') !== 'string') {
        this.issues.error(p, `a dependency must be { "feature": string, "enabled"?: boolean, "variants"?: string[] }, got ${describe(d)}; ignored`);
        return;
      }
      const parentName = own(d, 'feature') as string;
      const parent = built.get(parentName);
      if (parent === undefined) return never(p, `the parent feature ${JSON.stringify(parentName)} is not in the payload`);
      if (parent.hasDependencies) return never(p, `the parent feature ${JSON.stringify(parentName)} has dependencies of its own (Unleash does not evaluate transitive dependencies)`);
      const wantEnabled = own(d, 'enabled') !== false;
      if (!wantEnabled && !parent.def.enabled) {
        // A disabled Halyard prerequisite fails every dependent, so "the parent must be disabled" cannot be a
        // prerequisite on a switched-off parent; in this payload it holds for every context, so it is dropped.
        this.issues.warn(
          p,
          `the parent feature ${JSON.stringify(parentName)} is disabled in this payload, so this "enabled": false dependency always holds and is not imported; Halyard prerequisites cannot require a parent to be switched off — import again if the parent is switched on`,
        );
        return;
      }
      const variantsRaw = own(d, 'variants');
      const names = Array.isArray(variantsRaw) ? variantsRaw.filter((x): x is string => typeof x === 'string') : [];
      const keys: string[] = [];
      for (const [k, info] of parent.variantInfo) {
        if (!wantEnabled) {
          if (!info.featureEnabled) keys.push(k);
        } else if (info.featureEnabled && (names.length === 0 || names.includes(info.name))) keys.push(k);
      }
      // Keys the parent never serves are harmless; only list the ones it defines.
      const defined = keys.filter((k) => Object.hasOwn(parent.def.variants, k));
      if (defined.length === 0) {
        return never(p, `the parent feature ${JSON.stringify(parentName)} can never serve ${wantEnabled ? (names.length > 0 ? `the variants ${names.join(', ')}` : 'an enabled state') : 'a disabled state'}`);
      }
      prerequisites.push({ flag: parent.key, variants: defined });
    });
    if (prerequisites.length > 0 && !impossible) b.def.prerequisites = prerequisites;
  }
}
