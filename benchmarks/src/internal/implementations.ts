import { EventEmitter } from 'node:events';
import { createEvaluator, parseDefinitions } from '@halyard/core';
import type { Evaluator } from '@halyard/core';
import { hashWithPrefix, prefixState } from './baseline';
import {
  flagdConfiguration,
  flagdMixedConfiguration,
  halyardMixedDocument,
  launchdarklyMixedFlags,
  mixedKeys,
  growthbookFeatures,
  halyardDocument,
  launchdarklyFlags,
  RULE_COUNTRIES,
  RULE_EMAIL_SUFFIX,
  RULE_PLAN,
  unleashFeatures,
} from './flags';
import type { User } from './users';

export { MIXED_FLAG_COUNT } from './flags';

/** One evaluation of one flag for one prepared context. Results: boolean for (1)–(3), variant name for (4). */
export type EvalFn = (context: any) => unknown;

export interface Implementation {
  /** Short name used in tables. */
  name: string;
  /** Package and version, and the exact API call measured. */
  description: string;
  /** `variation()` returns a Promise: the harness awaits every call. */
  async: boolean;
  /** Per-user contexts in this implementation's own shape (index-aligned with the users). */
  contexts: unknown[];
  /** The four reference flags, in FLAG_KEYS order. */
  flags: [EvalFn, EvalFn, EvalFn, EvalFn];
  /** True for the floor the others are compared against. */
  baseline?: boolean;
  /** Halyard rows get the PASS/MISS targets. */
  halyard?: boolean;
  close?: () => void | Promise<void>;
}

export function baseline(users: User[]): Implementation {
  const rollout = prefixState('rollout-25:');
  const split = prefixState('split-3:');
  const countries = new Set(RULE_COUNTRIES);
  return {
    name: 'hand-written',
    description: 'inlined murmur3 with precomputed prefix state, direct property checks, a constant',
    async: false,
    baseline: true,
    contexts: users,
    flags: [
      () => true,
      (u: User) => (hashWithPrefix(rollout, u.userId) >>> 0) % 100 < 25,
      (u: User) => countries.has(u.country) && u.plan === RULE_PLAN && u.email.endsWith(RULE_EMAIL_SUFFIX),
      (u: User) => {
        const bucket = (hashWithPrefix(split, u.userId) >>> 0) % 100;
        return bucket < 50 ? 'a' : bucket < 75 ? 'b' : 'c';
      },
    ],
  };
}

/** Halyard's evaluator, compiled from the reference document through the public API, as an app would. */
export function halyardEvaluator(): Evaluator {
  const parsed = parseDefinitions(halyardDocument);
  if (!parsed.ok) throw new Error(`@halyard/benchmarks: reference flags rejected: ${JSON.stringify(parsed.problems)}`);
  return createEvaluator(parsed.definitions);
}

export function halyardGetValue(ev: Evaluator, users: User[]): Implementation {
  return {
    name: 'halyard getValue',
    description: '@halyard/core evaluator.getValue(key, default, context) (allocation-free value API)',
    async: false,
    halyard: true,
    contexts: users,
    flags: [
      (u) => ev.getValue('bool-on', false, u),
      (u) => ev.getValue('rollout-25', false, u),
      (u) => ev.getValue('rule-enterprise', false, u),
      (u) => ev.getValue('split-3', 'a', u),
    ],
  };
}

/**
 * Halyard's bound flag handles (`evaluator.flag(key)`), bound once before the loop as an app binds them at
 * startup: `isEnabled(ctx)` for the boolean flags (1)–(3), `getValue(ctx, default)` for the string split (4).
 */
export function halyardFlag(ev: Evaluator, users: User[]): Implementation {
  const boolOn = ev.flag('bool-on');
  const rollout = ev.flag('rollout-25');
  const rule = ev.flag('rule-enterprise');
  const split = ev.flag<string>('split-3');
  return {
    name: 'halyard flag()',
    description: '@halyard/core evaluator.flag(key) handle: .isEnabled(context) for (1)–(3), .getValue(default, context) for (4)',
    async: false,
    halyard: true,
    contexts: users,
    flags: [(u) => boolOn.isEnabled(u), (u) => rollout.isEnabled(u), (u) => rule.isEnabled(u), (u) => split.getValue('a', u)],
  };
}

export function halyardGetDetails(ev: Evaluator, users: User[]): Implementation {
  return {
    name: 'halyard getDetails',
    description: '@halyard/core evaluator.getDetails(key, default, context).value (full EvaluationDetails)',
    async: false,
    halyard: true,
    contexts: users,
    flags: [
      (u) => ev.getDetails('bool-on', false, u).value,
      (u) => ev.getDetails('rollout-25', false, u).value,
      (u) => ev.getDetails('rule-enterprise', false, u).value,
      (u) => ev.getDetails('split-3', 'a', u).value,
    ],
  };
}

export async function flagd(users: User[]): Promise<Implementation> {
  const { FlagdCore } = await import('@openfeature/flagd-core');
  const core = new FlagdCore();
  core.setConfigurations(JSON.stringify(flagdConfiguration));
  return {
    name: 'flagd-core',
    description: '@openfeature/flagd-core 4.0.1 FlagdCore.resolveBoolean/StringEvaluation(key, default, ctx).value',
    async: false,
    contexts: users.map((u) => ({ targetingKey: u.userId, country: u.country, plan: u.plan, email: u.email })),
    flags: [
      (c) => core.resolveBooleanEvaluation('bool-on', false, c).value,
      (c) => core.resolveBooleanEvaluation('rollout-25', false, c).value,
      (c) => core.resolveBooleanEvaluation('rule-enterprise', false, c).value,
      (c) => core.resolveStringEvaluation('split-3', 'a', c).value,
    ],
  };
}

export async function growthbook(users: User[]): Promise<Implementation> {
  const { GrowthBookClient } = await import('@growthbook/growthbook');
  // GrowthBookClient is GrowthBook's multi-user server API: one instance holds the features and each call takes
  // the user's context. It beat the alternatives measured (GrowthBook + setAttributes per call; a scoped
  // instance per user), see docs/benchmarks.md.
  const client = new GrowthBookClient();
  client.initSync({ payload: { features: growthbookFeatures } });
  return {
    name: 'growthbook',
    description: '@growthbook/growthbook 1.8.0 GrowthBookClient.isOn / getFeatureValue(key, default, userContext)',
    async: false,
    contexts: users.map((u) => ({ attributes: { id: u.userId, country: u.country, plan: u.plan, email: u.email } })),
    flags: [
      (c) => client.isOn('bool-on', c),
      (c) => client.isOn('rollout-25', c),
      (c) => client.isOn('rule-enterprise', c),
      (c) => client.getFeatureValue('split-3', 'a', c),
    ],
    close: () => client.destroy(),
  };
}

/** An in-memory Unleash repository: the SDK's documented `repository` option, so no fetcher is ever created. */
class StaticRepository extends EventEmitter {
  private readonly features = new Map<string, unknown>();
  constructor(features: Array<{ name: string }>) {
    super();
    for (const f of features) this.features.set(f.name, f);
  }
  getToggle(name: string): any {
    return this.features.get(name);
  }
  getToggles(): any[] {
    return [...this.features.values()];
  }
  getTogglesWithSegmentData(): any[] {
    return this.getToggles();
  }
  getSegment(): undefined {
    return undefined;
  }
  async start(): Promise<void> {
    process.nextTick(() => this.emit('ready'));
  }
  stop(): void {}
}

export async function unleash(users: User[]): Promise<Implementation> {
  const { Unleash } = await import('unleash-client');
  const client = new Unleash({
    appName: 'halyard-bench',
    url: 'http://127.0.0.1:9/never-contacted',
    disableMetrics: true,
    refreshInterval: 0,
    skipInstanceCountWarning: true,
    repository: new StaticRepository(unleashFeatures) as any,
  });
  client.on('error', () => {});
  await new Promise<void>((resolve) => client.once('ready', () => resolve()));
  return {
    name: 'unleash-client',
    description: 'unleash-client 6.12.1 Unleash.isEnabled(key, ctx) / getVariant(key, ctx).name, in-memory repository',
    async: false,
    contexts: users.map((u) => ({ userId: u.userId, properties: { country: u.country, plan: u.plan, email: u.email } })),
    flags: [
      (c) => client.isEnabled('bool-on', c),
      (c) => client.isEnabled('rollout-25', c),
      (c) => client.isEnabled('rule-enterprise', c),
      (c) => client.getVariant('split-3', c).name,
    ],
    close: () => client.destroy(),
  };
}

export async function launchdarkly(users: User[]): Promise<Implementation> {
  const { init } = await import('@launchdarkly/node-server-sdk');
  const { TestData } = await import('@launchdarkly/node-server-sdk/integrations');
  const td = new TestData();
  for (const flag of launchdarklyFlags) await td.usePreconfiguredFlag(flag);
  const silent = { error() {}, warn() {}, info() {}, debug() {} };
  const client = init('sdk-bench-offline', {
    updateProcessor: td.getFactory(),
    sendEvents: false,
    diagnosticOptOut: true,
    logger: silent,
  });
  await client.waitForInitialization({ timeout: 5 });
  return {
    name: 'launchdarkly',
    description: '@launchdarkly/node-server-sdk 9.13.7 await client.variation(key, ctx, default), TestData, events off',
    async: true,
    contexts: users.map((u) => ({ kind: 'user', key: u.userId, country: u.country, plan: u.plan, email: u.email })),
    flags: [
      (c) => client.variation('bool-on', c, false),
      (c) => client.variation('rollout-25', c, false),
      (c) => client.variation('rule-enterprise', c, false),
      (c) => client.variation('split-3', c, 'a'),
    ],
    close: () => client.close(),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// All flags for one context (50 mixed flags): what SSR and POST /sdk/v1/evaluate run per request.

export interface AllFlagsImplementation {
  name: string;
  description: string;
  async: boolean;
  contexts: unknown[];
  /** Evaluates every flag for one context; the result is only kept live. */
  all: EvalFn;
  halyard?: boolean;
  close?: () => void | Promise<void>;
}

export function halyardMixedEvaluator(): Evaluator {
  const parsed = parseDefinitions(halyardMixedDocument());
  if (!parsed.ok) throw new Error(`@halyard/benchmarks: mixed flags rejected: ${JSON.stringify(parsed.problems)}`);
  return createEvaluator(parsed.definitions);
}

/** Halyard's all-flags rows, and the 50 single evaluations they are compared with. */
export function halyardAllFlags(ev: Evaluator, users: User[]): AllFlagsImplementation[] {
  const keys = mixedKeys().map((k) => k.key);
  const defaults: Array<string | boolean> = mixedKeys().map((k) => (k.shape === 3 ? 'a' : false));
  const handles = keys.map((k) => ev.flag(k));
  return [
    {
      name: 'halyard 50 × getValue',
      description: '50 single by-key evaluator.getValue(key, default, context) calls (the reference the target is set against)',
      async: false,
      halyard: true,
      contexts: users,
      all: (u) => {
        let on = 0;
        for (let i = 0; i < keys.length; i++) if (ev.getValue(keys[i]!, defaults[i]!, u) === true) on++;
        return on;
      },
    },
    {
      name: 'halyard 50 × flag()',
      description: '50 bound handles, handle.getValue(default, context)',
      async: false,
      halyard: true,
      contexts: users,
      all: (u) => {
        let on = 0;
        for (let i = 0; i < handles.length; i++) if (handles[i]!.getValue(defaults[i]!, u) === true) on++;
        return on;
      },
    },
    {
      name: 'halyard evaluateAll',
      description: 'evaluator.evaluateAll(context) → FlagSnapshot { version, flags } (the SSR path)',
      async: false,
      halyard: true,
      contexts: users,
      all: (u) => ev.evaluateAll(u),
    },
    {
      name: 'halyard evaluateAllJson',
      description: 'evaluator.evaluateAllJson(context) → { version, json } (what POST /sdk/v1/evaluate sends)',
      async: false,
      halyard: true,
      contexts: users,
      all: (u) => ev.evaluateAllJson(u),
    },
  ];
}

export async function flagdAllFlags(users: User[]): Promise<AllFlagsImplementation> {
  const { FlagdCore } = await import('@openfeature/flagd-core');
  const core = new FlagdCore();
  core.setConfigurations(JSON.stringify(flagdMixedConfiguration()));
  return {
    name: 'flagd-core resolveAll',
    description: '@openfeature/flagd-core 4.0.1 FlagdCore.resolveAll(ctx)',
    async: false,
    contexts: users.map((u) => ({ targetingKey: u.userId, country: u.country, plan: u.plan, email: u.email })),
    all: (c) => core.resolveAll(c),
  };
}

export async function launchdarklyAllFlags(users: User[]): Promise<AllFlagsImplementation> {
  const { init } = await import('@launchdarkly/node-server-sdk');
  const { TestData } = await import('@launchdarkly/node-server-sdk/integrations');
  const td = new TestData();
  for (const flag of launchdarklyMixedFlags()) await td.usePreconfiguredFlag(flag);
  const silent = { error() {}, warn() {}, info() {}, debug() {} };
  const client = init('sdk-bench-offline-all', { updateProcessor: td.getFactory(), sendEvents: false, diagnosticOptOut: true, logger: silent });
  await client.waitForInitialization({ timeout: 5 });
  return {
    name: 'launchdarkly allFlagsState',
    description: '@launchdarkly/node-server-sdk 9.13.7 await client.allFlagsState(ctx), TestData, events off',
    async: true,
    contexts: users.map((u) => ({ kind: 'user', key: u.userId, country: u.country, plan: u.plan, email: u.email })),
    all: (c) => client.allFlagsState(c),
    close: () => client.close(),
  };
}
