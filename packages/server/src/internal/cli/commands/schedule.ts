import type { Context } from '../context';
import { encode } from '../context';
import { usageError } from '../errors';
import { table } from '../output';
import { parseDuration } from './rollouts';

interface ScheduleView {
  id: string;
  flag: string;
  runAt: string;
  change: { action: string; percentage?: number };
  status: string;
  createdBy: string;
  result: string | null;
}

const base = (ctx: Context) => `/api/v1/environments/${encode(ctx.env)}/schedules`;

/** An ISO time, or `in 2h` / `+2h` from now. */
function timeArg(text: string): string {
  const relative = /^(?:\+|in\s*)(.+)$/.exec(text);
  if (relative) return new Date(Date.now() + parseDuration(relative[1]!, 'the time')).toISOString();
  if (Number.isNaN(Date.parse(text))) throw usageError(`the time must be ISO-8601 (2026-12-24T08:00:00Z) or relative (+2h), got "${text}"`);
  return text;
}

/** `halyard schedule add <flag> <time> <enable|disable|archive|rollout <percent>|apply --file def.json>`. */
export async function scheduleAdd(ctx: Context): Promise<void> {
  const [flag, when, what, extra] = ctx.args;
  if (flag === undefined || when === undefined || what === undefined) throw usageError('usage: halyard schedule add <flag> <time> enable|disable|archive|rollout <percent>|apply --file def.json');
  let change: Record<string, unknown>;
  if (what === 'enable' || what === 'disable' || what === 'archive') change = { action: what };
  else if (what === 'rollout') {
    const percentage = Number((extra ?? '').replace(/%$/, ''));
    if (extra === undefined || !/^\d+(\.\d{1,3})?%?$/.test(extra) || percentage > 100) throw usageError('rollout needs a percentage from 0 to 100, e.g. halyard schedule add new-checkout +1d rollout 50');
    change = { action: 'set-rollout', percentage };
  } else if (what === 'apply') {
    const file = ctx.string('file');
    if (file === undefined) throw usageError('apply needs --file with the flag definition to apply');
    change = { action: 'apply-definition', definition: ctx.readJson(file) };
  } else throw usageError(`unknown change "${what}": use enable, disable, archive, rollout <percent> or apply --file <def.json>`);
  const { body } = await ctx.api().request<ScheduleView>('POST', base(ctx), { body: { flag, at: timeArg(when), change } });
  if (ctx.json) return ctx.printJson(body);
  ctx.print(`Scheduled ${what}${change.percentage !== undefined ? ` ${String(change.percentage)}%` : ''} of ${ctx.colors.bold(flag)} in ${ctx.env} at ${body.runAt} (id ${body.id})`);
}

export async function scheduleList(ctx: Context): Promise<void> {
  const flag = ctx.args[0];
  const { body } = await ctx.api().request<{ schedules: ScheduleView[] }>('GET', `${base(ctx)}${flag ? `?flag=${encodeURIComponent(flag)}` : ''}`);
  if (ctx.json) return ctx.printJson(body);
  if (body.schedules.length === 0) return ctx.print(`No scheduled changes in ${ctx.env}. Add one: halyard schedule add <flag> +1d disable`);
  const what = (s: ScheduleView) => `${s.change.action}${s.change.percentage !== undefined ? ` ${s.change.percentage}%` : ''}`;
  ctx.print(table(['AT', 'FLAG', 'CHANGE', 'STATUS', 'ID', 'RESULT'], body.schedules.map((s) => [s.runAt, s.flag, what(s), s.status, s.id, s.result ?? '']), ctx.colors).trimEnd());
}

export async function scheduleCancel(ctx: Context): Promise<void> {
  const id = ctx.args[0];
  if (id === undefined) throw usageError('missing the scheduled change id (halyard schedule list shows it)');
  const { body } = await ctx.api().request<ScheduleView>('DELETE', `${base(ctx)}/${encode(id)}`);
  if (ctx.json) return ctx.printJson(body);
  ctx.print(`Cancelled the scheduled ${body.change.action} of ${ctx.colors.bold(body.flag)} (${body.id})`);
}
