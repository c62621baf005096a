import type { Context } from '../context';
import { encode } from '../context';
import { usageError } from '../errors';
import { table } from '../output';

/** A release plan as GET …/release-plan returns it (the fields the CLI shows). */
interface PlanView {
  id: string;
  status: string;
  flag: string;
  environment: string;
  percentage: number;
  step: number;
  steps: Array<{ percentage: number; holdMs: number }>;
  stepStartedAt: string;
  spec: { onBreach: string; guardrails: unknown[] };
  timeline: Array<{ at: string; event: string; percentage: number; message: string }>;
  lastEvaluation?: { at: string; results: Array<{ guardrail: Record<string, unknown>; status: string; value: number | null; threshold: number | null; sample: number; minSample: number }> };
}

const path = (ctx: Context, flag: string) => `/api/v1/environments/${encode(ctx.env)}/flags/${encode(flag)}/release-plan`;

/** `30s`, `15m`, `2h`, `1d`, or plain milliseconds. */
export function parseDuration(text: string, what: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) throw usageError(`${what} must be a duration like 30s, 15m, 2h or 1d, got "${text}"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(match[2] ?? 'ms') as 'ms'];
  return Math.round(Number(match[1]) * unit);
}

const percentOf = (text: string, what: string): number => {
  const value = Number(text.replace(/%$/, ''));
  if (!/^\d+(\.\d{1,3})?%?$/.test(text) || value > 100) throw usageError(`${what} must be a percentage from 0 to 100 (up to 3 decimals), got "${text}"`);
  return value;
};

const duration = (ms: number): string => (ms % 86_400_000 === 0 && ms > 0 ? `${ms / 86_400_000}d` : ms % 3_600_000 === 0 && ms > 0 ? `${ms / 3_600_000}h` : ms % 60_000 === 0 && ms > 0 ? `${ms / 60_000}m` : ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

/** The plan body from --file, or from --steps/--hold/--max-error-rate/--min-sample/--on-breach. */
function planBody(ctx: Context): Record<string, unknown> {
  const file = ctx.string('file');
  if (file !== undefined) return ctx.readJson(file) as Record<string, unknown>;
  const steps = ctx.string('steps');
  if (steps === undefined) throw usageError('give the plan: --steps 1,5,10,25,50,100 --hold 1h [--max-error-rate 2%] [--min-sample 200], or --file plan.json');
  const holdMs = parseDuration(ctx.string('hold') ?? '1h', '--hold');
  const percentages = steps.split(',').map((s) => percentOf(s.trim(), '--steps'));
  const body: Record<string, unknown> = {
    schedule: { kind: 'steps', steps: percentages.map((percentage, i) => ({ percentage, holdMs: i === percentages.length - 1 ? 0 : holdMs })) },
    guardrails: [],
    onBreach: ctx.string('on-breach') ?? 'rollback',
  };
  const maxErrors = ctx.string('max-error-rate');
  if (maxErrors !== undefined) {
    const minOutcomes = Number(ctx.string('min-sample') ?? '100');
    if (!Number.isInteger(minOutcomes) || minOutcomes < 1) throw usageError('--min-sample must be a whole number ≥ 1');
    body.guardrails = [{ kind: 'error-rate', max: percentOf(maxErrors, '--max-error-rate') / 100, minOutcomes }];
  }
  const variant = ctx.string('variant');
  if (variant !== undefined) body.variant = variant;
  const rest = ctx.string('rest');
  if (rest !== undefined) body.rest = rest;
  return body;
}

function flagArg(ctx: Context): string {
  const flag = ctx.args[0];
  if (flag === undefined || flag === '') throw usageError('missing the flag key');
  return flag;
}

/** The status as text: state, current step, guardrails against their thresholds, the timeline. */
export function formatPlan(plan: PlanView, ctx: Pick<Context, 'colors'>): string {
  const c = ctx.colors;
  const state = plan.status === 'active' ? c.green(plan.status) : plan.status === 'completed' ? c.cyan(plan.status) : c.yellow(plan.status);
  const lines = [
    `${c.bold(plan.flag)} in ${plan.environment}: ${state} at ${plan.percentage}% — step ${plan.step + 1} of ${plan.steps.length} (${plan.steps.map((s) => `${s.percentage}%`).join(' → ')}); on breach: ${plan.spec.onBreach}`,
  ];
  const hold = plan.steps[plan.step]?.holdMs ?? 0;
  if (plan.status === 'active') lines.push(`current step since ${plan.stepStartedAt}, holds at least ${duration(hold)}`);
  const results = plan.lastEvaluation?.results ?? [];
  if (plan.spec.guardrails.length > 0) {
    lines.push('', 'GUARDRAILS' + (plan.lastEvaluation ? c.dim(` (evaluated ${plan.lastEvaluation.at})`) : c.dim(' (not evaluated yet)')));
    const show = (g: Record<string, unknown>, v: number | null) =>
      v === null ? '–' : g.kind === 'latency' ? `${v.toFixed(1)} ms` : g.kind === 'metric' ? v.toFixed(4) : `${(v * 100).toFixed(2)}%`;
    const label = (g: Record<string, unknown>) => (g.kind === 'latency' ? `latency ${String(g.percentile)}` : g.kind === 'metric' ? `${String(g.name)} ${String(g.aggregate)}` : String(g.kind));
    lines.push(
      table(
        ['GUARDRAIL', 'VALUE', 'THRESHOLD', 'SAMPLE', 'STATE'],
        results.map((r) => [label(r.guardrail), show(r.guardrail, r.value), show(r.guardrail, r.threshold), `${r.sample}/${r.minSample}`, r.status === 'breach' ? c.red(r.status) : r.status === 'ok' ? c.green(r.status) : c.yellow(r.status)]),
        c,
      ).trimEnd(),
    );
  }
  lines.push('', 'TIMELINE', table(['AT', 'EVENT', 'PERCENT', 'WHAT'], plan.timeline.map((e) => [e.at, e.event, `${e.percentage}%`, e.message]), c).trimEnd());
  return lines.join('\n');
}

export async function rolloutsStart(ctx: Context): Promise<void> {
  const flag = flagArg(ctx);
  const { body } = await ctx.api().request<PlanView>('POST', path(ctx, flag), { body: planBody(ctx) });
  if (ctx.json) return ctx.printJson(body);
  ctx.print(`Started a release plan for ${ctx.colors.bold(flag)} in ${ctx.env}: now at ${body.percentage}%; follow it with: halyard rollouts status ${flag} --env ${ctx.env}`);
}

export async function rolloutsStatus(ctx: Context): Promise<void> {
  const { body } = await ctx.api().request<PlanView>('GET', path(ctx, flagArg(ctx)));
  if (ctx.json) return ctx.printJson(body);
  ctx.print(formatPlan(body, ctx));
}

async function action(ctx: Context, name: 'pause' | 'resume' | 'abort'): Promise<void> {
  const flag = flagArg(ctx);
  const { body } = await ctx.api().request<PlanView>('POST', `${path(ctx, flag)}/${name}`, { body: {} });
  if (ctx.json) return ctx.printJson(body);
  ctx.print(`Release plan of ${ctx.colors.bold(flag)} in ${ctx.env}: ${body.status} at ${body.percentage}%`);
}

export const rolloutsPause = (ctx: Context) => action(ctx, 'pause');
export const rolloutsResume = (ctx: Context) => action(ctx, 'resume');
export const rolloutsAbort = (ctx: Context) => action(ctx, 'abort');
