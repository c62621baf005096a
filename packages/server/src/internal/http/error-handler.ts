import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { httpAnswer, isUnavailable } from './error-table';

/** The one error handler of the Halyard API: domain errors through ERROR_TABLE, the rest 503 or 500. */
export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const answer = httpAnswer(error);
  if (answer) {
    return reply
      .code(answer.status)
      .headers(answer.headers)
      .send({ error: { code: answer.code, message: answer.message, ...answer.details } });
  }
  if (isUnavailable(error)) {
    request.log.warn({ err: error }, 'database unavailable');
    return reply.code(503).header('retry-after', '1').send({ error: { code: 'unavailable', message: 'The database is unavailable; retry shortly' } });
  }
  request.log.error({ err: error }, 'request failed');
  return reply.code(500).send({ error: { code: 'internal', message: 'Internal server error' } });
}
