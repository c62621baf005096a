import { unitAttributeOf } from '../internal/exposure-unit';
import { murmur3, murmur3Prefix } from '../internal/murmur3';
import { DEFAULT_UNIT_ATTRIBUTE, TARGET_RULE_ID, canonicalJson } from '../internal/schema';
import { JSON_TAG, VALUE_TYPE_NAMES } from '../internal/value-type';
import type { CompileEnv } from '../operators/operator';
import type { EvaluationReason, FlagDefinition, JsonValue, SnapshotFlag, SplitServe, VariantServe } from '../types';
import { compileRollout, customBucket, type BucketingAlgorithm, pickSlice, sliceBounds, sliceWeights, type CompiledSplit } from './bucketing';
import { allOf, compileCondition } from './compile-condition';
import { asString, compilePath, readAttr, type Attr, type Matcher } from './context';
import { dependencyOrder } from './dependency-order';
import { HASH_SEED_A, HASH_SEED_B, fallbackIndex, makeOutcome, snapshotEntryJson, type CompiledFlag, type Fallback, type Outcome } from './outcomes';
import { isSplitServe } from './serve';

export interface FlagCompileEnv extends CompileEnv {
  /** Flags compiled so far; prerequisites are compiled before the flags that depend on them. */
  readonly compiled: ReadonlyMap<string, CompiledFlag>;
}

/** The detail reported when a default split is skipped because the unit attribute is missing. */
function missingUnitDetail(attribute: string): string {
  return `unit has no ${JSON.stringify(attribute)} attribute; split skipped`;
}

/** The first bucketing algorithm `def` names that `installed` lacks, with the path of the split or rollout using it. */
export function missingBucketing(def: FlagDefinition, installed: ReadonlyMap<string, BucketingAlgorithm> | undefined): { algorithm: string; path: string } | undefined {
  const check = (spec: { bucketing?: { algorithm: string } } | undefined, path: string) =>
    spec?.bucketing !== undefined && installed?.has(spec.bucketing.algorithm) !== true ? { algorithm: spec.bucketing.algorithm, path } : undefined;
  const rules = def.rules ?? [];
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i] as NonNullable<FlagDefinition['rules']>[number];
    const found = check(r.rollout, `.rules[${i}].rollout.bucketing`) ?? check(isSplitServe(r.serve) ? r.serve : undefined, `.rules[${i}].serve.bucketing`);
    if (found !== undefined) return found;
  }
  return check(isSplitServe(def.defaultServe) ? def.defaultServe : undefined, '.defaultServe.bucketing');
}

/** The problem text for an algorithm that is not installed. */
export function missingBucketingMessage(missing: { algorithm: string }): string {
  const pkg = missing.algorithm.startsWith('growthbook') ? '@halyard/growthbook' : `the package providing ${JSON.stringify(missing.algorithm)}`;
  const name = missing.algorithm.startsWith('growthbook') ? 'growthbookBucketing' : 'its algorithm';
  return `bucketing ${JSON.stringify(missing.algorithm)} is not installed: import { ${name} } from '${pkg}' and pass it to createFlagClient({ bucketing }) (or createEvaluator(definitions, { bucketing }))`;
}

/** The type tag of a declared flag type (`json` when absent). */
function flagTypeTag(def: FlagDefinition): number {
  const tag = VALUE_TYPE_NAMES.indexOf(def.type ?? 'json');
  return tag >= 0 ? tag : JSON_TAG;
}

/**
 * Compiles one flag into its outcomes and a `decide(context) → outcome index` closure, specialised for the
 * common shapes (constant, split-only, one rule of one to three conditions) so the hot path runs no loops over
 * empty arrays.
 */
export function compileFlag(key: string, def: FlagDefinition, env: FlagCompileEnv): CompiledFlag {
  const variantNames = Object.keys(def.variants);
  const variantIndex = new Map<string, number>();
  variantNames.forEach((name, i) => variantIndex.set(name, i));
  const outcomes: Outcome[] = [];
  const add = (variant: string, reason: EvaluationReason, ruleId?: string, detail?: string): number => {
    const unitBy = unitAttributeOf(def, reason, ruleId);
    outcomes.push(
      makeOutcome(key, variantIndex.get(variant) ?? 0, variant, def.variants[variant] as JsonValue, reason, ruleId, detail, unitBy === DEFAULT_UNIT_ATTRIBUTE ? undefined : unitBy),
    );
    return outcomes.length - 1;
  };
  const fallbacks: Fallback[] = [];
  /** What the flag serves when it is off: its `offVariant`, or without one the caller's default (a fallback). */
  const serveOff = (reason: EvaluationReason, detail?: string): number => {
    if (def.offVariant !== undefined) return add(def.offVariant, reason, undefined, detail);
    fallbacks.push(Object.freeze({ reason, detail }));
    return fallbackIndex(fallbacks.length - 1);
  };
  const compileSplit = (serve: SplitServe, reason: EvaluationReason, ruleId: string | undefined): CompiledSplit => {
    const firstOutcome = outcomes.length;
    for (const slice of serve.split) add(slice.variant, reason, ruleId);
    const { key: attrKey, parts } = compilePath(serve.bucketBy ?? DEFAULT_UNIT_ATTRIBUTE);
    const b = sliceBounds(sliceWeights(serve.split));
    // Spelled out (no spread) so every split has the same hidden class: `pickSlice` sees one shape.
    return {
      key: attrKey,
      parts,
      prefix: murmur3Prefix(`${serve.salt ?? key}:`, serve.seed ?? 0),
      total: b.total,
      inverse: b.inverse,
      t0: b.t0,
      t1: b.t1,
      t2: b.t2,
      t3: b.t3,
      rest: b.rest,
      firstOutcome,
      custom: serve.bucketing === undefined ? null : customBucket(env.bucketing?.get(serve.bucketing.algorithm) as BucketingAlgorithm, serve.salt ?? key, b.total),
    };
  };

  const typeTag = flagTypeTag(def);
  const errorEntry: SnapshotFlag = Object.freeze({ value: null, reason: 'ERROR', errorCode: 'GENERAL' });
  const errorText = canonicalJson([key, errorEntry]);
  const base = {
    constant: -1,
    split: null as CompiledSplit | null,
    missingUnit: -1,
    key,
    typeTag,
    outcomes,
    fallbacks,
    disabled: !def.enabled,
    errorEntry,
    errorJson: snapshotEntryJson(key, errorEntry),
    errorHashA: murmur3(errorText, HASH_SEED_A) | 0,
    errorHashB: murmur3(errorText, HASH_SEED_B) | 0,
  };

  if (!def.enabled) {
    const off = serveOff('DISABLED');
    return { ...base, decide: () => off, constant: off };
  }

  // A split or rollout naming an algorithm this evaluator was not given: serve the caller's default with an error
  // (createEvaluator reports the problem) rather than silently re-bucket everyone with murmur3.
  const missing = missingBucketing(def, env.bucketing);
  if (missing !== undefined) {
    fallbacks.push(Object.freeze({ reason: 'ERROR' as EvaluationReason, detail: missingBucketingMessage(missing) }));
    const failed = fallbackIndex(fallbacks.length - 1);
    return { ...base, decide: () => failed, constant: failed };
  }

  // The kill switch on a parent kills its children: a prerequisite that is disabled, or that failed its own
  // prerequisites, fails whatever variant it serves. Anything else must serve one of the listed variants.
  const prerequisites = (def.prerequisites ?? []).map((p) => {
    const flag = env.compiled.get(p.flag) as CompiledFlag;
    const accepted = flag.outcomes.map((o) => !flag.disabled && o.reason !== 'PREREQUISITE_FAILED' && p.variants.includes(o.variant));
    const why = flag.disabled ? 'is disabled' : `did not serve one of: ${p.variants.join(', ')}`;
    const failed = serveOff('PREREQUISITE_FAILED', `prerequisite flag ${JSON.stringify(p.flag)} ${why}`);
    return { flag, accepted, failed };
  });

  const targetGroups: Array<{ attr: Attr; ids: Map<string, number> }> = [];
  for (const t of def.targets ?? []) {
    const attr = t.attribute ?? DEFAULT_UNIT_ATTRIBUTE;
    let group = targetGroups.find((g) => g.attr.key === attr);
    if (group === undefined) {
      group = { attr: compilePath(attr), ids: new Map() };
      targetGroups.push(group);
    }
    const outcome = add(t.variant, 'TARGETING_MATCH', TARGET_RULE_ID);
    for (const id of t.values) if (!group.ids.has(id)) group.ids.set(id, outcome);
  }

  const rules = (def.rules ?? []).map((r, i) => {
    const ruleId = r.id ?? `rule-${i}`;
    const matchers = r.conditions.map((c) => compileCondition(c, env));
    if (r.rollout !== undefined) matchers.push(compileRollout(r.rollout, key, env.bucketing));
    const match = allOf(matchers);
    if (isSplitServe(r.serve)) return { match, matchers, outcome: -1, split: compileSplit(r.serve, 'SPLIT', ruleId) };
    return { match, matchers, outcome: add(r.serve.variant, 'TARGETING_MATCH', ruleId), split: null };
  });

  const hasLogic = prerequisites.length > 0 || targetGroups.length > 0 || rules.length > 0;
  let defaultOutcome = -1;
  let defaultSplit: CompiledSplit | null = null;
  let missingUnit = -1;
  if (isSplitServe(def.defaultServe)) {
    defaultSplit = compileSplit(def.defaultServe, 'SPLIT', undefined);
    missingUnit = serveOff('DEFAULT', missingUnitDetail(def.defaultServe.bucketBy ?? DEFAULT_UNIT_ATTRIBUTE));
  } else {
    defaultOutcome = add((def.defaultServe as VariantServe).variant, hasLogic ? 'DEFAULT' : 'STATIC');
  }

  // Specialised shapes for the common cases keep the hot path free of loops over empty arrays.
  if (!hasLogic) {
    if (defaultSplit === null) return { ...base, decide: () => defaultOutcome, constant: defaultOutcome };
    const split = defaultSplit;
    return {
      ...base,
      split,
      missingUnit,
      decide: (ctx) => {
        const o = pickSlice(split, ctx);
        return o >= 0 ? o : missingUnit;
      },
    };
  }

  if (prerequisites.length === 0 && targetGroups.length === 0 && rules.length === 1 && defaultSplit === null) {
    const rule = rules[0] as (typeof rules)[number];
    const { match, matchers, outcome } = rule;
    const split = rule.split;
    // The most common targeting shape, "these conditions → this variant": call the conditions directly.
    if (split === null && matchers.length === 3) {
      const [a, b, c] = matchers as [Matcher, Matcher, Matcher];
      return { ...base, decide: (ctx) => (a(ctx) && b(ctx) && c(ctx) ? outcome : defaultOutcome) };
    }
    if (split === null && matchers.length === 2) {
      const [a, b] = matchers as [Matcher, Matcher];
      return { ...base, decide: (ctx) => (a(ctx) && b(ctx) ? outcome : defaultOutcome) };
    }
    if (split === null && matchers.length === 1) {
      const a = matchers[0] as Matcher;
      return { ...base, decide: (ctx) => (a(ctx) ? outcome : defaultOutcome) };
    }
    return {
      ...base,
      decide: (ctx) => {
        if (match(ctx)) {
          if (split === null) return outcome;
          const o = pickSlice(split, ctx);
          if (o >= 0) return o;
        }
        return defaultOutcome;
      },
    };
  }

  return {
    ...base,
    decide: (ctx) => {
      for (let i = 0; i < prerequisites.length; i++) {
        const p = prerequisites[i] as (typeof prerequisites)[number];
        const index = p.flag.decide(ctx);
        // A prerequisite serving the caller's default (a fallback, index < 0) served no variant: it fails.
        if (index < 0 || !(p.accepted[index] as boolean)) return p.failed;
      }
      for (let i = 0; i < targetGroups.length; i++) {
        const g = targetGroups[i] as (typeof targetGroups)[number];
        const id = asString(readAttr(ctx, g.attr));
        if (id !== undefined) {
          const o = g.ids.get(id);
          if (o !== undefined) return o;
        }
      }
      for (let i = 0; i < rules.length; i++) {
        const r = rules[i] as (typeof rules)[number];
        if (!r.match(ctx)) continue;
        if (r.split === null) return r.outcome;
        const o = pickSlice(r.split, ctx);
        if (o >= 0) return o; // a unit without the bucketBy attribute skips this rule
      }
      if (defaultSplit === null) return defaultOutcome;
      const o = pickSlice(defaultSplit, ctx);
      return o >= 0 ? o : missingUnit;
    },
  };
}

/** Flags ordered so every prerequisite comes before the flags that depend on it. */
export function topologicalOrder(flags: Readonly<Record<string, FlagDefinition>>): string[] {
  return dependencyOrder(Object.keys(flags), (key) => (flags[key]?.prerequisites ?? []).map((p) => p.flag));
}
