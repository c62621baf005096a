import { describe, expect, it } from 'vitest';
import { backoffDelay, resolveBackoff } from './backoff';

describe('backoffDelay', () => {
  const options = { base: 1_000, max: 60_000 };

  it('grows the ceiling exponentially up to max', () => {
    expect(backoffDelay(0, options, () => 1)).toBe(1_000);
    expect(backoffDelay(1, options, () => 1)).toBe(2_000);
    expect(backoffDelay(3, options, () => 1)).toBe(8_000);
    expect(backoffDelay(6, options, () => 1)).toBe(60_000);
    expect(backoffDelay(500, options, () => 1)).toBe(60_000);
  });

  it('draws uniformly (full jitter) above a small floor', () => {
    expect(backoffDelay(4, options, () => 0)).toBe(100);
    expect(backoffDelay(4, options, () => 0.5)).toBe(Math.round(100 + 0.5 * (16_000 - 100)));
  });

  it('spreads retries of many clients', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(5, options)));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(100);
      expect(d).toBeLessThanOrEqual(32_000);
    }
  });
});

describe('resolveBackoff', () => {
  it('defaults to 1 s .. max(60 s, interval)', () => {
    expect(resolveBackoff(undefined, 15_000)).toEqual({ base: 1_000, max: 60_000 });
    expect(resolveBackoff(undefined, 120_000)).toEqual({ base: 1_000, max: 120_000 });
    expect(resolveBackoff({ base: 5, max: 1 }, 0)).toEqual({ base: 5, max: 5 });
  });
});
