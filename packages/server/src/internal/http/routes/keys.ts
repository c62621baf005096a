import Type from 'typebox';
import { type Api, type Services, actorOf, logChange } from '../api';
import { keyOf } from '../authentication';
import { EnvKey, Name, errorResponse, noBody } from '../schemas';

const tags = ['Keys'];

/** API keys and the calling admin token (`/api/v1/me`). */
export function keyRoutes(api: Api, { keys }: Pick<Services, 'keys'>): void {
  api.get(
    '/api/v1/me',
    { config: { auth: 'viewer' }, schema: { tags, summary: 'The calling admin token', response: { 200: Type.Ref('ApiKey') } } },
    async (request) => keyOf(request),
  );

  api.get(
    '/api/v1/keys',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'List active API keys (no secrets)',
        querystring: Type.Object({ environment: Type.Optional(EnvKey) }, { additionalProperties: false }),
        response: { 200: Type.Object({ keys: Type.Array(Type.Ref('ApiKey')) }) },
      },
    },
    async (request) => ({ keys: await keys.list(request.query.environment === undefined ? {} : { environment: request.query.environment }) }),
  );

  api.post(
    '/api/v1/keys',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Create an API key; the token is in this response only',
        description: '`sdk` and `client` keys need `environment`; `admin` tokens need `role`.',
        body: Type.Object(
          {
            type: Type.Enum(['sdk', 'client', 'admin']),
            name: Name,
            environment: Type.Optional(EnvKey),
            role: Type.Optional(Type.Enum(['viewer', 'editor', 'admin'])),
          },
          { additionalProperties: false, examples: [{ type: 'sdk', environment: 'production', name: 'checkout service' }] },
        ),
        response: { 201: Type.Ref('NewApiKey'), 400: errorResponse('Invalid request'), 404: errorResponse('No such environment') },
      },
    },
    async (request, reply) => {
      const created = await keys.create(actorOf(request), request.body);
      logChange(request, 'key.create', { id: created.key.id, type: created.key.type });
      // The token is shown exactly once: only its hash is stored.
      return reply.code(201).send({ ...created.key, token: created.token });
    },
  );

  api.delete(
    '/api/v1/keys/:id',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Revoke an API key',
        description: 'Takes effect at once on this instance and on notification elsewhere; streams opened with it are closed.',
        params: Type.Object({ id: Type.String({ description: 'The key id (a UUID)' }) }),
        response: { 204: noBody('Revoked'), 404: errorResponse('Not found') },
      },
    },
    async (request, reply) => {
      await keys.revoke(actorOf(request), request.params.id);
      logChange(request, 'key.revoke', { id: request.params.id });
      return reply.code(204).send();
    },
  );
}
