import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HalyardServer } from '../src/index';
import { clientAddress } from '../src/internal/http/client-address';
import { evaluateFastPath } from '../src/internal/http/evaluate-fast-path';
import { AuthFailureLimiter } from '../src/internal/keys';
import { ACTOR, openServiceHarness, type ServiceHarness } from './service-harness';
import { booleanFlag, call, createKey, createStorage, startServer, type TestStorage } from './helpers';

// POST /sdk/v1/evaluate is answered ahead of Fastify for well-formed requests (evaluate-fast-path.ts). The same
// request sent with `charset=UTF-8` (upper case) is declined by the fast path and answered by the Fastify route,
// so every pair below compares the two answers: they must be the same, errors and their JSON paths included.
describe('evaluate fast path answers exactly like the Fastify route', () => {
  let storage: TestStorage;
  let server: HalyardServer;
  let client: string;
  let sdk: string;

  beforeAll(async () => {
    storage = createStorage('postgres');
    server = await startServer(storage, { corsOrigins: ['https://shop.example'] });
    const admin = server.bootstrapToken!;
    client = await createKey(server.url, admin, { type: 'client', environment: 'production', name: 'shop' });
    sdk = await createKey(server.url, admin, { type: 'sdk', environment: 'production', name: 'api' });
    for (const [key, definition] of Object.entries({
      plain: booleanFlag(),
      split: { variants: { a: 'a', b: 'b' }, enabled: true, offVariant: 'a', defaultServe: { split: [{ variant: 'a', weight: 1 }, { variant: 'b', weight: 1 }] } },
      pro: { ...booleanFlag(), rules: [{ id: 'pro', conditions: [{ attribute: 'plan', operator: 'equals', values: ['pro'] }], serve: { variant: 'on' } }], defaultServe: { variant: 'off' } },
    })) {
      const created = await call(server.url, 'POST', '/api/v1/environments/production/flags', { token: admin, body: { key, definition } });
      expect(created.status).toBe(201);
    }
  });

  afterAll(async () => {
    await server?.close();
    await storage?.drop();
  });

  const HEADERS = ['etag', 'cache-control', 'content-type', 'vary', 'access-control-allow-origin', 'access-control-expose-headers'];

  async function both(rawBody: string | undefined, options: { token?: string; headers?: Record<string, string> } = {}) {
    const send = (contentType: string) =>
      call(server.url, 'POST', '/sdk/v1/evaluate', {
        token: options.token ?? client,
        ...(rawBody === undefined ? {} : { rawBody }),
        headers: { 'content-type': contentType, ...options.headers },
      });
    const fast = await send('application/json');
    const route = await send('application/json; charset=UTF-8');
    const pick = (r: typeof fast) => ({ status: r.status, body: r.body, headers: Object.fromEntries(HEADERS.map((h) => [h, r.headers.get(h)])) });
    return { fast: pick(fast), route: pick(route) };
  }

  it('evaluates contexts the same (200, body, ETag, CORS headers), for client and SDK keys', async () => {
    for (const body of ['{"context":{"userId":"u-1","plan":"pro"}}', '{"context":{"userId":"u-2"}}', '{}', '{"context":null}', '{"context":{}}', 'null']) {
      for (const token of [client, sdk]) {
        const { fast, route } = await both(body, { token, headers: { origin: 'https://shop.example' } });
        expect(fast.status).toBe(200);
        expect(fast).toEqual(route);
      }
    }
    const { fast } = await both('{"context":{"userId":"u-1","plan":"pro"}}');
    expect(fast.body.flags.pro).toMatchObject({ value: true, reason: 'TARGETING_MATCH' });
  });

  it('answers If-None-Match with 304 the same', async () => {
    const { fast } = await both('{"context":{"userId":"u-1"}}');
    const again = await both('{"context":{"userId":"u-1"}}', { headers: { 'if-none-match': fast.headers.etag! } });
    expect(again.fast.status).toBe(304);
    expect(again.fast).toEqual(again.route);
  });

  it('hands bodies it does not accept to the route with the bytes replayed: same 400s and JSON paths', async () => {
    for (const body of ['{"context":', '[1]', '{"context":[1]}', '{"context":"u-1"}', '{"other":1}', '{"context":{"name":"a\\u0000b"}}', '{"context":{"__proto__":{}}}']) {
      const { fast, route } = await both(body);
      expect({ body, status: fast.status }).toEqual({ body, status: 400 });
      expect(fast).toEqual(route);
    }
  });

  it('leaves authentication failures, wrong keys, other origins and oversized bodies to the route', async () => {
    for (const token of ['hy_client_unknown', server.bootstrapToken!]) {
      const { fast, route } = await both('{}', { token });
      expect([401, 403]).toContain(fast.status);
      expect(fast).toEqual(route);
    }
    const other = await both('{}', { headers: { origin: 'https://evil.example' } });
    expect(other.fast.headers['access-control-allow-origin']).toBeNull();
    expect(other.fast).toEqual(other.route);
    const big = await both(JSON.stringify({ context: { blob: 'x'.repeat(70 * 1024) } }));
    expect(big.fast.status).toBe(413);
    expect(big.fast).toEqual(big.route);
  });
});

// The fast path alone on a node:http server on port 0: what it declines or hands over answers 599 here, so a test
// sees which requests it answered itself.
describe('evaluate fast path on its own', () => {
  let harness: ServiceHarness;
  let server: Server;
  let base: string;
  let client: string;
  let handedOver: string[] = [];

  beforeAll(async () => {
    harness = await openServiceHarness();
    client = (await harness.services.keys.create(ACTOR, { type: 'client', environment: 'development', name: 'web' })).token;
    await harness.hub.get('development');
    const fastPath = evaluateFastPath(harness.keys, harness.hub, new AuthFailureLimiter(3), clientAddress(false), { corsOrigins: '*', bodyLimit: 1024 });
    const decline = (req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(599);
      res.end();
    };
    server = createHttpServer((req, res) => {
      const fallback = (r: IncomingMessage, s: ServerResponse) => {
        handedOver.push(String(r.headers['x-case']));
        decline(r, s);
      };
      if (!fastPath(req, res, fallback)) decline(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await harness?.close();
  });

  const post = (name: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/sdk/v1/evaluate`, { method: 'POST', body, headers: { authorization: `Bearer ${client}`, 'content-type': 'application/json', 'x-case': name, ...headers } });

  it('answers well-formed requests itself, with the snapshot and its ETag', async () => {
    const response = await post('ok', '{"context":{"userId":"u-1"}}');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { version: string; flags: Record<string, unknown> };
    expect(response.headers.get('etag')).toBe(`"${body.version}"`);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(handedOver).toEqual([]);
  });

  it('hands over bodies it read but does not accept, and declines the rest before reading', async () => {
    handedOver = [];
    expect((await post('bad-json', '{"context":')).status).toBe(599);
    expect((await post('array', '{"context":[1]}')).status).toBe(599);
    expect(handedOver).toEqual(['bad-json', 'array']);
    expect((await post('big', JSON.stringify({ context: { blob: 'x'.repeat(2000) } }))).status).toBe(599);
    expect((await post('no-key', '{}', { authorization: 'Bearer hy_client_nope' })).status).toBe(599);
    expect((await post('text', '{}', { 'content-type': 'text/plain' })).status).toBe(599);
    expect(handedOver).toEqual(['bad-json', 'array']);
  });
});
