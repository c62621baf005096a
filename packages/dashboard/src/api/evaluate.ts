import { useMutation } from '@tanstack/react-query';
import { api } from './client';

/** One flag's answer from `POST /api/v1/environments/:env/explain`. */
export interface Explanation {
  value: unknown;
  variant?: string;
  reason: string;
  ruleIndex?: number;
  ruleId?: string;
  /** The unit's bucket (0–100, 3 decimals) in the split or rollout that decided. */
  bucket?: number;
  /** The bucketing attribute's value. */
  unit?: string;
  prerequisite?: string;
  segment?: string;
  errorCode?: string;
  detail?: string;
}

export interface ExplainResult {
  results: Record<string, Explanation>;
}

/** The JSON object a context must be (flat or nested attributes). */
export type EvaluationContext = Record<string, unknown>;

/** Explains flags for a context (viewer allowed, not audited). `flags` limits the answer to those keys. */
export function explain(env: string, context: EvaluationContext, flags?: string[]): Promise<ExplainResult> {
  return api<ExplainResult>(`/api/v1/environments/${encodeURIComponent(env)}/explain`, {
    method: 'POST',
    body: flags === undefined || flags.length === 0 ? { context } : { context, flags },
  });
}

/** `explain` as a mutation: it runs when the user asks, for the context they typed. */
export function useExplain(env: string) {
  return useMutation({ mutationFn: (input: { context: EvaluationContext; flags?: string[] }) => explain(env, input.context, input.flags) });
}
