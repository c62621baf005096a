import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientAddress } from '../src/internal/http/client-address';
import { definitionsFastPath } from '../src/internal/http/fast-path';
import { AuthFailureLimiter } from '../src/internal/keys';
import { ACTOR, openServiceHarness, type ServiceHarness } from './service-harness';

// The definitions fast path on a real node:http server on port 0; anything it declines gets 599 here (the full
// Fastify route in the service), so a test can see which requests it answered.
describe('definitions fast path', () => {
  let harness: ServiceHarness;
  let server: Server;
  let base: string;
  let sdk: string;
  const limiter = new AuthFailureLimiter(3);

  beforeAll(async () => {
    harness = await openServiceHarness();
    sdk = (await harness.services.keys.create(ACTOR, { type: 'sdk', environment: 'development', name: 'sdk' })).token;
    await harness.hub.get('development');
    // X-Forwarded-For trusted, as behind a proxy: two clients on one loopback socket with different addresses.
    const fastPath = definitionsFastPath(harness.keys, harness.hub, limiter, clientAddress(true));
    server = createServer((req, res) => {
      if (fastPath(req, res)) return;
      res.writeHead(599);
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await harness?.close();
  });

  const fetchFrom = (address: string) => fetch(`${base}/sdk/v1/definitions`, { headers: { authorization: `Bearer ${sdk}`, 'x-forwarded-for': address } });

  it('steps aside only for the rate-limited address, not for everyone', async () => {
    expect((await fetchFrom('10.0.0.1')).status).toBe(200);
    for (let attempt = 0; attempt < 3; attempt++) limiter.fail('10.0.0.1');
    expect(limiter.blockedFor('10.0.0.1')).toBeGreaterThan(0);
    // The limited address goes to the full route (which answers 429 there)…
    expect((await fetchFrom('10.0.0.1')).status).toBe(599);
    // …while every other address keeps the fast path.
    const other = await fetchFrom('10.0.0.2');
    expect(other.status).toBe(200);
    expect(await other.json()).toMatchObject({ schemaVersion: 1 });
  });
});
