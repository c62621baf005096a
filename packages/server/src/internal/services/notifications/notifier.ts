/**
 * What the service tells people about: a breaker that tripped, a release plan that paused, rolled back, advanced or
 * completed, a scheduled change that ran, a flag that expired. One shape for every producer, so a sink (webhooks
 * with a Slack-compatible body, the audit log, a test recorder) handles all of them the same way.
 */
export interface Notification {
  /** e.g. `breaker.tripped`, `plan.rolled_back`, `plan.advanced`, `plan.completed`, `schedule.applied`, `flag.expired`. */
  type: string;
  environment: string;
  flag: string;
  /** One human sentence, shown as is in Slack and in the dashboard. */
  message: string;
  /** Machine-readable facts (thresholds, observed values, percentages). */
  details?: Record<string, unknown>;
  /** ms since epoch; the producer's injectable clock. */
  time: number;
}

/** Delivers notifications. `notify` never throws and never blocks the caller: delivery is queued and retried. */
export interface Notifier {
  notify(notification: Notification): void;
  /** Waits for queued deliveries (bounded), for shutdown and tests. */
  flush(): Promise<void>;
}
