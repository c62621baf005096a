import type { FlagDefinition, JsonValue, SegmentDefinition, SplitServe } from '@halyard/core';
import type { Context } from '../context';
import { encode } from '../context';
import { CliError, usageError } from '../errors';
import { ago, plural, table } from '../output';
import { redisRollout, redisTarget, redisToggle } from './redis';

/** A flag or segment as the admin API returns it. */
export interface Stored<T> {
  key: string;
  environment: string;
  version: number;
  definition: T;
  createdAt: string;
  updatedAt: string;
  archivedAt?: string;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Key order does not matter when comparing definitions. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, canonical(value[k])]),
  );
}

const base = (ctx: Context, plural: 'flags' | 'segments') => `/api/v1/environments/${encode(ctx.env)}/${plural}`;

/** The service's 409 for writes to an archived flag, in CLI terms. */
async function withArchivedHint<T>(ctx: Context, key: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof CliError && error.details.code === 'archived') {
      throw new CliError(`flag ${key} is archived in ${ctx.env}; restore it first: halyard flags restore ${key}`, 1, error.details);
    }
    throw error;
  }
}

function keyArg(ctx: Context, what: string): string {
  const key = ctx.args[0];
  if (key === undefined || key === '') throw usageError(`missing the ${what} key`);
  return key;
}

/**
 * Reads a definition file: a bare definition, `{ "definition": … }`, or the output of `halyard flags get --json`
 * (then its `version` is used as If-Match, so an edit made on a stale copy is refused instead of overwriting).
 */
function readDefinitionFile(ctx: Context, what: string): { definition: Record<string, unknown>; version: number | undefined } {
  const path = ctx.string('file');
  if (path === undefined) throw usageError(`--file is required: a JSON file with the ${what} definition ("-" reads standard input)`);
  const data = ctx.readJson(path);
  if (!isObject(data)) throw new CliError(`${path} must hold a ${what} definition object`);
  if (isObject(data.definition)) return { definition: data.definition, version: typeof data.version === 'number' ? data.version : undefined };
  return { definition: data, version: undefined };
}

/** "on 25% · off 75%" for splits; the variant name otherwise. */
function describeServe(serve: unknown): string {
  if (isObject(serve) && Array.isArray(serve.split)) {
    const slices = (serve as unknown as SplitServe).split;
    const total = slices.reduce((sum, s) => sum + (s.percentage !== undefined ? s.percentage * 1000 : (s.weight ?? 0)), 0);
    return slices
      .map((s) => {
        const share = total > 0 ? ((s.percentage !== undefined ? s.percentage * 1000 : (s.weight ?? 0)) / total) * 100 : 0;
        return `${s.variant} ${Number(share.toFixed(3))}%`;
      })
      .join(' · ');
  }
  if (isObject(serve) && typeof serve.variant === 'string') return serve.variant;
  return '?';
}

function flagSummary(definition: FlagDefinition): string {
  const parts: string[] = [];
  if (definition.enabled === false) parts.push(definition.offVariant === undefined ? 'the caller\'s default (switched off)' : `${definition.offVariant} (switched off)`);
  else parts.push(describeServe(definition.defaultServe));
  const extras: string[] = [];
  if (definition.targets?.length) extras.push(plural(definition.targets.length, 'target list'));
  if (definition.rules?.length) extras.push(plural(definition.rules.length, 'rule'));
  if (definition.prerequisites?.length) extras.push(plural(definition.prerequisites.length, 'prerequisite'));
  if (extras.length > 0 && definition.enabled !== false) parts.push(`+ ${extras.join(', ')}`);
  return parts.join(' ');
}

function flagState(ctx: Context, flag: Stored<FlagDefinition>): string {
  if (flag.archivedAt !== undefined) return ctx.colors.dim('archived');
  return flag.definition.enabled ? ctx.colors.green('on') : ctx.colors.red('off');
}

function segmentSummary(definition: SegmentDefinition): string {
  const parts: string[] = [];
  if (definition.conditions?.length) parts.push(plural(definition.conditions.length, 'condition'));
  if (definition.included?.length) parts.push(`${definition.included.length} included`);
  if (definition.excluded?.length) parts.push(`${definition.excluded.length} excluded`);
  return parts.join(', ') || 'matches nobody';
}

const variantsText = (variants: Record<string, JsonValue>): string =>
  Object.entries(variants)
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
    .join(', ');

// ---- flags -------------------------------------------------------------------------------------------------------

export async function flagsList(ctx: Context): Promise<void> {
  const query = ctx.flag('archived') ? '?archived=true' : '';
  const { body } = await ctx.api().request<{ flags: Array<Stored<FlagDefinition>> }>('GET', `${base(ctx, 'flags')}${query}`);
  if (ctx.json) return ctx.printJson(body);
  if (body.flags.length === 0) {
    ctx.print(`No flags in ${ctx.env}${ctx.flag('archived') ? '' : ' (archived flags: --archived)'}. Create one: halyard flags create <key> --boolean`);
    return;
  }
  const rows = body.flags.map((flag) => [flag.key, flagState(ctx, flag), flagSummary(flag.definition), String(flag.version), ago(flag.updatedAt)]);
  ctx.print(table(['KEY', 'STATE', 'SERVES', 'VERSION', 'UPDATED'], rows, ctx.colors));
}

export async function flagsGet(ctx: Context): Promise<void> {
  const key = keyArg(ctx, 'flag');
  const { body } = await ctx.api().request<Stored<FlagDefinition>>('GET', `${base(ctx, 'flags')}/${encode(key)}`);
  if (ctx.json) return ctx.printJson(body);
  const d = body.definition;
  const lines = [
    `${ctx.colors.bold(body.key)}  ${ctx.colors.dim(`${body.environment}, version ${body.version}, updated ${ago(body.updatedAt)}`)}`,
    `  state      ${flagState(ctx, body)}${body.archivedAt ? ctx.colors.dim(` since ${body.archivedAt}`) : ''}`,
    `  serves     ${flagSummary(d)}`,
    `  variants   ${variantsText(d.variants ?? {})} (off: ${d.offVariant ?? 'the caller\'s default'})`,
  ];
  if (d.description) lines.push(`  about      ${d.description}`);
  if (d.owner) lines.push(`  owner      ${d.owner}`);
  if (d.tags?.length) lines.push(`  tags       ${d.tags.join(', ')}`);
  lines.push('', JSON.stringify(d, null, 2));
  ctx.print(lines.join('\n'));
}

export async function flagsCreate(ctx: Context): Promise<void> {
  const key = keyArg(ctx, 'flag');
  if (ctx.flag('boolean') === (ctx.string('file') !== undefined)) throw usageError('give either --file <definition.json> or --boolean');
  // A new boolean flag is on but serves "off" to everyone: `halyard flags rollout <key> 10` then starts a rollout at once.
  const definition: Record<string, unknown> = ctx.flag('boolean')
    ? { variants: { on: true, off: false }, enabled: true, offVariant: 'off', defaultServe: { variant: 'off' } }
    : readDefinitionFile(ctx, 'flag').definition;
  const description = ctx.string('description');
  if (description !== undefined) definition.description = description;
  const owner = ctx.string('owner');
  if (owner !== undefined) definition.owner = owner;
  let created;
  try {
    created = await ctx.api().request<Stored<FlagDefinition>>('POST', base(ctx, 'flags'), { body: { key, definition } });
  } catch (error) {
    if (error instanceof CliError && error.details.status === 409) {
      throw new CliError(
        error.details.code === 'archived'
          ? `flag ${key} exists in ${ctx.env} but is archived; bring it back with \`halyard flags restore ${key}\``
          : `flag ${key} already exists in ${ctx.env}; change it with \`halyard flags update ${key} --file …\``,
        1,
        error.details,
      );
    }
    throw error;
  }
  if (ctx.json) return ctx.printJson(created.body);
  ctx.print(`Created flag ${ctx.colors.bold(key)} in ${ctx.env} (version ${created.body.version}): ${flagSummary(created.body.definition)}`);
}

/** PUT with If-Match: the file's version when it has one, else the version read just before. */
async function replaceResource<T>(ctx: Context, plural: 'flags' | 'segments', what: string): Promise<void> {
  const key = keyArg(ctx, what);
  const { definition, version: fileVersion } = readDefinitionFile(ctx, what);
  const api = ctx.api();
  const path = `${base(ctx, plural)}/${encode(key)}`;
  const version = fileVersion ?? (await api.request<Stored<T>>('GET', path)).body.version;
  let result;
  try {
    result = await withArchivedHint(ctx, key, () =>
      api.request<Stored<T>>('PUT', path, {
        body: { definition },
        headers: { 'if-match': `"${version}"` },
        onConflict: (current) =>
          fileVersion !== undefined
            ? `someone else changed ${key} since version ${fileVersion} of your file (now version ${current ?? '?'}); get it again with \`halyard ${plural} get ${key} --json\`, redo your edit and retry`
            : `someone else changed ${key} (version ${current ?? '?'}); re-run to retry`,
      }),
    );
  } catch (error) {
    // Re-running an update that already went through: the file's version is old but its content is current.
    if (!(error instanceof CliError) || error.details.status !== 412 || fileVersion === undefined) throw error;
    const current = (await api.request<Stored<T>>('GET', path)).body;
    if (JSON.stringify(canonical(current.definition)) !== JSON.stringify(canonical(definition))) throw error;
    result = { body: current };
  }
  if (ctx.json) return ctx.printJson(result.body);
  if (result.body.version === version) ctx.print(`${key} is unchanged in ${ctx.env} (version ${version})`);
  else ctx.print(`Updated ${what} ${ctx.colors.bold(key)} in ${ctx.env} (version ${result.body.version})`);
}

export const flagsUpdate = (ctx: Context): Promise<void> => replaceResource<FlagDefinition>(ctx, 'flags', 'flag');

export async function flagsToggle(ctx: Context): Promise<void> {
  const key = keyArg(ctx, 'flag');
  if (ctx.flag('on') && ctx.flag('off')) throw usageError('give --on or --off, not both (neither flips the switch)');
  const body = ctx.flag('on') ? { enabled: true } : ctx.flag('off') ? { enabled: false } : {};
  const redis = redisTarget(ctx);
  if (redis) {
    const { flag, result } = await redisToggle(ctx, redis, key, body.enabled);
    if (ctx.json) return ctx.printJson({ key, redis: redis.label, version: result.version, changed: result.changed, definition: flag });
    ctx.print(`${ctx.colors.bold(key)} is ${flag.enabled ? ctx.colors.green('on') : ctx.colors.red('off')} in ${redis.label} (version ${result.version ?? '?'}${result.changed ? '' : ', unchanged'}): serves ${flagSummary(flag)}`);
    return;
  }
  const { body: flag } = await withArchivedHint(ctx, key, () => ctx.api().request<Stored<FlagDefinition>>('POST', `${base(ctx, 'flags')}/${encode(key)}/toggle`, { body }));
  if (ctx.json) return ctx.printJson(flag);
  const state = flag.definition.enabled ? ctx.colors.green('on') : ctx.colors.red('off');
  ctx.print(`${ctx.colors.bold(key)} is ${state} in ${ctx.env} (version ${flag.version}): serves ${flagSummary(flag.definition)}`);
}

export async function flagsRollout(ctx: Context): Promise<void> {
  const key = keyArg(ctx, 'flag');
  const text = ctx.args[1];
  if (text === undefined) throw usageError('missing the percentage, e.g. halyard flags rollout new-checkout 25');
  const percentage = Number(text.replace(/%$/, ''));
  if (!/^\d+(\.\d{1,3})?%?$/.test(text) || percentage > 100) throw usageError(`the percentage must be a number from 0 to 100 (up to 3 decimals), got "${text}"`);
  const body: Record<string, unknown> = { percentage };
  const variant = ctx.string('variant');
  if (variant !== undefined) body.variant = variant;
  const rest = ctx.string('rest');
  if (rest !== undefined) body.rest = rest;
  const redis = redisTarget(ctx);
  if (redis) {
    const { flag, result } = await redisRollout(ctx, redis, key, { percentage, variant, rest });
    if (ctx.json) return ctx.printJson({ key, redis: redis.label, version: result.version, changed: result.changed, definition: flag });
    ctx.print(`${ctx.colors.bold(key)} in ${redis.label} now serves ${describeServe(flag.defaultServe)} (version ${result.version ?? '?'}${result.changed ? '' : ', unchanged'})`);
    if (!flag.enabled) ctx.note(ctx.errColors.yellow(`note: ${key} is switched off, so everyone gets ${flag.offVariant === undefined ? "the caller's default" : `"${flag.offVariant}"`} until: halyard flags toggle ${key} --on --redis <url>`));
    return;
  }
  const { body: flag } = await withArchivedHint(ctx, key, () => ctx.api().request<Stored<FlagDefinition>>('POST', `${base(ctx, 'flags')}/${encode(key)}/rollout`, { body }));
  if (ctx.json) return ctx.printJson(flag);
  ctx.print(`${ctx.colors.bold(key)} in ${ctx.env} now serves ${describeServe(flag.definition.defaultServe)} (version ${flag.version})`);
  if (!flag.definition.enabled) ctx.note(ctx.errColors.yellow(`note: ${key} is switched off, so everyone gets ${flag.definition.offVariant === undefined ? "the caller's default" : `"${flag.definition.offVariant}"`} until: halyard flags toggle ${key} --on`));
}

async function flagAction(ctx: Context, action: 'archive' | 'restore'): Promise<void> {
  const key = keyArg(ctx, 'flag');
  const { body: flag } = await ctx.api().request<Stored<FlagDefinition>>('POST', `${base(ctx, 'flags')}/${encode(key)}/${action}`);
  if (ctx.json) return ctx.printJson(flag);
  if (action === 'archive') {
    ctx.print(`Archived ${ctx.colors.bold(key)} in ${ctx.env} (version ${flag.version}): SDKs no longer see it; its history is kept. Undo: halyard flags restore ${key}`);
  } else {
    ctx.print(`Restored ${ctx.colors.bold(key)} in ${ctx.env} (version ${flag.version}): serves ${flagSummary(flag.definition)}`);
  }
}

export const flagsArchive = (ctx: Context): Promise<void> => flagAction(ctx, 'archive');
export const flagsRestore = (ctx: Context): Promise<void> => flagAction(ctx, 'restore');

async function deleteResource(ctx: Context, plural: 'flags' | 'segments', what: string): Promise<void> {
  const key = keyArg(ctx, what);
  await ctx.api().request('DELETE', `${base(ctx, plural)}/${encode(key)}`);
  if (ctx.json) return ctx.printJson({ deleted: { type: what, key, environment: ctx.env } });
  ctx.print(`Deleted ${what} ${ctx.colors.bold(key)} from ${ctx.env} (its audit history remains)`);
}

export const flagsDelete = (ctx: Context): Promise<void> => deleteResource(ctx, 'flags', 'flag');

// ---- segments ----------------------------------------------------------------------------------------------------

export async function segmentsList(ctx: Context): Promise<void> {
  const { body } = await ctx.api().request<{ segments: Array<Stored<SegmentDefinition>> }>('GET', base(ctx, 'segments'));
  if (ctx.json) return ctx.printJson(body);
  if (body.segments.length === 0) {
    ctx.print(`No segments in ${ctx.env}. Create one: halyard segments create <key> --file segment.json`);
    return;
  }
  const rows = body.segments.map((s) => [s.key, segmentSummary(s.definition), String(s.version), ago(s.updatedAt)]);
  ctx.print(table(['KEY', 'AUDIENCE', 'VERSION', 'UPDATED'], rows, ctx.colors));
}

export async function segmentsGet(ctx: Context): Promise<void> {
  const key = keyArg(ctx, 'segment');
  const { body } = await ctx.api().request<Stored<SegmentDefinition>>('GET', `${base(ctx, 'segments')}/${encode(key)}`);
  if (ctx.json) return ctx.printJson(body);
  ctx.print(
    [
      `${ctx.colors.bold(body.key)}  ${ctx.colors.dim(`${body.environment}, version ${body.version}, updated ${ago(body.updatedAt)}`)}`,
      `  audience   ${segmentSummary(body.definition)}`,
      '',
      JSON.stringify(body.definition, null, 2),
    ].join('\n'),
  );
}

export async function segmentsCreate(ctx: Context): Promise<void> {
  const key = keyArg(ctx, 'segment');
  const { definition } = readDefinitionFile(ctx, 'segment');
  let created;
  try {
    created = await ctx.api().request<Stored<SegmentDefinition>>('POST', base(ctx, 'segments'), { body: { key, definition } });
  } catch (error) {
    if (error instanceof CliError && error.details.status === 409) {
      throw new CliError(`segment ${key} already exists in ${ctx.env}; change it with \`halyard segments update ${key} --file …\``, 1, error.details);
    }
    throw error;
  }
  if (ctx.json) return ctx.printJson(created.body);
  ctx.print(`Created segment ${ctx.colors.bold(key)} in ${ctx.env} (version ${created.body.version}): ${segmentSummary(created.body.definition)}`);
}

export const segmentsUpdate = (ctx: Context): Promise<void> => replaceResource<SegmentDefinition>(ctx, 'segments', 'segment');
export const segmentsDelete = (ctx: Context): Promise<void> => deleteResource(ctx, 'segments', 'segment');
