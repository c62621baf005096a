import type { Guardrail, GuardrailResult, ReleasePlan, Schedule } from '../../api/releases';

const percent = (fraction: number) => `${round(fraction * 100, 2)} %`;

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** "1 h 30 min", "45 s": a hold or a duration as people read it. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const units: Array<[string, number]> = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['min', 60_000],
    ['s', 1000],
  ];
  const parts: string[] = [];
  let rest = ms;
  for (const [name, size] of units) {
    const count = Math.floor(rest / size);
    if (count > 0 && parts.length < 2) parts.push(`${count} ${name}`);
    rest -= count * size;
  }
  return parts.join(' ');
}

/** What the guardrail requires, in words. */
export function describeGuardrail(guardrail: Guardrail): string {
  switch (guardrail.kind) {
    case 'error-rate':
      return `Error rate ≤ ${percent(guardrail.max)}`;
    case 'relative-error-rate':
      return `Error rate ≤ control × ${guardrail.factor} + ${round(guardrail.margin * 100, 2)} pp`;
    case 'latency':
      return `${guardrail.percentile} latency ≤ ${guardrail.maxMs} ms`;
    case 'metric': {
      const range = [guardrail.min !== undefined ? `≥ ${guardrail.min}` : undefined, guardrail.max !== undefined ? `≤ ${guardrail.max}` : undefined].filter(Boolean).join(' and ');
      return `${guardrail.name} (${guardrail.aggregate} per exposure) ${range}`.trim();
    }
  }
}

/** A guardrail's observed value or threshold in its unit (rates in %, latency in ms). */
export function formatGuardrailValue(guardrail: Guardrail, value: number | null): string {
  if (value === null) return '—';
  if (guardrail.kind === 'error-rate' || guardrail.kind === 'relative-error-rate') return percent(value);
  if (guardrail.kind === 'latency') return `${round(value, 1)} ms`;
  return String(round(value, 4));
}

/**
 * The threshold a guardrail states by itself (before the stepper's first check reports one); relative and metric
 * guardrails have none of their own (computed from the control, or a range).
 */
export function ownThreshold(guardrail: Guardrail): number | null {
  if (guardrail.kind === 'error-rate') return guardrail.max;
  if (guardrail.kind === 'latency') return guardrail.maxMs;
  return null;
}

export const GUARDRAIL_STATUS: Record<GuardrailResult['status'], string> = { ok: 'Holding', breach: 'Breached', insufficient: 'Not enough data yet' };

export const PLAN_STATUS: Record<ReleasePlan['status'], string> = {
  active: 'Rolling out',
  paused: 'Paused',
  completed: 'Completed',
  rolled_back: 'Rolled back',
  aborted: 'Aborted',
};

/** The schedule in one line: "steps", "linear 0 → 100 % over 2 h", "S-curve 0 → 100 % over 1 d (steepness 8)". */
export function describeSchedule(schedule: Schedule): string {
  switch (schedule.kind) {
    case 'steps':
      return `${schedule.steps.length} steps: ${schedule.steps.map((step) => `${step.percentage} %`).join(' → ')}`;
    case 'linear':
      return `Linear ${schedule.start} → ${schedule.end} % over ${formatDuration(schedule.durationMs)}`;
    case 's-curve':
      return `S-curve ${schedule.start} → ${schedule.end} % over ${formatDuration(schedule.durationMs)} (steepness ${schedule.steepness})`;
  }
}

/**
 * When the stepper may advance next: the current step's start plus its hold, only while the plan is active and a step
 * remains (the guardrails must also hold then, so it is "not before").
 */
export function nextStepAt(plan: Pick<ReleasePlan, 'status' | 'steps' | 'step' | 'stepStartedAt'>): Date | undefined {
  if (plan.status !== 'active' || plan.step >= plan.steps.length - 1) return undefined;
  const hold = plan.steps[plan.step]?.holdMs;
  if (hold === undefined) return undefined;
  return new Date(Date.parse(plan.stepStartedAt) + hold);
}
