import { useQuery } from '@tanstack/react-query';
import { api } from './client';

/** The experiments contract of the dashboard plan (issue #12); the service side is built by the experiments work. */
export interface ExperimentSummary {
  flag: string;
  status: 'draft' | 'running' | 'stopped';
  hypothesis?: string;
  startAt?: string;
  stopAt?: string;
  primaryMetric: string;
  units: number;
  srmFlagged: boolean;
}

export interface Interval {
  estimate: number;
  ci: [number, number];
}

export interface VariantResult {
  variant: string;
  units: number;
  value: number;
  lift?: { absolute: Interval; relative: Interval };
  pValue?: number;
  adjustedPValue?: number;
  chanceToWin?: number;
  expectedLoss?: number;
  significant?: boolean;
  needsMoreUnits?: number;
}

export interface MetricResult {
  key: string;
  type: string;
  role: 'primary' | 'secondary' | 'guardrail';
  variants: VariantResult[];
}

export interface ExperimentResults {
  flag: string;
  env: string;
  status: ExperimentSummary['status'];
  hypothesis?: string;
  control: string;
  startAt?: string;
  stopAt?: string;
  computedAt: string;
  srm: { pValue: number; flagged: boolean; observed: Record<string, number>; expected: Record<string, number> };
  multipleExposures: number;
  metrics: MetricResult[];
  timeline: Array<{ day: string; variant: string; exposures: number }>;
}

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
