/** Retry timing shared by the poller and the SSE reader. */
export interface BackoffOptions {
  /** Ceiling of the first retry delay, in ms. */
  base: number;
  /** Largest ceiling, in ms. */
  max: number;
}

/**
 * Full-jitter exponential backoff: a uniformly random delay below `min(max, base · 2^attempt)`.
 * Jitter matters more than the curve: after an outage thousands of clients retry at once, and full jitter spreads
 * them over the whole window instead of synchronising them into waves. A floor of 10 % of the ceiling keeps
 * unlucky draws from turning into a hot retry loop: it doubles too, so even a run of the shortest draws backs off
 * (a stream that keeps closing at once is reconnected after 100, 200, 400… ms by default, never in a loop).
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.max, options.base * 2 ** Math.min(Math.max(attempt, 0), 30));
  const floor = ceiling / 10;
  return Math.round(floor + random() * (ceiling - floor));
}

/** Fills in defaults: retries start around 1 s and never wait more than a minute (or one poll interval if longer). */
export function resolveBackoff(retry: Partial<BackoffOptions> | undefined, pollInterval: number): BackoffOptions {
  const base = retry?.base ?? 1_000;
  const max = retry?.max ?? Math.max(60_000, pollInterval);
  return { base, max: Math.max(base, max) };
}

/**
 * The delay before retry number `attempt` when the server suggested one (SSE `retry:`, `Retry-After`): the longer
 * of our backoff and the hint (capped at `max`, plus up to 10 % jitter so a herd told "3 s" does not return in
 * step). A hint can only lengthen the wait: servers and proxies get it wrong — `retry: 0` on a stream that closes
 * at once made one client open thousands of connections in seconds — so it may slow a client down, never hurry it.
 */
export function retryDelay(attempt: number, options: BackoffOptions, hint?: number, random: () => number = Math.random): number {
  const delay = backoffDelay(attempt, options, random);
  // `hint > 0` is false for undefined and NaN too: garbage hints leave our backoff as it is.
  return hint! > 0 ? Math.max(delay, Math.round(Math.min(options.max, hint! * (1 + random() / 10)))) : delay;
}

/** `Retry-After` in ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  // An HTTP date always names a weekday and month; `Date.parse` alone would read "-5" as a year.
  const ms = /^\s*\d+\s*$/.test(value) ? Number(value) * 1_000 : /[a-z]/i.test(value) ? Date.parse(value) - now : NaN;
  return Number.isFinite(ms) ? Math.max(ms, 0) : undefined;
}
