import type { FlagDefinition } from '@halyard/core';
import type { Database } from '../store/db';
import type { EnvironmentService } from './environment-service';
import type { Notifier } from './notifications/notifier';
import type { ResourceService } from './resource-service';

export interface FlagExpiryOptions {
  /** Clock, ms since epoch. Default: the release-plan service's clock where the server wires it. */
  now?: () => number;
  /** Least time between two checks, ms (the stepper ticks more often). Default 60,000. */
  checkEveryMs?: number;
}

interface Deps {
  db: Database;
  environments: EnvironmentService;
  resources: ResourceService;
  notifier: Notifier;
}

/**
 * Sends one `flag.expired` notification when a flag's `expiresAt` passes: once per environment × flag × expiresAt
 * value (moving `expiresAt` and letting it pass again notifies again). A row in `flag_expiry_notices`, inserted
 * before the notification is queued, is the marker: a restart, or another instance, does not send it twice (at
 * most once: a process that dies between the insert and the delivery loses that one). It runs in the release-plan
 * stepper's tick, after the stepper's lease: one instance acts.
 *
 * @example
 * const expiry = new FlagExpiry({ db, environments, resources, notifier });
 * await expiry.check(); // the number of notifications sent
 */
export class FlagExpiry {
  private readonly now: () => number;
  private readonly checkEveryMs: number;
  private lastCheck = -Infinity;

  constructor(
    private readonly deps: Deps,
    options: FlagExpiryOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.checkEveryMs = options.checkEveryMs ?? 60_000;
  }

  /** Notifies the flags that expired since the last check (skipped when the last check is younger than `checkEveryMs`). */
  async check(): Promise<number> {
    const now = this.now();
    if (now - this.lastCheck < this.checkEveryMs) return 0;
    this.lastCheck = now;
    let sent = 0;
    for (const env of await this.deps.environments.list()) {
      const expired = (await this.deps.resources.list<FlagDefinition>('flag', env.key)).filter(({ definition }) => {
        const at = definition.expiresAt === undefined ? NaN : Date.parse(definition.expiresAt);
        return Number.isFinite(at) && at <= now;
      });
      if (expired.length === 0) continue;
      // Only the rows this statement inserted are notified: the ones already there were sent before.
      const inserted = await this.deps.db.query<{ flag: string }>(
        `insert into flag_expiry_notices (env, flag, expires_at)
         select $1, flag, expires_at from unnest($2::text[], $3::text[]) as d(flag, expires_at)
         on conflict (env, flag, expires_at) do nothing returning flag`,
        [env.key, expired.map((flag) => flag.key), expired.map((flag) => flag.definition.expiresAt!)],
      );
      const fresh = new Set(inserted.map((row) => row.flag));
      for (const { key, definition } of expired) {
        if (!fresh.has(key)) continue;
        const owner = definition.owner === undefined ? 'no owner' : `owner ${definition.owner}`;
        this.deps.notifier.notify({
          type: 'flag.expired',
          environment: env.key,
          flag: key,
          message: `Flag "${key}" expired in ${env.key} (expiresAt ${definition.expiresAt}; ${owner}): remove it from the code (halyard cleanup ${key} --keep <variant>) and archive it, or move expiresAt`,
          details: { expiresAt: definition.expiresAt, ...(definition.owner !== undefined ? { owner: definition.owner } : {}) },
          time: now,
        });
        sent++;
      }
    }
    return sent;
  }
}
