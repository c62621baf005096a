import type { FlagDefinition, JsonValue, SplitServe } from '@halyard/core';
import { percentageWeight } from '@halyard/core/definitions';
import type { FlagLifecycle } from './flag-lifecycle';
import type { StoredResource } from '../store/types';

export type FlagStatus = 'on' | 'off' | 'rolling-out' | 'archived';

/** One flag in one environment, as the dashboard's list shows it. */
export interface FlagEnvironmentState {
  status: FlagStatus;
  enabled: boolean;
  /** 0–100: the share of units the default split serves the rolled-out variant (only when it is a split). */
  rollout?: number;
  lifecycle: FlagLifecycle['status'];
  version: number;
  updatedAt: string;
}

export interface OverviewFlag {
  key: string;
  description?: string;
  kind?: string;
  owner?: string;
  tags: string[];
  expiresAt?: string;
  environments: Record<string, FlagEnvironmentState>;
}

export interface FlagOverview {
  environments: string[];
  flags: OverviewFlag[];
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The rolled-out share of a split default serve, as `rolloutServe` (rollout.ts) writes it: the variant whose
 * value is `true` (else the one named "on", else the first slice that is not `offVariant`), in percent with
 * 0.001 % resolution; `undefined` when the default serve is a single variant.
 */
export function rolloutOf(definition: FlagDefinition): number | undefined {
  const serve = definition.defaultServe as unknown;
  if (!isObject(serve) || !Array.isArray(serve.split)) return undefined;
  const slices = (serve as unknown as SplitServe).split.filter(isObject);
  const weightOf = (slice: (typeof slices)[number]) => (typeof slice.percentage === 'number' ? (percentageWeight(slice.percentage) ?? 0) : typeof slice.weight === 'number' ? slice.weight : 0);
  const total = slices.reduce((sum, slice) => sum + weightOf(slice), 0);
  if (total <= 0) return undefined;
  const variants: Record<string, JsonValue> = isObject(definition.variants) ? (definition.variants as Record<string, JsonValue>) : {};
  const names = slices.map((slice) => slice.variant);
  const rolled = names.find((name) => variants[name] === true) ?? (names.includes('on') ? 'on' : names.find((name) => name !== definition.offVariant));
  const weight = slices.filter((slice) => slice.variant === rolled).reduce((sum, slice) => sum + weightOf(slice), 0);
  return Math.round((weight / total) * 100 * 1000) / 1000;
}

/** The list's status: archived, off (kill switch), rolling out (a split serves the flag to some units), on. */
export function stateOf(flag: StoredResource<FlagDefinition> & { lifecycle: FlagLifecycle }): FlagEnvironmentState {
  const enabled = flag.definition.enabled === true;
  const rollout = rolloutOf(flag.definition);
  const status: FlagStatus = flag.archivedAt !== undefined ? 'archived' : !enabled ? 'off' : rollout !== undefined && rollout > 0 && rollout < 100 ? 'rolling-out' : 'on';
  return {
    status,
    enabled,
    ...(rollout !== undefined ? { rollout } : {}),
    lifecycle: flag.lifecycle.status,
    version: flag.version,
    updatedAt: flag.updatedAt,
  };
}

/**
 * Every flag × every environment in one answer. A flag's metadata (description, kind, owner, tags, expiry) is
 * per environment in the store; the overview shows the first environment's (in environment order) that has it.
 */
export function buildOverview(environments: readonly string[], perEnvironment: ReadonlyMap<string, ReadonlyArray<StoredResource<FlagDefinition> & { lifecycle: FlagLifecycle }>>): FlagOverview {
  const flags = new Map<string, OverviewFlag>();
  for (const env of environments) {
    for (const flag of perEnvironment.get(env) ?? []) {
      let entry = flags.get(flag.key);
      if (entry === undefined) {
        const { description, kind, owner, tags, expiresAt } = flag.definition;
        entry = {
          key: flag.key,
          ...(typeof description === 'string' ? { description } : {}),
          ...(typeof kind === 'string' ? { kind } : {}),
          ...(typeof owner === 'string' ? { owner } : {}),
          tags: Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === 'string') : [],
          ...(typeof expiresAt === 'string' ? { expiresAt } : {}),
          environments: {},
        };
        flags.set(flag.key, entry);
      }
      entry.environments[env] = stateOf(flag);
    }
  }
  return { environments: [...environments], flags: [...flags.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) };
}
