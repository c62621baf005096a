import { describe, expect, it } from 'vitest';
import { EventRateLimiter } from './rate-limit';

describe('EventRateLimiter', () => {
  it('allows a burst of two seconds of the rate, then refills continuously', () => {
    const limiter = new EventRateLimiter(100);
    expect(limiter.take('k', 150, 0)).toBe(0);
    expect(limiter.take('k', 50, 0)).toBe(0);
    // Empty: 10 events need 0.1 s of refill; the answer is whole seconds, at least 1.
    expect(limiter.take('k', 10, 0)).toBe(1);
    expect(limiter.take('k', 10, 100)).toBe(0);
    // Keys are independent.
    expect(limiter.take('other', 200, 100)).toBe(0);
  });

  it('lets a batch larger than the bucket through once the bucket is full, and charges empty batches 1', () => {
    const limiter = new EventRateLimiter(10);
    expect(limiter.take('k', 1000, 0)).toBe(0);
    expect(limiter.take('k', 1000, 0)).toBe(2);
    expect(limiter.take('k', 1000, 2000)).toBe(0);
    expect(limiter.take('e', 0, 0)).toBe(0);
  });

  it('is off at 0 and forgets idle keys on sweep', () => {
    expect(new EventRateLimiter(0).take('k', 1e9)).toBe(0);
    const limiter = new EventRateLimiter(1);
    limiter.take('k', 2, 0);
    expect(limiter.take('k', 1, 0)).toBe(1);
    limiter.sweep(10_000);
    expect(limiter.take('k', 2, 0)).toBe(0);
  });

  it('holds at most maxKeys buckets: past that, new keys pass untracked', () => {
    const limiter = new EventRateLimiter(1, 2, 2);
    limiter.take('a', 2, 0);
    limiter.take('b', 2, 0);
    expect(limiter.take('a', 1, 0)).toBe(1);
    expect(limiter.take('c', 100, 0)).toBe(0);
    expect(limiter.take('c', 100, 0)).toBe(0);
    // Once the old buckets are idle, they are swept and new keys are tracked again.
    limiter.take('d', 2, 5000);
    expect(limiter.take('d', 1, 5000)).toBe(1);
  });
});
