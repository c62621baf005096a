import Type from 'typebox';
import { type Api, type Services, actorOf, logChange } from '../api';
import { EnvKey, Name, errorResponse, noBody } from '../schemas';

const EnvParams = Type.Object({ env: EnvKey });
const tags = ['Environments'];

/** `/api/v1/environments`: list, create (optionally copying another), read, rename, delete. */
export function environmentRoutes(api: Api, { environments }: Pick<Services, 'environments'>): void {
  api.get(
    '/api/v1/environments',
    {
      config: { auth: 'viewer' },
      schema: { tags, summary: 'List environments', response: { 200: Type.Object({ environments: Type.Array(Type.Ref('Environment')) }) } },
    },
    async () => ({ environments: await environments.list() }),
  );

  api.post(
    '/api/v1/environments',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Create an environment',
        description: '`copyFrom` copies every flag and segment of another environment (archived flags stay behind).',
        body: Type.Object(
          { key: EnvKey, name: Type.Optional(Name), copyFrom: Type.Optional(EnvKey) },
          { additionalProperties: false, examples: [{ key: 'qa', name: 'QA' }] },
        ),
        response: { 201: Type.Ref('Environment'), 404: errorResponse('`copyFrom` does not exist'), 409: errorResponse('The environment exists') },
      },
    },
    async (request, reply) => {
      const env = await environments.create(actorOf(request), request.body);
      logChange(request, 'environment.create', { env: env.key });
      return reply.code(201).header('location', `/api/v1/environments/${env.key}`).send(env);
    },
  );

  api.get(
    '/api/v1/environments/:env',
    {
      config: { auth: 'viewer' },
      schema: { tags, summary: 'Read an environment', params: EnvParams, response: { 200: Type.Ref('Environment'), 404: errorResponse('Not found') } },
    },
    async (request) => environments.get(request.params.env),
  );

  api.patch(
    '/api/v1/environments/:env',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Rename an environment',
        params: EnvParams,
        body: Type.Object({ name: Name }, { additionalProperties: false, examples: [{ name: 'Production (EU)' }] }),
        response: { 200: Type.Ref('Environment'), 404: errorResponse('Not found') },
      },
    },
    async (request) => {
      const result = await environments.rename(actorOf(request), request.params.env, request.body.name);
      logChange(request, 'environment.update', { env: request.params.env });
      return result;
    },
  );

  api.delete(
    '/api/v1/environments/:env',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'Delete an environment with its flags, segments and keys',
        description: 'Open SDK streams of the environment are closed; its keys stop working at once.',
        params: EnvParams,
        response: { 204: noBody('Deleted'), 404: errorResponse('Not found') },
      },
    },
    async (request, reply) => {
      await environments.delete(actorOf(request), request.params.env);
      logChange(request, 'environment.delete', { env: request.params.env });
      return reply.code(204).send();
    },
  );
}
