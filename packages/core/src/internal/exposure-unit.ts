import type { Definitions, EvaluationContext, EvaluationReason, FlagDefinition, FlagSnapshot, Serve } from '../types';

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
export function unitOf(context: EvaluationContext | undefined, attribute: string = 'userId' satisfies typeof DEFAULT_UNIT_ATTRIBUTE): string | undefined {
  // Written small (it ships in the browser store: the default is the literal, checked against
  // DEFAULT_UNIT_ATTRIBUTE by `satisfies`, since the constant would be one more variable in every app's bundle)
  // and with own properties only, as the evaluator reads them.
  let value: unknown = context;
  for (const part of attribute.split('.')) value = typeof value == 'object' && value && Object.hasOwn(value, part) ? (value as Record<string, unknown>)[part] : undefined;
  return value == null ? undefined : String(value);
}

/**
 * What a browser needs to attribute its exposures of a server-rendered snapshot whose context it does not have
 * (Next derives the context from cookies on the server): the unit value per unit attribute, once per attribute
 * however many flags bucket by it, and the flags the server already recorded for this request.
 */
export interface ExposureHandoff {
  /** Unit value by attribute (`userId`, or a `bucketBy` dot path such as `account.id`). */
  units: Record<string, string>;
  /** Flags whose exposure the server recorded while rendering this request (their snapshot variant and unit). */
  exposed: string[];
}

/**
 * The unit values of `context` for every attribute an entry of `snapshot` is attributed to (its `unitBy`, else
 * `userId`) — and nothing else of the context. Errors and forced entries are no exposures and add no attribute.
 *
 * @example
 * exposureUnits(snapshot, { userId: 'u1', email: 'a@b.c', account: { id: 7 } }); // { userId: 'u1', 'account.id': '7' }
 */
export function exposureUnits(snapshot: FlagSnapshot, context: EvaluationContext | undefined): Record<string, string> {
  const units: Array<[string, string]> = [];
  const seen = new Set<string>();
  for (const entry of Object.values(snapshot.flags)) {
    if (entry.reason === 'ERROR' || entry.ruleId === 'override') continue;
    const attribute = entry.unitBy ?? DEFAULT_UNIT_ATTRIBUTE;
    if (seen.has(attribute)) continue;
    seen.add(attribute);
    const unit = unitOf(context, attribute);
    if (unit !== undefined) units.push([attribute, unit]);
  }
  // fromEntries defines own properties, so an attribute named `__proto__` stays data.
  return Object.fromEntries(units);
}

/**
 * The unit of an entry with `unitBy` from {@link exposureUnits}' map (the browser half of the handoff).
 *
 * @example
 * unitIn({ userId: 'u1', 'account.id': '7' }, 'account.id'); // '7'
 */
export function unitIn(units: Readonly<Record<string, string>> | undefined, unitBy: string | undefined): string | undefined {
  const attribute = unitBy ?? DEFAULT_UNIT_ATTRIBUTE;
  return units !== undefined && hasOwn.call(units, attribute) ? units[attribute] : undefined;
}
