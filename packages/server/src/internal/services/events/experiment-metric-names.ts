import { experimentEvents } from '@halyard/core/definitions';
import type { ExperimentStore } from '../../store/experiment-store';
import type { UnitMetricFilter } from './aggregate';

/**
 * The metric event names each environment's experiments read: the aggregator keeps a metric event per unit only
 * when its name is here (the bound on `event_unit_metrics`). Read from the stored flags once at start and then
 * every `everyMs` (the flush interval), so an experiment declared now is measured from its next refresh on — in
 * every instance and in the stream consumers alike, since each reads the same table.
 */
export class ExperimentMetricNames {
  private names = new Map<string, ReadonlySet<string>>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: ExperimentStore,
    private readonly options: { everyMs: number; onError: (error: unknown, message: string) => void },
  ) {}

  /** The aggregator's filter; a plain closure over the current map (read per metric event, so it must be cheap). */
  readonly filter: UnitMetricFilter = (env, name) => this.names.get(env)?.has(name) === true;

  /** Re-reads the names now (a refresh in progress is shared). */
  refresh(): Promise<void> {
    this.running ??= (async () => {
      const next = new Map<string, Set<string>>();
      for (const { env, experiment } of await this.store.experimentFlags()) {
        let set = next.get(env);
        if (set === undefined) next.set(env, (set = new Set()));
        for (const name of experimentEvents(experiment)) set.add(name);
      }
      this.names = next;
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  start(): void {
    this.timer ??= setInterval(
      () => void this.refresh().catch((error: unknown) => this.options.onError(error, '@halyard/server: reading the experiments\' metric names failed; keeping the previous ones')),
      this.options.everyMs,
    );
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => {});
  }
}
