import { describe, expect, it } from 'vitest';
import { describeGuardrail, describeSchedule, formatDuration, formatGuardrailValue, nextStepAt, ownThreshold } from './release-format';

describe('release formatting', () => {
  it('says when the next step may come, only for an active plan with a step left', () => {
    const steps = [
      { percentage: 1, holdMs: 3_600_000 },
      { percentage: 100, holdMs: 0 },
    ];
    const plan = { status: 'active' as const, steps, step: 0, stepStartedAt: '2026-12-03T10:00:00.000Z' };
    expect(nextStepAt(plan)?.toISOString()).toBe('2026-12-03T11:00:00.000Z');
    expect(nextStepAt({ ...plan, status: 'paused' })).toBeUndefined();
    expect(nextStepAt({ ...plan, step: 1 })).toBeUndefined();
  });

  it('describes guardrails, their values and schedules in words and units', () => {
    expect(describeGuardrail({ kind: 'error-rate', max: 0.02, minOutcomes: 200 })).toBe('Error rate ≤ 2 %');
    expect(describeGuardrail({ kind: 'latency', percentile: 'p99', maxMs: 400, minOutcomes: 1 })).toBe('p99 latency ≤ 400 ms');
    expect(formatGuardrailValue({ kind: 'error-rate', max: 0.02, minOutcomes: 1 }, 0.0123)).toBe('1.23 %');
    expect(formatGuardrailValue({ kind: 'latency', percentile: 'p50', maxMs: 1, minOutcomes: 1 }, null)).toBe('—');
    expect(describeSchedule({ kind: 's-curve', start: 0, end: 100, durationMs: 90 * 60_000, steepness: 8 })).toBe('S-curve 0 → 100 % over 1 h 30 min (steepness 8)');
    expect(formatDuration(45_000)).toBe('45 s');
    expect(ownThreshold({ kind: 'latency', percentile: 'p99', maxMs: 400, minOutcomes: 1 })).toBe(400);
    expect(ownThreshold({ kind: 'relative-error-rate', factor: 1.5, margin: 0, minOutcomes: 1 })).toBeNull();
  });
});
