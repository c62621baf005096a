import Type from 'typebox';
import { QueueFullError } from '../../errors';
import { hashToken } from '../../keys';
import type { AdminFeed } from '../../services/admin-feed';
import type { Api } from '../api';
import { keyOf, sessionTokenOf } from '../authentication';

/** The dashboard's live feed: one `change` event per audit entry, on every instance (services/admin-feed.ts). */
export function adminStreamRoutes(api: Api, feed: AdminFeed): void {
  // No automatic HEAD route: it would hold a stream slot open with nothing to read.
  api.get(
    '/api/v1/stream',
    {
      exposeHeadRoute: false,
      config: { auth: 'viewer' },
      schema: {
        tags: ['Audit'],
        summary: 'Server-sent events: every change as its audit entry is written',
        description:
          '`event: change`, `id: <audit entry id>`, `data: {"env", "resource": "flag"|"segment"|"environment"|"key"|"release-plan"|"document", "key", "action", "version", "actor", "at"}` — one per audit entry, whichever instance wrote it. `: ping` comment every 15 s. With `Last-Event-ID` the entries since that id are sent first (at most 500). Ends when the token (or its session) is revoked or signed out.',
        produces: ['text/event-stream'],
        headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ description: 'The id of the last change event received' })) }),
        response: { 200: Type.String({ description: 'Event stream' }) },
      },
    },
    async (request, reply) => {
      const key = keyOf(request);
      if (feed.full) throw new QueueFullError('Too many open dashboard streams on this instance; retry shortly', 5);
      const session = sessionTokenOf(request.headers);
      const lastEventId = request.headers['last-event-id'];
      reply.hijack();
      const res = reply.raw;
      const socket = request.raw.socket;
      socket.setTimeout(0);
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 30_000);
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      try {
        await feed.attach(res, key.id, session === undefined ? undefined : hashToken(session).toString('hex'), typeof lastEventId === 'string' ? lastEventId : undefined);
      } catch (error) {
        // Hijacked: Fastify no longer answers for this request. The client reconnects.
        request.log.warn({ err: error }, 'opening the live feed failed');
        res.end();
      }
    },
  );
}
