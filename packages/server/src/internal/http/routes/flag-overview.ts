import type { FlagDefinition } from '@halyard/core';
import Type from 'typebox';
import { NotFoundError } from '../../errors';
import { withLifecycle } from '../../services/flag-lifecycle';
import { buildOverview } from '../../services/flag-overview';
import type { Api, Services } from '../api';

const State = Type.Object({
  status: Type.Enum(['on', 'off', 'rolling-out', 'archived']),
  enabled: Type.Boolean(),
  rollout: Type.Optional(Type.Number({ minimum: 0, maximum: 100, description: 'Percent of units served the rolled-out variant, when the default serve is a split' })),
  lifecycle: Type.Enum(['active', 'stale', 'expired']),
  version: Type.Integer(),
  updatedAt: Type.String({ format: 'date-time' }),
});

const OverviewFlag = Type.Object({
  key: Type.String(),
  description: Type.Optional(Type.String()),
  kind: Type.Optional(Type.String()),
  owner: Type.Optional(Type.String()),
  tags: Type.Array(Type.String()),
  expiresAt: Type.Optional(Type.String()),
  environments: Type.Record(Type.String(), State, { description: 'Per environment key; a flag missing in an environment is absent here' }),
});

/** `GET /api/v1/flags`: the dashboard's list, every flag in every environment in one answer. */
export function flagOverviewRoutes(api: Api, { environments, resources, events }: Pick<Services, 'environments' | 'resources' | 'events'>): void {
  api.get(
    '/api/v1/flags',
    {
      config: { auth: 'viewer' },
      schema: {
        tags: ['Flags'],
        summary: 'Every flag in every environment at a glance',
        description: 'Archived flags included (status `archived`). Metadata comes from the first environment (in environment order) that has the flag.',
        response: { 200: Type.Object({ environments: Type.Array(Type.String()), flags: Type.Array(OverviewFlag) }) },
      },
    },
    async () => {
      const envs = (await environments.list()).map((env) => env.key);
      const perEnvironment = new Map(
        await Promise.all(
          envs.map(async (env) => {
            const flags = await resources.list<FlagDefinition>('flag', env, 'include').catch((error: unknown) => {
              // Deleted between the two reads: the environment simply has no flags in this answer.
              if (error instanceof NotFoundError) return [];
              throw error;
            });
            const lastEvaluated = events ? await events.metrics.lastEvaluated(env, flags.map((flag) => flag.key)) : undefined;
            return [env, withLifecycle(flags, {}, lastEvaluated)] as const;
          }),
        ),
      );
      return buildOverview(envs, perEnvironment);
    },
  );
}
