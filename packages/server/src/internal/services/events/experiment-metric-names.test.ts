import { describe, expect, it } from 'vitest';
import type { FlagExperiment } from '@halyard/core';
import type { ExperimentStore, StoredExperimentFlag } from '../../store/experiment-store';
import { ExperimentMetricNames } from './experiment-metric-names';

// The refresh's ordering rule: a refresh asked for while a read is in flight (which may have started before the
// caller's commit) gets a read that starts after it, and a burst of asks shares that one read.

const experiment = (event: string): FlagExperiment => ({ control: 'off', metrics: { m: { type: 'conversion', event } }, primaryMetric: 'm' }) as FlagExperiment;

function deferredStore() {
  const reads: Array<(rows: StoredExperimentFlag[]) => void> = [];
  const store = { experimentFlags: () => new Promise<StoredExperimentFlag[]>((resolve) => reads.push(resolve)) } as unknown as ExperimentStore;
  return { store, reads };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('ExperimentMetricNames.refresh', () => {
  it('reads again after an in-flight read, once for a burst, and keeps what the later read saw', async () => {
    const { store, reads } = deferredStore();
    const names = new ExperimentMetricNames(store, { everyMs: 60_000, onError: () => {} });
    const first = names.refresh();
    const second = names.refresh();
    const third = names.refresh();
    expect(second).toBe(third);
    expect(reads).toHaveLength(1);

    reads[0]!([]); // the read that started before the experiment was committed
    await first;
    expect(names.filter('production', 'checkout')).toBe(false);
    await tick();
    expect(reads).toHaveLength(2);

    reads[1]!([{ env: 'production', key: 'button', experiment: experiment('checkout') }]);
    await second;
    expect(names.filter('production', 'checkout')).toBe(true);
    expect(names.filter('staging', 'checkout')).toBe(false);
    expect(reads).toHaveLength(2);
  });

  it('without a read in flight, one ask is one read', async () => {
    const { store, reads } = deferredStore();
    const names = new ExperimentMetricNames(store, { everyMs: 60_000, onError: () => {} });
    const done = names.refresh();
    reads[0]!([{ env: 'production', key: 'button', experiment: experiment('checkout') }]);
    await done;
    await tick();
    expect(reads).toHaveLength(1);
    expect(names.filter('production', 'checkout')).toBe(true);
  });

  it('a failed read keeps the previous names and does not block the next ask', async () => {
    let fail = false;
    const store = {
      experimentFlags: async () => {
        if (fail) throw new Error('database down');
        return [{ env: 'production', key: 'button', experiment: experiment('checkout') }];
      },
    } as unknown as ExperimentStore;
    const names = new ExperimentMetricNames(store, { everyMs: 60_000, onError: () => {} });
    await names.refresh();
    fail = true;
    await expect(names.refresh()).rejects.toThrow('database down');
    expect(names.filter('production', 'checkout')).toBe(true);
    fail = false;
    await names.refresh();
    expect(names.filter('production', 'checkout')).toBe(true);
  });
});
