import Type from 'typebox';
import type { Api } from '../api';

export interface HealthOptions {
  database: 'postgres' | 'pglite';
  /** One round trip to the database. */
  ping: () => Promise<void>;
  streams: () => number;
}

const Health = Type.Object({ status: Type.Enum(['ok', 'unavailable']), database: Type.String(), streams: Type.Integer({ description: 'Open SDK streams on this instance' }) });

/** `GET /health`: liveness plus a database check (2 s at most). No credentials. */
export function healthRoutes(api: Api, options: HealthOptions): void {
  api.get(
    '/health',
    { schema: { tags: ['Service'], summary: 'Liveness and database check', response: { 200: Health, 503: { ...Health, description: 'Database unavailable' } } } },
    async (_request, reply) => {
      try {
        await Promise.race([options.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref())]);
        return { status: 'ok' as const, database: options.database, streams: options.streams() };
      } catch {
        return reply.code(503).send({ status: 'unavailable' as const, database: options.database, streams: options.streams() });
      }
    },
  );
}
