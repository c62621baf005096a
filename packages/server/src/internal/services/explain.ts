import type { EvaluationContext, Evaluator, FlagDefinition, JsonValue, Serve } from '@halyard/core';
import { percentageWeight } from '@halyard/core/definitions';
import { BrokenDocumentError, NotFoundError } from '../errors';
import type { DocumentHub } from '../document-hub';

/** Why one flag serves what it serves to one context: the dashboard's "why does this user get this?". */
export interface Explanation {
  /** The served value; `null` when the flag serves the caller's default (no variant). */
  value: JsonValue;
  variant?: string;
  reason: string;
  /** Index into the flag's `rules` of the rule that decided. */
  ruleIndex?: number;
  ruleId?: string;
  /** The unit's bucket in the split that decided, 0–100 with 3 decimals. */
  bucket?: number;
  /** The bucketing attribute's value: who was bucketed. */
  unit?: string;
  /** The prerequisite flag that failed (reason PREREQUISITE_FAILED). */
  prerequisite?: string;
  /** The segment the deciding rule tests. */
  segment?: string;
  errorCode?: string;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function attributeAt(context: EvaluationContext, path: string): unknown {
  let value: unknown = context;
  for (const part of path.split('.')) value = isObject(value) ? value[part] : undefined;
  return value;
}

/** The split's total weight W (what the evaluator's bucket is out of), or `undefined` for a single variant. */
function splitTotal(serve: Serve | undefined): number | undefined {
  if (!isObject(serve) || !Array.isArray((serve as { split?: unknown }).split)) return undefined;
  let total = 0;
  for (const slice of (serve as { split: unknown[] }).split) {
    if (!isObject(slice)) continue;
    total += typeof slice.percentage === 'number' ? (percentageWeight(slice.percentage) ?? 0) : typeof slice.weight === 'number' ? slice.weight : 0;
  }
  return total > 0 ? total : undefined;
}

/** One flag of a compiled environment, explained for one context. */
export function explainFlag(evaluator: Evaluator, key: string, context: EvaluationContext): Explanation {
  const definition = evaluator.definitions.flags[key] as FlagDefinition | undefined;
  // A default of the flag's own type: any other would be reported as a type mismatch.
  const variants = definition && isObject(definition.variants) ? Object.values(definition.variants) : [];
  const details = evaluator.getDetails<JsonValue>(key, (variants[0] ?? null) as JsonValue, context);
  const result: Explanation = { value: details.variant === undefined ? null : details.value, reason: details.reason };
  if (details.variant !== undefined) result.variant = details.variant;
  if (details.errorCode !== undefined) result.errorCode = details.errorCode;
  if (!definition) return result;
  const rules = Array.isArray(definition.rules) ? definition.rules : [];
  let serve: Serve | undefined;
  if (details.ruleId !== undefined) {
    result.ruleId = details.ruleId;
    const index = rules.findIndex((rule, i) => (rule.id ?? `rule-${i}`) === details.ruleId);
    if (index >= 0) {
      result.ruleIndex = index;
      const rule = rules[index]!;
      serve = rule.serve;
      const segment = (rule.conditions ?? []).find((condition) => condition.operator === 'inSegment')?.values?.[0];
      if (typeof segment === 'string') result.segment = segment;
    }
  } else if (details.reason === 'SPLIT') {
    serve = definition.defaultServe;
  }
  const total = splitTotal(serve);
  if (details.bucket !== undefined && total !== undefined) {
    result.bucket = Math.floor((details.bucket / total) * 100 * 1000) / 1000;
    const unit = attributeAt(context, (serve as { bucketBy?: string }).bucketBy ?? 'userId');
    if (typeof unit === 'string' || typeof unit === 'number' || typeof unit === 'boolean') result.unit = String(unit);
  }
  if (details.reason === 'PREREQUISITE_FAILED') {
    for (const prerequisite of definition.prerequisites ?? []) {
      const served = evaluator.getDetails<JsonValue>(prerequisite.flag, null, context);
      if (served.variant === undefined || !prerequisite.variants.includes(served.variant)) {
        result.prerequisite = prerequisite.flag;
        break;
      }
    }
  }
  return result;
}

/** Explains `flags` (default: every flag) of `env`'s current document for `context`. Not audited: it changes nothing. */
export async function explain(hub: DocumentHub, env: string, context: EvaluationContext, flags?: readonly string[]): Promise<Record<string, Explanation>> {
  const entry = await hub.get(env);
  if (!entry) throw new NotFoundError(`Environment "${env}"`);
  const evaluator = entry.evaluator();
  if (!evaluator) throw new BrokenDocumentError(env);
  const results: Record<string, Explanation> = {};
  for (const key of flags ?? evaluator.keys()) results[key] = explainFlag(evaluator, key, context);
  return results;
}
