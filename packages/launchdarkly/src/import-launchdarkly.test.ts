import { createEvaluator, parseDefinitions, type FlagsDocument } from '@halyard/core';
import { describe, expect, it } from 'vitest';
import { importLaunchDarkly, launchdarklyBucketing, launchdarklyContext, launchdarklyKey } from './index';

type Rec = Record<string, unknown>;

function flag(key: string, extra: Rec = {}): Rec {
  return { key, version: 1, on: true, salt: 'salt', variations: [true, false], offVariation: 1, fallthrough: { variation: 0 }, targets: [], rules: [], prerequisites: [], ...extra };
}

function evaluator(document: FlagsDocument) {
  const parsed = parseDefinitions(document);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return createEvaluator(parsed.definitions, { bucketing: [launchdarklyBucketing] });
}

describe('importLaunchDarkly', () => {
  it('never throws, and says what the payload must be', () => {
    for (const bad of [null, 42, 'not json', [], { flags: 3 }, { flags: { f: null } }, { flags: { f: { variations: [] } } }]) {
      const result = importLaunchDarkly(bad);
      expect(parseDefinitions(result.document).ok).toBe(true);
      expect(Object.keys(result.document.flags)).toEqual([]);
    }
    expect(importLaunchDarkly(null).problems[0]).toMatchObject({ path: '$', message: expect.stringMatching(/@halyard\/launchdarkly: the payload must be/) });
    expect(importLaunchDarkly({ flags: { f: { variations: [1, 'a'], fallthrough: { variation: 0 } } } }).problems[0]).toMatchObject({ path: '$.flags["f"].variations', message: expect.stringMatching(/mix types/) });
  });

  it('accepts the streaming wrapper { data: { flags, segments } } and a JSON string', () => {
    const payload = { flags: { a: flag('a') }, segments: {} };
    expect(Object.keys(importLaunchDarkly({ path: '/', data: payload }).document.flags)).toEqual(['a']);
    expect(Object.keys(importLaunchDarkly(JSON.stringify(payload)).document.flags)).toEqual(['a']);
  });

  it('renames keys Halyard does not accept as is, and skips deleted flags', () => {
    const result = importLaunchDarkly({ flags: { _internal: flag('_internal'), gone: { ...flag('gone'), deleted: true }, ok: flag('ok') } });
    expect(result.keys).toEqual({ _internal: 'ld::5finternal', ok: 'ok' });
    expect(launchdarklyKey('_internal')).toBe('ld::5finternal');
    expect(Object.keys(result.document.flags).sort()).toEqual(['ld::5finternal', 'ok']);
  });

  it('leaves out a rule it cannot represent and reports its path; the other rules still apply', () => {
    const result = importLaunchDarkly({
      flags: {
        f: flag('f', {
          fallthrough: { variation: 1 },
          rules: [
            { id: 'dotted', clauses: [{ attribute: 'a.b', op: 'in', values: ['x'] }], variation: 0 },
            { id: 'unknown-op', clauses: [{ attribute: 'email', op: 'isOneOf', values: ['x'] }], variation: 0 },
            { id: 'fine', clauses: [{ attribute: 'email', op: 'endsWith', values: ['@x.io'] }], variation: 0 },
          ],
        }),
      },
    });
    expect(result.problems.map((p) => p.path)).toEqual(['$.flags["f"].rules[0].clauses', '$.flags["f"].rules[1].clauses']);
    expect(result.problems[1]?.message).toMatch(/operator "isOneOf"/);
    const ev = evaluator(result.document);
    expect(ev.getValue('f', true, launchdarklyContext({ kind: 'user', key: 'u', email: 'a@x.io' }))).toBe(true);
    expect(ev.getValue('f', true, launchdarklyContext({ kind: 'user', key: 'u', email: 'a@y.io' }))).toBe(false);
  });

  it('imports a big segment as one without members, with a problem', () => {
    const result = importLaunchDarkly({
      flags: { f: flag('f', { fallthrough: { variation: 1 }, rules: [{ clauses: [{ attribute: '', op: 'segmentMatch', values: ['big'] }], variation: 0 }] }) },
      segments: { big: { key: 'big', unbounded: true, generation: 1, rules: [] } },
    });
    expect(result.problems).toEqual([expect.objectContaining({ path: '$.segments["big"]', message: expect.stringMatching(/big segments/) })]);
    expect(evaluator(result.document).getValue('f', true, launchdarklyContext({ kind: 'user', key: 'u' }))).toBe(false);
  });

  it('imports a flag whose prerequisite is not in the payload as disabled (LaunchDarkly serves the off variation either way)', () => {
    const result = importLaunchDarkly({ flags: { f: flag('f', { prerequisites: [{ key: 'missing', variation: 0 }] }) } });
    expect(result.document.flags.f?.enabled).toBe(false);
    expect(result.problems[0]?.path).toBe('$.flags["f"].prerequisites[0]');
    expect(evaluator(result.document).getDetails('f', true, launchdarklyContext({ kind: 'user', key: 'u' }))).toMatchObject({ value: false, variant: 'v1' });
  });

  it('reports the one known prerequisite difference: LaunchDarkly meets a prerequisite served off because of its own prerequisites', () => {
    // grandparent off → parent fails its prerequisite and serves its off variation 1 → LaunchDarkly: child's
    // prerequisite "parent serves 1" is met (only reason OFF fails); Halyard: the parent failed, so the child fails.
    const payload = {
      flags: {
        grandparent: flag('grandparent', { on: false }),
        parent: flag('parent', { prerequisites: [{ key: 'grandparent', variation: 0 }] }),
        child: flag('child', { variations: ['on', 'off'], offVariation: 1, prerequisites: [{ key: 'parent', variation: 1 }] }),
      },
    };
    const result = importLaunchDarkly(payload);
    expect(result.problems).toEqual([expect.objectContaining({ path: '$.flags["child"].prerequisites[0]', message: expect.stringMatching(/^may differ/) })]);
    const ev = evaluator(result.document);
    const ctx = launchdarklyContext({ kind: 'user', key: 'u' });
    expect(ev.getValue('parent', true, ctx)).toBe(false); // as in LaunchDarkly
    expect(ev.getDetails('child', 'x', ctx)).toMatchObject({ value: 'off', reason: 'PREREQUISITE_FAILED' }); // LaunchDarkly: "on"
    // With the grandparent on, the parent serves 0 and both agree that the child's prerequisite fails.
    const on = evaluator(importLaunchDarkly({ flags: { ...payload.flags, grandparent: flag('grandparent') } }).document);
    expect(on.getValue('child', 'x', ctx)).toBe('off');
  });

  it('buckets a rollout with the launchdarkly algorithm; without it the flag serves the caller default with ERROR', () => {
    const result = importLaunchDarkly({
      flags: { r: flag('r', { fallthrough: { rollout: { variations: [{ variation: 0, weight: 50000 }, { variation: 1, weight: 50000 }] } } }) },
    });
    expect(result.document.flags.r?.defaultServe).toMatchObject({ bucketing: { algorithm: 'launchdarkly' }, salt: 'r.salt', bucketBy: 'user.key' });
    const parsed = parseDefinitions(result.document);
    if (!parsed.ok) throw new Error('does not parse');
    const reported: string[] = [];
    const bare = createEvaluator(parsed.definitions, { onProblem: (p) => reported.push(p.message) });
    expect(bare.getDetails('r', true, launchdarklyContext({ kind: 'user', key: 'user-1' }))).toMatchObject({ value: true, reason: 'ERROR' });
    expect(reported.join('\n')).toMatch(/"launchdarkly" is not installed/);
    // Installed: hashKey-style vector "r.salt.user-1", both variations reachable over many keys.
    const ev = evaluator(result.document);
    const seen = new Set(Array.from({ length: 200 }, (_, i) => ev.getValue('r', true, launchdarklyContext({ kind: 'user', key: `user-${i}` }))));
    expect(seen).toEqual(new Set([true, false]));
  });

  it('gives a context without the rollout attribute bucket 0 (the first variation with weight), as LaunchDarkly does', () => {
    const result = importLaunchDarkly({
      flags: { r: flag('r', { fallthrough: { rollout: { bucketBy: 'email', variations: [{ variation: 1, weight: 0 }, { variation: 0, weight: 10 }, { variation: 1, weight: 99990 }] } } }) },
    });
    const ev = evaluator(result.document);
    expect(ev.getDetails('r', false, launchdarklyContext({ kind: 'user', key: 'u' }))).toMatchObject({ value: true, variant: 'v0' });
    expect(ev.getDetails('r', false, launchdarklyContext({ kind: 'user', key: 'u', email: '' }))).toMatchObject({ value: true, variant: 'v0' });
  });
});

describe('launchdarklyContext', () => {
  it('maps single-kind, multi-kind and legacy user contexts to one object per kind plus the kind list', () => {
    expect(launchdarklyContext({ kind: 'org', key: 'o1', plan: 'pro', _meta: { privateAttributes: ['plan'] } })).toEqual({ kind: ['org'], org: { key: 'o1', plan: 'pro' } });
    expect(launchdarklyContext({ kind: 'multi', user: { key: 'u1' }, org: { key: 'o1' } })).toEqual({ kind: ['user', 'org'], user: { key: 'u1' }, org: { key: 'o1' } });
    expect(launchdarklyContext({ key: 'u1', email: 'a@x', custom: { plan: 'pro', email: 'ignored' } })).toEqual({ kind: ['user'], user: { key: 'u1', email: 'a@x', plan: 'pro' } });
    expect(launchdarklyContext('nope')).toEqual({ kind: [] });
  });
});
