import Type from 'typebox';
import { type Api, type Services, actorOf, logChange } from '../api';
import { EnvKey, ResourceKey, errorResponse } from '../schemas';

const tags = ['Code references'];

/** The most references one upload may carry, and the largest body (a 50,000-reference upload fits well within). */
export const CODE_REFS_MAX = 50_000;
const CODE_REFS_BODY_LIMIT = 32 * 1024 * 1024;

const RepoName = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$', description: 'Repository name: letters, digits, ".", "_", "-" (at most 200)' });
const GitText = Type.String({ minLength: 1, maxLength: 200 });

/** Code references uploaded by `halyard code-refs --upload`, and where one flag is read. */
export function codeRefRoutes(api: Api, { codeRefs }: Pick<Services, 'codeRefs'>): void {
  api.put(
    '/api/v1/environments/:env/code-refs/:repo',
    {
      config: { auth: 'editor' },
      bodyLimit: CODE_REFS_BODY_LIMIT,
      schema: {
        tags,
        summary: "Replace a repository's code references in an environment",
        description: 'Atomic: the previous references of this repository in this environment are replaced in one transaction. Audited as `code-refs.replace` with counts.',
        params: Type.Object({ env: EnvKey, repo: RepoName }),
        body: Type.Object(
          {
            branch: Type.Optional(GitText),
            commit: Type.Optional(GitText),
            references: Type.Array(
              Type.Object(
                {
                  flag: ResourceKey,
                  file: Type.String({ minLength: 1, maxLength: 500 }),
                  line: Type.Integer({ minimum: 1 }),
                  column: Type.Optional(Type.Integer({ minimum: 1 })),
                },
                { additionalProperties: false },
              ),
              { maxItems: CODE_REFS_MAX },
            ),
          },
          { additionalProperties: false, examples: [{ branch: 'main', commit: '3f2c1a0', references: [{ flag: 'checkout-theme', file: 'src/theme.tsx', line: 2, column: 29 }] }] },
        ),
        response: {
          200: Type.Object({ repo: Type.String(), references: Type.Integer(), removed: Type.Integer(), flags: Type.Integer() }),
          400: errorResponse('Invalid request'),
          404: errorResponse('No such environment'),
        },
      },
    },
    async (request) => {
      const { env, repo } = request.params;
      const counts = await codeRefs.replace(actorOf(request), env, repo, request.body);
      logChange(request, 'code-refs.replace', { env, repo, references: counts.references });
      return { repo, ...counts };
    },
  );

  api.get(
    '/api/v1/environments/:env/flags/:key/code-refs',
    {
      config: { auth: 'viewer' },
      schema: {
        tags,
        summary: 'Where a flag is read in code, grouped by repository',
        params: Type.Object({ env: EnvKey, key: ResourceKey }),
        response: {
          200: Type.Object({
            flag: Type.String(),
            repos: Type.Array(
              Type.Object({
                repo: Type.String(),
                branch: Type.Union([Type.String(), Type.Null()]),
                commit: Type.Union([Type.String(), Type.Null()]),
                uploadedAt: Type.String({ format: 'date-time' }),
                uploadedBy: Type.String(),
                references: Type.Array(Type.Object({ file: Type.String(), line: Type.Integer(), column: Type.Union([Type.Integer(), Type.Null()]) })),
              }),
            ),
          }),
          404: errorResponse('No such environment'),
        },
      },
    },
    async (request) => ({ flag: request.params.key, repos: await codeRefs.forFlag(request.params.env, request.params.key) }),
  );
}
