import Type from 'typebox';
import { type Api, type Services, actorOf, logChange } from '../api';
import { errorResponse } from '../schemas';

/** `POST /api/v1/audit/:id/revert`: undo one change, as a new audited change. */
export function revertRoutes(api: Api, { revert }: Pick<Services, 'revert'>): void {
  api.post(
    '/api/v1/audit/:id/revert',
    {
      config: { auth: 'editor' },
      schema: {
        tags: ['Audit'],
        summary: 'Revert a flag or segment change',
        description:
          "Puts the resource back into the entry's `before` state (a create is reverted by deleting, a delete by re-creating, an archive by restoring) as a new change, audited with `metadata.revertOf`. 409 `conflict` when the resource changed after that entry (the message names the later change).",
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 40, description: 'The audit entry id' }) }),
        response: {
          201: Type.Ref('AuditEntry'),
          400: errorResponse('Not a flag or segment change, or the reverted state would make the document invalid'),
          404: errorResponse('No such audit entry'),
          409: errorResponse('The resource changed after this entry'),
        },
      },
    },
    async (request, reply) => {
      const entry = await revert.revert(actorOf(request), request.params.id);
      logChange(request, entry.action, { env: entry.environment, [entry.resourceType]: entry.resourceKey, revertOf: request.params.id });
      return reply.code(201).send(entry);
    },
  );
}
