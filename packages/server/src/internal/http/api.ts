import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { Services } from '../services/services';
import type { Actor } from '../store/types';
import { keyOf } from './authentication';

export type { Services };

/** A Fastify instance whose route schemas (TypeBox) type `request.body`, `request.query` and `request.params`. */
export type Api = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

export const actorOf = (request: FastifyRequest): Actor => {
  const key = keyOf(request);
  return { id: key.id, name: key.name };
};

/** One log line per committed change (request logging is off: it would cost more than an SDK request). */
export function logChange(request: FastifyRequest, action: string, detail: Record<string, unknown>): void {
  const actor = actorOf(request);
  request.log.info({ actor: actor.name, actorId: actor.id, action, ...detail }, 'change committed');
}
