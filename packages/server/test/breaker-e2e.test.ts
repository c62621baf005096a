import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFlagClient, httpSource } from '@halyard/core';
import { createEventSender } from '@halyard/core/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HalyardServer } from '../src/index';
import { verifyWebhookSignature } from '../src/internal/services/notifications/webhook-notifier';
import { booleanFlag, call, createKey, createStorage, startServer, type TestStorage } from './helpers';

// End to end: a client's failing guarded path trips its own breaker at once, its outcomes reach the service, the
// breaker monitor kills the flag for everyone (actor "breaker", audited, streamed) and a signed webhook goes out.

const SECRET = 'breaker-e2e-secret';

async function eventually<T>(read: () => Promise<T> | T, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('circuit breaker: SDK → service kill → every SDK', () => {
  let storage: TestStorage;
  let server: HalyardServer;
  let hook: Server;
  const received: { body: string; signature: string | undefined }[] = [];
  let failFirst = 1;
  let admin: string;
  let sdk: string;

  beforeAll(async () => {
    hook = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        if (failFirst-- > 0) return void res.writeHead(503).end();
        received.push({ body, signature: req.headers['x-halyard-signature'] as string | undefined });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/slack`;
    storage = createStorage('postgres');
    server = await startServer(storage, {
      events: { flushMs: 50 },
      breakerMonitor: { intervalMs: 100 },
      webhooks: { urls: [hookUrl], secret: SECRET, backoff: { base: 20, max: 100 } },
    });
    admin = server.bootstrapToken!;
    sdk = await createKey(server.url, admin, { type: 'sdk', environment: 'production', name: 'breaker e2e' });
  });

  afterAll(async () => {
    await server?.close();
    await storage?.drop();
    await new Promise((resolve) => hook?.close(resolve));
  });

  it('kills the flag with actor "breaker", streams it, notifies once (signed, after a retry)', async () => {
    const F = '/api/v1/environments/production/flags';
    const breaker = { errorRate: 0.5, minRequests: 10, windowSeconds: 60 };
    const created = await call(server.url, 'POST', F, { token: admin, body: { key: 'risky-checkout', definition: { ...booleanFlag(true), breaker } } });
    expect(created.status).toBe(201);

    const source = () => httpSource({ url: `${server.url}/sdk/v1/definitions`, sdkKey: sdk, stream: true, pollInterval: 600_000 });
    // Another process: no outcomes of its own, so only the service's kill can turn it off.
    const observer = createFlagClient({ source: source(), logger: false, breakers: false });
    const app = createFlagClient({ source: source(), logger: false, events: createEventSender({ url: `${server.url}/sdk/v1/events`, sdkKey: sdk }) });
    await Promise.all([observer.ready(), app.ready()]);
    expect(observer.isEnabled('risky-checkout', { userId: 'u' })).toBe(true);

    let errors = 0;
    let servedOffAt: number | undefined;
    observer.subscribe(() => {
      if (servedOffAt === undefined && !observer.isEnabled('risky-checkout', { userId: 'u' })) servedOffAt = Date.now();
    });
    for (let i = 0; i < 30; i++) {
      await app.guard('risky-checkout', { userId: `u${i}` }, {
        on: () => {
          errors++;
          throw new Error('payment provider 500');
        },
        off: () => 'old checkout',
      });
    }
    // The app's own breaker opened at the 10th error: it stopped trying the new path at once.
    expect(errors).toBe(10);
    expect(app.getDetails('risky-checkout', true, { userId: 'x' }).reason).toBe('BREAKER');
    expect(app.breakers()[0]).toMatchObject({ flag: 'risky-checkout', state: 'open', errors: 10, requests: 10 });
    await app.flush();

    await eventually(() => observer.isEnabled('risky-checkout', { userId: 'u' }), (on) => !on);
    const audit = await call(server.url, 'GET', '/api/v1/audit?flag=risky-checkout', { token: admin });
    const kill = (audit.body.entries as { actor: { name: string; id: string | null }; action: string; at: string }[]).find((e) => e.actor.name === 'breaker');
    expect(kill).toMatchObject({ action: 'flag.toggle', actor: { id: null, name: 'breaker' } });
    const flag = await call(server.url, 'GET', `${F}/risky-checkout`, { token: admin });
    expect(flag.body.definition.enabled).toBe(false);
    const killMs = servedOffAt! - Date.parse(kill!.at);
    console.log(`breaker e2e: audit entry → streaming SDK serving off in ${killMs} ms`);
    expect(killMs).toBeLessThan(10_000); // a sanity bound only; the number is printed

    await eventually(() => received.length, (n) => n >= 1);
    await new Promise((resolve) => setTimeout(resolve, 500)); // more monitor rounds: no second notification
    expect(received).toHaveLength(1);
    const { body, signature } = received[0]!;
    expect(verifyWebhookSignature(SECRET, signature, body)).toBe(true);
    const payload = JSON.parse(body) as { text: string; halyard: { type: string; flag: string; details: { errors: number } } };
    expect(payload.halyard).toMatchObject({ type: 'breaker.tripped', flag: 'risky-checkout', details: { errors: 10 } });
    expect(payload.text).toMatch(/risky-checkout/);

    // Re-enabling is a person's decision: the monitor leaves it killed, and a person's toggle is obeyed.
    const on = await call(server.url, 'POST', `${F}/risky-checkout/toggle`, { token: admin, body: { enabled: true } });
    expect(on.status).toBe(200);
    await eventually(() => app.isEnabled('risky-checkout', { userId: 'u' }), (v) => v);
    expect(app.breakers()[0]?.state).toBe('closed');
    await Promise.all([observer.close(), app.close()]);
  });
});
