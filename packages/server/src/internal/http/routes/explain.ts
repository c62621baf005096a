import type { EvaluationContext } from '@halyard/core';
import Type from 'typebox';
import { explain } from '../../services/explain';
import type { Api, Services } from '../api';
import { EnvKey, ResourceKey, errorResponse } from '../schemas';

const Explanation = Type.Object({
  value: Type.Unknown({ description: '`null` when the flag serves the caller\'s default (no variant)' }),
  variant: Type.Optional(Type.String()),
  reason: Type.String({ examples: ['TARGETING_MATCH', 'SPLIT', 'DEFAULT', 'DISABLED', 'PREREQUISITE_FAILED', 'ERROR'] }),
  ruleIndex: Type.Optional(Type.Integer({ description: 'Index of the deciding rule in the flag\'s `rules`' })),
  ruleId: Type.Optional(Type.String()),
  bucket: Type.Optional(Type.Number({ description: "The unit's bucket in the split that decided, 0–100 with 3 decimals" })),
  unit: Type.Optional(Type.String({ description: 'The bucketing attribute\'s value' })),
  prerequisite: Type.Optional(Type.String({ description: 'The prerequisite that failed' })),
  segment: Type.Optional(Type.String({ description: 'The segment the deciding rule tests' })),
  errorCode: Type.Optional(Type.String()),
});

/** "Why does this user get this?": the environment's current rules, evaluated with the reasons kept. */
export function explainRoutes(api: Api, { sdk }: Pick<Services, 'sdk'>, options: { bodyLimit: number }): void {
  api.post(
    '/api/v1/environments/:env/explain',
    {
      bodyLimit: options.bodyLimit,
      config: { auth: 'viewer' },
      schema: {
        tags: ['Flags'],
        summary: 'Explain what each flag serves one context, and why',
        description: 'Evaluates the environment\'s current document like an SDK would; changes nothing and is not audited.',
        params: Type.Object({ env: EnvKey }),
        body: Type.Object(
          {
            context: Type.Object({}, { additionalProperties: true, description: 'Attributes like { "userId": "u-1", "plan": "pro" }' }),
            flags: Type.Optional(Type.Array(ResourceKey, { maxItems: 1000, description: 'Only these flags (default: every flag)' })),
          },
          { additionalProperties: false, examples: [{ context: { userId: 'u-1' }, flags: ['new-checkout'] }] },
        ),
        response: { 200: Type.Object({ results: Type.Record(Type.String(), Explanation) }), 404: errorResponse('No such environment') },
      },
    },
    async (request) => ({ results: await explain(sdk.hub, request.params.env, request.body.context as EvaluationContext, request.body.flags) }),
  );
}
