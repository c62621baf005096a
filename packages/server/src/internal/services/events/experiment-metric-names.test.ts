import { describe, expect, it } from 'vitest';
import type { FlagExperiment, FlagsDocument } from '@halyard/core';
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

  it('a change that touches no experiment costs no read; one that may, does, and failures go to onError', async () => {
    const { store, reads } = deferredStore();
    const errors: unknown[] = [];
    const names = new ExperimentMetricNames(store, { everyMs: 60_000, onError: (error) => errors.push(error) });
    const plain = { schemaVersion: 1, version: '1', flags: { banner: { variants: { on: true, off: false }, enabled: true, defaultServe: { variant: 'on' } } } } as unknown as FlagsDocument;
    await names.changed('production', plain);
    expect(reads).toHaveLength(0);

    const declaring = { ...plain, flags: { ...plain.flags, button: { variants: { a: 'a', b: 'b' }, enabled: true, defaultServe: { variant: 'a' }, experiment: experiment('checkout') } } } as unknown as FlagsDocument;
    const declared = names.changed('production', declaring);
    expect(reads).toHaveLength(1);
    reads[0]!([{ env: 'production', key: 'button', experiment: experiment('checkout') }]);
    await declared;
    expect(names.filter('production', 'checkout')).toBe(true);

    // The environment has experiments now: a document without them (the experiment removed) is read again.
    const removed = names.changed('production', plain);
    expect(reads).toHaveLength(2);
    reads[1]!([]);
    await removed;
    expect(names.filter('production', 'checkout')).toBe(false);

    // Another instance's notification carries no document: always read; a failure is reported, never thrown.
    const failing = new ExperimentMetricNames({ experimentFlags: async () => Promise.reject(new Error('database down')) } as unknown as ExperimentStore, { everyMs: 60_000, onError: (error) => errors.push(error) });
    await expect(failing.changed('production')).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
  });
});
