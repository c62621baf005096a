import { describe, expect, it } from 'vitest';
import type { FlagSnapshot } from '@halyard/core';
import { createFlagsRoute, type NextContextFn } from '@halyard/next';
import { flagsHandlerSuite, drivenClient, userFrom, SUITE_DOCUMENT } from '../../core/test/flags-handler-suite';
import { serveRoute } from '../test/helpers';

// Everything the endpoint does is core's one handler; the shared suite proves the route serves it unchanged.
flagsHandlerSuite('@halyard/next', (options) => serveRoute(createFlagsRoute({ ...options, context: ({ headers }) => userFrom(headers.get('x-user')) })));

// What only Next has: handlers called with (Next)Requests directly, cookies, control flow from the context function.
describe('createFlagsRoute() in Next', () => {
  const context: NextContextFn = ({ cookies }) => ({ userId: cookies.get('uid')?.value });

  it('exports one fetch handler for every method, and reads cookies from the Cookie header', async () => {
    const { client } = drivenClient(SUITE_DOCUMENT);
    const route = createFlagsRoute({ client, context });
    expect(new Set([route.GET, route.HEAD, route.POST, route.PUT, route.PATCH, route.DELETE]).size).toBe(1);
    const alice = (await (await route.GET(new Request('http://localhost/api/flags', { headers: { cookie: 'uid=alice' } }))).json()) as FlagSnapshot;
    expect(alice.flags['new-checkout']?.value).toBe(true);
  });

  it('uses a NextRequest-like own cookie jar (cookies a proxy set on the request)', async () => {
    const { client } = drivenClient(SUITE_DOCUMENT);
    const { POST } = createFlagsRoute({ client, context });
    const request = Object.assign(new Request('http://localhost/api/flags', { method: 'POST', body: '{}' }), {
      cookies: { get: (name: string) => (name === 'uid' ? { name, value: 'alice' } : undefined), has: () => true, getAll: () => [] },
    });
    expect((((await (await POST(request)).json()) as FlagSnapshot).flags['new-checkout']?.value)).toBe(true);
  });

  it("lets Next's control flow thrown by the context function propagate (a redirect stays a redirect)", async () => {
    const { client } = drivenClient(SUITE_DOCUMENT);
    const redirect = Object.assign(new Error('NEXT_REDIRECT'), { digest: 'NEXT_REDIRECT;replace;/login;307;' });
    const { GET } = createFlagsRoute({
      client,
      context: () => {
        throw redirect;
      },
    });
    await expect(GET(new Request('http://localhost/api/flags'))).rejects.toBe(redirect);
  });
});
