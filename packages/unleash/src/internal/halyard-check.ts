import { parseDefinitions, type Condition } from '@halyard/core';

/*
 * The importer writes plain `Condition`s and lets Halyard's own parser decide what is valid, so operand rules
 * (semantic versions, the regular-expression guard, IP ranges) exist once, in @halyard/core's operator registry.
 * Where Unleash treats an operand Halyard refuses as "never matches", the importer asks first.
 */

function probe(condition: Condition) {
  return parseDefinitions({
    schemaVersion: 1,
    flags: { probe: { variants: { on: true }, enabled: true, offVariant: 'on', defaultServe: { variant: 'on' }, rules: [{ conditions: [condition], serve: { variant: 'on' } }] } },
  });
}

/** Why Halyard refuses `condition` (its parser's message), or undefined when the condition is valid. */
export function conditionProblem(condition: Condition): string | undefined {
  const result = probe(condition);
  return result.ok ? undefined : (result.problems[0]?.message ?? 'refused by parseDefinitions');
}

/** Whether `entry` is an IP address or CIDR range Halyard's `inCidr` accepts. */
export function isIpRange(entry: string): boolean {
  return conditionProblem({ attribute: 'ip', operator: 'inCidr', values: [entry] }) === undefined;
}
