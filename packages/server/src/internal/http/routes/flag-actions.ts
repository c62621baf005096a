import Type from 'typebox';
import { parseEntityTags } from '../../json';
import { PERCENTAGE } from '../../services/rollout';
import { type Api, type Services, actorOf } from '../api';
import { IfMatchHeaders, errorResponse, optionalBody } from '../schemas';
import { ResourceParams, sendOutcome } from './resources';

const tags = ['Flags'];
const EmptyBody = optionalBody(Type.Object({}, { additionalProperties: false }));

/** One-call flag operations: the kill switch, percentage rollouts, archive and restore. */
export function flagActionRoutes(api: Api, { flags }: Pick<Services, 'flags'>): void {
  const common = (summary: string, description: string) => ({
    tags,
    summary,
    description,
    params: ResourceParams,
    headers: IfMatchHeaders,
    response: { 200: Type.Ref('StoredFlag'), 404: errorResponse('Not found'), 409: errorResponse('The flag is archived'), 412: errorResponse('Version conflict') },
  });
  const conditions = (headers: { 'if-match'?: string | undefined }) => ({ ifMatch: parseEntityTags(headers['if-match']) });

  api.post(
    '/api/v1/environments/:env/flags/:key/toggle',
    {
      config: { auth: 'editor' },
      schema: {
        ...common('Kill switch', '`{ "enabled": false }` sets `enabled`; an empty body flips it. If-Match optional. Setting the current value writes nothing (no version, no audit entry), so an explicit value is safe to retry; retry a flip only with the same `Idempotency-Key`.'),
        body: optionalBody(Type.Object({ enabled: Type.Optional(Type.Boolean()) }, { additionalProperties: false, examples: [{ enabled: false }] })),
      },
    },
    async (request, reply) => {
      const { env, key } = request.params;
      const outcome = await flags.toggle(actorOf(request), env, key, request.body?.enabled, conditions(request.headers));
      return sendOutcome(reply, outcome, request, env, 'flag', key);
    },
  );

  api.post(
    '/api/v1/environments/:env/flags/:key/rollout',
    {
      config: { auth: 'editor' },
      schema: {
        ...common(
          'Percentage rollout',
          "Sets `defaultServe` to `{ split: [{ variant, percentage }, { variant: rest, percentage: 100 − percentage }] }`, keeping an existing split's bucketBy/salt/seed/bucketing so raising the percentage only adds units. `variant` defaults to the variant whose value is `true` (or \"on\"); `rest` defaults to `offVariant` (or the other of two variants). Does not touch `enabled`.",
        ),
        body: Type.Object(
          {
            percentage: Type.Number({ minimum: PERCENTAGE.minimum, maximum: PERCENTAGE.maximum, description: 'Up to 3 decimals' }),
            variant: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            rest: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          },
          { additionalProperties: false, examples: [{ percentage: 25 }] },
        ),
      },
    },
    async (request, reply) => {
      const { env, key } = request.params;
      const outcome = await flags.rollout(actorOf(request), env, key, request.body, conditions(request.headers));
      return sendOutcome(reply, outcome, request, env, 'flag', key);
    },
  );

  api.post(
    '/api/v1/environments/:env/flags/:key/archive',
    {
      config: { auth: 'editor' },
      schema: {
        ...common(
          'Archive a flag',
          'The flag leaves the served document (SDKs get FLAG_NOT_FOUND and use their defaults) but keeps its definition, versions and audit history. Refused (400) while other flags reference it. Writes to an archived flag are refused with 409 `archived` until it is restored; DELETE removes it for good.',
        ),
        body: EmptyBody,
      },
    },
    async (request, reply) => {
      const { env, key } = request.params;
      return sendOutcome(reply, await flags.archive(actorOf(request), env, key, conditions(request.headers)), request, env, 'flag', key);
    },
  );

  api.post(
    '/api/v1/environments/:env/flags/:key/restore',
    {
      config: { auth: 'editor' },
      schema: { ...common('Restore an archived flag', 'Puts the flag back into the served document, as it was.'), body: EmptyBody },
    },
    async (request, reply) => {
      const { env, key } = request.params;
      return sendOutcome(reply, await flags.restore(actorOf(request), env, key, conditions(request.headers)), request, env, 'flag', key);
    },
  );
}
