import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type UnleashClientClass from 'unleash-client/lib/client';
import type * as UnleashStrategies from 'unleash-client/lib/strategy';
import { createEvaluator, createFlagClient, parseDefinitions, staticSource, type FlagDefinition, type FlagsDocument } from '@halyard/core';
import { createUnleashAdapter, importUnleash, unleashContext, unleashKey, unleashResult, type UnleashContext } from './index';
import { translateRe2 } from './internal/re2';

const require = createRequire(import.meta.url);
const murmurhash3js = require('murmurhash3js') as { x86: { hash32(key: string, seed?: number): number } };
const { default: UnleashClient } = require('unleash-client/lib/client') as { default: typeof UnleashClientClass };
const { defaultStrategies } = require('unleash-client/lib/strategy') as typeof UnleashStrategies;

/** Unleash's normalizedValue (unleash-client strategy/util.js), computed with the library Unleash itself uses. */
const normalizedValue = (id: string, groupId: string, normalizer: number, seed: number): number =>
  (murmurhash3js.x86.hash32(`${groupId}:${id}`, seed) % normalizer) + 1;

type Json = Record<string, unknown>;

function load(payload: unknown) {
  const imported = importUnleash(payload);
  const parsed = parseDefinitions(imported.document);
  expect(parsed.problems).toBeUndefined();
  const evaluator = createEvaluator(parsed.definitions!);
  return { ...imported, evaluator, unleash: createUnleashAdapter(evaluator) };
}

const feature = (name: string, strategies: unknown[], extra: Json = {}): Json => ({ name, enabled: true, strategies, ...extra });
const payloadOf = (...features: Json[]): Json => ({ version: 2, features });
const flagOf = (doc: FlagsDocument, name: string): FlagDefinition => doc.flags[unleashKey(name)] as FlagDefinition;

/** The real Unleash SDK evaluating the same payload (no network: an in-memory repository). */
function unleashOracle(payload: { features: Json[]; segments?: Json[] }) {
  const features = new Map(payload.features.map((f) => [f.name as string, f]));
  const segments = new Map((payload.segments ?? []).map((s) => [s.id as number, s]));
  const client = new UnleashClient({ getToggle: (n: string) => features.get(n), getSegment: (id: number) => segments.get(id) } as never, defaultStrategies);
  client.on('error', () => {});
  client.on('warn', () => {});
  return {
    isEnabled: (name: string, ctx: UnleashContext) => client.isEnabled(name, ctx as never, () => false),
    getVariant: (name: string, ctx: UnleashContext) => {
      const v = client.getVariant(name, ctx as never) as unknown as Json;
      const out: Json = { name: v.name, enabled: v.enabled, feature_enabled: v.feature_enabled };
      if (v.payload !== undefined) out.payload = v.payload;
      return out;
    },
  };
}

function variantOf(unleash: ReturnType<typeof createUnleashAdapter>, name: string, ctx: UnleashContext): Json {
  const v = unleash.getVariant(name, ctx);
  const out: Json = { name: v.name, enabled: v.enabled, feature_enabled: v.feature_enabled };
  if (v.payload !== undefined) out.payload = v.payload;
  return out;
}

// ---------------------------------------------------------------------------------------------------------------

describe('unleashKey', () => {
  it('keeps valid Halyard keys and escapes everything else injectively', () => {
    expect(unleashKey('new-checkout')).toBe('new-checkout');
    expect(unleashKey('Feature.A_1')).toBe('Feature.A_1');
    expect(unleashKey('Hellø')).toBe('u:Hell:c3:b8');
    expect(unleashKey('a:b')).toBe('u:a:3ab');
    const names = ['a b', 'a_b', 'a:20b', 'u:a', '-lead', 'ø', '😊', 'x'.repeat(300), `${'x'.repeat(299)}y`, 'a/b', ''];
    const keys = names.map(unleashKey);
    expect(new Set(keys).size).toBe(names.length);
    for (const k of keys) expect(k).toMatch(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/);
  });

  it('imports UTF-8 feature names under their escaped keys', () => {
    const { keys, unleash } = load(payloadOf(feature('Hellø Wørld', [{ name: 'default' }])));
    expect(keys).toEqual({ 'Hellø Wørld': 'u:Hell:c3:b8:20W:c3:b8rld' });
    expect(unleash.isEnabled('Hellø Wørld')).toBe(true);
  });
});

describe('unleashContext', () => {
  it('flattens properties, lets top-level fields win and compares strings like Unleash', () => {
    const ctx = unleashContext(
      { userId: '42', environment: 'prod', properties: { plan: 'pro', userId: 'ignored', count: 3, flag: true, 'a.b': 'dotted', nothing: null } },
      { now: Date.UTC(2025, 0, 2) },
    );
    expect(ctx).toEqual({ plan: 'pro', userId: '42', count: '3', flag: 'true', 'a%2Eb': 'dotted', environment: 'prod', currentTime: '2025-01-02T00:00:00.000Z' });
  });

  it('drops empty strings (Unleash treats empty ids as absent) and an empty top-level value hides the property', () => {
    expect(unleashContext({ userId: '', sessionId: 's', properties: { userId: 'p', x: '' } }, { now: 0 })).toEqual({ sessionId: 's', currentTime: '1970-01-01T00:00:00.000Z' });
  });

  it('maps currentTime like Unleash: Date, string, missing (now) or invalid', () => {
    expect(unleashContext({ currentTime: new Date('2022-01-29T13:00:00Z') }).currentTime).toBe('2022-01-29T13:00:00.000Z');
    expect(unleashContext({ currentTime: '2022-01-29T15:00:00+02:00' }).currentTime).toBe('2022-01-29T13:00:00.000Z');
    expect(unleashContext({}, { now: new Date('2030-05-01T00:00:00Z') }).currentTime).toBe('2030-05-01T00:00:00.000Z');
    expect(unleashContext({ currentTime: 'garbage' }).currentTime).toBe('garbage');
  });

  it('passes the host name for applicationHostname strategies and survives hostile input', () => {
    expect(unleashContext(undefined, { now: 0, hostname: 'web-1' })).toEqual({ currentTime: '1970-01-01T00:00:00.000Z', hostname: 'web-1' });
    const hostile = { get userId(): string { throw new Error('boom'); } };
    expect(() => unleashContext(hostile as UnleashContext)).not.toThrow();
    const proto = unleashContext(JSON.parse('{"properties":{"__proto__":"x"}}') as UnleashContext, { now: 0 });
    expect(Object.hasOwn(proto, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
  });
});

describe('importUnleash: strategies', () => {
  it('default, disabled and strategy-less features', () => {
    const { unleash, document } = load(
      payloadOf(feature('on', [{ name: 'default' }]), feature('off', [{ name: 'default' }], { enabled: false }), feature('none', [])),
    );
    expect(unleash.isEnabled('on')).toBe(true);
    expect(unleash.isEnabled('off')).toBe(false);
    expect(unleash.isEnabled('none')).toBe(true);
    expect(unleash.isEnabled('missing')).toBe(false);
    expect(unleash.isEnabled('missing', {}, true)).toBe(true);
    expect(flagOf(document, 'on')).toMatchObject({ type: 'boolean', variants: { off: false, on: true }, offVariant: 'off', enabled: true });
    // A disabled feature keeps its strategy, so flipping the kill switch in Halyard behaves as in Unleash.
    expect(flagOf(document, 'off').rules).toHaveLength(1);
  });

  it('boolean flags work with Halyard’s own isEnabled', () => {
    const { evaluator } = load(payloadOf(feature('f', [{ name: 'userWithId', parameters: { userIds: '1' } }])));
    expect(evaluator.isEnabled('f', unleashContext({ userId: '1' }))).toBe(true);
    expect(evaluator.isEnabled('f', unleashContext({ userId: '2' }))).toBe(false);
  });

  it('userWithId splits the list like Unleash (no trimming of the ends) and needs a userId', () => {
    const { unleash } = load(payloadOf(feature('f', [{ name: 'userWithId', parameters: { userIds: 'a, b ,c,  d' } }])));
    for (const id of ['a', 'b', 'c', 'd']) expect(unleash.isEnabled('f', { userId: id })).toBe(true);
    expect(unleash.isEnabled('f', { userId: 'e' })).toBe(false);
    expect(unleash.isEnabled('f', {})).toBe(false);
  });

  it('flexibleRollout uses normalizedValue = murmur3(groupId:id) % 100 + 1 ≤ rollout exactly (the +1 boundary)', () => {
    for (const rollout of [1, 37, 50, 99]) {
      const { unleash, document } = load(payloadOf(feature('f', [{ name: 'flexibleRollout', parameters: { rollout: String(rollout), stickiness: 'userId', groupId: 'grp' } }])));
      expect(flagOf(document, 'f').rules?.[0]?.rollout).toEqual({ weight: rollout, total: 100, bucketBy: 'userId', salt: 'grp', seed: 0 });
      const seen = new Set<string>();
      for (let i = 0; i < 3000; i++) {
        const id = `user-${i}`;
        const n = normalizedValue(id, 'grp', 100, 0);
        expect(unleash.isEnabled('f', { userId: id })).toBe(n <= rollout);
        if (n === rollout) seen.add('at');
        if (n === rollout + 1) seen.add('above');
      }
      expect(seen).toEqual(new Set(['at', 'above']));
    }
  });

  it('flexibleRollout default stickiness: userId, then sessionId; no id → only 100 % enables', () => {
    const { unleash, warnings } = load(
      payloadOf(
        feature('half', [{ name: 'flexibleRollout', parameters: { rollout: '50', stickiness: 'default', groupId: 'g' } }]),
        feature('all', [{ name: 'flexibleRollout', parameters: { rollout: '100', stickiness: 'default', groupId: 'g' } }]),
        feature('none', [{ name: 'flexibleRollout', parameters: { rollout: '0', stickiness: 'default', groupId: 'g' } }]),
      ),
    );
    for (let i = 0; i < 200; i++) {
      expect(unleash.isEnabled('half', { userId: `u${i}`, sessionId: 'fixed' })).toBe(normalizedValue(`u${i}`, 'g', 100, 0) <= 50);
      expect(unleash.isEnabled('half', { sessionId: `s${i}` })).toBe(normalizedValue(`s${i}`, 'g', 100, 0) <= 50);
    }
    expect(unleash.isEnabled('half', {})).toBe(false);
    expect(unleash.isEnabled('all', {})).toBe(true);
    expect(unleash.isEnabled('none', { userId: 'u1' })).toBe(false);
    expect(warnings).toContainEqual({ path: '$.features[0].strategies[0].parameters.rollout', message: expect.stringContaining('enabled at random') });
  });

  it('flexibleRollout custom and random stickiness', () => {
    const { unleash, warnings } = load(
      payloadOf(
        feature('tenant', [{ name: 'flexibleRollout', parameters: { rollout: '40', stickiness: 'tenantId', groupId: 'g' } }]),
        feature('random', [{ name: 'flexibleRollout', parameters: { rollout: '40', stickiness: 'random', groupId: 'g' } }]),
        feature('tenant100', [{ name: 'flexibleRollout', parameters: { rollout: '100', stickiness: 'tenantId', groupId: 'g' } }]),
      ),
    );
    for (let i = 0; i < 100; i++) {
      expect(unleash.isEnabled('tenant', { userId: 'x', properties: { tenantId: `t${i}` } })).toBe(normalizedValue(`t${i}`, 'g', 100, 0) <= 40);
      // Approximation of "random": deterministic by userId.
      expect(unleash.isEnabled('random', { userId: `u${i}` })).toBe(normalizedValue(`u${i}`, 'g', 100, 0) <= 40);
    }
    expect(unleash.isEnabled('tenant', { userId: 'x' })).toBe(false);
    expect(unleash.isEnabled('tenant100', { userId: 'x' })).toBe(false);
    expect(unleash.isEnabled('tenant100', { properties: { tenantId: 'a' } })).toBe(true);
    expect(warnings.some((w) => w.path === '$.features[1].strategies[0].parameters.rollout' && w.message.includes('"random" stickiness'))).toBe(true);
  });

  it('gradualRolloutUserId / SessionId hash their id with the groupId; a missing groupId falls back to the feature name with a warning', () => {
    const { unleash, warnings } = load(
      payloadOf(
        feature('byUser', [{ name: 'gradualRolloutUserId', parameters: { percentage: '30', groupId: 'AB' } }]),
        feature('bySession', [{ name: 'gradualRolloutSessionId', parameters: { percentage: '30', groupId: 'AB' } }]),
        feature('noGroup', [{ name: 'gradualRolloutUserId', parameters: { percentage: '30' } }]),
      ),
    );
    for (let i = 0; i < 100; i++) {
      expect(unleash.isEnabled('byUser', { userId: `${i}`, sessionId: 'z' })).toBe(normalizedValue(`${i}`, 'AB', 100, 0) <= 30);
      expect(unleash.isEnabled('bySession', { userId: 'z', sessionId: `${i}` })).toBe(normalizedValue(`${i}`, 'AB', 100, 0) <= 30);
      expect(unleash.isEnabled('noGroup', { userId: `${i}` })).toBe(normalizedValue(`${i}`, 'noGroup', 100, 0) <= 30);
    }
    expect(unleash.isEnabled('byUser', { sessionId: '1' })).toBe(false);
    expect(warnings).toContainEqual({ path: '$.features[2].strategies[0].parameters.groupId', message: expect.stringContaining('no groupId') });
  });

  it('gradualRolloutRandom: 0 % and 100 % are exact; anything between is approximated by userId with a warning', () => {
    const { unleash, warnings } = load(
      payloadOf(
        feature('r0', [{ name: 'gradualRolloutRandom', parameters: { percentage: '0' } }]),
        feature('r100', [{ name: 'gradualRolloutRandom', parameters: { percentage: '100' } }]),
        feature('r30', [{ name: 'gradualRolloutRandom', parameters: { percentage: '30' } }]),
      ),
    );
    expect(unleash.isEnabled('r0', { userId: '1' })).toBe(false);
    expect(unleash.isEnabled('r100', {})).toBe(true);
    expect(unleash.isEnabled('r30', { userId: 'u7' })).toBe(normalizedValue('u7', 'r30', 100, 0) <= 30);
    expect(unleash.isEnabled('r30', {})).toBe(false);
    expect(warnings.filter((w) => w.message.includes('gradualRolloutRandom'))).toHaveLength(1);
  });

  it('remoteAddress matches exact strings and IPv4 addresses/ranges', () => {
    const { unleash } = load(payloadOf(feature('ip', [{ name: 'remoteAddress', parameters: { IPs: '10.0.0.0/8, 192.168.1.7, 2001:db8::1, 192.invalid' } }])));
    expect(unleash.isEnabled('ip', { remoteAddress: '10.20.30.40' })).toBe(true);
    expect(unleash.isEnabled('ip', { remoteAddress: '192.168.1.7' })).toBe(true);
    expect(unleash.isEnabled('ip', { remoteAddress: '192.168.1.8' })).toBe(false);
    expect(unleash.isEnabled('ip', { remoteAddress: '2001:db8::1' })).toBe(true);
    // Unleash only does range checks for IPv4; other entries compare as strings.
    expect(unleash.isEnabled('ip', { remoteAddress: '2001:db8:0::1' })).toBe(false);
    expect(unleash.isEnabled('ip', { remoteAddress: '192.invalid' })).toBe(true);
    expect(unleash.isEnabled('ip', {})).toBe(false);
  });

  it('applicationHostname reads the hostname attribute, case-insensitively, and warns', () => {
    const imported = load(payloadOf(feature('host', [{ name: 'applicationHostname', parameters: { hostNames: 'Web-1, web-2' } }])));
    const withHost = createUnleashAdapter(imported.evaluator, { hostname: 'WEB-2' });
    expect(withHost.isEnabled('host')).toBe(true);
    expect(createUnleashAdapter(imported.evaluator, { hostname: 'db-1' }).isEnabled('host')).toBe(false);
    expect(imported.unleash.isEnabled('host')).toBe(false);
    expect(imported.warnings).toContainEqual({ path: '$.features[0].strategies[0]', message: expect.stringContaining('"hostname" context attribute') });
  });

  it('custom strategies never match (with a warning) and later strategies still apply', () => {
    const { unleash, warnings } = load(payloadOf(feature('f', [{ name: 'myCustom', parameters: {} }, { name: 'userWithId', parameters: { userIds: 'u1' } }])));
    expect(unleash.isEnabled('f', { userId: 'u1' })).toBe(true);
    expect(unleash.isEnabled('f', { userId: 'u2' })).toBe(false);
    expect(warnings).toContainEqual({ path: '$.features[0].strategies[0].name', message: expect.stringContaining('custom strategy') });
  });

  it('a partial rollout falls through to the next strategy for units outside it (rule rollout gate)', () => {
    const { unleash, document } = load(
      payloadOf(
        feature('f', [
          { name: 'flexibleRollout', parameters: { rollout: '10', stickiness: 'userId', groupId: 'g' } },
          { name: 'userWithId', parameters: { userIds: 'vip' } },
        ]),
      ),
    );
    expect(normalizedValue('vip', 'g', 100, 0)).toBeGreaterThan(10);
    expect(unleash.isEnabled('f', { userId: 'vip' })).toBe(true);
    expect(flagOf(document, 'f').rules?.map((r) => r.id)).toEqual(['strategy-1', 'strategy-2']);
  });
});

describe('importUnleash: constraints', () => {
  const withConstraint = (constraint: Json, extra: Json[] = []) => payloadOf(feature('f', [{ name: 'default', constraints: [constraint, ...extra] }]));

  // Every row is checked against the real unleash-client as well as against the expectation written here.
  const cases: Array<[string, Json, UnleashContext, boolean]> = [
    ['IN', { contextName: 'environment', operator: 'IN', values: ['prod', ' dev '] }, { environment: 'dev' }, true],
    ['IN missing', { contextName: 'environment', operator: 'IN', values: ['prod'] }, {}, false],
    ['NOT_IN missing → true', { contextName: 'environment', operator: 'NOT_IN', values: ['prod'] }, {}, true],
    ['NOT_IN present', { contextName: 'environment', operator: 'NOT_IN', values: ['prod'] }, { environment: 'prod' }, false],
    ['inverted IN missing → true', { contextName: 'plan', operator: 'IN', values: ['pro'], inverted: true }, {}, true],
    ['inverted NOT_IN', { contextName: 'plan', operator: 'NOT_IN', values: ['pro'], inverted: true }, { properties: { plan: 'pro' } }, true],
    ['IN empty list', { contextName: 'plan', operator: 'IN', values: [] }, { properties: { plan: 'x' } }, false],
    ['NOT_IN empty list', { contextName: 'plan', operator: 'NOT_IN', values: ['', '  '] }, {}, true],
    ['STR_CONTAINS ci', { contextName: 'email', operator: 'STR_CONTAINS', values: ['EXAMPLE'], caseInsensitive: true }, { properties: { email: 'a@example.com' } }, true],
    ['STR_STARTS_WITH case', { contextName: 'email', operator: 'STR_STARTS_WITH', values: ['A@'] }, { properties: { email: 'a@example.com' } }, false],
    ['STR_ENDS_WITH inverted missing', { contextName: 'email', operator: 'STR_ENDS_WITH', values: ['.com'], inverted: true }, {}, true],
    ['NUM_EQ float', { contextName: 'n', operator: 'NUM_EQ', value: '12.0' }, { properties: { n: '12' } }, true],
    ['NUM_EQ number value', { contextName: 'n', operator: 'NUM_EQ', value: 12 }, { properties: { n: 12 } }, true],
    ['NUM_EQ inverted non-numeric → true', { contextName: 'n', operator: 'NUM_EQ', value: '12', inverted: true }, { properties: { n: 'abc' } }, true],
    ['NUM_EQ inverted missing → true', { contextName: 'n', operator: 'NUM_EQ', value: '12', inverted: true }, {}, true],
    ['NUM_LT', { contextName: 'n', operator: 'NUM_LT', value: '12' }, { properties: { n: '11.5' } }, true],
    ['NUM_GTE garbage value', { contextName: 'n', operator: 'NUM_GTE', value: 'abc' }, { properties: { n: '1' } }, false],
    ['DATE_AFTER', { contextName: 'currentTime', operator: 'DATE_AFTER', value: '2022-01-29T13:00:00.000Z' }, { currentTime: '2022-01-29T13:00:00.001Z' }, true],
    ['DATE_BEFORE exclusive', { contextName: 'whatever', operator: 'DATE_BEFORE', value: '2022-01-29T13:00:00.000Z' }, { currentTime: '2022-01-29T13:00:00.000Z' }, false],
    ['DATE_AFTER inverted invalid time', { contextName: 'currentTime', operator: 'DATE_AFTER', value: '2022-01-29T13:00:00Z', inverted: true }, { currentTime: 'nope' }, true],
    ['SEMVER_GT prerelease', { contextName: 'version', operator: 'SEMVER_GT', value: '2.0.0-alpha' }, { properties: { version: '2.0.0-alpha.1' } }, true],
    ['SEMVER_EQ v-prefixed operand', { contextName: 'version', operator: 'SEMVER_EQ', value: 'v1.2.3' }, { properties: { version: '1.2.3' } }, true],
    ['SEMVER_EQ v-prefixed context', { contextName: 'version', operator: 'SEMVER_EQ', value: '1.2.3' }, { properties: { version: 'v1.2.3' } }, false],
    ['SEMVER_LT inverted invalid → true', { contextName: 'version', operator: 'SEMVER_LT', value: '1.2.3', inverted: true }, { properties: { version: 'x' } }, true],
    ['REGEX posix', { contextName: 'userId', operator: 'REGEX', value: '^[[:alpha:]]+$' }, { userId: 'abc' }, true],
    ['REGEX inline (?i)', { contextName: 'userId', operator: 'REGEX', value: '^(?i)abc$' }, { userId: 'ABC' }, true],
    ['REGEX inverted', { contextName: 'userId', operator: 'REGEX', value: '^a', inverted: true }, { userId: 'ba' }, true],
    ['REGEX invalid', { contextName: 'userId', operator: 'REGEX', value: '(a' }, { userId: 'a' }, false],
    ['IN_CIDR v6', { contextName: 'remoteAddress', operator: 'IN_CIDR', values: ['2001:db8::/32', 'bad'] }, { remoteAddress: '2001:0db8:ffff::1' }, true],
    ['IN_CIDR inverted v4', { contextName: 'remoteAddress', operator: 'IN_CIDR', values: ['10.0.0.0/8'], inverted: true }, { remoteAddress: '11.0.0.1' }, true],
    ['unknown operator, even inverted', { contextName: 'x', operator: 'NOPE', values: ['a'], inverted: true }, { properties: { x: 'a' } }, false],
    ['dotted context name', { contextName: 'user.plan', operator: 'IN', values: ['pro'] }, { properties: { 'user.plan': 'pro' } }, true],
  ];

  it.each(cases)('%s', (_label, constraint, ctx, expected) => {
    const payload = withConstraint(constraint);
    const { unleash } = load(payload);
    expect(unleashOracle(payload as never).isEnabled('f', ctx)).toBe(expected);
    expect(unleash.isEnabled('f', ctx)).toBe(expected);
  });

  it('NOT_IN becomes two rules: notIn, and "attribute missing"', () => {
    const { document } = load(withConstraint({ contextName: 'environment', operator: 'NOT_IN', values: ['dev'] }));
    expect(flagOf(document, 'f').rules?.map((r) => r.conditions)).toEqual([
      [{ attribute: 'environment', operator: 'notIn', values: ['dev'] }],
      [{ attribute: 'environment', operator: 'exists', negate: true }],
    ]);
  });

  it('inverted non-string constraints use a helper segment referenced with negate (true when incomparable)', () => {
    const { document } = load(withConstraint({ contextName: 'n', operator: 'NUM_EQ', value: '12', inverted: true }));
    const rule = flagOf(document, 'f').rules?.[0];
    const key = rule?.conditions[0]?.values?.[0] as string;
    expect(rule?.conditions).toEqual([{ operator: 'inSegment', values: [key], negate: true }]);
    expect(document.segments?.[key]?.conditions).toEqual([
      { attribute: 'n', operator: 'gte', values: [12] },
      { attribute: 'n', operator: 'lte', values: [12] },
    ]);
  });

  it('many inverted string constraints stay linear (helper segments beyond a few)', () => {
    const constraints = Array.from({ length: 8 }, (_, i) => ({ contextName: `c${i}`, operator: 'NOT_IN', values: ['x'] }));
    const payload = payloadOf(feature('f', [{ name: 'default', constraints }]));
    const { document, unleash } = load(payload);
    expect(flagOf(document, 'f').rules?.length).toBe(8);
    expect(unleash.isEnabled('f', {})).toBe(true);
    expect(unleash.isEnabled('f', { properties: { c7: 'x' } })).toBe(false);
    expect(unleash.isEnabled('f', { properties: { c0: 'x' } })).toBe(false);
  });

  it('an unsupported RE2 construct drops the strategy with a warning', () => {
    const { unleash, warnings } = load(
      payloadOf(
        feature('f', [
          { name: 'default', constraints: [{ contextName: 'userId', operator: 'REGEX', value: '(a+)+$' }] },
          { name: 'userWithId', parameters: { userIds: 'aaa' } },
        ]),
      ),
    );
    expect(unleash.isEnabled('f', { userId: 'aaa' })).toBe(true);
    expect(unleash.isEnabled('f', { userId: 'xa' })).toBe(false);
    expect(warnings).toContainEqual({ path: '$.features[0].strategies[0]', message: expect.stringContaining('regular-expression guard') });
  });
});

describe('importUnleash: segments', () => {
  it('maps segments to Halyard segments, inlines inverted ones, and fails strategies on missing segments', () => {
    const payload = {
      version: 2,
      segments: [
        { id: 1, name: 'beta', constraints: [{ contextName: 'plan', operator: 'IN', values: ['beta'] }] },
        { id: 2, constraints: [{ contextName: 'country', operator: 'NOT_IN', values: ['NO'] }] },
        { id: 3, constraints: [] },
      ],
      features: [
        feature('seg1', [{ name: 'default', segments: [1] }]),
        feature('seg2', [{ name: 'default', segments: [2, 3] }]),
        feature('missing', [{ name: 'default', segments: [404] }]),
      ],
    };
    const { document, unleash, warnings } = load(payload);
    expect(document.segments?.['segment-1']).toEqual({ description: 'Unleash segment 1 "beta"', conditions: [{ attribute: 'plan', operator: 'in', values: ['beta'] }] });
    expect(document.segments?.['segment-2']).toBeUndefined();
    expect(flagOf(document, 'seg1').rules?.[0]?.conditions).toEqual([{ operator: 'inSegment', values: ['segment-1'] }]);
    const oracle = unleashOracle(payload as never);
    for (const ctx of [{}, { properties: { plan: 'beta' } }, { properties: { country: 'NO' } }, { properties: { country: 'SE' } }] as UnleashContext[]) {
      for (const name of ['seg1', 'seg2', 'missing']) expect(unleash.isEnabled(name, ctx)).toBe(oracle.isEnabled(name, ctx));
    }
    expect(unleash.isEnabled('seg2', {})).toBe(true);
    expect(unleash.isEnabled('missing', {})).toBe(false);
    expect(warnings).toContainEqual({ path: '$.features[2].strategies[0].segments[0]', message: expect.stringContaining('not in the payload') });
  });
});

describe('importUnleash: variants', () => {
  const variants = [
    { name: 'blue', weight: 500, payload: { type: 'string', value: 'b' }, overrides: [{ contextName: 'userId', values: ['forced'] }] },
    { name: 'red', weight: 300, payload: { type: 'json', value: '{"a":1}' } },
    { name: 'zero', weight: 0 },
    { name: 'green', weight: 200 },
  ];

  it('features with variants become JSON flags whose values are Unleash getVariant() results', () => {
    const { document, unleash } = load(payloadOf(feature('f', [{ name: 'default' }], { variants })));
    const flag = flagOf(document, 'f');
    expect(flag.type).toBe('json');
    expect(flag.variants).toEqual({
      off: { name: 'disabled', enabled: false, feature_enabled: false },
      blue: { name: 'blue', enabled: true, feature_enabled: true, payload: { type: 'string', value: 'b' } },
      red: { name: 'red', enabled: true, feature_enabled: true, payload: { type: 'json', value: '{"a":1}' } },
      zero: { name: 'zero', enabled: true, feature_enabled: true },
      green: { name: 'green', enabled: true, feature_enabled: true },
    });
    expect(unleash.getVariant('f', { userId: 'forced' }).name).toBe('blue');
    expect(unleash.isEnabled('f', { userId: 'x' })).toBe(true);
  });

  it('selects variants exactly like Unleash: murmur3(groupId:id, 86028157) % total + 1 against cumulative weights', () => {
    const { unleash } = load(payloadOf(feature('f', [], { variants })));
    const order = ['blue', 'red', 'zero', 'green'];
    const weights = [500, 300, 0, 200];
    for (let i = 0; i < 1000; i++) {
      const id = `user-${i}`;
      const target = normalizedValue(id, 'f', 1000, 86028157);
      let counter = 0;
      const expected = order.find((_, j) => weights[j] !== 0 && (counter += weights[j] as number) >= target);
      expect(unleash.getVariant('f', { userId: id }).name).toBe(expected);
    }
  });

  it('uses the stickiness of the first variant, and the heaviest variant where Unleash would be random', () => {
    const sticky = variants.map((v) => ({ ...v, overrides: undefined, stickiness: 'tenant' }));
    const { unleash, warnings } = load(payloadOf(feature('f', [], { variants: sticky })));
    for (let i = 0; i < 50; i++) {
      const oracle = unleashOracle(payloadOf(feature('f', [], { variants: sticky })) as never);
      const ctx = { userId: 'same', properties: { tenant: `t${i}` } };
      expect(variantOf(unleash, 'f', ctx)).toEqual(oracle.getVariant('f', ctx));
    }
    expect(unleash.getVariant('f', { userId: 'u' }).name).toBe('blue');
    expect(warnings).toContainEqual({ path: '$.features[0].variants', message: expect.stringContaining('contexts without "tenant" get a random variant') });
  });

  it('strategy variants win over feature variants; empty or zero-weight strategy variants fall back to them', () => {
    const payload = payloadOf(
      feature(
        'f',
        [
          { name: 'flexibleRollout', parameters: { rollout: '100', stickiness: 'default', groupId: 'g1' }, constraints: [{ contextName: 'environment', operator: 'IN', values: ['a'] }], variants: [{ name: 'sA', weight: 1, payload: { type: 'string', value: 'x' } }] },
          { name: 'flexibleRollout', parameters: { rollout: '100', stickiness: 'default', groupId: 'g2' }, constraints: [{ contextName: 'environment', operator: 'IN', values: ['b'] }], variants: [] },
          { name: 'flexibleRollout', parameters: { rollout: '100', stickiness: 'default', groupId: 'g3' }, variants: [{ name: 'z', weight: 0 }] },
        ],
        { variants: [{ name: 'fv', weight: 1 }] },
      ),
    );
    const { unleash } = load(payload);
    const oracle = unleashOracle(payload as never);
    for (const environment of ['a', 'b', 'c']) {
      const ctx = { userId: 'u', environment };
      expect(variantOf(unleash, 'f', ctx)).toEqual(oracle.getVariant('f', ctx));
    }
    expect(unleash.getVariant('f', { environment: 'a' }).name).toBe('sA');
    expect(unleash.getVariant('f', { environment: 'b' }).name).toBe('fv');
  });

  it('strategy variants without a groupId hash with the feature name, with a warning', () => {
    const payload = payloadOf(feature('f', [{ name: 'default', variants: [{ name: 'a', weight: 1 }, { name: 'b', weight: 1 }] }]));
    const { unleash, warnings, document } = load(payload);
    expect(flagOf(document, 'f').rules?.[0]?.serve).toEqual({ split: [{ variant: 'a', weight: 1 }, { variant: 'b', weight: 1 }], bucketBy: 'userId', salt: 'f', seed: 86028157 });
    for (let i = 0; i < 50; i++) {
      expect(unleash.getVariant('f', { userId: `u${i}` }).name).toBe(normalizedValue(`u${i}`, 'f', 2, 86028157) <= 1 ? 'a' : 'b');
    }
    expect(warnings).toContainEqual({ path: '$.features[0].strategies[0].parameters.groupId', message: expect.stringContaining('no usable groupId') });
  });

  it('enabled without any variant reports "disabled" with feature_enabled true; weights adding to 0 mean no variants', () => {
    const { unleash, document } = load(payloadOf(feature('f', [{ name: 'default' }], { variants: [{ name: 'a', weight: 0 }] })));
    expect(flagOf(document, 'f').type).toBe('boolean');
    expect(unleash.getVariant('f', {})).toEqual({ name: 'disabled', enabled: false, feature_enabled: true, featureEnabled: true });
    expect(unleash.getVariant('nope', {}, { name: 'fb', enabled: true })).toEqual({ name: 'fb', enabled: true, feature_enabled: false, featureEnabled: false });
  });

  it('gives distinct keys to equal names with different payloads and to a variant listed twice', () => {
    const payload = payloadOf(
      feature(
        'f',
        [
          { name: 'default', constraints: [{ contextName: 'environment', operator: 'IN', values: ['x'] }], parameters: { groupId: 'g' }, variants: [{ name: 'on', weight: 1, payload: { type: 'string', value: '1' } }, { name: 'b', weight: 1 }, { name: 'on', weight: 1, payload: { type: 'string', value: '1' } }] },
        ],
        { variants: [{ name: 'on', weight: 1, payload: { type: 'string', value: '2' } }] },
      ),
    );
    const { document, unleash } = load(payload);
    expect(Object.keys(flagOf(document, 'f').variants).sort()).toEqual(['b', 'off', 'on', 'u:on', 'u:on:2', 'u:on:3'].filter((k) => k !== 'on').sort());
    const oracle = unleashOracle(payload as never);
    for (let i = 0; i < 60; i++) {
      const ctx = { userId: `u${i}`, environment: i % 2 === 0 ? 'x' : 'y' };
      expect(variantOf(unleash, 'f', ctx)).toEqual(oracle.getVariant('f', ctx));
    }
  });
});

describe('importUnleash: dependencies', () => {
  const parents = [
    feature('p-on', [{ name: 'default' }]),
    feature('p-off', [{ name: 'default' }], { enabled: false }),
    feature('p-var', [{ name: 'default', parameters: { groupId: 'p' }, variants: [{ name: 'v1', weight: 1 }] }]),
  ];

  it('maps dependencies to prerequisites on the parent’s Halyard variants', () => {
    const payload = payloadOf(
      ...parents,
      feature('c1', [{ name: 'default' }], { dependencies: [{ feature: 'p-on' }] }),
      feature('c2', [{ name: 'default' }], { dependencies: [{ feature: 'p-off', enabled: false }] }),
      feature('c3', [{ name: 'default' }], { dependencies: [{ feature: 'p-var', variants: ['v1'] }] }),
      feature('c4', [{ name: 'default' }], { dependencies: [{ feature: 'p-on', variants: ['disabled'] }] }),
      feature('c5', [{ name: 'default' }], { dependencies: [{ feature: 'p-on' }, { feature: 'p-off' }] }),
    );
    const { document, unleash } = load(payload);
    expect(flagOf(document, 'c1').prerequisites).toEqual([{ flag: 'p-on', variants: ['on'] }]);
    // "p-off must be disabled" holds for every context (p-off is switched off): nothing to import.
    expect(flagOf(document, 'c2').prerequisites).toBeUndefined();
    expect(flagOf(document, 'c3').prerequisites).toEqual([{ flag: 'p-var', variants: ['v1'] }]);
    const oracle = unleashOracle(payload as never);
    for (const name of ['c1', 'c2', 'c3', 'c4', 'c5']) {
      expect(unleash.isEnabled(name, {})).toBe(oracle.isEnabled(name, {}));
      expect(variantOf(unleash, name, {})).toEqual(oracle.getVariant(name, {}));
    }
    expect(unleash.isEnabled('c5', {})).toBe(false);
  });

  it('imports unsatisfiable dependencies (missing, transitive, cyclic, impossible variant) as disabled, with warnings', () => {
    const { document, warnings } = load(
      payloadOf(
        ...parents,
        feature('missing', [{ name: 'default' }], { dependencies: [{ feature: 'nope' }] }),
        feature('mid', [{ name: 'default' }], { dependencies: [{ feature: 'p-on' }] }),
        feature('transitive', [{ name: 'default' }], { dependencies: [{ feature: 'mid' }] }),
        feature('a', [{ name: 'default' }], { dependencies: [{ feature: 'b' }] }),
        feature('b', [{ name: 'default' }], { dependencies: [{ feature: 'a' }] }),
        feature('impossible', [{ name: 'default' }], { dependencies: [{ feature: 'p-var', variants: ['nope'] }] }),
      ),
    );
    for (const name of ['missing', 'transitive', 'a', 'b', 'impossible']) {
      expect(flagOf(document, name).enabled).toBe(false);
      expect(flagOf(document, name).prerequisites).toBeUndefined();
    }
    expect(flagOf(document, 'mid').enabled).toBe(true);
    expect(warnings.filter((w) => w.message.includes('imported as disabled'))).toHaveLength(5);
  });
});

describe('importUnleash: payload formats', () => {
  it('applies delta events in order', () => {
    const { unleash, keys } = load({
      events: [
        { eventId: 1, type: 'hydration', segments: [{ id: 1, constraints: [{ contextName: 'appName', operator: 'IN', values: ['web'] }] }], features: [feature('a', [{ name: 'default' }]), feature('gone', [{ name: 'default' }])] },
        { eventId: 2, type: 'feature-updated', feature: feature('b', [{ name: 'default', segments: [1] }]) },
        { eventId: 3, type: 'feature-removed', featureName: 'gone' },
        { eventId: 4, type: 'segment-updated', segment: { id: 1, constraints: [{ contextName: 'appName', operator: 'IN', values: ['app'] }] } },
      ],
    });
    expect(Object.keys(keys).sort()).toEqual(['a', 'b']);
    expect(unleash.isEnabled('b', { appName: 'app' })).toBe(true);
    expect(unleash.isEnabled('b', { appName: 'web' })).toBe(false);
  });

  it('accepts JSON text and keeps the revision as the document version', () => {
    const { document } = load(JSON.stringify({ version: 2, features: [feature('a', [])], meta: { revisionId: 17 } }));
    expect(document.version).toBe(17);
  });

  it('last definition wins for duplicate feature names', () => {
    const { unleash, warnings } = load(payloadOf(feature('a', [{ name: 'default' }]), feature('a', [{ name: 'default' }], { enabled: false })));
    expect(unleash.isEnabled('a')).toBe(false);
    expect(warnings[0]?.message).toContain('more than once');
  });
});

describe('importUnleash: bad input never throws', () => {
  it.each([
    ['undefined', undefined, '$'],
    ['null', null, '$'],
    ['a number', 42, '$'],
    ['an array', [], '$'],
    ['invalid JSON text', '{"features": [', '$'],
    ['features not an array', { features: 'x' }, '$.features'],
    ['events not an array', { events: {} }, '$.events'],
  ])('%s → empty document and an error at %s', (_label, input, path) => {
    const r = importUnleash(input);
    expect(r.document).toEqual({ schemaVersion: 1, flags: {} });
    expect(r.errors[0]?.path).toBe(path);
    expect(parseDefinitions(r.document).ok).toBe(true);
  });

  it('reports malformed parts with their path and imports the rest', () => {
    const r = importUnleash({
      features: [
        null,
        { enabled: true },
        feature('bad-strategies', 'nope' as never),
        feature('bad-parts', [
          'x',
          { name: 'userWithId', parameters: { userIds: 7 } },
          { name: 'default', constraints: [null, { operator: 'IN' }], variants: [{ weight: 1 }, { name: 'v', weight: -1 }, { name: 'w', weight: 2, payload: 5 }] },
        ]),
        feature('ok', [{ name: 'default' }], { dependencies: 'x', variants: 'y' }),
      ],
      segments: ['s', { id: 'x'.repeat(0) }],
    });
    const paths = r.errors.map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '$.features[0]',
        '$.features[1].name',
        '$.features[2].strategies',
        '$.features[3].strategies[0]',
        '$.features[3].strategies[1].parameters.userIds',
        '$.features[3].strategies[2].constraints[0]',
        '$.features[3].strategies[2].constraints[1].contextName',
        '$.features[3].strategies[2].variants[0].name',
        '$.features[3].strategies[2].variants[1].weight',
        '$.features[3].strategies[2].variants[2].payload',
        '$.features[4].variants',
        '$.features[4].dependencies',
        '$.segments[0]',
        '$.segments[1].id',
      ]),
    );
    const parsed = parseDefinitions(r.document);
    expect(parsed.ok).toBe(true);
    const unleash = createUnleashAdapter(createEvaluator(parsed.definitions!));
    expect(unleash.isEnabled('ok')).toBe(true);
    expect(unleash.isEnabled('bad-strategies')).toBe(false);
    expect(unleash.isEnabled('bad-parts')).toBe(false);
  });

  it('survives hostile objects and deep garbage', () => {
    const hostile = { get features(): never { throw new Error('boom'); } };
    const r = importUnleash(hostile);
    expect(r.errors[0]).toEqual({ path: '$', message: expect.stringContaining('boom') });
    const junk: unknown[] = [0, '', true, [], {}, { name: 1 }, { name: 'x', strategies: [{ name: 'flexibleRollout', parameters: { rollout: {}, groupId: [] } }] }];
    for (const j of junk) {
      const res = importUnleash({ features: [j], segments: [j] });
      expect(parseDefinitions(res.document).ok).toBe(true);
    }
  });

  it('unleashResult decodes served values and rejects foreign ones as disabled', () => {
    expect(unleashResult(true)).toEqual({ enabled: true, variant: { name: 'disabled', enabled: false, feature_enabled: true, featureEnabled: true } });
    expect(unleashResult({ name: 'x', enabled: true, feature_enabled: true, payload: { type: 'string', value: 'v' } }).variant.payload).toEqual({ type: 'string', value: 'v' });
    expect(unleashResult('nope').enabled).toBe(false);
    expect(unleashResult({ value: true, reason: 'ERROR' }).enabled).toBe(false);
  });
});

describe('RE2 → JavaScript patterns', () => {
  it.each([
    ['^[[:alpha:]]+$', false, '^[A-Za-z]+$', false],
    ['^(?i)abc$', false, '^abc$', true],
    ['(?m)^foo$', false, '(?<![^\\n])foo(?![^\\n])', false],
    ['^(?s)a.b$', false, '^a[\\s\\S]b$', false],
    ['a.b', false, 'a[^\\n]b', false],
    ['\\Qa.b\\E', false, 'a\\.b', false],
    ['a(?i:b)c', false, 'a(?:[bB])c', false],
    ['(?P<n>x)\\x{41}\\z', false, '(x)A$', false],
    ['a{,2}}', false, 'a\\{,2\\}\\}', false],
    ['\\s\\@', false, '[\\t\\n\\f\\r ]@', false],
  ])('%s', (pattern, ci, expected, expectedCi) => {
    expect(translateRe2(pattern, ci)).toEqual({ kind: 'ok', pattern: expected, caseInsensitive: expectedCi });
  });

  it.each(['^(?=a)b$', '(a)\\1', '(abc', 'a**', 'a++', '[[:nope:]]', '\\k<x>'])('%s is invalid RE2', (pattern) => {
    expect(translateRe2(pattern, false).kind).toBe('invalid');
  });

  it.each(['a(?i)[b-c]', '\\C', '[\\Sa]'])('%s is valid RE2 without an exact JavaScript form', (pattern) => {
    expect(translateRe2(pattern, false).kind).toBe('unsupported');
  });
});

describe('core additions used by the import: rule rollout gates and inCidr', () => {
  const doc = (rule: Json) => ({
    schemaVersion: 1,
    flags: { f: { variants: { on: true, off: false }, enabled: true, offVariant: 'off', rules: [rule, { id: 'second', conditions: [{ attribute: 'userId', operator: 'equals', values: ['vip'] }], serve: { variant: 'on' } }], defaultServe: { variant: 'off' } } },
  });

  it('validates rollout and inCidr with paths', () => {
    const bad = parseDefinitions(
      doc({ conditions: [{ attribute: 'ip', operator: 'inCidr', values: ['10.0.0.0/33'] }], rollout: { weight: 5, total: 4, extra: 1 }, serve: { variant: 'on' } }),
    );
    expect(bad.problems?.map((p) => p.path)).toEqual([
      '$.flags["f"].rules[0].conditions[0].values[0]',
      '$.flags["f"].rules[0].rollout.extra',
      '$.flags["f"].rules[0].rollout.weight',
    ]);
  });

  it('a unit outside the rollout (or without the bucketBy attribute) continues with the next rule', () => {
    const parsed = parseDefinitions(doc({ id: 'gate', conditions: [], rollout: { weight: 30, total: 100, salt: 's', bucketBy: 'userId' }, serve: { variant: 'on' } }));
    const ev = createEvaluator(parsed.definitions!);
    let inside = 0;
    for (let i = 0; i < 500; i++) {
      const id = `u${i}`;
      const pass = normalizedValue(id, 's', 100, 0) <= 30;
      inside += pass ? 1 : 0;
      expect(ev.getDetails('f', false, { userId: id })).toMatchObject(pass ? { value: true, ruleId: 'gate' } : { value: false, reason: 'DEFAULT' });
    }
    expect(inside).toBeGreaterThan(100);
    expect(inside).toBeLessThan(200);
    expect(normalizedValue('vip', 's', 100, 0)).toBeGreaterThan(30);
    expect(ev.getDetails('f', false, { userId: 'vip' })).toMatchObject({ value: true, ruleId: 'second' });
    expect(ev.getDetails('f', false, {})).toMatchObject({ value: false, reason: 'DEFAULT' });
  });

  it('inCidr matches addresses of the same family, negated or not; non-addresses never match', () => {
    const parsed = parseDefinitions(doc({ id: 'net', conditions: [{ attribute: 'ip', operator: 'inCidr', values: ['10.0.0.0/8', '2001:db8::/32', '192.168.0.1'] }], serve: { variant: 'on' } }));
    const ev = createEvaluator(parsed.definitions!);
    const hit = (ip: unknown) => ev.getDetails('f', false, { ip }).value;
    expect([hit('10.255.0.1'), hit('11.0.0.1'), hit('192.168.0.1'), hit('192.168.0.2')]).toEqual([true, false, true, false]);
    expect([hit('2001:db8::5'), hit('2001:0DB8:0:0:0:0:0:1'), hit('2001:db9::1'), hit('::ffff:10.0.0.1')]).toEqual([true, true, false, false]);
    expect([hit('not-an-ip'), hit(167772161), hit(undefined)]).toEqual([false, false, false]);
    const negated = createEvaluator(parseDefinitions(doc({ conditions: [{ attribute: 'ip', operator: 'inCidr', values: ['10.0.0.0/8'], negate: true }], serve: { variant: 'on' } })).definitions!);
    expect(negated.getDetails('f', false, { ip: '11.0.0.1' }).value).toBe(true);
    expect(negated.getDetails('f', false, { ip: 'garbage' }).value).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Differential test against the real unleash-client-node on generated payloads and contexts.

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('matches unleash-client-node on generated payloads', () => {
  const rand = prng(20251121);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const chance = (p: number): boolean => rand() < p;
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));

  // Contexts always carry a sessionId and a tenant, so no case depends on Unleash's randomness.
  const constraintPool = (): Json => {
    const inverted = chance(0.3);
    const kind = int(0, 9);
    const base: Json =
      kind === 0
        ? { contextName: 'environment', operator: pick(['IN', 'NOT_IN']), values: pick([['prod'], ['dev', 'qa'], ['prod', ' dev']]) }
        : kind === 1
          ? { contextName: 'plan', operator: pick(['IN', 'NOT_IN']), values: pick([['pro'], ['free', 'pro']]) }
          : kind === 2
            ? { contextName: 'email', operator: pick(['STR_CONTAINS', 'STR_STARTS_WITH', 'STR_ENDS_WITH']), values: pick([['example'], ['A'], ['.com', '.org']]), caseInsensitive: chance(0.5) }
            : kind === 3
              ? { contextName: 'age', operator: pick(['NUM_EQ', 'NUM_LT', 'NUM_LTE', 'NUM_GT', 'NUM_GTE']), value: pick(['18', '42.0', '17.5']) }
              : kind === 4
                ? { contextName: 'version', operator: pick(['SEMVER_EQ', 'SEMVER_LT', 'SEMVER_GT', 'SEMVER_LTE', 'SEMVER_GTE']), value: pick(['1.2.3', '2.0.0-beta.1', '10.0.0']) }
                : kind === 5
                  ? { contextName: 'currentTime', operator: pick(['DATE_AFTER', 'DATE_BEFORE']), value: pick(['2024-06-01T00:00:00.000Z', '2025-01-01T12:00:00+02:00']) }
                  : kind === 6
                    ? { contextName: 'email', operator: 'REGEX', value: pick(['^[a-z]+@example\\.com$', '(?i)^A', '\\d{2}', '[[:upper:]]']), caseInsensitive: chance(0.3) }
                    : kind === 7
                      ? { contextName: 'remoteAddress', operator: 'IN_CIDR', values: pick([['10.0.0.0/8'], ['192.168.1.0/24', '2001:db8::/32'], ['127.0.0.1']]) }
                      : kind === 8
                        ? { contextName: 'userId', operator: pick(['IN', 'NOT_IN']), values: ['u1', 'u2', 'u3'] }
                        : { contextName: 'tenant', operator: 'STR_ENDS_WITH', values: ['1', '2'] };
    return inverted ? { ...base, inverted: true } : base;
  };
  const variantPool = (): Json[] | undefined => {
    if (chance(0.4)) return undefined;
    // Not userId: a missing userId would make Unleash pick a random variant.
    const stickiness = pick([undefined, 'default', 'tenant', 'sessionId']);
    return Array.from({ length: int(1, 4) }, (_, i) => {
      const v: Json = { name: pick(['a', 'b', 'c', 'on', 'off', 'disabled']) + (chance(0.7) ? String(i) : ''), weight: pick([0, 1, 33, 50, 100, 250]), stickiness };
      if (chance(0.6)) v.payload = { type: pick(['string', 'json', 'number']), value: pick(['x', '{"k":1}', '1.5']) };
      if (chance(0.2)) v.overrides = [{ contextName: pick(['userId', 'plan']), values: ['u4', 'free'] }];
      return v;
    });
  };
  const strategyPool = (): Json => {
    const constraints = Array.from({ length: int(0, 2) }, constraintPool);
    const segments = chance(0.25) ? [pick([1, 2, 3, 99])] : undefined;
    const kind = int(0, 6);
    let s: Json;
    if (kind === 0) s = { name: 'default', parameters: { groupId: `g${int(0, 3)}` } };
    else if (kind === 1) s = { name: 'userWithId', parameters: { userIds: pick(['u1', 'u2, u5', 'u3,u4']) } };
    else if (kind === 2)
      s = { name: 'flexibleRollout', parameters: { rollout: String(pick([0, 1, int(2, 98), int(2, 98), 99, 100])), stickiness: pick(['default', 'userId', 'sessionId', 'tenant']), groupId: `grp-${int(0, 5)}` } };
    else if (kind === 3) s = { name: pick(['gradualRolloutUserId', 'gradualRolloutSessionId']), parameters: { percentage: String(int(0, 100)), groupId: `grp-${int(0, 5)}` } };
    else if (kind === 4) s = { name: 'remoteAddress', parameters: { IPs: pick(['10.0.0.0/8', '192.168.1.5, 2001:db8::1', '172.16.0.0/12,127.0.0.1']) } };
    else if (kind === 5) s = { name: 'gradualRolloutRandom', parameters: { percentage: pick(['0', '100']) } };
    else s = { name: 'flexibleRollout', parameters: { rollout: String(int(1, 99)), stickiness: 'default', groupId: 'shared' } };
    // Always a groupId: without one, unleash-client-node hashes strategy variants with the salt "undefined" where
    // the import uses the feature name (with a warning, tested above).
    s.parameters = { groupId: `grp-${int(0, 5)}`, ...(s.parameters as Json) };
    s.constraints = constraints;
    if (segments !== undefined) s.segments = segments;
    const variants = variantPool();
    if (variants !== undefined) s.variants = variants;
    return s;
  };

  const segments = [
    { id: 1, constraints: [{ contextName: 'plan', operator: 'IN', values: ['pro', 'enterprise'] }] },
    { id: 2, constraints: [{ contextName: 'environment', operator: 'NOT_IN', values: ['prod'] }, { contextName: 'age', operator: 'NUM_GTE', value: '18' }] },
    { id: 3, constraints: [{ contextName: 'age', operator: 'NUM_LT', value: '18', inverted: true }] },
  ];
  const features: Json[] = [];
  for (let i = 0; i < 120; i++) {
    const f = feature(`feature-${i}`, Array.from({ length: int(0, 3) }, strategyPool), { enabled: chance(0.9) });
    const variants = variantPool();
    if (variants !== undefined) f.variants = variants;
    if (i >= 20 && chance(0.25)) {
      const parent = features[int(0, 19)] as Json;
      f.dependencies = [pick([{ feature: parent.name }, { feature: parent.name, enabled: false }, { feature: parent.name, variants: ['a0', 'b1', 'disabled'] }])];
    }
    features.push(f);
  }
  const payload = { version: 2, segments, features };

  const contexts: UnleashContext[] = Array.from({ length: 150 }, (_, i) => {
    const ctx: UnleashContext = { sessionId: `session-${i}`, currentTime: pick(['2024-01-01T00:00:00.000Z', '2024-12-31T23:59:59.000Z', '2025-06-01T00:00:00.000Z']) };
    if (chance(0.8)) ctx.userId = chance(0.3) ? pick(['u1', 'u2', 'u3', 'u4', 'u5']) : `user-${i}`;
    if (chance(0.7)) ctx.remoteAddress = pick(['10.1.2.3', '192.168.1.5', '2001:db8::1', '2001:db8::2', '8.8.8.8', '127.0.0.1']);
    if (chance(0.7)) ctx.environment = pick(['prod', 'dev', 'qa']);
    const properties: Record<string, string> = { tenant: `tenant-${int(0, 40)}` };
    if (chance(0.7)) properties.plan = pick(['free', 'pro', 'enterprise']);
    if (chance(0.7)) properties.email = pick(['ann@example.com', 'Bob@EXAMPLE.org', 'c99@x.com', 'dan@example.net']);
    if (chance(0.7)) properties.age = pick(['17', '18', '42', '17.5', 'abc']);
    if (chance(0.7)) properties.version = pick(['1.2.3', '2.0.0-alpha', '2.0.0', 'v1.2.3', 'garbage', '10.0.0']);
    ctx.properties = properties;
    return ctx;
  });

  it('imports the generated payload into a valid document', () => {
    const { errors, document } = importUnleash(payload);
    expect(errors).toEqual([]);
    expect(parseDefinitions(document).problems).toBeUndefined();
  });

  it('agrees with unleash-client on isEnabled and getVariant for every feature × context', () => {
    const { unleash } = load(payload);
    const oracle = unleashOracle(payload as never);
    let enabled = 0;
    let withVariant = 0;
    const mismatches: string[] = [];
    for (const f of features) {
      const name = f.name as string;
      for (const ctx of contexts) {
        const expectedEnabled = oracle.isEnabled(name, ctx);
        const expectedVariant = oracle.getVariant(name, ctx);
        if (unleash.isEnabled(name, ctx) !== expectedEnabled) mismatches.push(`isEnabled ${name} ${JSON.stringify(ctx)}`);
        const actual = variantOf(unleash, name, ctx);
        if (JSON.stringify(actual) !== JSON.stringify(expectedVariant)) mismatches.push(`getVariant ${name} ${JSON.stringify(ctx)}: ${JSON.stringify(actual)} ≠ ${JSON.stringify(expectedVariant)}`);
        enabled += expectedEnabled ? 1 : 0;
        withVariant += expectedVariant.enabled === true ? 1 : 0;
      }
    }
    if (process.env.UNLEASH_DEBUG) {
      console.log(mismatches.length, [...new Set(mismatches.map((m) => m.split(' ')[1]))].join(' '));
      for (const n of [...new Set(mismatches.map((m) => m.split(' ')[1]))]) console.log(JSON.stringify(features.find((f) => f.name === n)));
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
    // The generated cases exercise both outcomes substantially.
    const total = features.length * contexts.length;
    expect(enabled).toBeGreaterThan(total * 0.15);
    expect(enabled).toBeLessThan(total * 0.85);
    expect(withVariant).toBeGreaterThan(total * 0.05);
  });
});

describe('createUnleashAdapter', () => {
  it('reads through a FlagClient exactly as through an Evaluator', async () => {
    const payload = payloadOf(
      feature('rollout', [{ name: 'flexibleRollout', parameters: { rollout: '50', stickiness: 'userId', groupId: 'g' } }]),
      feature('themed', [{ name: 'default', variants: [{ name: 'blue', weight: 1, payload: { type: 'string', value: 'b' } }, { name: 'red', weight: 1 }] }]),
    );
    const { document } = importUnleash(payload);
    const client = createFlagClient({ source: staticSource(document) });
    await client.ready();
    const viaClient = createUnleashAdapter(client);
    const viaEvaluator = createUnleashAdapter(createEvaluator(parseDefinitions(document).definitions!));
    let enabled = 0;
    for (let i = 0; i < 50; i++) {
      const ctx = { userId: `u${i}` };
      if (viaEvaluator.isEnabled('rollout', ctx)) enabled++;
      expect(viaClient.isEnabled('rollout', ctx)).toBe(viaEvaluator.isEnabled('rollout', ctx));
      expect(viaClient.getVariant('themed', ctx)).toEqual(viaEvaluator.getVariant('themed', ctx));
    }
    expect(enabled).toBeGreaterThan(10);
    expect(enabled).toBeLessThan(40);
    expect(['blue', 'red']).toContain(viaClient.getVariant('themed', { userId: 'u1' }).name);
    expect(viaClient.isEnabled('missing', {}, true)).toBe(true);
    expect(viaClient.getVariant('missing', {}, { name: 'fallback', enabled: true })).toEqual({ name: 'fallback', enabled: true, feature_enabled: false, featureEnabled: false });
    client.close();
  });
});
