import Type from 'typebox';
import { parseEntityTags } from '../../json';
import { type Api, type Services, actorOf, logChange } from '../api';
import { EnvKey, IfMatchHeaders, errorResponse } from '../schemas';

const tags = ['Documents'];

/** Whole environment documents: export (GET) and import or GitOps apply (PUT). */
export function documentRoutes(api: Api, { environments, documents }: Pick<Services, 'environments' | 'documents'>, options: { bodyLimit: number }): void {
  api.get(
    '/api/v1/environments/:env/document',
    {
      config: { auth: 'viewer' },
      schema: {
        tags,
        summary: 'The full current document',
        description: 'ETag = document version.',
        params: Type.Object({ env: EnvKey }),
        response: { 200: Type.Ref('FlagsDocument'), 404: errorResponse('No such environment') },
      },
    },
    async (request, reply) => {
      const document = await environments.document(request.params.env);
      return reply.header('etag', `"${document.version}"`).send(document);
    },
  );

  api.put(
    '/api/v1/environments/:env/document',
    {
      bodyLimit: options.bodyLimit,
      config: { auth: 'editor' },
      schema: {
        tags,
        summary: 'Write a whole document (import, GitOps apply)',
        description:
          '`mode=replace` (default): the environment becomes the document — flags and segments it does not name are deleted (archived flags are left alone). `mode=merge`: creates or replaces the named flags and segments and keeps the rest. One transaction, one validation of the resulting document (every problem with its path, nothing written), one new version, one audit entry per flag or segment that changes; equal resources are untouched. `dryRun=true` reports the changes without writing. `If-Match: "<document version>"` refuses (412) if the environment changed since that version. Body up to 16 MiB.',
        params: Type.Object({ env: EnvKey }),
        querystring: Type.Object(
          {
            mode: Type.Optional(Type.Enum(['replace', 'merge'], { default: 'replace', description: '`replace`: the environment becomes the document; `merge`: create or replace the given flags and segments, keep the others' })),
            dryRun: Type.Optional(Type.Enum(['true', 'false'], { default: 'false' })),
          },
          { additionalProperties: false },
        ),
        headers: IfMatchHeaders,
        body: Type.Ref('FlagsDocument'),
        response: {
          200: Type.Ref('DocumentWriteResult'),
          404: errorResponse('No such environment'),
          409: errorResponse('The document names archived flags (`problems` lists them)'),
          412: errorResponse('The environment changed since the If-Match version'),
        },
      },
    },
    async (request, reply) => {
      const { env } = request.params;
      const mode = request.query.mode ?? 'replace';
      const result = await documents.write(actorOf(request), env, request.body as Record<string, unknown>, {
        mode,
        dryRun: request.query.dryRun === 'true',
        ifMatch: parseEntityTags(request.headers['if-match']),
      });
      if (result.changed && !result.dryRun) logChange(request, 'document.write', { env, mode, version: result.version });
      return reply.header('etag', `"${result.version}"`).send(result);
    },
  );
}
