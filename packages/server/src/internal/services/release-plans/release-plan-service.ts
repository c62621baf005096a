import { randomUUID } from 'node:crypto';
import type { FlagDefinition, JsonValue } from '@halyard/core';
import { checkSchedule, scheduleSteps } from '@halyard/core/definitions';
import { ConflictError, NotFoundError, ValidationError } from '../../errors';
import { inUnitOfWork } from '../../store/db';
import type { Store } from '../../store/store';
import type { Actor } from '../../store/types';
import type { EventMetrics } from '../events/metrics';
import type { FlagService } from '../flag-service';
import type { Notification, Notifier } from '../notifications/notifier';
import type { ResourceService } from '../resource-service';
import { decideStep, evaluateGuardrail } from './guardrails';
import type { Guardrail, GuardrailResult, PlanStatus, ReleasePlan, ReleasePlanSpec, ScheduledAction, ScheduledChange, TimelineEntry } from './model';

/** The actor of every flag write a plan or a scheduled change makes (audited and streamed like any other write). */
export const PLAN_ACTOR: Actor = { id: null, name: 'release-plan' };

export interface ReleasePlanOptions {
  /** The clock, ms since epoch: injectable so tests run days of schedule in milliseconds. Default `Date.now`. */
  now?: () => number;
  notifier?: Notifier | undefined;
  /** The events read API; without it guardrails have no data (plans with guardrails hold). */
  metrics?: EventMetrics | undefined;
  /**
   * Test hook: runs inside a step transition after the flag write and the plan's state are written, before the
   * commit. Throwing from it is a crash mid-step: nothing of the transition is committed.
   */
  beforeCommit?: (plan: ReleasePlan) => void | Promise<void>;
}

const LIVE: readonly PlanStatus[] = ['active', 'paused'];
const TIMELINE_LIMIT = 200;

function checkGuardrail(g: Guardrail, path: string): void {
  const fraction = (name: string, value: unknown) => {
    if (typeof value !== 'number' || !(value >= 0) || value > 1) throw ValidationError.at(`${path}.${name}`, 'must be a fraction from 0 to 1 (0.02 = 2 %)');
  };
  const count = (name: string, value: unknown) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1e9) throw ValidationError.at(`${path}.${name}`, 'must be a whole number from 1 to 1e9');
  };
  switch (g.kind) {
    case 'error-rate':
      fraction('max', g.max);
      return count('minOutcomes', g.minOutcomes);
    case 'relative-error-rate':
      if (typeof g.factor !== 'number' || !(g.factor >= 1) || g.factor > 100) throw ValidationError.at(`${path}.factor`, 'must be a number from 1 to 100');
      fraction('margin', g.margin);
      return count('minOutcomes', g.minOutcomes);
    case 'latency':
      if (typeof g.maxMs !== 'number' || !(g.maxMs > 0)) throw ValidationError.at(`${path}.maxMs`, 'must be a positive number of milliseconds');
      return count('minOutcomes', g.minOutcomes);
    case 'metric':
      if (g.min === undefined && g.max === undefined) throw ValidationError.at(path, 'needs "min", "max" or both');
      return count('minExposures', g.minExposures);
  }
}

/**
 * Release plans (one live plan per flag × environment) and scheduled changes: the rules, the state machine and the
 * stepper's tick. Every transition is one unit of work holding the flag write (through FlagService, actor
 * `release-plan`) and the plan's new state, so a crash leaves the previous state and a restart resumes from it.
 */
export class ReleasePlanService {
  readonly now: () => number;

  constructor(
    private readonly store: Store,
    private readonly resources: ResourceService,
    private readonly flags: FlagService,
    private readonly options: ReleasePlanOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Starts a plan: validates it, serves its first step and records the plan, in one transaction. */
  async start(actor: Actor, env: string, flag: string, spec: ReleasePlanSpec): Promise<ReleasePlan> {
    for (const p of checkSchedule(spec.schedule)) throw ValidationError.at(`$.schedule${p.path}`, p.message);
    if (!Array.isArray(spec.guardrails)) throw ValidationError.at('$.guardrails', 'must be a list');
    spec.guardrails.forEach((g, i) => checkGuardrail(g, `$.guardrails[${i}]`));
    if (spec.onBreach !== 'pause' && spec.onBreach !== 'rollback') throw ValidationError.at('$.onBreach', 'must be "pause" or "rollback"');
    const steps = scheduleSteps(spec.schedule);
    const at = new Date(this.now()).toISOString();
    const first = steps[0]!;
    const plan: ReleasePlan = {
      id: randomUUID(),
      environment: env,
      flag,
      status: 'active',
      spec,
      steps,
      step: 0,
      percentage: first.percentage,
      stepStartedAt: at,
      createdBy: actor.name,
      createdAt: at,
      updatedAt: at,
      timeline: [{ at, event: 'started', percentage: first.percentage, step: 0, message: `${actor.name} started the plan at ${first.percentage}%` }],
    };
    await this.atomically(async () => {
      const live = await this.store.releasePlans.current(env, flag, true);
      if (live && LIVE.includes(live.status)) {
        throw new ConflictError(`Flag "${flag}" in environment "${env}" already has a ${live.status} release plan (${live.id}); abort it first (halyard rollouts abort ${flag})`);
      }
      await this.resources.get('flag', env, flag);
      await this.rollout(plan, first.percentage);
      await this.store.releasePlans.insert(plan);
      await this.audit(actor, 'release-plan.start', plan, null);
    });
    this.notify(plan, 'plan.started', plan.timeline[0]!.message);
    return plan;
  }

  /** The live plan, else the latest one (404 when the flag never had one). */
  async get(env: string, flag: string): Promise<ReleasePlan> {
    const plan = await this.store.releasePlans.current(env, flag);
    if (!plan) throw new NotFoundError(`Release plan of flag "${flag}" in environment "${env}"`);
    return plan;
  }

  pause(actor: Actor, env: string, flag: string): Promise<ReleasePlan> {
    return this.userTransition(actor, env, flag, ['active'], (plan, at) => ({ status: 'paused', entry: { at, event: 'paused', percentage: plan.percentage, step: plan.step, message: `${actor.name} paused the plan at ${plan.percentage}%` } }));
  }

  /** Resumes a paused plan; the current step starts over (its hold and its guardrails' sample). */
  resume(actor: Actor, env: string, flag: string): Promise<ReleasePlan> {
    return this.userTransition(actor, env, flag, ['paused'], (plan, at) => ({
      status: 'active',
      restartStep: true,
      entry: { at, event: 'resumed', percentage: plan.percentage, step: plan.step, message: `${actor.name} resumed the plan at ${plan.percentage}%` },
    }));
  }

  /** Ends a live plan and rolls the flag back to 0 %. */
  abort(actor: Actor, env: string, flag: string): Promise<ReleasePlan> {
    return this.userTransition(actor, env, flag, ['active', 'paused'], (plan, at) => ({
      status: 'aborted',
      percentage: 0,
      entry: { at, event: 'aborted', percentage: 0, step: plan.step, message: `${actor.name} aborted the plan at ${plan.percentage}%; rolled back to 0%` },
    }));
  }

  // —— scheduled changes ——

  async schedule(actor: Actor, env: string, flag: string, runAt: string, change: ScheduledAction): Promise<ScheduledChange> {
    const time = Date.parse(runAt);
    if (Number.isNaN(time)) throw ValidationError.at('$.at', 'must be an ISO-8601 time, e.g. 2026-12-24T08:00:00Z');
    if (change.action === 'set-rollout' && !(change.percentage >= 0 && change.percentage <= 100)) throw ValidationError.at('$.change.percentage', 'must be from 0 to 100');
    await this.resources.get('flag', env, flag);
    return this.atomically(async () => {
      const created = await this.store.releasePlans.insertSchedule(
        { id: randomUUID(), environment: env, flag, runAt: new Date(time).toISOString(), change, createdBy: actor.name },
        new Date(this.now()).toISOString(),
      );
      await this.auditSchedule(actor, 'schedule.create', created);
      return created;
    });
  }

  async schedules(env: string, flag?: string): Promise<ScheduledChange[]> {
    if (!(await this.store.environments.find(env))) throw new NotFoundError(`Environment "${env}"`);
    return this.store.releasePlans.schedules(env, flag, 500);
  }

  async cancelSchedule(_actor: Actor, env: string, id: string): Promise<ScheduledChange> {
    return this.atomically(async () => {
      const found = await this.store.releasePlans.schedule(id, true);
      if (!found || found.environment !== env) throw new NotFoundError(`Scheduled change "${id}" in environment "${env}"`);
      if (found.status !== 'pending') throw new ConflictError(`Scheduled change "${id}" is already ${found.status}`);
      const at = new Date(this.now()).toISOString();
      await this.store.releasePlans.finishSchedule(id, 'cancelled', `cancelled by ${_actor.name}`, at);
      const cancelled: ScheduledChange = { ...found, status: 'cancelled', result: `cancelled by ${_actor.name}`, appliedAt: at };
      await this.auditSchedule(_actor, 'schedule.cancel', cancelled);
      return cancelled;
    });
  }

  // —— the stepper's work (called by Stepper while it holds the lease) ——

  /** Applies every due scheduled change (each in its own transaction with its status). Returns how many ran. */
  async applyDueSchedules(): Promise<number> {
    const due = await this.store.releasePlans.dueSchedules(new Date(this.now()).toISOString(), 100);
    for (const change of due) {
      const at = new Date(this.now()).toISOString();
      try {
        await this.atomically(async () => {
          const locked = await this.store.releasePlans.schedule(change.id, true);
          if (locked?.status !== 'pending') return;
          await this.applyChange(change);
          await this.store.releasePlans.finishSchedule(change.id, 'applied', null, at);
          await this.auditSchedule(PLAN_ACTOR, 'schedule.apply', { ...change, status: 'applied', appliedAt: at });
        });
        this.options.notifier?.notify({ type: 'schedule.applied', environment: change.environment, flag: change.flag, message: `Scheduled ${change.change.action} of "${change.flag}" applied`, details: { id: change.id, change: change.change }, time: this.now() });
      } catch (error) {
        // Recorded, not retried: a change that cannot apply (flag deleted, document invalid) would fail every tick.
        await this.store.releasePlans.finishSchedule(change.id, 'failed', error instanceof Error ? error.message.slice(0, 1000) : String(error), at);
      }
    }
    return due.length;
  }

  /** One evaluation of every active plan. Returns the plans that changed state. */
  async stepAll(): Promise<ReleasePlan[]> {
    const changed: ReleasePlan[] = [];
    const failures: unknown[] = [];
    // One plan's failure (a database hiccup, a flag deleted under it) must not stop the others.
    for (const plan of await this.store.releasePlans.active(1000)) {
      try {
        const next = await this.step(plan);
        if (next) changed.push(next);
      } catch (error) {
        if (error instanceof NotFoundError) {
          const at = new Date(this.now()).toISOString();
          const ended = await this.transition(plan, { status: 'aborted', entry: { at, event: 'aborted', percentage: plan.percentage, step: plan.step, message: `ended: ${error.message}` } }).catch(() => undefined);
          if (ended) changed.push(ended);
        } else failures.push(error);
      }
    }
    if (failures.length > 0) throw new AggregateError(failures, `@halyard/server: ${failures.length} release plan(s) could not be evaluated: ${String((failures[0] as Error)?.message ?? failures[0])}`);
    return changed;
  }

  /** Evaluates one plan's current step and advances, holds, pauses or rolls back. */
  async step(plan: ReleasePlan): Promise<ReleasePlan | undefined> {
    const nowMs = this.now();
    const at = new Date(nowMs).toISOString();
    const results = await this.evaluate(plan, nowMs);
    const current = plan.steps[plan.step]!;
    const holdElapsed = nowMs - Date.parse(plan.stepStartedAt) >= current.holdMs;
    const decision = decideStep(results, holdElapsed);
    const evaluation = { at, results };
    if (decision === 'hold') {
      await this.store.releasePlans.recordEvaluation(plan.id, plan.step, evaluation, at);
      return undefined;
    }
    if (decision === 'breach') {
      const breached = results.filter((r) => r.status === 'breach');
      const what = breached.map(describeResult).join('; ');
      const rollback = plan.spec.onBreach === 'rollback';
      const entry: TimelineEntry = {
        at,
        event: rollback ? 'rolled_back' : 'paused',
        percentage: rollback ? 0 : plan.percentage,
        step: plan.step,
        message: rollback ? `guardrail breached at ${plan.percentage}% (${what}); rolled back to 0%` : `guardrail breached at ${plan.percentage}% (${what}); paused`,
        details: { breached: breached.map((r) => ({ kind: r.guardrail.kind, value: r.value, threshold: r.threshold, sample: r.sample })) },
      };
      return this.transition(plan, { status: rollback ? 'rolled_back' : 'paused', ...(rollback ? { percentage: 0 } : {}), entry, evaluation });
    }
    if (plan.step >= plan.steps.length - 1) {
      return this.transition(plan, { status: 'completed', entry: { at, event: 'completed', percentage: plan.percentage, step: plan.step, message: `completed at ${plan.percentage}%` }, evaluation });
    }
    const index = plan.step + 1;
    const next = plan.steps[index]!;
    const last = index === plan.steps.length - 1 && next.holdMs === 0;
    return this.transition(plan, {
      status: last ? 'completed' : 'active',
      step: index,
      percentage: next.percentage,
      restartStep: true,
      entry: { at, event: last ? 'completed' : 'advanced', percentage: next.percentage, step: index, message: last ? `advanced to ${next.percentage}%; completed` : `advanced to ${next.percentage}%` },
      evaluation,
    });
  }

  /** The guardrails of the plan's current step, read over the step's window. */
  async evaluate(plan: ReleasePlan, nowMs = this.now()): Promise<GuardrailResult[]> {
    if (plan.spec.guardrails.length === 0) return [];
    const metrics = this.options.metrics;
    const since = new Date(Date.parse(plan.stepStartedAt));
    // Up to the end of the current minute: its row is still growing, and a window ending on a minute boundary
    // would leave out the events of that very minute.
    const until = new Date(Math.max(nowMs, since.getTime()) + 1);
    const window = metrics ? await metrics.window({ env: plan.environment, flag: plan.flag, since, until }) : { variants: [] };
    const definition = (await this.resources.get<FlagDefinition>('flag', plan.environment, plan.flag)).definition;
    const serve = definition.defaultServe as { split?: Array<{ variant: string }> };
    const treatmentKey = serve.split?.[0]?.variant ?? plan.spec.variant;
    const controlKey = serve.split?.[1]?.variant ?? plan.spec.rest;
    const names = plan.spec.guardrails.flatMap((g) => (g.kind === 'metric' ? [g.name] : []));
    const totals = metrics && names.length > 0 ? await metrics.metricTotals({ env: plan.environment, since, until, names }) : [];
    const input = {
      treatment: window.variants.find((v) => v.variant === treatmentKey),
      control: window.variants.find((v) => v.variant === controlKey),
      exposures: window.variants.reduce((sum, v) => sum + v.exposures, 0),
      metrics: totals,
    };
    return plan.spec.guardrails.map((g) => evaluateGuardrail(g, input));
  }

  // —— internals ——

  private async userTransition(
    actor: Actor,
    env: string,
    flag: string,
    from: readonly PlanStatus[],
    change: (plan: ReleasePlan, at: string) => Transition,
  ): Promise<ReleasePlan> {
    const plan = await this.get(env, flag);
    if (!from.includes(plan.status)) throw new ConflictError(`The release plan of "${flag}" is ${plan.status}; this needs a plan that is ${from.join(' or ')}`);
    const result = await this.transition(plan, change(plan, new Date(this.now()).toISOString()), from, actor);
    if (!result) throw new ConflictError(`The release plan of "${flag}" changed meanwhile; read its status and retry`);
    return result;
  }

  /**
   * One transition as one unit of work: re-reads the plan under a row lock (a user's pause and the stepper never
   * both win), writes the flag, writes the plan. Returns `undefined` when the plan moved on meanwhile.
   */
  private async transition(plan: ReleasePlan, t: Transition, from: readonly PlanStatus[] = ['active'], actor: Actor = PLAN_ACTOR): Promise<ReleasePlan | undefined> {
    const next = await this.atomically(async () => {
      const locked = await this.store.releasePlans.byId(plan.id, true);
      if (!locked || !from.includes(locked.status) || locked.step !== plan.step) return undefined;
      const at = t.entry.at;
      const updated: ReleasePlan = {
        ...locked,
        status: t.status,
        step: t.step ?? locked.step,
        percentage: t.percentage ?? locked.percentage,
        stepStartedAt: t.restartStep ? at : locked.stepStartedAt,
        updatedAt: at,
        timeline: [...locked.timeline, t.entry].slice(-TIMELINE_LIMIT),
        ...(t.evaluation ? { lastEvaluation: t.evaluation } : {}),
      };
      if (updated.percentage !== locked.percentage) await this.rollout(updated, updated.percentage);
      await this.store.releasePlans.update(updated);
      await this.audit(actor, `release-plan.${t.entry.event}`, updated, locked);
      await this.options.beforeCommit?.(updated);
      return updated;
    });
    if (next) this.notify(next, `plan.${t.entry.event}`, t.entry.message, t.entry.details);
    return next;
  }

  private rollout(plan: ReleasePlan, percentage: number) {
    return this.flags.rollout(PLAN_ACTOR, plan.environment, plan.flag, { percentage, variant: plan.spec.variant, rest: plan.spec.rest });
  }

  private async applyChange(change: ScheduledChange): Promise<void> {
    const { environment: env, flag } = change;
    const c = change.change;
    switch (c.action) {
      case 'enable':
      case 'disable':
        await this.flags.toggle(PLAN_ACTOR, env, flag, c.action === 'enable');
        return;
      case 'set-rollout':
        await this.flags.rollout(PLAN_ACTOR, env, flag, { percentage: c.percentage, variant: c.variant, rest: c.rest });
        return;
      case 'apply-definition': {
        const current = await this.resources.get('flag', env, flag);
        await this.resources.replace(PLAN_ACTOR, 'flag', env, flag, c.definition as unknown as FlagDefinition, { ifMatch: [String(current.version)] });
        return;
      }
      case 'archive':
        await this.flags.archive(PLAN_ACTOR, env, flag);
        return;
    }
  }

  /** Runs `fn` in one unit of work: the request's when there is one (Idempotency-Key), else a new one. */
  private async atomically<T>(fn: () => Promise<T>): Promise<T> {
    if (inUnitOfWork()) return fn();
    const unit = await this.store.openUnit();
    try {
      const result = await unit.run(fn);
      await unit.commit();
      return result;
    } catch (error) {
      await unit.rollback();
      throw error;
    }
  }

  /** One audit entry per plan change, next to the flag write's own entry (same transaction). */
  private async audit(actor: Actor, action: string, plan: ReleasePlan, before: ReleasePlan | null): Promise<void> {
    const view = (p: ReleasePlan) => ({ id: p.id, status: p.status, step: p.step, percentage: p.percentage }) as JsonValue;
    await this.store.audit.append(actor, {
      action,
      environment: plan.environment,
      resourceType: 'release-plan',
      resourceKey: plan.flag,
      before: before ? view(before) : null,
      after: view(plan),
      diff: [],
    });
  }

  private async auditSchedule(actor: Actor, action: string, change: ScheduledChange): Promise<void> {
    await this.store.audit.append(actor, {
      action,
      environment: change.environment,
      resourceType: 'schedule',
      resourceKey: change.flag,
      before: null,
      after: { id: change.id, runAt: change.runAt, change: change.change as unknown as JsonValue, status: change.status },
      diff: [],
    });
  }

  private notify(plan: ReleasePlan, type: string, message: string, details?: Record<string, unknown>): void {
    const notification: Notification = {
      type,
      environment: plan.environment,
      flag: plan.flag,
      message: `Release plan of "${plan.flag}" in ${plan.environment}: ${message}`,
      details: { planId: plan.id, percentage: plan.percentage, step: plan.step, ...details },
      time: this.now(),
    };
    this.options.notifier?.notify(notification);
  }
}

interface Transition {
  status: PlanStatus;
  step?: number;
  percentage?: number;
  restartStep?: boolean;
  entry: TimelineEntry;
  evaluation?: ReleasePlan['lastEvaluation'];
}

/** `error-rate 5.2% > 2% (n=120)`: one guardrail's value against its threshold, for timelines and the CLI. */
export function describeResult(r: GuardrailResult): string {
  const g = r.guardrail;
  const pct = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(2)}%`);
  const ms = (v: number | null) => (v === null ? '–' : `${v.toFixed(1)} ms`);
  const name = g.kind === 'latency' ? `latency ${g.percentile}` : g.kind === 'metric' ? `${g.name} ${g.aggregate}/exposure` : g.kind;
  const fmt = g.kind === 'latency' ? ms : g.kind === 'metric' ? (v: number | null) => (v === null ? '–' : v.toFixed(4)) : pct;
  const op = r.status === 'breach' ? (g.kind === 'metric' && g.min !== undefined && r.value !== null && r.value < g.min ? '<' : '>') : '≤';
  return `${name} ${fmt(r.value)} ${op} ${fmt(r.threshold)} (n=${r.sample}/${r.minSample}, ${r.status})`;
}
