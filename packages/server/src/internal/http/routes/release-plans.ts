import Type from 'typebox';
import type { ReleasePlanSpec, ScheduledAction } from '../../services/release-plans/model';
import { type Api, type Services, actorOf, logChange } from '../api';
import { EnvKey, errorResponse, optionalBody } from '../schemas';
import { ResourceParams } from './resources';

const tags = ['Release plans'];
const Percent = Type.Number({ minimum: 0, maximum: 100, description: 'Up to 3 decimals' });
const Millis = Type.Integer({ minimum: 0, maximum: 365 * 24 * 3600 * 1000 });
const Sample = Type.Integer({ minimum: 1, maximum: 1_000_000_000 });
const Fraction = Type.Number({ minimum: 0, maximum: 1 });
const Variant = Type.String({ minLength: 1, maxLength: 200 });

const Schedule = Type.Union([
  Type.Object({ kind: Type.Literal('steps'), steps: Type.Array(Type.Object({ percentage: Percent, holdMs: Millis }, { additionalProperties: false }), { minItems: 1, maxItems: 100 }) }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('linear'), start: Percent, end: Percent, durationMs: Millis, stepMs: Type.Optional(Millis) }, { additionalProperties: false }),
  Type.Object(
    { kind: Type.Literal('s-curve'), start: Percent, end: Percent, durationMs: Millis, steepness: Type.Number({ exclusiveMinimum: 0, maximum: 100 }), stepMs: Type.Optional(Millis) },
    { additionalProperties: false },
  ),
]);

const Guardrail = Type.Union([
  Type.Object({ kind: Type.Literal('error-rate'), max: Fraction, minOutcomes: Sample }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('relative-error-rate'), factor: Type.Number({ minimum: 1, maximum: 100 }), margin: Fraction, minOutcomes: Sample }, { additionalProperties: false }),
  Type.Object(
    { kind: Type.Literal('latency'), percentile: Type.Union([Type.Literal('p50'), Type.Literal('p90'), Type.Literal('p99')]), maxMs: Type.Number({ exclusiveMinimum: 0 }), minOutcomes: Sample },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('metric'),
      name: Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,100}$' }),
      aggregate: Type.Union([Type.Literal('count'), Type.Literal('sum'), Type.Literal('mean')]),
      min: Type.Optional(Type.Number()),
      max: Type.Optional(Type.Number()),
      minExposures: Sample,
    },
    { additionalProperties: false },
  ),
]);

const PlanBody = Type.Object(
  {
    schedule: Schedule,
    variant: Type.Optional(Variant),
    rest: Type.Optional(Variant),
    guardrails: Type.Array(Guardrail, { maxItems: 20, default: [] }),
    onBreach: Type.Union([Type.Literal('pause'), Type.Literal('rollback')], { default: 'rollback' }),
  },
  {
    additionalProperties: false,
    examples: [
      {
        schedule: { kind: 'steps', steps: [1, 5, 10, 25, 50, 100].map((percentage) => ({ percentage, holdMs: 3_600_000 })) },
        guardrails: [{ kind: 'error-rate', max: 0.02, minOutcomes: 200 }, { kind: 'latency', percentile: 'p99', maxMs: 400, minOutcomes: 200 }],
        onBreach: 'rollback',
      },
    ],
  },
);

/** The plan as stored, with its timeline and latest guardrail evaluation (see docs/release-safety.md). */
const Plan = Type.Object({ id: Type.String(), status: Type.String(), percentage: Type.Number(), step: Type.Integer() }, { additionalProperties: true });
const Change = Type.Union([
  Type.Object({ action: Type.Literal('enable') }, { additionalProperties: false }),
  Type.Object({ action: Type.Literal('disable') }, { additionalProperties: false }),
  Type.Object({ action: Type.Literal('archive') }, { additionalProperties: false }),
  Type.Object({ action: Type.Literal('set-rollout'), percentage: Percent, variant: Type.Optional(Variant), rest: Type.Optional(Variant) }, { additionalProperties: false }),
  Type.Object({ action: Type.Literal('apply-definition'), definition: Type.Object({}, { additionalProperties: true }) }, { additionalProperties: false }),
]);
const Scheduled = Type.Object({ id: Type.String(), flag: Type.String(), runAt: Type.String(), status: Type.String() }, { additionalProperties: true });
const EmptyBody = optionalBody(Type.Object({}, { additionalProperties: false }));
const errors = { 400: errorResponse('Invalid plan'), 404: errorResponse('Not found'), 409: errorResponse('A live plan exists, or the plan is not in a state for this') };

/** Release plans (one live plan per flag × environment) and scheduled changes. */
export function releasePlanRoutes(api: Api, { releasePlans }: Pick<Services, 'releasePlans'>): void {
  api.post(
    '/api/v1/environments/:env/flags/:key/release-plan',
    {
      config: { auth: 'editor' },
      schema: {
        tags,
        summary: 'Start a release plan',
        description:
          'Serves the first step at once and lets the stepper advance the rollout (actor `release-plan`) while the guardrails hold; a breach pauses or rolls back to 0 % (`onBreach`). One live (active or paused) plan per flag × environment: 409 otherwise.',
        params: ResourceParams,
        body: PlanBody,
        response: { 201: Plan, ...errors },
      },
    },
    async (request, reply) => {
      const { env, key } = request.params;
      const plan = await releasePlans.start(actorOf(request), env, key, request.body as ReleasePlanSpec);
      logChange(request, 'release-plan.start', { env, flag: key, plan: plan.id });
      return reply.code(201).send(plan);
    },
  );

  api.get(
    '/api/v1/environments/:env/flags/:key/release-plan',
    {
      config: { auth: 'viewer' },
      schema: { tags, summary: 'The live release plan (else the latest)', description: 'Timeline, current step and the latest guardrail values against their thresholds.', params: ResourceParams, response: { 200: Plan, 404: errorResponse('No plan') } },
    },
    async (request) => releasePlans.get(request.params.env, request.params.key),
  );

  for (const action of ['pause', 'resume', 'abort'] as const) {
    const summary = { pause: 'Pause the plan (keeps the current percentage)', resume: 'Resume a paused plan (the current step starts over)', abort: 'Abort the plan and roll back to 0 %' }[action];
    api.post(
      `/api/v1/environments/:env/flags/:key/release-plan/${action}`,
      { config: { auth: 'editor' }, schema: { tags, summary, params: ResourceParams, body: EmptyBody, response: { 200: Plan, ...errors } } },
      async (request) => {
        const { env, key } = request.params;
        const plan = await releasePlans[action](actorOf(request), env, key);
        logChange(request, `release-plan.${action}`, { env, flag: key, plan: plan.id });
        return plan;
      },
    );
  }

  api.get(
    '/api/v1/environments/:env/schedules',
    {
      config: { auth: 'viewer' },
      schema: {
        tags,
        summary: 'Scheduled changes of an environment',
        params: Type.Object({ env: EnvKey }),
        querystring: Type.Object({ flag: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ schedules: Type.Array(Scheduled) }), 404: errorResponse('No such environment') },
      },
    },
    async (request) => ({ schedules: await releasePlans.schedules(request.params.env, request.query.flag) }),
  );

  api.post(
    '/api/v1/environments/:env/schedules',
    {
      config: { auth: 'editor' },
      schema: {
        tags,
        summary: 'Schedule a change',
        description: 'At `at` the stepper applies `change` (enable, disable, set-rollout, apply-definition, archive) as actor `release-plan`; a change that cannot apply is recorded as failed.',
        params: Type.Object({ env: EnvKey }),
        body: Type.Object(
          { flag: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$' }), at: Type.String({ minLength: 1, maxLength: 40, description: 'ISO-8601 time' }), change: Change },
          { additionalProperties: false, examples: [{ flag: 'new-checkout', at: '2026-12-24T08:00:00Z', change: { action: 'disable' } }] },
        ),
        response: { 201: Scheduled, ...errors },
      },
    },
    async (request, reply) => {
      const { env } = request.params;
      const { flag, at, change } = request.body;
      const created = await releasePlans.schedule(actorOf(request), env, flag, at, change as ScheduledAction);
      logChange(request, 'schedule.create', { env, flag, schedule: created.id });
      return reply.code(201).send(created);
    },
  );

  api.delete(
    '/api/v1/environments/:env/schedules/:id',
    {
      config: { auth: 'editor' },
      schema: { tags, summary: 'Cancel a pending scheduled change', params: Type.Object({ env: EnvKey, id: Type.String({ minLength: 1, maxLength: 100 }) }), response: { 200: Scheduled, ...errors } },
    },
    async (request) => {
      const cancelled = await releasePlans.cancelSchedule(actorOf(request), request.params.env, request.params.id);
      logChange(request, 'schedule.cancel', { env: request.params.env, schedule: cancelled.id });
      return cancelled;
    },
  );
}
