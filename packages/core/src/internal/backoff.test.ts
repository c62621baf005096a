import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter, resolveBackoff, retryDelay } from './backoff';

describe('backoffDelay', () => {
  const options = { base: 1_000, max: 60_000 };

  it('grows the ceiling exponentially up to max', () => {
    expect(backoffDelay(0, options, () => 1)).toBe(1_000);
    expect(backoffDelay(1, options, () => 1)).toBe(2_000);
    expect(backoffDelay(3, options, () => 1)).toBe(8_000);
    expect(backoffDelay(6, options, () => 1)).toBe(60_000);
    expect(backoffDelay(500, options, () => 1)).toBe(60_000);
  });

  it('draws uniformly (full jitter) above a floor of a tenth of the ceiling', () => {
    expect(backoffDelay(4, options, () => 0)).toBe(1_600);
    expect(backoffDelay(4, options, () => 0.5)).toBe(Math.round(1_600 + 0.5 * (16_000 - 1_600)));
  });

  it('backs off even when every draw is the shortest: the floor doubles too', () => {
    expect([0, 1, 2, 3, 4, 9].map((n) => backoffDelay(n, options, () => 0))).toEqual([100, 200, 400, 800, 1_600, 6_000]);
  });

  it('spreads retries of many clients', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(5, options)));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(3_200);
      expect(d).toBeLessThanOrEqual(32_000);
    }
  });
});

describe('retryDelay (server hints: SSE retry:, Retry-After)', () => {
  const options = { base: 1_000, max: 60_000 };

  it('never lets a hint shorten the wait: retry: 0 backs off from our own base', () => {
    for (const hint of [0, -1, Number.NaN, undefined]) {
      expect([0, 1, 2].map((n) => retryDelay(n, options, hint, () => 0))).toEqual([100, 200, 400]);
      expect([0, 1, 2].map((n) => retryDelay(n, options, hint, () => 1))).toEqual([1_000, 2_000, 4_000]);
    }
  });

  it('lets a hint lengthen the wait (plus up to 10 % jitter), capped at max', () => {
    expect(retryDelay(3, options, 1, () => 0)).toBe(800);
    expect(retryDelay(0, options, 5_000, () => 0)).toBe(5_000);
    expect(retryDelay(0, options, 5_000, () => 1)).toBe(5_500);
    expect(retryDelay(5, options, 5_000, () => 1)).toBe(32_000);
    expect(retryDelay(0, options, 3_600_000, () => 1)).toBe(60_000);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates, in ms', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('-5')).toBeUndefined();
  });
});

describe('resolveBackoff', () => {
  it('defaults to 1 s .. max(60 s, interval)', () => {
    expect(resolveBackoff(undefined, 15_000)).toEqual({ base: 1_000, max: 60_000 });
    expect(resolveBackoff(undefined, 120_000)).toEqual({ base: 1_000, max: 120_000 });
    expect(resolveBackoff({ base: 5, max: 1 }, 0)).toEqual({ base: 5, max: 5 });
  });
});
