import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { FlagDefinition } from '@halyard/core';
import { ApiError, api } from './client';
import type { AuditEntry, ReleasePlan } from '@halyard/server';

export type { Guardrail, GuardrailResult, PlanStatus, ReleasePlan } from '@halyard/server';
/** A release plan's schedule (docs/release-safety.md). */
export type Schedule = ReleasePlan['spec']['schedule'];

/** A flag's breaker as the dashboard shows it: configured, and tripped when the breaker's kill is the latest change. */
export interface BreakerState {
  config: NonNullable<FlagDefinition['breaker']>;
  enabled: boolean;
  /** The kill by actor `breaker` that still stands (nobody changed the flag since), else null. */
  tripped: { at: string; by: string } | null;
}

const flagPath = (env: string, flag: string) => `/api/v1/environments/${encodeURIComponent(env)}/flags/${encodeURIComponent(flag)}`;

/** The flag's live plan (else its latest), or null when it never had one. */
export async function fetchPlan(env: string, flag: string, signal?: AbortSignal): Promise<ReleasePlan | null> {
  try {
    return await api<ReleasePlan>(`${flagPath(env, flag)}/release-plan`, { signal });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

/** The actor name the service's breaker monitor writes with (docs/release-safety.md). */
export const BREAKER_ACTOR = 'breaker';

/** Reads a flag's breaker state: its definition, then its latest audit entry (a standing kill is the latest). */
export async function fetchBreaker(env: string, flag: string, signal?: AbortSignal): Promise<BreakerState | null> {
  const stored = await api<{ definition: FlagDefinition }>(flagPath(env, flag), { signal });
  const config = stored.definition.breaker;
  if (config === undefined) return null;
  const tripped = stored.definition.enabled ? null : await latestTrip(env, flag, signal);
  return { config, enabled: stored.definition.enabled, tripped };
}

/** The breaker's kill, when it is the flag's latest change (a person's change since means it no longer stands). */
async function latestTrip(env: string, flag: string, signal?: AbortSignal): Promise<BreakerState['tripped']> {
  const params = new URLSearchParams({ env, flag, limit: '1' });
  const { entries } = await api<{ entries: AuditEntry[] }>(`/api/v1/audit?${params}`, { signal });
  const latest = entries[0];
  return latest && latest.actor.name === BREAKER_ACTOR ? { at: latest.at, by: latest.actor.name } : null;
}

// The service has no "list plans" endpoint, and one request per flag of a large environment is too many: every plan
// begins with an audited `release-plan.start`, so the audit log names exactly the flags that have (had) one.
const PLAN_STARTS = 500;
const CONCURRENCY = 4;

/** Runs `task` over `items` with at most `limit` in flight (bounded fan-out to the service). */
export async function mapBounded<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The flags of `env` that have (had) a release plan, newest start first, from the audit log. */
export async function planFlags(env: string, signal?: AbortSignal): Promise<string[]> {
  const params = new URLSearchParams({ env, resourceType: 'release-plan', action: 'release-plan.start', limit: String(PLAN_STARTS) });
  const { entries } = await api<{ entries: AuditEntry[] }>(`/api/v1/audit?${params}`, { signal });
  return [...new Set(entries.map((entry) => entry.resourceKey))];
}

/** Every release plan of an environment (query key `['releases', env]`). */
export function useReleasePlans(env: string) {
  const client = useQueryClient();
  return useQuery({
    queryKey: ['releases', env],
    queryFn: async ({ signal }) => {
      const flags = await planFlags(env, signal);
      const plans = await mapBounded(flags, CONCURRENCY, (flag) => fetchPlan(env, flag, signal));
      // Each flag's panel reads its own query: seed it, so the list costs one request per flag, not two.
      plans.forEach((plan, index) => client.setQueryData(['releases', env, flags[index]], plan));
      return plans.filter((plan): plan is ReleasePlan => plan !== null);
    },
  });
}

/** A flag that has a breaker, with its state (see {@link BreakerState}). */
export interface FlagBreaker extends BreakerState {
  flag: string;
}

const MAX_BREAKER_LOOKUPS = 50;

/** Every flag of `env` with a breaker (query key `['flags', env, 'breakers']`, refreshed with the flags). */
export function useBreakers(env: string) {
  return useQuery({
    queryKey: ['flags', env, 'breakers'],
    queryFn: async ({ signal }) => {
      const { flags } = await api<{ flags: Array<{ key: string; definition: FlagDefinition }> }>(`/api/v1/environments/${encodeURIComponent(env)}/flags`, { signal });
      const withBreaker = flags.filter((flag) => flag.definition.breaker !== undefined);
      // Only a disabled flag can stand tripped; ask the audit log about those, a bounded number at a time.
      const disabled = withBreaker.filter((flag) => !flag.definition.enabled).slice(0, MAX_BREAKER_LOOKUPS);
      const trips = await mapBounded(disabled, CONCURRENCY, (flag) => latestTrip(env, flag.key, signal));
      const tripOf = new Map(disabled.map((flag, index) => [flag.key, trips[index] ?? null]));
      return withBreaker.map(
        (flag): FlagBreaker => ({ flag: flag.key, config: flag.definition.breaker!, enabled: flag.definition.enabled, tripped: tripOf.get(flag.key) ?? null }),
      );
    },
  });
}

/** One flag's plan (under `['releases', env, flag]`, so the environment's live invalidation refreshes it). */
export function useReleasePlan(env: string, flag: string) {
  return useQuery({ queryKey: ['releases', env, flag], queryFn: ({ signal }) => fetchPlan(env, flag, signal) });
}

/** One flag's breaker (also refreshed with the flag: `['flag', env, key, 'breaker']`). */
export function useBreaker(env: string, flag: string) {
  return useQuery({ queryKey: ['flag', env, flag, 'breaker'], queryFn: ({ signal }) => fetchBreaker(env, flag, signal) });
}

export type PlanAction = 'pause' | 'resume' | 'abort';

export function usePlanAction(env: string, flag: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (action: PlanAction) => api<ReleasePlan>(`${flagPath(env, flag)}/release-plan/${action}`, { method: 'POST', body: {} }),
    onSuccess: async (plan) => {
      client.setQueryData(['releases', env, flag], plan);
      await Promise.all([client.invalidateQueries({ queryKey: ['releases', env] }), client.invalidateQueries({ queryKey: ['flag', env, flag] })]);
    },
  });
}

/** Re-enables a flag the breaker killed (a person's decision; the service never does it without half-open). */
export function useReenable(env: string, flag: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api<unknown>(`${flagPath(env, flag)}/toggle`, { method: 'POST', body: { enabled: true } }),
    onSuccess: () => Promise.all([client.invalidateQueries({ queryKey: ['flag', env, flag] }), client.invalidateQueries({ queryKey: ['flags', env] })]),
  });
}
