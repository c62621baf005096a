import type { FastifyReply, FastifyRequest } from 'fastify';

export type CorsOrigins = '*' | readonly string[];

/**
 * CORS for the endpoints browsers call (evaluate, OFREP): headers go on every answer, errors included, so the page
 * can read why a request failed. Runs as the route's first onRequest hook, before authentication.
 */
export function corsHook(origins: CorsOrigins, exposeHeaders: string) {
  return (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    reply.headers(corsHeaders(origins, exposeHeaders, request.headers.origin));
    done();
  };
}

/** The CORS response headers for a request from `origin` (the one rule, shared with the evaluate fast path). */
export function corsHeaders(origins: CorsOrigins, exposeHeaders: string, origin: string | undefined): Record<string, string> {
  if (origins === '*') return { 'access-control-allow-origin': '*', 'access-control-expose-headers': exposeHeaders };
  const headers: Record<string, string> = { vary: 'Origin' };
  if (origin !== undefined && origins.includes(origin)) headers['access-control-allow-origin'] = origin;
  headers['access-control-expose-headers'] = exposeHeaders;
  return headers;
}

/** The answer to a CORS preflight (`OPTIONS`). */
export function preflight(origins: CorsOrigins, exposeHeaders: string, allowHeaders: string) {
  const cors = corsHook(origins, exposeHeaders);
  return async (request: FastifyRequest, reply: FastifyReply) => {
    cors(request, reply, () => {});
    reply.header('access-control-allow-methods', 'POST, OPTIONS');
    reply.header('access-control-allow-headers', allowHeaders);
    reply.header('access-control-max-age', '600');
    return reply.code(204).send();
  };
}
