import { PERCENT_UNIT } from './internal/schema';

/**
 * Release-plan schedules as pure functions: the flag service's stepper, the CLI and a dashboard draw the same
 * curve from these (docs/release-safety.md). Percentages are on the document's scale (0–100, 0.001 % resolution)
 * and never decrease along a schedule, so each step only adds units to the rollout's monotonic bucketing.
 */

/** Explicit steps: reach `percentage`, then hold it at least `holdMs` (and until the guardrails have their sample). */
export interface StepsSchedule {
  kind: 'steps';
  steps: ReadonlyArray<{ percentage: number; holdMs: number }>;
}

/** From `start` % to `end` % over `durationMs`, in equal time steps of `stepMs` (default: a tenth of the duration). */
export interface LinearSchedule {
  kind: 'linear';
  start: number;
  end: number;
  durationMs: number;
  stepMs?: number;
}

/**
 * The logistic S-curve from `start` % to `end` % over `durationMs`, sampled every `stepMs` (default: a tenth):
 * `p(t) = start + (end − start) · (σ(k(t/T − ½)) − σ(−k/2)) / (σ(k/2) − σ(−k/2))` with σ(x) = 1 / (1 + e^−x) and
 * `k = steepness` (> 0; larger is flatter at the ends and steeper in the middle). Normalised so p(0) = start and
 * p(T) = end exactly.
 */
export interface SCurveSchedule {
  kind: 's-curve';
  start: number;
  end: number;
  durationMs: number;
  steepness: number;
  stepMs?: number;
}

export type RolloutSchedule = StepsSchedule | LinearSchedule | SCurveSchedule;

/** One step of a plan: the percentage it sets and how long it holds before the next may start. */
export interface ScheduleStep {
  percentage: number;
  holdMs: number;
}

const sigma = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * Rounds to the document's resolution (0.001 %).
 *
 * @example
 * roundPercentage(12.34567); // 12.346
 */
export const roundPercentage = (p: number): number => Math.round(p * PERCENT_UNIT) / PERCENT_UNIT;

const clampRatio = (elapsedMs: number, durationMs: number): number => (durationMs <= 0 ? 1 : Math.min(1, Math.max(0, elapsedMs / durationMs)));

/**
 * The S-curve's percentage at `elapsedMs` (clamped to [0, durationMs]), rounded to 0.001 %.
 *
 * @example
 * sCurvePercentage({ kind: 's-curve', start: 1, end: 100, durationMs: 86_400_000, steepness: 10 }, 43_200_000); // 50.5
 */
export function sCurvePercentage(schedule: Pick<SCurveSchedule, 'start' | 'end' | 'durationMs' | 'steepness'>, elapsedMs: number): number {
  const { start, end, steepness: k } = schedule;
  const x = clampRatio(elapsedMs, schedule.durationMs);
  const low = sigma(-k / 2);
  const high = sigma(k / 2);
  const p = start + ((end - start) * (sigma(k * (x - 0.5)) - low)) / (high - low);
  return roundPercentage(Math.min(end, Math.max(start, p)));
}

/**
 * The linear schedule's percentage at `elapsedMs` (clamped), rounded to 0.001 %.
 *
 * @example
 * linearPercentage({ kind: 'linear', start: 0, end: 100, durationMs: 1000 }, 250); // 25
 */
export function linearPercentage(schedule: Pick<LinearSchedule, 'start' | 'end' | 'durationMs'>, elapsedMs: number): number {
  const x = clampRatio(elapsedMs, schedule.durationMs);
  return roundPercentage(schedule.start + (schedule.end - schedule.start) * x);
}

/**
 * Problems of a schedule as `{ path, message }` (empty when valid); paths are relative to the schedule.
 *
 * @example
 * checkSchedule({ kind: 'linear', start: 50, end: 10, durationMs: 1000 }); // [{ path: '.end', message: 'must not be below start (a plan only adds units)' }]
 */
export function checkSchedule(schedule: RolloutSchedule): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  const percent = (path: string, value: unknown) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100) problems.push({ path, message: 'must be a percentage from 0 to 100' });
    else if (roundPercentage(value) !== value) problems.push({ path, message: 'has more than 3 decimals; the resolution is 0.001 %' });
  };
  const duration = (path: string, value: unknown, min = 0) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) problems.push({ path, message: `must be a whole number of milliseconds ≥ ${min}` });
  };
  if (schedule.kind === 'steps') {
    if (!Array.isArray(schedule.steps) || schedule.steps.length === 0) return [{ path: '.steps', message: 'must list at least one step' }];
    let previous = -1;
    schedule.steps.forEach((step, i) => {
      percent(`.steps[${i}].percentage`, step.percentage);
      duration(`.steps[${i}].holdMs`, step.holdMs);
      if (typeof step.percentage === 'number' && step.percentage <= previous) problems.push({ path: `.steps[${i}].percentage`, message: 'must be larger than the previous step (a plan only adds units)' });
      previous = step.percentage;
    });
    return problems;
  }
  percent('.start', schedule.start);
  percent('.end', schedule.end);
  if (schedule.end < schedule.start) problems.push({ path: '.end', message: 'must not be below start (a plan only adds units)' });
  duration('.durationMs', schedule.durationMs, 1);
  if (schedule.stepMs !== undefined) duration('.stepMs', schedule.stepMs, 1);
  if (schedule.kind === 's-curve' && (typeof schedule.steepness !== 'number' || !(schedule.steepness > 0) || schedule.steepness > 100)) {
    problems.push({ path: '.steepness', message: 'must be a number above 0 and at most 100' });
  }
  return problems;
}

/**
 * The schedule as the steps a stepper walks: explicit steps as given; linear and S-curve sampled every `stepMs`
 * (each sample holds until the next), ending exactly at `end`. Never decreasing; repeated percentages are merged
 * into one longer hold.
 *
 * @example
 * scheduleSteps({ kind: 'linear', start: 0, end: 100, durationMs: 4000, stepMs: 1000 });
 * // → [{ percentage: 0, holdMs: 1000 }, { 25, 1000 }, { 50, 1000 }, { 75, 1000 }, { percentage: 100, holdMs: 0 }]
 */
export function scheduleSteps(schedule: RolloutSchedule): ScheduleStep[] {
  if (schedule.kind === 'steps') return schedule.steps.map((s) => ({ percentage: s.percentage, holdMs: s.holdMs }));
  const stepMs = schedule.stepMs ?? Math.max(1, Math.ceil(schedule.durationMs / 10));
  const at = (t: number) => (schedule.kind === 'linear' ? linearPercentage(schedule, t) : sCurvePercentage(schedule, t));
  const steps: ScheduleStep[] = [];
  for (let t = 0; t < schedule.durationMs; t += stepMs) {
    const percentage = at(t);
    const holdMs = Math.min(stepMs, schedule.durationMs - t);
    const last = steps[steps.length - 1];
    if (last !== undefined && percentage <= last.percentage) last.holdMs += holdMs;
    else steps.push({ percentage, holdMs });
  }
  const last = steps[steps.length - 1];
  if (last !== undefined && last.percentage === schedule.end) last.holdMs = 0;
  else steps.push({ percentage: schedule.end, holdMs: 0 });
  return steps;
}
