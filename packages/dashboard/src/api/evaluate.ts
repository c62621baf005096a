import { useMutation } from '@tanstack/react-query';
import type { Explanation } from '@halyard/server';
import { api } from './client';

export type { Explanation } from '@halyard/server';

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
