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
    const answer = unavailableAnswer();
    return reply.code(answer.status).headers(answer.headers).send(answer.body);
  }
  request.log.error({ err: error }, 'request failed');
  return reply.code(500).send({ error: { code: 'internal', message: 'Internal server error' } });
}

/** The answer while the database is unavailable (down, black-holed, timing out): 503 with Retry-After. */
export function unavailableAnswer() {
  return {
    status: 503,
    headers: { 'retry-after': '1' },
    body: { error: { code: 'unavailable', message: 'The database is unavailable or did not answer in time; retry shortly' } },
  };
}
