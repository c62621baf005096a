import { stringifySetCookie } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { Authenticator } from '../authentication';
import { CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE, sessionTokenOf } from '../authentication';
import { CsrfError } from '../../errors';
import { hashToken } from '../../keys';
import type { AdminFeed } from '../../services/admin-feed';
import { csrfMatches } from '../../services/session-service';
import type { Api, Services } from '../api';
import { errorResponse, noBody } from '../schemas';

const tags = ['Session'];

/** Sign-in bodies are tiny: a token of at most 256 characters. */
const SESSION_BODY_LIMIT = 4 * 1024;

const Session = Type.Object({
  id: Type.String({ description: 'The admin token id' }),
  name: Type.String(),
  role: Type.Enum(['viewer', 'editor', 'admin']),
  expiresAt: Type.String({ format: 'date-time', description: 'Slides forward with use (idle timeout)' }),
});

function cookies(request: FastifyRequest, token: string, csrf: string, maxAgeSeconds: number): string[] {
  const secure = request.protocol === 'https';
  return [
    stringifySetCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', path: '/', secure, maxAge: maxAgeSeconds }),
    // Readable by the dashboard's scripts (they echo it in x-halyard-csrf), never by another site's.
    stringifySetCookie(CSRF_COOKIE, csrf, { httpOnly: false, sameSite: 'strict', path: '/', secure, maxAge: maxAgeSeconds }),
  ];
}

function clearCookies(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const secure = request.protocol === 'https';
  return reply.header('set-cookie', [
    stringifySetCookie(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'strict', path: '/', secure, maxAge: 0 }),
    stringifySetCookie(CSRF_COOKIE, '', { sameSite: 'strict', path: '/', secure, maxAge: 0 }),
  ]);
}

/**
 * Dashboard sign-in: an admin token in, an HttpOnly session cookie out (the token never lives in the browser's
 * storage). The body carries the credential, so this route authenticates after reading it, with the same
 * checks and failed-attempt limit as a bearer token; the body is capped at 4 KiB.
 */
export function sessionRoutes(api: Api, { sessions }: Pick<Services, 'sessions'>, authenticator: Authenticator, feed?: AdminFeed): void {
  api.post(
    '/api/v1/session',
    {
      bodyLimit: SESSION_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Sign in to the dashboard with an admin token',
        description:
          'Sets `halyard_session` (HttpOnly, SameSite=Strict) and `halyard_csrf` (readable by the page). The cookie then authenticates every `/api/v1` route with the token\'s role; writes with it need the header `x-halyard-csrf` equal to the `halyard_csrf` cookie (403 `csrf` otherwise). Sessions expire after 12 h without use and end when the token is revoked. Failed sign-ins count toward the failed-authentication limit.',
        body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 256, description: 'An admin token (hy_admin_…)' }) }, { additionalProperties: false }),
        response: {
          200: Session,
          401: errorResponse('Invalid or revoked token'),
          403: errorResponse('Not an admin token'),
          429: errorResponse('Too many failed authentications from this address; see Retry-After (seconds)'),
        },
      },
    },
    async (request, reply) => {
      // Login CSRF: another site must not sign this browser in to an account of its choosing.
      const origin = request.headers.origin;
      if (origin !== undefined && origin !== `${request.protocol}://${request.host}`) throw new CsrfError(`Cross-origin sign-in refused: Origin ${origin.slice(0, 200)} is not this service`);
      const key = await authenticator.check({ ip: request.ip, headers: { authorization: `Bearer ${request.body.token}` } }, 'viewer');
      const created = await sessions.create(key);
      request.log.info({ actor: key.name, actorId: key.id, action: 'session.create' }, 'signed in');
      return reply
        .header('set-cookie', cookies(request, created.token, created.csrf, Math.floor(sessions.maxLifetimeMs / 1000)))
        .header('cache-control', 'no-store')
        .send({ id: key.id, name: key.name, role: key.role!, expiresAt: created.expiresAt.toISOString() });
    },
  );

  api.delete(
    '/api/v1/session',
    {
      schema: {
        tags,
        summary: 'Sign out: ends the session and clears its cookies',
        description:
          'Needs `x-halyard-csrf` (the `halyard_csrf` cookie) when the session cookie is sent, like every cookie-authenticated write. Answers 204 also for a session that already expired, so a stale cookie can always be cleared.',
        response: { 204: noBody('Signed out'), 403: errorResponse('Missing or wrong x-halyard-csrf header') },
      },
    },
    async (request, reply) => {
      // Open on purpose (an expired session must still be able to clear its cookies); proving the CSRF value
      // of the session is what stops another site from signing the user out.
      const token = sessionTokenOf({ cookie: request.headers.cookie });
      if (token !== undefined) {
        const header = request.headers[CSRF_HEADER];
        if (!csrfMatches(token, typeof header === 'string' ? header : undefined)) {
          throw new CsrfError(`Signing out with the session cookie needs the header ${CSRF_HEADER} equal to the ${CSRF_COOKIE} cookie`);
        }
        await sessions.end(token);
        feed?.endSession(hashToken(token).toString('hex'));
      }
      return clearCookies(request, reply).code(204).send();
    },
  );
}
