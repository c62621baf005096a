import { describe, expect, it } from 'vitest';
import { createExposureTracker } from './exposure';
import type { ExposureEvent } from './types';

describe('createExposureTracker', () => {
  it('fires once per (flag, variant, unit)', () => {
    const events: ExposureEvent[] = [];
    const tracker = createExposureTracker((e) => events.push(e), { now: () => 42 });
    tracker.track('f', 'on', true, 'SPLIT', 'u1');
    tracker.track('f', 'on', true, 'SPLIT', 'u1');
    tracker.track('f', 'off', false, 'SPLIT', 'u1'); // new variant
    tracker.track('f', 'on', true, 'SPLIT', 'u2'); // new unit
    tracker.track('g', 'on', true, 'DEFAULT', 'u1'); // new flag
    tracker.track('g', 'on', true, 'DEFAULT', undefined); // no unit is its own key
    tracker.track('g', 'on', true, 'DEFAULT', undefined);
    expect(events.map((e) => `${e.flag}/${e.variant}/${e.unit}`)).toEqual(['f/on/u1', 'f/off/u1', 'f/on/u2', 'g/on/u1', 'g/on/undefined']);
    expect(events[0]).toEqual({ flag: 'f', variant: 'on', value: true, reason: 'SPLIT', unit: 'u1', timestamp: 42 });
    expect(tracker.size).toBe(5);
  });

  it('does not confuse an empty unit with a missing one', () => {
    const events: ExposureEvent[] = [];
    const tracker = createExposureTracker((e) => events.push(e));
    tracker.track('f', 'on', true, 'DEFAULT', '');
    tracker.track('f', 'on', true, 'DEFAULT', undefined);
    expect(events).toHaveLength(2);
  });

  it('stays bounded: beyond max the oldest key is forgotten (and may fire again)', () => {
    const events: ExposureEvent[] = [];
    const tracker = createExposureTracker((e) => events.push(e), { max: 3 });
    for (const unit of ['a', 'b', 'c', 'd']) tracker.track('f', 'on', true, 'DEFAULT', unit);
    expect(tracker.size).toBe(3);
    tracker.track('f', 'on', true, 'DEFAULT', 'd'); // still remembered
    tracker.track('f', 'on', true, 'DEFAULT', 'a'); // evicted, fires again
    expect(events.map((e) => e.unit)).toEqual(['a', 'b', 'c', 'd', 'a']);
    tracker.clear();
    expect(tracker.size).toBe(0);
  });

  it('contains a throwing onExposure', () => {
    const errors: unknown[] = [];
    const tracker = createExposureTracker(
      () => {
        throw new Error('analytics down');
      },
      { onError: (e) => errors.push(e) },
    );
    expect(() => tracker.track('f', 'on', true, 'DEFAULT', 'u')).not.toThrow();
    expect(errors).toHaveLength(1);
  });
});
