import type { FlagsDocument } from '@halyard/core';

/**
 * The four reference flags, written once per implementation in that implementation's own configuration format.
 * Keys are shared so the hash input (`flagKey + ":" + userId` in Halyard) is the same everywhere it can be.
 */

export const FLAG_KEYS = ['bool-on', 'rollout-25', 'rule-enterprise', 'split-3'] as const;
export type FlagKey = (typeof FLAG_KEYS)[number];

export const FLAG_TITLES: Record<FlagKey, string> = {
  'bool-on': '(1) boolean on',
  'rollout-25': '(2) 25% rollout',
  'rule-enterprise': '(3) rule: country∧plan∧email',
  'split-3': '(4) 50/25/25 split',
};

export const RULE_COUNTRIES = ['US', 'CA', 'GB'];
export const RULE_PLAN = 'enterprise';
export const RULE_EMAIL_SUFFIX = '@example.com';

/** Halyard's FlagsDocument (schemaVersion 1); weights out of 100 so the baseline can use `hash % 100`. */
export const halyardDocument: FlagsDocument = {
  schemaVersion: 1,
  version: 'bench-1',
  flags: {
    'bool-on': {
      kind: 'release',
      variants: { on: true, off: false },
      enabled: true,
      offVariant: 'off',
      defaultServe: { variant: 'on' },
    },
    'rollout-25': {
      kind: 'release',
      variants: { on: true, off: false },
      enabled: true,
      offVariant: 'off',
      defaultServe: {
        split: [
          { variant: 'on', weight: 25 },
          { variant: 'off', weight: 75 },
        ],
      },
    },
    'rule-enterprise': {
      kind: 'permission',
      variants: { on: true, off: false },
      enabled: true,
      offVariant: 'off',
      rules: [
        {
          id: 'enterprise-anglo',
          conditions: [
            { attribute: 'country', operator: 'in', values: RULE_COUNTRIES },
            { attribute: 'plan', operator: 'equals', values: [RULE_PLAN] },
            { attribute: 'email', operator: 'endsWith', values: [RULE_EMAIL_SUFFIX] },
          ],
          serve: { variant: 'on' },
        },
      ],
      defaultServe: { variant: 'off' },
    },
    'split-3': {
      kind: 'experiment',
      variants: { a: 'a', b: 'b', c: 'c' },
      enabled: true,
      offVariant: 'a',
      defaultServe: {
        split: [
          { variant: 'a', weight: 50 },
          { variant: 'b', weight: 25 },
          { variant: 'c', weight: 25 },
        ],
      },
    },
  },
};

/** flagd flag configuration (JSON Logic targeting; `fractional` buckets on flagKey + targetingKey). */
export const flagdConfiguration = {
  flags: {
    'bool-on': { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' },
    'rollout-25': {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
      targeting: { fractional: [['on', 25], ['off', 75]] },
    },
    'rule-enterprise': {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
      targeting: {
        if: [
          {
            and: [
              { in: [{ var: 'country' }, RULE_COUNTRIES] },
              { '==': [{ var: 'plan' }, RULE_PLAN] },
              { ends_with: [{ var: 'email' }, RULE_EMAIL_SUFFIX] },
            ],
          },
          'on',
          'off',
        ],
      },
    },
    'split-3': {
      state: 'ENABLED',
      variants: { a: 'a', b: 'b', c: 'c' },
      defaultVariant: 'a',
      targeting: { fractional: [['a', 50], ['b', 25], ['c', 25]] },
    },
  },
};

/** GrowthBook feature definitions: force rule with coverage for the rollout, an experiment rule for the split. */
export const growthbookFeatures = {
  'bool-on': { defaultValue: true },
  'rollout-25': { defaultValue: false, rules: [{ force: true, coverage: 0.25, hashAttribute: 'id' }] },
  'rule-enterprise': {
    defaultValue: false,
    rules: [
      {
        // GrowthBook has no endsWith operator; an anchored $regex is its documented way to express one.
        condition: { country: { $in: RULE_COUNTRIES }, plan: RULE_PLAN, email: { $regex: '@example\\.com$' } },
        force: true,
      },
    ],
  },
  'split-3': {
    defaultValue: 'a',
    rules: [{ key: 'split-3', variations: ['a', 'b', 'c'], weights: [0.5, 0.25, 0.25], hashAttribute: 'id' }],
  },
};

/** Unleash client features (API v2 shape): flexibleRollout for rollouts and variants, constraints for the rule. */
export const unleashFeatures = [
  {
    name: 'bool-on',
    enabled: true,
    strategies: [{ name: 'default', parameters: {}, constraints: [] }],
  },
  {
    name: 'rollout-25',
    enabled: true,
    strategies: [{ name: 'flexibleRollout', parameters: { rollout: '25', stickiness: 'userId', groupId: 'rollout-25' }, constraints: [] }],
  },
  {
    name: 'rule-enterprise',
    enabled: true,
    strategies: [
      {
        name: 'default',
        parameters: {},
        constraints: [
          { contextName: 'country', operator: 'IN', values: RULE_COUNTRIES, inverted: false, caseInsensitive: false },
          { contextName: 'plan', operator: 'IN', values: [RULE_PLAN], inverted: false, caseInsensitive: false },
          { contextName: 'email', operator: 'STR_ENDS_WITH', values: [RULE_EMAIL_SUFFIX], inverted: false, caseInsensitive: false },
        ],
      },
    ],
  },
  {
    name: 'split-3',
    enabled: true,
    strategies: [
      {
        name: 'flexibleRollout',
        parameters: { rollout: '100', stickiness: 'userId', groupId: 'split-3' },
        constraints: [],
        variants: [
          { name: 'a', weight: 500, weightType: 'variable', stickiness: 'userId' },
          { name: 'b', weight: 250, weightType: 'variable', stickiness: 'userId' },
          { name: 'c', weight: 250, weightType: 'variable', stickiness: 'userId' },
        ],
      },
    ],
  },
];

function ldFlag(key: string, variations: unknown[], rest: Record<string, unknown>): Record<string, unknown> {
  return {
    key,
    version: 1,
    on: true,
    variations,
    offVariation: 0,
    targets: [],
    contextTargets: [],
    rules: [],
    prerequisites: [],
    salt: key,
    trackEvents: false,
    trackEventsFallthrough: false,
    ...rest,
  };
}

/** LaunchDarkly flag data models, injected with TestData.usePreconfiguredFlag (its builder has no rollouts). */
export const launchdarklyFlags = [
  ldFlag('bool-on', [true, false], { fallthrough: { variation: 0 }, offVariation: 1 }),
  ldFlag('rollout-25', [true, false], {
    offVariation: 1,
    fallthrough: { rollout: { variations: [{ variation: 0, weight: 25_000 }, { variation: 1, weight: 75_000 }] } },
  }),
  ldFlag('rule-enterprise', [true, false], {
    offVariation: 1,
    rules: [
      {
        id: 'enterprise-anglo',
        variation: 0,
        clauses: [
          { attribute: 'country', op: 'in', values: RULE_COUNTRIES, negate: false },
          { attribute: 'plan', op: 'in', values: [RULE_PLAN], negate: false },
          { attribute: 'email', op: 'endsWith', values: [RULE_EMAIL_SUFFIX], negate: false },
        ],
      },
    ],
    fallthrough: { variation: 1 },
  }),
  ldFlag('split-3', ['a', 'b', 'c'], {
    fallthrough: {
      rollout: {
        variations: [
          { variation: 0, weight: 50_000 },
          { variation: 1, weight: 25_000 },
          { variation: 2, weight: 25_000 },
        ],
      },
    },
  }),
];

// ---------------------------------------------------------------------------------------------------------------
// All flags for one context: 50 flags cycling the four reference shapes.

/** How many flags the all-flags rows evaluate per call. */
export const MIXED_FLAG_COUNT = 50;

/** `<shape>-<i>` for i in 0…count-1, cycling (1)–(4): 13 booleans on, 13 rollouts, 12 rules, 12 splits for 50. */
export function mixedKeys(count = MIXED_FLAG_COUNT): Array<{ key: string; shape: number }> {
  return Array.from({ length: count }, (_, i) => ({ key: `${FLAG_KEYS[i % 4]!}-${i}`, shape: i % 4 }));
}

/** The four reference flags' definitions under new keys (each key is its own bucketing salt in every SDK). */
export function halyardMixedDocument(count = MIXED_FLAG_COUNT): FlagsDocument {
  const defs = Object.values(halyardDocument.flags);
  return { schemaVersion: 1, version: 'bench-mixed-1', flags: Object.fromEntries(mixedKeys(count).map(({ key, shape }) => [key, defs[shape]!])) };
}

export function flagdMixedConfiguration(count = MIXED_FLAG_COUNT): { flags: Record<string, unknown> } {
  const defs = Object.values(flagdConfiguration.flags);
  return { flags: Object.fromEntries(mixedKeys(count).map(({ key, shape }) => [key, defs[shape]!])) };
}

export function launchdarklyMixedFlags(count = MIXED_FLAG_COUNT): Array<Record<string, unknown>> {
  return mixedKeys(count).map(({ key, shape }) => ({ ...launchdarklyFlags[shape]!, key, salt: key }));
}
