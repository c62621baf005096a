import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { FlagEnvironmentState, FlagOverview, FlagStatus, OverviewFlag } from '@halyard/server';
import { api } from './client';

export type { FlagEnvironmentState, FlagStatus } from '@halyard/server';
/** One flag in the list, with its state in every environment it exists in. */
export type FlagSummary = OverviewFlag;
/** `GET /api/v1/flags`: every flag × every environment. */
export type FlagsOverview = FlagOverview;
export type FlagLifecycle = FlagEnvironmentState['lifecycle'];

/** The query key of the flags list of `env` (the live stream invalidates it). */
export const flagsKey = (env: string) => ['flags', env] as const;

/**
 * Every flag × every environment in one call. Keyed per environment because the list page is per environment; the
 * live stream invalidates all `['flags', …]` keys on any flag change since each list shows every environment's state.
 */
export function useFlagsOverview(env: string) {
  return useQuery({ queryKey: flagsKey(env), queryFn: ({ signal }) => api<FlagsOverview>('/api/v1/flags', { signal }) });
}

/** The status a flag shows after its kill switch is set (the server recomputes it; this is the optimistic guess). */
export function statusAfterToggle(state: FlagEnvironmentState, enabled: boolean): FlagStatus {
  if (state.status === 'archived') return 'archived';
  if (!enabled) return 'off';
  return state.rollout !== undefined && state.rollout > 0 && state.rollout < 100 ? 'rolling-out' : 'on';
}

export interface ToggleInput {
  key: string;
  enabled: boolean;
}

/**
 * The kill switch of `env`: `POST …/flags/:key/toggle { enabled }` (an explicit value, so a retry is harmless).
 * Optimistic: the list shows the new state at once and goes back to the old one if the service refuses.
 *
 * @example
 * const toggle = useToggleFlag('production');
 * toggle.mutate({ key: 'checkout', enabled: false }, { onError: (e) => announce(e.message) });
 */
export function useToggleFlag(env: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ key, enabled }: ToggleInput) =>
      api<unknown>(`/api/v1/environments/${encodeURIComponent(env)}/flags/${encodeURIComponent(key)}/toggle`, { method: 'POST', body: { enabled } }),
    onMutate: async ({ key, enabled }) => {
      await queryClient.cancelQueries({ queryKey: flagsKey(env) });
      const previous = queryClient.getQueryData<FlagsOverview>(flagsKey(env));
      if (previous !== undefined) {
        queryClient.setQueryData<FlagsOverview>(flagsKey(env), {
          ...previous,
          flags: previous.flags.map((flag) => {
            const state = flag.environments[env];
            if (flag.key !== key || state === undefined) return flag;
            return { ...flag, environments: { ...flag.environments, [env]: { ...state, enabled, status: statusAfterToggle(state, enabled) } } };
          }),
        });
      }
      return { previous };
    },
    onError: (_error, _input, context) => {
      if (context?.previous !== undefined) queryClient.setQueryData(flagsKey(env), context.previous);
    },
    onSettled: (_data, _error, { key }) => {
      void queryClient.invalidateQueries({ queryKey: ['flags'] });
      void queryClient.invalidateQueries({ queryKey: ['flag', env, key] });
      void queryClient.invalidateQueries({ queryKey: ['audit'] });
    },
  });
}
