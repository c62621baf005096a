import { describe, expect, it } from 'vitest';
import { checkSchedule, linearPercentage, sCurvePercentage, scheduleSteps, type SCurveSchedule } from './definitions';

const logistic = (x: number) => 1 / (1 + Math.exp(-x));
/** The formula of docs/release-safety.md, written out independently of the implementation. */
const formula = (s: SCurveSchedule, t: number) => {
  const k = s.steepness;
  const raw = s.start + ((s.end - s.start) * (logistic(k * (t / s.durationMs - 0.5)) - logistic(-k / 2))) / (logistic(k / 2) - logistic(-k / 2));
  return Math.min(s.end, Math.max(s.start, raw));
};

describe('rollout schedules', () => {
  const day = 86_400_000;
  const curves: SCurveSchedule[] = [
    { kind: 's-curve', start: 1, end: 100, durationMs: day, steepness: 10 },
    { kind: 's-curve', start: 0, end: 50, durationMs: 3 * day, steepness: 4 },
    { kind: 's-curve', start: 5, end: 5.5, durationMs: 1000, steepness: 0.5 },
  ];

  it('S-curve percentages equal the logistic formula at sampled times, rounded to 0.001 %, clamped', () => {
    for (const s of curves) {
      for (let i = 0; i <= 200; i++) {
        const t = (s.durationMs * i) / 200;
        expect(Math.abs(sCurvePercentage(s, t) - formula(s, t))).toBeLessThanOrEqual(0.0005 + 1e-9);
      }
      expect(sCurvePercentage(s, 0)).toBe(s.start);
      expect(sCurvePercentage(s, s.durationMs)).toBe(s.end);
      expect(sCurvePercentage(s, -5 * day)).toBe(s.start);
      expect(sCurvePercentage(s, 10 * day)).toBe(s.end);
    }
    expect(sCurvePercentage(curves[0]!, day / 2)).toBe(50.5);
  });

  it('linear percentages, clamped', () => {
    const s = { kind: 'linear', start: 10, end: 60, durationMs: 1000 } as const;
    expect([-1, 0, 100, 500, 1000, 5000].map((t) => linearPercentage(s, t))).toEqual([10, 10, 15, 35, 60, 60]);
  });

  it('steps never decrease, end exactly at end, and sum the holds to the duration', () => {
    for (const s of [...curves, { kind: 'linear', start: 0, end: 100, durationMs: 7 * day, stepMs: 3_600_000 } as const]) {
      const steps = scheduleSteps(s);
      for (let i = 1; i < steps.length; i++) expect(steps[i]!.percentage).toBeGreaterThan(steps[i - 1]!.percentage);
      expect(steps.at(-1)!.percentage).toBe(s.end);
      expect(steps[0]!.percentage).toBe(s.start);
      expect(steps.reduce((sum, step) => sum + step.holdMs, 0)).toBeLessThanOrEqual(s.durationMs);
    }
    expect(scheduleSteps({ kind: 'linear', start: 0, end: 100, durationMs: 4000, stepMs: 1000 })).toEqual([
      { percentage: 0, holdMs: 1000 },
      { percentage: 25, holdMs: 1000 },
      { percentage: 50, holdMs: 1000 },
      { percentage: 75, holdMs: 1000 },
      { percentage: 100, holdMs: 0 },
    ]);
    const explicit = { kind: 'steps', steps: [1, 5, 10, 25, 50, 100].map((percentage) => ({ percentage, holdMs: 60_000 })) } as const;
    expect(scheduleSteps(explicit).map((s) => s.percentage)).toEqual([1, 5, 10, 25, 50, 100]);
  });

  it('reports bad schedules with paths', () => {
    expect(checkSchedule({ kind: 'steps', steps: [{ percentage: 10, holdMs: 1 }, { percentage: 5, holdMs: 1 }] })).toEqual([
      { path: '.steps[1].percentage', message: 'must be larger than the previous step (a plan only adds units)' },
    ]);
    expect(checkSchedule({ kind: 's-curve', start: 50, end: 10, durationMs: 0, steepness: 0 }).map((p) => p.path)).toEqual(['.end', '.durationMs', '.steepness']);
    expect(checkSchedule({ kind: 'linear', start: 0.0001, end: 100, durationMs: 10 })).toEqual([{ path: '.start', message: 'has more than 3 decimals; the resolution is 0.001 %' }]);
  });
});
