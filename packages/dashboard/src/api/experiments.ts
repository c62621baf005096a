import { useQuery } from '@tanstack/react-query';
import type { ExperimentResults, ExperimentSummary } from '@halyard/server';
import { api } from './client';

export type { ExperimentResults, ExperimentSummary, MetricResult, VariantResult } from '@halyard/server';

const envPath = (env: string) => `/api/v1/environments/${encodeURIComponent(env)}`;

export function useExperiments(env: string) {
  return useQuery({
    queryKey: ['experiments', env],
    queryFn: ({ signal }) => api<{ experiments: ExperimentSummary[] }>(`${envPath(env)}/experiments`, { signal }).then((body) => body.experiments),
  });
}

export function useExperimentResults(env: string, flag: string) {
  return useQuery({
    queryKey: ['experiments', env, flag],
    queryFn: ({ signal }) => api<ExperimentResults>(`${envPath(env)}/flags/${encodeURIComponent(flag)}/experiment/results`, { signal }),
    // Results are recomputed by the service; a minute is fresh enough and spares the aggregation.
    staleTime: 60_000,
  });
}
