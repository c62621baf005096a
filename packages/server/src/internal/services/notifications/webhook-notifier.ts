import { createHmac, timingSafeEqual } from 'node:crypto';
import { backoffDelay, retryDelay } from '@halyard/core/adapter';
import type { Notification, Notifier } from './notifier';

/*
 * Webhook delivery of notifications: one POST per (notification, URL) with a Slack-compatible body (`text` and
 * `blocks`, so a Slack incoming-webhook URL works as is) plus the raw notification under `halyard`, signed with
 * HMAC-SHA256 (`X-Halyard-Signature: t=<unix seconds>,v1=<hex of HMAC(secret, "<t>.<body>")>`). Each attempt has a
 * timeout; network errors, timeouts, 408, 429 and 5xx are retried with full-jitter exponential backoff (core's
 * helpers, floors included; `Retry-After` can only lengthen a wait). Deliveries in flight are bounded: beyond
 * `maxQueue` a notification is dropped and counted, never blocking the producer.
 */

export interface WebhookNotifierOptions {
  /** Where to POST. */
  urls: readonly string[];
  /** HMAC-SHA256 secret for `X-Halyard-Signature`; without it requests are unsigned. */
  secret?: string | undefined;
  /** Per attempt, ms. Default 5,000. */
  timeoutMs?: number;
  /** Attempts per delivery, the first included. Default 5. */
  maxAttempts?: number;
  /** Backoff between attempts (ms): ceiling `min(max, base·2^n)`, floor a tenth of it. Default `{ base: 500, max: 30_000 }`. */
  backoff?: { base: number; max: number };
  /** Deliveries queued or in flight at most; more are dropped (counted). Default 1,000. */
  maxQueue?: number;
  /** Entries kept in the in-memory delivery log. Default 200. */
  logSize?: number;
  /** Clock (ms) for the signature timestamp and the log. */
  now?: () => number;
  /** Called when a delivery finally fails or a notification is dropped. */
  onError?: (error: Error) => void;
}

/** One finished delivery, newest last in `deliveries()`. */
export interface DeliveryRecord {
  url: string;
  type: string;
  flag: string;
  environment: string;
  ok: boolean;
  attempts: number;
  /** Last HTTP status; `undefined` after a network error or timeout. */
  status?: number;
  error?: string;
  time: number;
}

export interface WebhookStats {
  delivered: number;
  failed: number;
  dropped: number;
  retries: number;
  pending: number;
}

/** `X-Halyard-Signature` of `body` at `timestamp` (unix seconds). Receivers recompute it to verify. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Whether `header` is a valid signature of `body` with `secret`, made at most `toleranceSeconds` (default 300)
 * from `nowMs`: the check a receiver runs (constant-time comparison; old timestamps refused against replays).
 *
 * @example
 * if (!verifyWebhookSignature(secret, req.headers['x-halyard-signature'], rawBody)) return res.status(401).end();
 */
export function verifyWebhookSignature(secret: string, header: string | undefined, body: string, toleranceSeconds = 300, nowMs = Date.now()): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (match === null) return false;
  const t = Number(match[1]);
  if (Math.abs(nowMs / 1000 - t) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, t, body).slice(-64), 'hex');
  return timingSafeEqual(expected, Buffer.from(match[2] as string, 'hex'));
}

/** The Slack-compatible body: `text` (fallback and notification), `blocks`, and the raw notification. */
export function webhookBody(n: Notification): string {
  const context = `\`${n.type}\` · environment \`${n.environment}\` · flag \`${n.flag}\` · ${new Date(n.time).toISOString()}`;
  return JSON.stringify({
    text: n.message,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: n.message } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: context }] },
    ],
    halyard: n,
  });
}

const retryable = (status: number): boolean => status === 408 || status === 429 || status >= 500;

function retryAfterMs(value: string | null): number | undefined {
  if (value === null) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

export class WebhookNotifier implements Notifier {
  private readonly pending = new Set<Promise<void>>();
  private readonly log: DeliveryRecord[] = [];
  private readonly counts = { delivered: 0, failed: 0, dropped: 0, retries: 0 };
  private readonly timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly options: WebhookNotifierOptions) {
    this.now = options.now ?? Date.now;
    for (const url of options.urls) {
      const parsed = URL.canParse(url) ? new URL(url) : undefined;
      if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
        throw new Error(`@halyard/server: webhook URL ${JSON.stringify(url)} is not an http(s) URL; fix HALYARD_WEBHOOK_URLS (comma-separated)`);
      }
    }
  }

  notify(notification: Notification): void {
    if (this.closed) return;
    for (const url of this.options.urls) {
      if (this.pending.size >= (this.options.maxQueue ?? 1_000)) {
        this.counts.dropped++;
        this.options.onError?.(new Error(`@halyard/server: webhook queue full; dropped ${notification.type} for ${url}`));
        continue;
      }
      const delivery = this.deliver(url, notification).finally(() => this.pending.delete(delivery));
      this.pending.add(delivery);
    }
  }

  /** Waits for every queued delivery (bounded by the retries' own limits). */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Stops accepting, cuts backoff waits short (their deliveries give up) and waits for attempts in flight. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) {
      clearTimeout(t.timer);
      t.resolve();
    }
    await this.flush();
  }

  /** Finished deliveries, oldest first (the last `logSize`). */
  deliveries(): DeliveryRecord[] {
    return [...this.log];
  }

  stats(): WebhookStats {
    return { ...this.counts, pending: this.pending.size };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = { timer: setTimeout(() => (this.timers.delete(entry), resolve()), ms), resolve };
      entry.timer.unref();
      this.timers.add(entry);
    });
  }

  private async deliver(url: string, n: Notification): Promise<void> {
    const body = webhookBody(n);
    const maxAttempts = Math.max(1, this.options.maxAttempts ?? 5);
    const backoff = this.options.backoff ?? { base: 500, max: 30_000 };
    let status: number | undefined;
    let error: string | undefined;
    let attempt = 0;
    for (;;) {
      attempt++;
      let hint: number | undefined;
      const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': '@halyard/server webhooks' };
      if (this.options.secret) headers['x-halyard-signature'] = signWebhook(this.options.secret, Math.floor(this.now() / 1000), body);
      try {
        const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000), redirect: 'manual' });
        status = response.status;
        hint = retryAfterMs(response.headers.get('retry-after'));
        await response.body?.cancel().catch(() => {});
        error = response.ok ? undefined : `HTTP ${status}`;
        if (response.ok || !retryable(status)) break;
      } catch (caught) {
        status = undefined;
        error = caught instanceof Error ? caught.message : String(caught);
      }
      if (attempt >= maxAttempts || this.closed) break;
      this.counts.retries++;
      await this.sleep(hint === undefined ? backoffDelay(attempt - 1, backoff) : retryDelay(attempt - 1, backoff, hint));
      if (this.closed) break;
    }
    const ok = error === undefined;
    if (ok) this.counts.delivered++;
    else {
      this.counts.failed++;
      this.options.onError?.(new Error(`@halyard/server: webhook ${n.type} to ${url} failed after ${attempt} attempt(s): ${error}`));
    }
    const record: DeliveryRecord = { url, type: n.type, flag: n.flag, environment: n.environment, ok, attempts: attempt, time: this.now() };
    if (status !== undefined) record.status = status;
    if (error !== undefined) record.error = error;
    this.log.push(record);
    if (this.log.length > (this.options.logSize ?? 200)) this.log.shift();
  }
}

/** Several notifiers as one (webhooks, a test recorder, the audit log). */
export function fanOut(...notifiers: Notifier[]): Notifier {
  return {
    notify(notification) {
      for (const n of notifiers) n.notify(notification);
    },
    async flush() {
      await Promise.all(notifiers.map((n) => n.flush()));
    },
  };
}
