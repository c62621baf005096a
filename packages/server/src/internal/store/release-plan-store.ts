import type { ReleasePlan, ScheduledAction, ScheduledChange } from '../services/release-plans/model';
import type { Queryable } from './db';
import { iso, type RowOf } from './rows';

interface PlanRow {
  id: string;
  env: string;
  flag: string;
  status: string;
  plan: Omit<ReleasePlan, 'id' | 'environment' | 'flag' | 'status'>;
}

interface ScheduleRow {
  id: string;
  env: string;
  flag: string;
  run_at: Date | string;
  change: ScheduledAction;
  status: ScheduledChange['status'];
  created_by: string;
  result: string | null;
  created_at: Date | string;
  applied_at: Date | string | null;
}

const planFromRow = (row: PlanRow): ReleasePlan => ({ ...row.plan, id: row.id, environment: row.env, flag: row.flag, status: row.status as ReleasePlan['status'] });

const scheduleFromRow = (row: ScheduleRow): ScheduledChange => ({
  id: row.id,
  environment: row.env,
  flag: row.flag,
  runAt: iso(row.run_at),
  change: row.change,
  status: row.status,
  createdBy: row.created_by,
  result: row.result,
  createdAt: iso(row.created_at),
  appliedAt: row.applied_at === null ? null : iso(row.applied_at),
});

const body = (plan: ReleasePlan): string => {
  const { id: _id, environment: _env, flag: _flag, status: _status, ...rest } = plan;
  return JSON.stringify(rest);
};

/** SQL for `release_plans`, `scheduled_changes` and `stepper_leases` (migration 6). */
export class ReleasePlanStore {
  constructor(private readonly q: Queryable) {}

  async insert(plan: ReleasePlan): Promise<void> {
    await this.q.query(`insert into release_plans (id, env, flag, status, plan, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $6)`, [
      plan.id,
      plan.environment,
      plan.flag,
      plan.status,
      body(plan),
      plan.updatedAt,
    ]);
  }

  async update(plan: ReleasePlan): Promise<void> {
    await this.q.query(`update release_plans set status = $2, plan = $3, updated_at = $4 where id = $1`, [plan.id, plan.status, body(plan), plan.updatedAt]);
  }

  /** Records the latest guardrail decision, only while the plan is still active at that step (never undoes a pause). */
  async recordEvaluation(id: string, step: number, evaluation: ReleasePlan['lastEvaluation'], at: string): Promise<void> {
    await this.q.query(
      `update release_plans set plan = jsonb_set(plan, '{lastEvaluation}', $3::jsonb), updated_at = $4
       where id = $1 and status = 'active' and (plan->>'step')::int = $2`,
      [id, step, JSON.stringify(evaluation), at],
    );
  }

  /** The live (active or paused) plan of a flag, else the latest one. `lock` takes a row lock (inside a transaction). */
  async current(env: string, flag: string, lock = false): Promise<ReleasePlan | undefined> {
    const rows = await this.q.query<RowOf<PlanRow>>(
      `select id, env, flag, status, plan from release_plans where env = $1 and flag = $2
       order by (status in ('active', 'paused')) desc, created_at desc, id desc limit 1${lock ? ' for update' : ''}`,
      [env, flag],
    );
    return rows[0] ? planFromRow(rows[0]) : undefined;
  }

  async byId(id: string, lock = false): Promise<ReleasePlan | undefined> {
    const rows = await this.q.query<RowOf<PlanRow>>(`select id, env, flag, status, plan from release_plans where id = $1${lock ? ' for update' : ''}`, [id]);
    return rows[0] ? planFromRow(rows[0]) : undefined;
  }

  async active(limit: number): Promise<ReleasePlan[]> {
    const rows = await this.q.query<RowOf<PlanRow>>(`select id, env, flag, status, plan from release_plans where status = 'active' order by updated_at limit $1`, [limit]);
    return rows.map(planFromRow);
  }

  async insertSchedule(change: Omit<ScheduledChange, 'status' | 'result' | 'appliedAt' | 'createdAt'>, now: string): Promise<ScheduledChange> {
    const rows = await this.q.query<RowOf<ScheduleRow>>(
      `insert into scheduled_changes (id, env, flag, run_at, change, created_by, created_at) values ($1, $2, $3, $4, $5, $6, $7) returning *`,
      [change.id, change.environment, change.flag, change.runAt, JSON.stringify(change.change), change.createdBy, now],
    );
    return scheduleFromRow(rows[0]!);
  }

  async schedules(env: string, flag: string | undefined, limit: number): Promise<ScheduledChange[]> {
    const rows = await this.q.query<RowOf<ScheduleRow>>(
      `select * from scheduled_changes where env = $1 and ($2::text is null or flag = $2) order by run_at, id limit $3`,
      [env, flag ?? null, limit],
    );
    return rows.map(scheduleFromRow);
  }

  async schedule(id: string, lock = false): Promise<ScheduledChange | undefined> {
    const rows = await this.q.query<RowOf<ScheduleRow>>(`select * from scheduled_changes where id = $1${lock ? ' for update' : ''}`, [id]);
    return rows[0] ? scheduleFromRow(rows[0]) : undefined;
  }

  async dueSchedules(now: string, limit: number): Promise<ScheduledChange[]> {
    const rows = await this.q.query<RowOf<ScheduleRow>>(`select * from scheduled_changes where status = 'pending' and run_at <= $1 order by run_at, id limit $2`, [now, limit]);
    return rows.map(scheduleFromRow);
  }

  async finishSchedule(id: string, status: ScheduledChange['status'], result: string | null, now: string): Promise<void> {
    await this.q.query(`update scheduled_changes set status = $2, result = $3, applied_at = $4 where id = $1`, [id, status, result, now]);
  }

  /**
   * Takes or renews the named lease for `holder` until `expiresAt`, when it is free, expired, or already held by
   * `holder`. Returns whether `holder` holds it now. One statement, so two instances can never both win.
   */
  async acquireLease(name: string, holder: string, now: string, expiresAt: string): Promise<boolean> {
    const rows = await this.q.query<{ holder: string }>(
      `insert into stepper_leases (name, holder, expires_at) values ($1, $2, $4)
       on conflict (name) do update set holder = excluded.holder, expires_at = excluded.expires_at
       where stepper_leases.holder = excluded.holder or stepper_leases.expires_at <= $3
       returning holder`,
      [name, holder, now, expiresAt],
    );
    return rows[0]?.holder === holder;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.q.query(`delete from stepper_leases where name = $1 and holder = $2`, [name, holder]);
  }
}
