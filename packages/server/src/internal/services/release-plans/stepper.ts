import { randomUUID } from 'node:crypto';
import type { Store } from '../../store/store';
import type { ReleasePlanService } from './release-plan-service';

export interface StepperOptions {
  /** Evaluation period, ms. Default 5,000. */
  tickMs?: number;
  /** How long a lease lasts without renewal, ms. Default 3 × tickMs: another instance takes over after that. */
  leaseMs?: number;
  /** This instance's lease holder id. Default a random UUID. */
  holder?: string;
  onError?: (error: unknown, message: string) => void;
  /** Flag-expiry notifications (services/flag-expiry.ts): checked in the tick, by the lease holder only. */
  expiry?: { check(): Promise<number> };
}

const LEASE = 'release-plans';

/**
 * Exactly one instance advances plans and applies scheduled changes: the holder of a lease row with an expiry
 * (`stepper_leases`), taken or renewed in one statement at every tick. An instance that dies stops renewing; the
 * next tick of another instance after the expiry takes over, and since every transition is one transaction with
 * the plan's state, it resumes from the stored state. (PGlite: one process, the lease is trivially held.)
 */
export class Stepper {
  readonly holder: string;
  private readonly tickMs: number;
  private readonly leaseMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly store: Store,
    private readonly plans: ReleasePlanService,
    private readonly options: StepperOptions = {},
  ) {
    this.holder = options.holder ?? randomUUID();
    this.tickMs = options.tickMs ?? 5000;
    this.leaseMs = options.leaseMs ?? 3 * this.tickMs;
  }

  /** One tick: takes or renews the lease, then (only as holder) applies due changes and evaluates plans. */
  async tick(): Promise<{ leader: boolean; applied: number; changed: number }> {
    const now = this.plans.now();
    const leader = await this.store.releasePlans.acquireLease(LEASE, this.holder, new Date(now).toISOString(), new Date(now + this.leaseMs).toISOString());
    if (!leader) return { leader, applied: 0, changed: 0 };
    const applied = await this.plans.applyDueSchedules();
    const changed = (await this.plans.stepAll()).length;
    if (this.options.expiry) {
      // Its own failure must not stop plans: reported, retried at the next check.
      await this.options.expiry.check().catch((error: unknown) => this.options.onError?.(error, '@halyard/server: the flag-expiry check failed'));
    }
    return { leader, applied, changed };
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.tick()
        .catch((error: unknown) => this.options.onError?.(error, '@halyard/server: release-plan tick failed'))
        .finally(() => (this.running = undefined));
    }, this.tickMs);
    this.timer.unref();
  }

  /** Stops ticking, waits for a tick in progress, and gives the lease up so another instance takes over at once. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    await this.store.releasePlans.releaseLease(LEASE, this.holder).catch(() => {});
  }
}
