import type { EvaluationContext as OpenFeatureContext } from '@openfeature/core';
import type { EvaluationContext } from '@halyard/core';

/**
 * OpenFeature identifies the subject with `targetingKey`; Halyard's targets, segments and splits use `userId` by
 * default. The context is passed through untouched (so rules may still read `targetingKey` or any other attribute)
 * unless it has a string `targetingKey` and no `userId`: then a copy gets `userId = targetingKey`. That copy is the
 * only allocation the mapping ever makes, and it is skipped whenever the caller sets `userId` itself.
 */
export function toHalyardContext(context: OpenFeatureContext | undefined): EvaluationContext | undefined {
  if (context === undefined) return undefined;
  const targetingKey = context.targetingKey;
  if (typeof targetingKey !== 'string' || context.userId !== undefined) return context as EvaluationContext;
  return { ...context, userId: targetingKey } as EvaluationContext;
}
