import type { Definitions, EvaluationContext, EvaluationReason, FlagDefinition, Serve } from '../types';

/*
 * The one exposure-unit rule: an exposure is attributed to the value of the attribute that randomised the outcome
 * — the deciding split's `bucketBy`, else the matched rule's rollout `bucketBy` — and to `userId` otherwise.
 *
 * Readers with definitions (the client) find the attribute with `unitAttribute`. Readers over a snapshot (Next's
 * `getFlags()`, the browser store) have no definitions: the evaluator writes the attribute into each compiled
 * snapshot entry as `unitBy` when it is not `userId` (so it is part of the snapshot's version, and a changed
 * `bucketBy` reaches browsers like any other change), and they read it back with `unitOf(context, entry.unitBy)`.
 */

/** The attribute every unit defaults to (targets, splits, rollouts, exposures). Here, not in schema.ts, because
 * the browser store imports this small module and must not pull in the document rules. */
export const DEFAULT_UNIT_ATTRIBUTE = 'userId';

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * The context attribute whose value is the exposure unit of `flag` served with `reason`/`ruleId`.
 *
 * @example
 * unitAttributeOf(definitions.flags['checkout-experiment'], 'SPLIT', undefined); // 'accountId' for a split bucketed by accountId
 */
export function unitAttributeOf(flag: FlagDefinition | undefined, reason: EvaluationReason, ruleId: string | undefined): string {
  if (flag === undefined || (reason !== 'SPLIT' && ruleId === undefined)) return DEFAULT_UNIT_ATTRIBUTE;
  const rule = ruleId === undefined ? undefined : flag.rules?.find((r, index) => (r.id ?? `rule-${index}`) === ruleId);
  const serve: Serve = rule !== undefined ? rule.serve : flag.defaultServe;
  if (reason === 'SPLIT' && 'split' in serve && serve.bucketBy !== undefined) return serve.bucketBy;
  if (rule?.rollout?.bucketBy !== undefined) return rule.rollout.bucketBy;
  return DEFAULT_UNIT_ATTRIBUTE;
}

/**
 * {@link unitAttributeOf} for flag `key` of `definitions`.
 *
 * @example
 * unitAttribute(definitions, 'checkout-experiment', 'SPLIT', undefined); // 'accountId' for a split bucketed by accountId
 */
export function unitAttribute(definitions: Definitions, key: string, reason: EvaluationReason, ruleId: string | undefined): string {
  return unitAttributeOf(hasOwn.call(definitions.flags, key) ? definitions.flags[key] : undefined, reason, ruleId);
}

/**
 * The exposure unit: the value of `attribute` (a dot path, default `userId`) in `context`, as a string.
 *
 * @example
 * unitOf({ userId: 'u1', account: { id: 7 } }, 'account.id'); // '7'
 */
export function unitOf(context: EvaluationContext | undefined, attribute: string = DEFAULT_UNIT_ATTRIBUTE): string | undefined {
  // Written small (it ships in the browser store) and with own properties only, as the evaluator reads them.
  let value: unknown = context;
  for (const part of attribute.split('.')) value = typeof value == 'object' && value && Object.hasOwn(value, part) ? (value as Record<string, unknown>)[part] : undefined;
  return value == null ? undefined : String(value);
}
