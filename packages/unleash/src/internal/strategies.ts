import type { Condition, RuleRollout } from '@halyard/core';
import { NEVER, constraintTerm, inSegment, missing, type Term } from './constraints';
import { isIpRange } from './halyard-check';
import type { Issues } from './issues';
import { describe, fld, idx, isObj, own, type Obj } from './json-shape';
import { HOSTNAME_ATTRIBUTE, ROLLOUT_TOTAL, UNLEASH_ROLLOUT_SEED } from './model';
import { readList, type SourcePayload } from './payload';
import { stickinessOf } from './variants';

/*
 * Unleash strategies (built-in ones; custom strategies never match) → alternatives of conditions plus a rollout
 * gate, mirroring unleash-client-node 6's strategy/*.js.
 */

/** How a strategy may reference an Unleash segment. */
export type SegmentInfo =
  | { kind: 'halyard'; key: string }
  | { kind: 'inline'; terms: Term[] }
  | { kind: 'const'; value: boolean }
  | { kind: 'unsupported'; reason: string };

/** What strategy conversion needs from the converter: its issues, the converted segments, and term expansion. */
export interface StrategyScope {
  readonly issues: Issues;
  readonly segmentInfo: ReadonlyMap<string, SegmentInfo>;
  /** Terms (ANDed) → alternatives (ORed conjunctions). `[]` means never; a string means unsupported. */
  expand(terms: Term[]): Condition[][] | string;
}

/**
 * The conditions (alternatives, ORed) and rollout gate under which a strategy is enabled, or undefined when it
 * never is.
 */
export function convertStrategy(
  scope: StrategyScope,
  s: unknown,
  path: string,
  featureName: string,
  payload: SourcePayload,
): { alternatives: Array<{ conditions: Condition[]; rollout?: RuleRollout }>; description: string } | undefined {
  const issues = scope.issues;
  if (!isObj(s)) {
    issues.error(path, `a strategy must be an object with a "name", got ${describe(s)}; skipped`);
    return undefined;
  }
  const name = own(s, 'name');
  const paramsRaw = own(s, 'parameters');
  const params: Obj = isObj(paramsRaw) ? paramsRaw : {};
  const pPath = fld(path, 'parameters');
  const terms: Term[] = [];

  readList(own(s, 'constraints'), fld(path, 'constraints'), 'constraints', issues).forEach((c, i) =>
    terms.push(constraintTerm(c, idx(fld(path, 'constraints'), i), issues)),
  );
  readList(own(s, 'segments'), fld(path, 'segments'), 'segments', issues).forEach((id: unknown, i) => {
    const info = scope.segmentInfo.get(String(id));
    if (info === undefined) {
      const known = payload.segments.has(String(id));
      if (!known) issues.warn(idx(fld(path, 'segments'), i), `segment ${describe(id)} is not in the payload; the strategy never matches, as in Unleash`);
      terms.push(NEVER);
    } else if (info.kind === 'halyard') terms.push({ kind: 'cond', conds: [inSegment(info.key, false)], negated: false, stringFamily: false });
    else if (info.kind === 'inline') terms.push(...info.terms);
    else if (info.kind === 'const') terms.push({ kind: 'const', value: info.value });
    else terms.push({ kind: 'unsupported', reason: info.reason });
  });

  let gates: Array<{ conditions: Condition[]; rollout?: RuleRollout }> = [{ conditions: [] }];
  let description = `Unleash strategy ${typeof name === 'string' ? JSON.stringify(name) : describe(name)}`;
  const groupIdOf = (): string | undefined => {
    const g = own(params, 'groupId');
    if (typeof g === 'string' && g.length > 0) {
      if (g.length > 200) {
        issues.warn(fld(pPath, 'groupId'), 'groupId is longer than 200 characters, which Halyard cannot use as a hash salt; the strategy is not imported');
        return undefined;
      }
      return g;
    }
    issues.warn(
      fld(pPath, 'groupId'),
      `no groupId; using the feature name ${JSON.stringify(featureName)} as Unleash's server sets it (unleash-client-node would hash with an empty groupId)`,
    );
    return featureName;
  };
  const rollout = (percentage: unknown, stickiness: string, groupId: string, ppath: string): typeof gates | undefined => {
    const r = Number(percentage);
    if (!(r > 0)) {
      if (Number.isNaN(r)) issues.warn(ppath, `${describe(percentage)} is not a percentage; the strategy never matches, as in Unleash`);
      return undefined;
    }
    if (r >= 100) return stickiness === 'default' || stickiness === 'random' ? [{ conditions: [] }] : [{ conditions: [{ attribute: stickiness, operator: 'exists' }] }];
    // normalizedValue = hash % 100 + 1 ≤ rollout  ⇔  bucket = hash % 100 < floor(rollout)
    const weight = Math.floor(r);
    if (weight === 0) return undefined;
    const gate = (attr: string): RuleRollout => ({ weight, total: ROLLOUT_TOTAL, bucketBy: attr, salt: groupId, seed: UNLEASH_ROLLOUT_SEED });
    if (stickiness === 'default' || stickiness === 'random') {
      issues.warn(
        ppath,
        stickiness === 'random'
          ? `a ${r} % rollout with "random" stickiness is random per call in Unleash; Halyard has no randomness and rolls out by userId, then sessionId, instead (contexts with neither are not enabled)`
          : `contexts with neither userId nor sessionId are enabled at random (${r} %) by Unleash; Halyard does not enable them`,
      );
      return [{ conditions: [], rollout: gate('userId') }, { conditions: [missing('userId')], rollout: gate('sessionId') }];
    }
    return [{ conditions: [], rollout: gate(stickiness) }];
  };

  switch (name) {
    case 'default':
      break;
    case 'userWithId': {
      const ids = own(params, 'userIds');
      if (typeof ids !== 'string' || ids === '') {
        if (ids !== undefined && typeof ids !== 'string') issues.error(fld(pPath, 'userIds'), `"userIds" must be a comma-separated string, got ${describe(ids)}`);
        return undefined;
      }
      const list = ids.split(/\s*,\s*/).filter((x) => x !== '');
      if (list.length === 0) return undefined;
      terms.push({ kind: 'cond', conds: [{ attribute: 'userId', operator: 'in', values: list }], negated: false, stringFamily: true });
      description += ` (${list.length} user id${list.length === 1 ? '' : 's'})`;
      break;
    }
    case 'flexibleRollout': {
      const stickiness = stickinessOf(own(params, 'stickiness'), fld(pPath, 'stickiness'), issues);
      const groupId = groupIdOf();
      if (groupId === undefined) return undefined;
      const g = rollout(own(params, 'rollout'), stickiness, groupId, fld(pPath, 'rollout'));
      if (g === undefined) return undefined;
      gates = g;
      description += ` (${String(own(params, 'rollout'))} %, stickiness ${stickiness}, groupId ${JSON.stringify(groupId)})`;
      break;
    }
    case 'gradualRolloutUserId':
    case 'gradualRolloutSessionId': {
      const attr = name === 'gradualRolloutUserId' ? 'userId' : 'sessionId';
      const groupId = groupIdOf();
      if (groupId === undefined) return undefined;
      const g = rollout(own(params, 'percentage'), attr, groupId, fld(pPath, 'percentage'));
      if (g === undefined) return undefined;
      gates = g;
      description += ` (${String(own(params, 'percentage'))} % by ${attr}, groupId ${JSON.stringify(groupId)})`;
      break;
    }
    case 'gradualRolloutRandom': {
      const p = Number(own(params, 'percentage'));
      // Enabled when percentage ≥ random integer in 1..100.
      if (!(p >= 1)) return undefined;
      if (p < 100) {
        const g = own(params, 'groupId');
        const groupId = typeof g === 'string' && g.length > 0 && g.length <= 200 ? g : featureName;
        issues.warn(
          fld(pPath, 'percentage'),
          `gradualRolloutRandom enables ${p} % of calls at random in Unleash; Halyard has no randomness and enables ${Math.floor(p)} % of users by userId, then sessionId, instead (contexts with neither are not enabled)`,
        );
        const gate = (attr: string): RuleRollout => ({ weight: Math.floor(p), total: ROLLOUT_TOTAL, bucketBy: attr, salt: groupId, seed: UNLEASH_ROLLOUT_SEED });
        gates = [{ conditions: [], rollout: gate('userId') }, { conditions: [missing('userId')], rollout: gate('sessionId') }];
      }
      description += ` (${String(own(params, 'percentage'))} %)`;
      break;
    }
    case 'remoteAddress': {
      const ips = own(params, 'IPs');
      if (typeof ips !== 'string' || ips === '') {
        if (ips !== undefined && typeof ips !== 'string') issues.error(fld(pPath, 'IPs'), `"IPs" must be a comma-separated string, got ${describe(ips)}`);
        return undefined;
      }
      // Unleash: exact string match, or inside an IPv4 address/range.
      const entries = ips.split(/\s*,\s*/).filter((x) => x !== '');
      // IPv6 always has a ":", IPv4 never does.
      const v4 = entries.filter((e) => !e.includes(':') && isIpRange(e));
      const exact = entries.filter((e) => !v4.includes(e));
      const options: Condition[][] = [];
      if (v4.length > 0) options.push([{ attribute: 'remoteAddress', operator: 'inCidr', values: v4 }]);
      if (exact.length > 0) options.push([{ attribute: 'remoteAddress', operator: 'in', values: exact }]);
      terms.push({ kind: 'any', options });
      description += ` (${entries.join(', ')})`;
      break;
    }
    case 'applicationHostname': {
      const hosts = own(params, 'hostNames');
      if (typeof hosts !== 'string' || hosts === '') return undefined;
      const list = hosts.toLowerCase().split(/\s*,\s*/).filter((x) => x !== '');
      if (list.length === 0) return undefined;
      issues.warn(
        path,
        `applicationHostname compares the server's host name; Halyard reads it from the "${HOSTNAME_ATTRIBUTE}" context attribute — pass it, e.g. unleashContext(ctx, { hostname: os.hostname() })`,
      );
      terms.push({ kind: 'cond', conds: [{ attribute: HOSTNAME_ATTRIBUTE, operator: 'in', values: list, caseInsensitive: true }], negated: false, stringFamily: true });
      description += ` (${list.join(', ')})`;
      break;
    }
    default:
      issues.warn(
        fld(path, 'name'),
        `strategy ${describe(name)} is not a built-in Unleash strategy; it never matches, as in an Unleash SDK without that custom strategy registered`,
      );
      return undefined;
  }

  const alts = scope.expand(terms);
  if (typeof alts === 'string') {
    issues.warn(path, `${alts}; this strategy is not imported (it never matches)`);
    return undefined;
  }
  if (alts.length === 0) return undefined;
  const alternatives: Array<{ conditions: Condition[]; rollout?: RuleRollout }> = [];
  for (const a of alts) {
    for (const g of gates) {
      const item: { conditions: Condition[]; rollout?: RuleRollout } = { conditions: [...a, ...g.conditions] };
      if (g.rollout !== undefined) item.rollout = g.rollout;
      alternatives.push(item);
    }
  }
  return { alternatives, description };
}
