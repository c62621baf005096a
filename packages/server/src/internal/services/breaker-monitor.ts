import { breakerTrips, watchedVariants } from '@halyard/core/adapter';
import type { FlagDefinition } from '@halyard/core';
import type { Database } from '../store/db';
import type { Actor } from '../store/types';
import type { AuditService } from './audit-service';
import type { EnvironmentService } from './environment-service';
import type { EventMetrics } from './events/metrics';
import type { FlagService } from './flag-service';
import type { Notifier } from './notifications/notifier';
import type { ResourceService } from './resource-service';

/*
 * The service side of flag circuit breakers (docs/release-safety.md, "Circuit breakers"): every `intervalMs`, for
 * each enabled flag with a `breaker`, read the aggregated outcomes of its watched variants over the breaker window
 * and, when one reaches the threshold (core's `breakerTrips`, the SDKs' rule), kill the flag for everyone — an
 * ordinary toggle by actor `breaker`, so it is audited and streamed like any write — and notify `breaker.tripped`.
 *
 * One instance acts per check: the check runs inside a transaction holding a PostgreSQL advisory transaction lock
 * (`pg_try_advisory_xact_lock`, keyed by the schema); an instance that does not get it skips the round. A flag that
 * is already disabled is never checked, and only a toggle that actually wrote notifies, so a kill is announced once.
 * Re-enabling is a person's decision; with `halfOpenAfterSeconds` the service re-enables the flag itself that
 * long after its kill (the SDKs' breakers then probe).
 */

export const BREAKER_ACTOR: Actor = { id: null, name: 'breaker' };

export interface BreakerMonitorOptions {
  /** How often to check, ms. Default 5,000. */
  intervalMs?: number;
  /** Clock, ms since epoch. */
  now?: () => number;
  /** Timer (tests drive `check()` themselves with `false`). Default `setInterval`. */
  setInterval?: ((fn: () => void, ms: number) => { clear(): void }) | false;
}

/** One trip, as `trips()` reports it. */
export interface BreakerTrip {
  environment: string;
  flag: string;
  variant: string;
  errors: number;
  requests: number;
  errorRate: number;
  threshold: number;
  /** ms since epoch: the decision. */
  decidedAt: number;
  /** ms since epoch: the kill write committed. */
  killedAt: number;
  auditId: string | undefined;
  /** The flag's version after the kill (while the service may still half-open it). */
  version: number | undefined;
}

interface Deps {
  db: Database;
  audit: AuditService;
  environments: EnvironmentService;
  resources: ResourceService;
  flags: FlagService;
  metrics: EventMetrics;
  notifier?: Notifier | undefined;
  onError: (error: unknown, message: string) => void;
}

export class BreakerMonitor {
  private readonly now: () => number;
  private readonly log: BreakerTrip[] = [];
  private timer: { clear(): void } | undefined;
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly deps: Deps,
    private readonly options: BreakerMonitorOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    const every = this.options.intervalMs ?? 5_000;
    const tick = () => void this.check().catch((error: unknown) => this.deps.onError(error, '@halyard/server: the breaker check failed'));
    if (this.options.setInterval === false) return;
    if (this.options.setInterval !== undefined) this.timer = this.options.setInterval(tick, every);
    else {
      const t = setInterval(tick, every);
      t.unref();
      this.timer = { clear: () => clearInterval(t) };
    }
  }

  /** The trips this instance made (newest last, the last 100). */
  trips(): BreakerTrip[] {
    return [...this.log];
  }

  /** One round (skipped when the previous one still runs, or another instance holds the lock). */
  check(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return (this.running ??= this.round().finally(() => (this.running = undefined)));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.timer?.clear();
    await this.running?.catch(() => {});
  }

  private async round(): Promise<void> {
    // PGlite is one process: no other instance to exclude (and a held transaction would block the kill write).
    if (this.deps.db.kind === 'pglite') return this.checkAll();
    await this.deps.db.transaction(async (tx) => {
      const [row] = await tx.query<{ locked: boolean }>(`SELECT pg_try_advisory_xact_lock(hashtext(current_schema() || ':halyard:breaker-monitor')) AS locked`);
      if (row?.locked === true) await this.checkAll();
    });
  }

  private async checkAll(): Promise<void> {
    for (const env of await this.deps.environments.list()) {
      const flags = await this.deps.resources.list<FlagDefinition>('flag', env.key);
      for (const { key, definition } of flags) {
        if (definition.breaker === undefined || this.closed) continue;
        try {
          if (definition.enabled) await this.checkFlag(env.key, key, definition);
          else await this.maybeHalfOpen(env.key, key, definition);
        } catch (error) {
          this.deps.onError(error, `@halyard/server: the breaker check of flag "${key}" in "${env.key}" failed`);
        }
      }
    }
  }

  private async checkFlag(env: string, key: string, flag: FlagDefinition): Promise<void> {
    const config = flag.breaker!;
    const t = this.now();
    const watched = new Set(watchedVariants(flag, config));
    const judge = async (since: number) => {
      const window = await this.deps.metrics.window({ env, flag: key, since: new Date(since), until: new Date(t) });
      return window.variants.find((v) => watched.has(v.variant) && breakerTrips(config, v.errors, v.successes + v.errors));
    };
    const windowStart = t - config.windowSeconds * 1000;
    let hit = await judge(windowStart);
    if (hit === undefined) return;
    // Outcomes from before the flag was last re-enabled (by a person, or our half-open) judged the old code: they
    // must not kill it again. Windows have minute granularity, so judging starts at the first whole minute after
    // the re-enable; meanwhile each process's own breaker still trips on fresh errors at once.
    const enabledAt = await this.reenabledSince(env, key, windowStart);
    if (enabledAt !== undefined) {
      const from = Math.ceil(enabledAt / 60_000) * 60_000;
      if (from >= t) return;
      hit = await judge(from);
      if (hit === undefined) return;
    }
    const requests = hit.successes + hit.errors;
    const decidedAt = this.now();
    const outcome = await this.deps.flags.toggle(BREAKER_ACTOR, env, key, false);
    if (!outcome.changed) return; // someone (or another instance) killed it meanwhile: announced there
    const trip: BreakerTrip = {
      environment: env,
      flag: key,
      variant: hit.variant,
      errors: hit.errors,
      requests,
      errorRate: hit.errors / requests,
      threshold: config.errorRate,
      decidedAt,
      killedAt: this.now(),
      auditId: outcome.audit?.id,
      version: outcome.resource?.version,
    };
    this.log.push(trip);
    if (this.log.length > 100) this.log.shift();
    const pct = (x: number) => `${Math.round(x * 1000) / 10} %`;
    this.deps.notifier?.notify({
      type: 'breaker.tripped',
      environment: env,
      flag: key,
      message: `Circuit breaker killed "${key}" in ${env}: variant "${hit.variant}" failed ${hit.errors} of ${requests} (${pct(trip.errorRate)} ≥ ${pct(config.errorRate)}) over ${config.windowSeconds} s. Re-enable it when fixed.`,
      details: { variant: hit.variant, errors: hit.errors, requests, errorRate: trip.errorRate, threshold: config.errorRate, minRequests: config.minRequests, windowSeconds: config.windowSeconds, auditId: trip.auditId },
      time: decidedAt,
    });
  }

  /** When the flag was last switched from disabled to enabled after `since` (ms), from the audit log; or `undefined`. */
  private async reenabledSince(env: string, key: string, since: number): Promise<number | undefined> {
    const { entries } = await this.deps.audit.query({ environment: env, flag: key, since: new Date(since - 60_000).toISOString(), limit: 100 });
    const enabled = (x: unknown) => typeof x === 'object' && x !== null && (x as { enabled?: unknown }).enabled === true;
    const reenable = entries.find((e) => e.before !== null && !enabled(e.before) && enabled(e.after));
    return reenable === undefined ? undefined : Date.parse(reenable.at);
  }

  /**
   * With `halfOpenAfterSeconds`: re-enable a flag this instance's breaker killed, that long after the kill, when
   * nobody changed it since (same version). A person's kill, or an edit after ours, stays. Kept in memory: after a
   * restart re-enabling is manual again.
   */
  private async maybeHalfOpen(env: string, key: string, flag: FlagDefinition): Promise<void> {
    const after = flag.breaker?.halfOpenAfterSeconds;
    if (after === undefined) return;
    const trip = [...this.log].reverse().find((x) => x.environment === env && x.flag === key);
    if (trip === undefined || trip.version === undefined || this.now() < trip.killedAt + after * 1000) return;
    const stored = await this.deps.resources.get<FlagDefinition>('flag', env, key);
    if (stored.version !== trip.version) return;
    const outcome = await this.deps.flags.toggle(BREAKER_ACTOR, env, key, true);
    if (outcome.changed) {
      trip.version = undefined;
      this.deps.notifier?.notify({
        type: 'breaker.half_open',
        environment: env,
        flag: key,
        message: `Circuit breaker re-enabled "${key}" in ${env} for a probe, ${after} s after killing it.`,
        details: { halfOpenAfterSeconds: after },
        time: this.now(),
      });
    }
  }
}
