import type { EvaluationContext, ExposureEvent } from '@halyard/core';
import { createHalyard } from '@halyard/next';
import type { CreateHalyardOptions, Halyard, NextContextFn, RequestInfo } from '@halyard/next';
import { createTestClient, type TestClientOptions, type TestFlagClient } from './internal/test-client';
import type { TestFlagValues } from './internal/document';

/** The cookies and headers of a fake request. */
export interface TestRequestInit {
  cookies?: Readonly<Record<string, string>>;
  headers?: Readonly<Record<string, string>>;
}

/**
 * A fixed request (cookies + headers) for `createHalyard({ request })`, so server components and the context
 * function run in tests without a Next.js request scope.
 *
 * @example
 * const halyard = createHalyard({ client, context, request: () => testRequest({ cookies: { uid: 'u-1' } }) });
 */
export function testRequest(init: TestRequestInit = {}): RequestInfo {
  const cookies = new Map(Object.entries(init.cookies ?? {}));
  const headers = new Headers(init.headers);
  if (cookies.size > 0 && !headers.has('cookie')) {
    headers.set('cookie', [...cookies].map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('; '));
  }
  return {
    cookies: {
      get: (name) => (cookies.has(name) ? { name, value: cookies.get(name) as string } : undefined),
      has: (name) => cookies.has(name),
      getAll: () => [...cookies].map(([name, value]) => ({ name, value })),
    },
    headers,
  };
}

export interface TestHalyardOptions extends TestRequestInit, TestClientOptions {
  /** The app's context function; default `{ userId: cookies.get('uid')?.value }`. */
  context?: NextContextFn;
  /** Passed to `createHalyard` (endpoint, pollInterval, stream, readyTimeout, onError). */
  halyard?: Omit<CreateHalyardOptions, 'client' | 'context' | 'request' | 'onExposure'>;
  /** Server-side exposures (reads through `getFlags()`). */
  onExposure?: (event: ExposureEvent) => void;
}

/** What {@link createTestHalyard} returns: a real `createHalyard()` result plus its test client. */
export interface TestHalyard extends Halyard {
  /** The client behind it: `client.set(key, value)` changes what the next request sees. */
  client: TestFlagClient;
}

/**
 * A real `createHalyard()` over a test client serving `values`, with a fixed request: server components,
 * `getFlags()`, `<HalyardProvider>` and the Pages Router wrappers behave as in production, without Next.js
 * running. Mock your app's flags module with it.
 *
 * Note: React `cache` only memoises inside a React Server Components request, so outside one each `getFlags()`
 * call evaluates again (values are the same).
 *
 * @example
 * vi.mock('@/flags.server', () => createTestHalyard({ 'new-checkout': true }, { cookies: { uid: 'u-1' } }));
 * const html = renderToString(await CheckoutPage());
 * expect(html).toContain('New checkout');
 */
export function createTestHalyard(values: TestFlagValues = {}, options: TestHalyardOptions = {}): TestHalyard {
  const client = createTestClient(values, options);
  const request = testRequest(options);
  const context: NextContextFn = options.context ?? (({ cookies }): EvaluationContext => ({ userId: cookies.get('uid')?.value }));
  const halyard = createHalyard({ ...options.halyard, client, context, request: () => request, onExposure: options.onExposure });
  return { ...halyard, client };
}

export interface FlagsRequestInit extends TestRequestInit {
  /** Default `http://localhost/api/flags`. */
  url?: string;
  /** Default `POST`. */
  method?: 'GET' | 'POST';
  /** Sent as `{ "context": ... }` in a POST body. */
  context?: EvaluationContext;
  /** Sent as `If-None-Match` (an ETag from an earlier answer). */
  ifNoneMatch?: string;
}

/**
 * A `Request` as `<FlagProvider endpoint>` sends it, for testing `createFlagsRoute()` handlers directly.
 *
 * @example
 * const { POST } = createFlagsRoute({ client: createTestClient({ beta: true }), context });
 * const response = await POST(flagsRequest({ cookies: { uid: 'u-1' } }));
 * expect((await response.json()).flags.beta.value).toBe(true);
 */
export function flagsRequest(init: FlagsRequestInit = {}): Request {
  const method = init.method ?? 'POST';
  const headers = new Headers(testRequest(init).headers as Headers);
  if (init.ifNoneMatch !== undefined) headers.set('if-none-match', init.ifNoneMatch);
  if (method === 'POST') headers.set('content-type', 'application/json');
  return new Request(init.url ?? 'http://localhost/api/flags', {
    method,
    headers,
    body: method === 'POST' ? JSON.stringify({ context: init.context ?? {} }) : undefined,
  });
}
