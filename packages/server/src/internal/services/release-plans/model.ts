import type { JsonValue } from '@halyard/core';
import type { RolloutSchedule, ScheduleStep } from '@halyard/core/definitions';

/**
 * Guardrails of a release plan, each read over the current step's window (since the step started) for the rolled-out
 * variant, each with its own minimum sample: below it the decision is "insufficient data" and the plan holds.
 *
 * - `error-rate`: errors / outcomes of the new variant ≤ `max` (a fraction: 0.02 = 2 %).
 * - `relative-error-rate`: new variant's error rate ≤ control's × `factor` + `margin` (fractions; e.g. factor 1.5,
 *   margin 0.005 = "at most 1.5 × the control's rate plus half a percentage point"); the control needs its own
 *   `minOutcomes` too.
 * - `latency`: the percentile of the new variant's merged DDSketch (±1 % relative) ≤ `maxMs`.
 * - `metric`: a custom metric's count, sum or mean per exposure of the flag (metric events are not attributed to
 *   variants, so this is environment-wide per exposure of any variant), within [`min`, `max`].
 */
export type Guardrail =
  | { kind: 'error-rate'; max: number; minOutcomes: number }
  | { kind: 'relative-error-rate'; factor: number; margin: number; minOutcomes: number }
  | { kind: 'latency'; percentile: 'p50' | 'p90' | 'p99'; maxMs: number; minOutcomes: number }
  | { kind: 'metric'; name: string; aggregate: 'count' | 'sum' | 'mean'; min?: number; max?: number; minExposures: number };

export interface ReleasePlanSpec {
  schedule: RolloutSchedule;
  /** The variant rolled out (rollout's default: the `true` / "on" variant). */
  variant?: string;
  /** What everyone else gets, also the control of relative guardrails (rollout's default: offVariant). */
  rest?: string;
  guardrails: Guardrail[];
  /** On a breach: `pause` keeps the current percentage; `rollback` sets it to 0 %. */
  onBreach: 'pause' | 'rollback';
}

export type PlanStatus = 'active' | 'paused' | 'completed' | 'rolled_back' | 'aborted';

export interface GuardrailResult {
  guardrail: Guardrail;
  /** `insufficient`: below the minimum sample (the plan holds). */
  status: 'ok' | 'breach' | 'insufficient';
  /** The observed value (`null` without data). */
  value: number | null;
  /** The threshold it was compared with (for relative guardrails: computed from the control). */
  threshold: number | null;
  sample: number;
  minSample: number;
}

export interface TimelineEntry {
  at: string;
  event: 'started' | 'advanced' | 'paused' | 'resumed' | 'rolled_back' | 'completed' | 'aborted';
  percentage: number;
  step: number;
  message: string;
  details?: Record<string, JsonValue>;
}

export interface ReleasePlan {
  id: string;
  environment: string;
  flag: string;
  status: PlanStatus;
  spec: ReleasePlanSpec;
  /** The schedule as the stepper walks it (scheduleSteps), fixed when the plan starts. */
  steps: ScheduleStep[];
  /** Index into `steps` of the step currently served. */
  step: number;
  /** Percentage currently served by the plan. */
  percentage: number;
  stepStartedAt: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  timeline: TimelineEntry[];
  /** The latest guardrail decision of the current step (written by the stepper). */
  lastEvaluation?: { at: string; results: GuardrailResult[] };
}

/** A change that runs at a given time. `apply-definition` replaces the flag's definition. */
export type ScheduledAction =
  | { action: 'enable' }
  | { action: 'disable' }
  | { action: 'set-rollout'; percentage: number; variant?: string; rest?: string }
  | { action: 'apply-definition'; definition: Record<string, JsonValue> }
  | { action: 'archive' };

export interface ScheduledChange {
  id: string;
  environment: string;
  flag: string;
  runAt: string;
  change: ScheduledAction;
  status: 'pending' | 'applied' | 'failed' | 'cancelled';
  createdBy: string;
  result: string | null;
  createdAt: string;
  appliedAt: string | null;
}
