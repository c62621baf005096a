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
 * them over the whole window instead of synchronising them into waves. A small floor (10 % of `base`) keeps an
 * unlucky draw from turning into a hot retry loop.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.max, options.base * 2 ** Math.min(Math.max(attempt, 0), 30));
  const floor = Math.min(options.base / 10, ceiling);
  return Math.round(floor + random() * (ceiling - floor));
}

/** Fills in defaults: retries start around 1 s and never wait more than a minute (or one poll interval if longer). */
export function resolveBackoff(retry: Partial<BackoffOptions> | undefined, pollInterval: number): BackoffOptions {
  const base = retry?.base ?? 1_000;
  const max = retry?.max ?? Math.max(60_000, pollInterval);
  return { base, max: Math.max(base, max) };
}
