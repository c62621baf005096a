import { NextResponse, type NextRequest } from 'next/server';
import { evaluateInMiddleware } from '@halyard/next/middleware';
import { UID_COOKIE, flagContext } from './lib/context';
import { flagClient } from './lib/flag-client';

const ONE_YEAR = 60 * 60 * 24 * 365;

/**
 * Runs before every page (Next 16 proxy: Node.js runtime).
 * 1. Gives each new visitor a stable `uid` cookie, the unit of the 50 % `new-checkout` rollout. The cookie is
 *    also written into the forwarded request, so the very first render already sees it.
 * 2. Redirects /deals to / while the `deals-page` flag is off.
 */
export async function proxy(request: NextRequest) {
  let assigned: string | undefined;
  if (!request.cookies.has(UID_COOKIE)) {
    assigned = crypto.randomUUID();
    request.cookies.set(UID_COOKIE, assigned);
  }

  let response: NextResponse;
  if (request.nextUrl.pathname === '/deals') {
    const flags = await evaluateInMiddleware(request, { client: flagClient(), context: flagContext });
    response = flags.isEnabled('deals-page')
      ? NextResponse.next({ request: { headers: request.headers } })
      : NextResponse.redirect(new URL('/?from=deals', request.url));
  } else {
    response = NextResponse.next({ request: { headers: request.headers } });
  }
  if (assigned !== undefined) {
    response.cookies.set({ name: UID_COOKIE, value: assigned, path: '/', maxAge: ONE_YEAR, sameSite: 'lax', httpOnly: true });
  }
  return response;
}

export const config = {
  // Pages and the flags route; not static assets.
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};
