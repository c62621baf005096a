import type { FlagsDocument } from '@halyard/core';
import { experimentEvents } from '@halyard/core/definitions';
import type { ExperimentStore } from '../../store/experiment-store';
import type { UnitMetricFilter } from './aggregate';

/**
 * The metric event names each environment's experiments read: the aggregator keeps a metric event per unit only
 * when its name is here (the bound on `event_unit_metrics`). Read from the stored flags at start, again on every
 * flag change (the server calls `refresh()` after this instance's commits and on other instances' change
 * notifications), and every `everyMs` as a safety net for a lost notification — in every instance and in the
 * stream consumers alike, since each reads the same table. So metric events sent right after an experiment is
 * declared are measured, from the instance that took the write at once and from the others within a notification.
 */
export class ExperimentMetricNames {
  private names = new Map<string, ReadonlySet<string>>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again: Promise<void> | undefined;

  constructor(
    private readonly store: ExperimentStore,
    private readonly options: { everyMs: number; onError: (error: unknown, message: string) => void },
  ) {}

  /** The aggregator's filter; a plain closure over the current map (read per metric event, so it must be cheap). */
  readonly filter: UnitMetricFilter = (env, name) => this.names.get(env)?.has(name) === true;

  /**
   * Re-reads the names. A read already in progress may have started before the caller's commit, so the call then
   * waits for one more read after it; calls that arrive meanwhile share that one (a burst of writes costs two reads).
   */
  refresh(): Promise<void> {
    if (this.running === undefined) return (this.running = this.read().finally(() => (this.running = undefined)));
    this.again ??= this.running
      .catch(() => {})
      .then(() => {
        this.again = undefined;
        return this.refresh();
      });
    return this.again;
  }

  /**
   * After a change to `env`'s flags (or to any environment's, without `env`): re-reads, and reports a failure to
   * `onError` rather than rejecting (the previous names stay). With the new `document` at hand, a change that
   * touches no experiment — none in the document, none known for the environment — needs no read, so admin writes
   * of teams without experiments do not pay one.
   */
  changed(env?: string, document?: FlagsDocument): Promise<void> {
    if (env !== undefined && document !== undefined && !this.names.has(env) && !Object.values(document.flags).some((flag) => flag.experiment !== undefined)) {
      return Promise.resolve();
    }
    return this.refresh().catch((error: unknown) => {
      this.options.onError(error, "@halyard/server: reading the experiments' metric names failed; keeping the previous ones");
    });
  }

  private async read(): Promise<void> {
    const next = new Map<string, Set<string>>();
    for (const { env, experiment } of await this.store.experimentFlags()) {
      let set = next.get(env);
      if (set === undefined) next.set(env, (set = new Set()));
      for (const name of experimentEvents(experiment)) set.add(name);
    }
    this.names = next;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.changed(), this.options.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.again?.catch(() => {});
    await this.running?.catch(() => {});
  }
}
