/**
 * Events per second per key (an API key, or a client key and address): a token bucket per key, refilled
 * continuously, holding at most `burstSeconds` of the rate. A batch costs its event count (at least 1, so empty
 * batches are not free). Buckets idle long enough to be full again are swept; at most `maxKeys` are held, and past
 * that (a flood of addresses) new keys are let through untracked rather than growing memory.
 */
export class EventRateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    /** Events per second per key; `0` disables the limit. */
    private readonly perSecond: number,
    private readonly burstSeconds = 2,
    private readonly maxKeys = 100_000,
  ) {}

  /** Takes `cost` tokens from the key's bucket: 0 when allowed, else the whole seconds to wait (nothing taken). */
  take(key: string, cost: number, now = Date.now()): number {
    if (this.perSecond <= 0) return 0;
    const capacity = this.perSecond * this.burstSeconds;
    // A batch larger than the whole bucket costs the whole bucket: otherwise it could never pass.
    const amount = Math.min(Math.max(1, cost), capacity);
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= this.maxKeys) this.sweep(now);
      if (this.buckets.size >= this.maxKeys) return 0;
      this.buckets.set(key, (bucket = { tokens: capacity, at: now }));
    } else {
      bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
      bucket.at = now;
    }
    if (bucket.tokens >= amount) {
      bucket.tokens -= amount;
      return 0;
    }
    return Math.max(1, Math.ceil((amount - bucket.tokens) / this.perSecond));
  }

  sweep(now = Date.now()): void {
    const fullAfterMs = this.burstSeconds * 1000;
    for (const [key, bucket] of this.buckets) if (now - bucket.at > fullAfterMs) this.buckets.delete(key);
  }
}
