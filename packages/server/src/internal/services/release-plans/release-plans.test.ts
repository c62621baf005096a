import type { FlagDefinition } from '@halyard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTOR, openServiceHarness, type ServiceHarness } from '../../../../test/service-harness';
import { ConflictError } from '../../errors';
import { type Events, eventsDefaults, startEvents } from '../events/ingest';
import type { Notification } from '../notifications/notifier';
import type { ReleasePlanSpec } from './model';
import { ReleasePlanService } from './release-plan-service';
import { Stepper } from './stepper';

const flag = (): FlagDefinition => ({ variants: { on: true, off: false }, enabled: true, offVariant: 'off', defaultServe: { variant: 'off' } }) as FlagDefinition;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('release plans and the stepper (service layer, PGlite)', () => {
  let h: ServiceHarness;
  let events: Events;
  let clock = Date.UTC(2026, 0, 1);
  const now = () => clock;
  const sent: Notification[] = [];
  const notifier = { notify: (n: Notification) => void sent.push(n), flush: async () => {} };
  let n = 0;
  const unique = (prefix: string) => `${prefix}-${++n}`;
  const service = (extra: Partial<ConstructorParameters<typeof ReleasePlanService>[3]> = {}) =>
    new ReleasePlanService(h.store, h.services.resources, h.services.flags, { now, notifier, metrics: events.metrics, ...extra });
  const served = async (key: string) => (await h.services.resources.get<FlagDefinition>('flag', 'development', key)).definition.defaultServe;
  /** The rolled-out variant's share of the served split. */
  const onShare = async (key: string) => ((await served(key)) as { split: Array<{ variant: string; percentage: number }> }).split.find((s) => s.variant === 'on')?.percentage;
  const newFlag = async (prefix: string) => {
    const key = unique(prefix);
    await h.services.resources.create(ACTOR, 'flag', 'development', key, flag());
    return key;
  };

  beforeAll(async () => {
    h = await openServiceHarness();
    events = await startEvents(h.db, { ...eventsDefaults('release-plans-test'), flushMs: 3_600_000 }, (e) => {
      throw e;
    });
  });
  afterAll(async () => {
    await events?.close();
    await h?.close();
  });

  const steps: ReleasePlanSpec = {
    schedule: { kind: 'steps', steps: [1, 5, 10, 25, 50, 100].map((percentage) => ({ percentage, holdMs: percentage === 100 ? 0 : 6 * HOUR })) },
    guardrails: [],
    onBreach: 'rollback',
  };

  it('walks a steps plan over days of schedule in milliseconds, only adding units, audited as release-plan', async () => {
    const key = await newFlag('steps');
    const plans = service();
    const stepper = new Stepper(h.store, plans, { holder: 'a' });
    await plans.start(ACTOR, 'development', key, steps);
    expect(await served(key)).toMatchObject({ split: [{ variant: 'on', percentage: 1 }, { variant: 'off', percentage: 99 }] });
    const seen: number[] = [];
    for (let i = 0; i < 5 * 24; i++) {
      clock += HOUR;
      await stepper.tick();
      seen.push((await plans.get('development', key)).percentage);
    }
    expect([...new Set(seen)]).toEqual([1, 5, 10, 25, 50, 100]);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
    const plan = await plans.get('development', key);
    expect(plan.status).toBe('completed');
    expect(plan.timeline.map((e) => e.event)).toEqual(['started', 'advanced', 'advanced', 'advanced', 'advanced', 'completed']);
    const audit = await h.store.audit.query({ flag: key, limit: 50 });
    expect(audit.entries.filter((e) => e.actor.name === 'release-plan' && e.action === 'flag.rollout')).toHaveLength(6);
    expect(sent.some((s) => s.type === 'plan.completed' && s.flag === key)).toBe(true);
  });

  it('one live plan per flag; pause holds, resume restarts the step, abort rolls back to 0 %', async () => {
    const key = await newFlag('pause');
    const plans = service();
    const stepper = new Stepper(h.store, plans, { holder: 'a' });
    await plans.start(ACTOR, 'development', key, steps);
    await expect(plans.start(ACTOR, 'development', key, steps)).rejects.toThrow(ConflictError);
    await plans.pause(ACTOR, 'development', key);
    clock += 7 * HOUR;
    await stepper.tick();
    expect(await plans.get('development', key)).toMatchObject({ status: 'paused', percentage: 1 });
    await plans.resume(ACTOR, 'development', key);
    clock += HOUR;
    await stepper.tick();
    expect((await plans.get('development', key)).percentage).toBe(1);
    clock += 6 * HOUR;
    await stepper.tick();
    expect((await plans.get('development', key)).percentage).toBe(5);
    expect(await plans.abort(ACTOR, 'development', key)).toMatchObject({ status: 'aborted', percentage: 0 });
    expect(await onShare(key)).toBe(0);
  });

  it('rolls back at the first guarded step once the minimum sample is in, not before', async () => {
    const key = await newFlag('breach');
    const plans = service();
    const stepper = new Stepper(h.store, plans, { holder: 'a' });
    const spec: ReleasePlanSpec = { ...steps, guardrails: [{ kind: 'error-rate', max: 0.02, minOutcomes: 100 }] };
    await plans.start(ACTOR, 'development', key, spec);
    const outcomes = async (count: number, errorsEvery: number) => {
      const batch = Array.from({ length: count }, (_, i) => ({ kind: 'outcome', flag: key, variant: 'on', unit: `u${i}`, ok: i % errorsEvery !== 0, durationMs: 5, time: clock }));
      await events.ingest.accept({ id: 'k', environment: 'development' }, { events: batch }, clock);
      await events.flush();
    };
    await outcomes(50, 20);
    clock += 7 * HOUR;
    await stepper.tick();
    // 50 outcomes (5 % errors) are below the sample: the plan holds (it does not advance without data either).
    expect(await plans.get('development', key)).toMatchObject({ status: 'active', percentage: 1, lastEvaluation: { results: [{ status: 'insufficient', sample: 50 }] } });
    await outcomes(60, 20);
    await stepper.tick();
    const plan = await plans.get('development', key);
    expect(plan).toMatchObject({ status: 'rolled_back', percentage: 0 });
    expect(plan.timeline.at(-1)).toMatchObject({ event: 'rolled_back', percentage: 0 });
    expect(await onShare(key)).toBe(0);
    expect(sent.some((s) => s.type === 'plan.rolled_back' && s.flag === key)).toBe(true);
  });

  it('exactly one stepper advances across instances; the other takes over after the lease expires', async () => {
    const key = await newFlag('lease');
    const a = new Stepper(h.store, service(), { holder: 'instance-a', leaseMs: 10 * MINUTE });
    const b = new Stepper(h.store, service(), { holder: 'instance-b', leaseMs: 10 * MINUTE });
    await service().start(ACTOR, 'development', key, steps);
    clock += 7 * HOUR;
    const [ra, rb] = await Promise.all([a.tick(), b.tick()]);
    expect([ra.leader, rb.leader].filter(Boolean)).toHaveLength(1);
    const leader = ra.leader ? a : b;
    const other = ra.leader ? b : a;
    expect((await service().get('development', key)).percentage).toBe(5);
    clock += 7 * HOUR;
    // The leader is "dead" (no more ticks); the other only takes over once the lease has expired.
    expect((await other.tick()).leader).toBe(true);
    expect((await leader.tick()).leader).toBe(false);
    expect((await service().get('development', key)).percentage).toBe(10);
    await other.stop();
  });

  it('a crash mid-step commits nothing; a restarted instance resumes from the stored state', async () => {
    const key = await newFlag('crash');
    await service().start(ACTOR, 'development', key, steps);
    const crashing = new Stepper(h.store, service({ beforeCommit: () => Promise.reject(new Error('killed mid-step')) }), { holder: 'crashing', leaseMs: MINUTE });
    clock += 7 * HOUR;
    await expect(crashing.tick()).rejects.toThrow('killed mid-step');
    expect(await service().get('development', key)).toMatchObject({ percentage: 1, step: 0 });
    expect(await onShare(key)).toBe(1);
    clock += 2 * MINUTE;
    const restarted = new Stepper(h.store, service(), { holder: 'restarted', leaseMs: MINUTE });
    expect((await restarted.tick()).leader).toBe(true);
    expect(await service().get('development', key)).toMatchObject({ percentage: 5, step: 1, status: 'active' });
    expect(await onShare(key)).toBe(5);
    await restarted.stop();
  });

  it('a plan whose flag was deleted ends (aborted) instead of failing every tick', async () => {
    const key = await newFlag('deleted');
    const plans = service();
    await plans.start(ACTOR, 'development', key, steps);
    await h.services.resources.delete(ACTOR, 'flag', 'development', key);
    clock += 7 * HOUR;
    const stepper = new Stepper(h.store, plans, { holder: 'a' });
    await stepper.tick();
    expect(await plans.get('development', key)).toMatchObject({ status: 'aborted' });
    expect((await plans.get('development', key)).timeline.at(-1)!.message).toMatch(/not found/);
  });

  it('S-curve plans serve the sampled curve', async () => {
    const key = await newFlag('curve');
    const plans = service();
    const stepper = new Stepper(h.store, plans, { holder: 'curve', leaseMs: 100 * HOUR });
    const plan = await plans.start(ACTOR, 'development', key, { schedule: { kind: 's-curve', start: 1, end: 100, durationMs: 24 * HOUR, steepness: 10, stepMs: 2 * HOUR }, guardrails: [], onBreach: 'pause' });
    for (let i = 0; i < 30; i++) {
      clock += HOUR;
      await stepper.tick();
    }
    const done = await plans.get('development', key);
    expect(done.status).toBe('completed');
    expect(done.timeline.map((e) => e.percentage)).toEqual(plan.steps.map((s) => s.percentage));
    await stepper.stop();
  });

  it('scheduled changes run once when due, in the same stepper; failures are recorded', async () => {
    const key = await newFlag('sched');
    const plans = service();
    const stepper = new Stepper(h.store, plans, { holder: 'sched', leaseMs: 100 * HOUR });
    const at = (ms: number) => new Date(clock + ms).toISOString();
    const off = await plans.schedule(ACTOR, 'development', key, at(HOUR), { action: 'disable' });
    await plans.schedule(ACTOR, 'development', key, at(2 * HOUR), { action: 'set-rollout', percentage: 30 });
    const cancelled = await plans.schedule(ACTOR, 'development', key, at(2 * HOUR), { action: 'archive' });
    await plans.cancelSchedule(ACTOR, 'development', cancelled.id);
    await plans.schedule(ACTOR, 'development', key, at(3 * HOUR), { action: 'apply-definition', definition: { variants: { on: true }, enabled: true, offVariant: 'missing', defaultServe: { variant: 'on' } } });
    await stepper.tick();
    expect((await h.services.resources.get<FlagDefinition>('flag', 'development', key)).definition.enabled).toBe(true);
    clock += HOUR;
    await stepper.tick();
    expect((await h.services.resources.get<FlagDefinition>('flag', 'development', key)).definition.enabled).toBe(false);
    clock += 2 * HOUR;
    await stepper.tick();
    await stepper.tick();
    expect(await onShare(key)).toBe(30);
    const list = await plans.schedules('development', key);
    expect(list.map((s) => s.status).sort()).toEqual(['applied', 'applied', 'cancelled', 'failed']);
    expect(list.find((s) => s.status === 'failed')!.result).toMatch(/invalid/);
    expect(list.find((s) => s.id === off.id)!.appliedAt).toBe(new Date(clock - 2 * HOUR).toISOString());
  });
});
