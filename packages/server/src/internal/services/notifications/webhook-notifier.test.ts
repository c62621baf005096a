import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Notification } from './notifier';
import { signWebhook, verifyWebhookSignature, WebhookNotifier } from './webhook-notifier';

interface Received {
  body: string;
  signature: string | undefined;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A real receiver on port 0 that answers `failures` (status, or 'hang') first, then 200. */
async function receiver(failures: (number | 'hang')[]) {
  const received: Received[] = [];
  let attempts = 0;
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const failure = failures[attempts++];
      if (failure === 'hang') return;
      if (failure !== undefined) return void res.writeHead(failure).end('nope');
      received.push({ body, signature: req.headers['x-halyard-signature'] as string | undefined });
      res.writeHead(204).end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, attempts: () => attempts };
}

const NOTIFICATION: Notification = {
  type: 'breaker.tripped',
  environment: 'production',
  flag: 'new-checkout',
  message: 'Breaker tripped: "new-checkout" killed (variant on: 12 errors of 40, 30 % ≥ 5 %)',
  details: { errorRate: 0.3 },
  time: Date.UTC(2026, 0, 1),
};

const fast = { backoff: { base: 10, max: 40 }, timeoutMs: 500 };

describe('WebhookNotifier', () => {
  it('delivers a Slack-compatible, signed body', async () => {
    const hook = await receiver([]);
    const notifier = new WebhookNotifier({ urls: [hook.url], secret: 's3cret', ...fast });
    notifier.notify(NOTIFICATION);
    await notifier.flush();
    expect(hook.received).toHaveLength(1);
    const { body, signature } = hook.received[0]!;
    const parsed = JSON.parse(body) as { text: string; blocks: { type: string }[]; halyard: Notification };
    expect(parsed.text).toBe(NOTIFICATION.message);
    expect(parsed.blocks.map((b) => b.type)).toEqual(['section', 'context']);
    expect(parsed.halyard).toEqual(NOTIFICATION);
    expect(verifyWebhookSignature('s3cret', signature, body)).toBe(true);
    expect(verifyWebhookSignature('other', signature, body)).toBe(false);
    expect(verifyWebhookSignature('s3cret', signature, `${body} `)).toBe(false);
    expect(notifier.stats()).toEqual({ delivered: 1, failed: 0, dropped: 0, retries: 0, pending: 0 });
  });

  it('retries 5xx, 429 and timeouts with backoff, then succeeds', async () => {
    const hook = await receiver([500, 503, 429, 'hang']);
    const notifier = new WebhookNotifier({ urls: [hook.url], secret: 'k', ...fast, timeoutMs: 200 });
    notifier.notify(NOTIFICATION);
    await notifier.flush();
    expect(hook.attempts()).toBe(5);
    expect(hook.received).toHaveLength(1);
    expect(notifier.deliveries()).toEqual([expect.objectContaining({ ok: true, attempts: 5, status: 204 })]);
    expect(notifier.stats()).toMatchObject({ delivered: 1, retries: 4 });
  });

  it('gives up after maxAttempts and does not retry other 4xx', async () => {
    const down = await receiver([500, 500, 500, 500]);
    const errors: Error[] = [];
    const notifier = new WebhookNotifier({ urls: [down.url], ...fast, maxAttempts: 3, onError: (e) => errors.push(e) });
    notifier.notify(NOTIFICATION);
    await notifier.flush();
    expect(down.attempts()).toBe(3);
    expect(notifier.deliveries()[0]).toMatchObject({ ok: false, attempts: 3, status: 500, error: 'HTTP 500' });
    expect(errors[0]?.message).toMatch(/failed after 3 attempt/);

    const refused = await receiver([404]);
    const other = new WebhookNotifier({ urls: [refused.url], ...fast });
    other.notify(NOTIFICATION);
    await other.flush();
    expect(refused.attempts()).toBe(1);
    expect(other.stats()).toMatchObject({ failed: 1, retries: 0 });
  });

  it('bounds the queue: beyond maxQueue notifications are dropped and counted', async () => {
    const hook = await receiver([]);
    const notifier = new WebhookNotifier({ urls: [hook.url], ...fast, maxQueue: 2 });
    for (let i = 0; i < 5; i++) notifier.notify(NOTIFICATION);
    expect(notifier.stats()).toMatchObject({ dropped: 3, pending: 2 });
    await notifier.flush();
    expect(hook.received).toHaveLength(2);
  });

  it('refuses a non-http URL with the setting to fix', () => {
    expect(() => new WebhookNotifier({ urls: ['ftp://x'] })).toThrow(/HALYARD_WEBHOOK_URLS/);
  });

  it('signatures: stale timestamps are refused', () => {
    const header = signWebhook('k', 1_000, 'body');
    expect(verifyWebhookSignature('k', header, 'body', 300, 1_000_000)).toBe(true);
    expect(verifyWebhookSignature('k', header, 'body', 300, 1_400_000)).toBe(false);
    expect(verifyWebhookSignature('k', 'garbage', 'body')).toBe(false);
  });
});
