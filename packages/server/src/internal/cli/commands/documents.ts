import { writeFileSync } from 'node:fs';
import type { FlagsDocument } from '@halyard/core';
import type { DocumentWriteResult, ResourceChanges } from '../../store/types';
import type { Context } from '../context';
import { encode } from '../context';
import { CliError, usageError, type Problem } from '../errors';
import { plural, progress } from '../output';
import { redisExport, redisImport, redisTarget } from './redis';

// @halyard/core is loaded only by the commands that need it: the other commands start faster without it.
const core = () => import('@halyard/core');
const unleash = () => import('@halyard/unleash');
const growthbook = () => import('@halyard/growthbook');
const launchdarkly = () => import('@halyard/launchdarkly');

function fileArg(ctx: Context, example: string): string {
  const path = ctx.args[0];
  if (path === undefined) throw usageError(`missing the file, e.g. ${example} ("-" reads standard input)`);
  return path;
}

/** Prints problems as `path: message`, one per line, paths highlighted. */
function problemLines(ctx: Context, problems: Problem[], colors = ctx.errColors): string {
  return problems.map((p) => `  ${colors.cyan(p.path)}: ${p.message}`).join('\n');
}

export async function validate(ctx: Context): Promise<number> {
  const path = fileArg(ctx, 'halyard validate flags.json');
  let data: unknown;
  try {
    data = ctx.readJson(path);
  } catch (error) {
    if (!(error instanceof CliError) || error.details.code !== 'invalid_json') throw error;
    if (ctx.json) {
      ctx.printJson({ valid: false, problems: [{ path: '$', message: error.message }] });
      return 1;
    }
    throw error;
  }
  const { parseDefinitions } = await core();
  const result = parseDefinitions(data);
  if (!result.ok) {
    if (ctx.json) ctx.printJson({ valid: false, problems: result.problems });
    else {
      ctx.print(problemLines(ctx, result.problems, ctx.colors));
      ctx.note(ctx.errColors.red(`${path}: ${plural(result.problems.length, 'problem')}`));
    }
    return 1;
  }
  const flags = Object.keys(result.definitions.flags).length;
  const segments = Object.keys(result.definitions.segments).length;
  if (ctx.json) ctx.printJson({ valid: true, flags, segments });
  else ctx.print(`${path}: ${ctx.colors.green('valid')} (${plural(flags, 'flag')}, ${plural(segments, 'segment')})`);
  return 0;
}

function changeLine(changes: ResourceChanges, dryRun: boolean): string {
  const verb = (done: string, would: string) => (dryRun ? would : done);
  const parts: string[] = [];
  if (changes.created.length) parts.push(`${changes.created.length} ${verb('created', 'to create')}`);
  if (changes.updated.length) parts.push(`${changes.updated.length} ${verb('updated', 'to update')}`);
  if (changes.deleted.length) parts.push(`${changes.deleted.length} ${verb('deleted', 'to delete')}`);
  if (changes.unchanged) parts.push(`${changes.unchanged} unchanged`);
  return parts.join(', ') || 'none';
}

function keyList(keys: readonly string[]): string {
  const shown = keys.slice(0, 12).join(', ');
  return keys.length > 12 ? `${shown}, … (${keys.length - 12} more)` : shown;
}

export async function importCommand(ctx: Context): Promise<void> {
  const from = ctx.string('from') ?? 'file';
  if (from !== 'file' && from !== 'unleash' && from !== 'growthbook' && from !== 'launchdarkly') {
    throw usageError(`--from must be "file" (a Halyard flags document), "unleash" (an Unleash features export), "growthbook" (a GrowthBook features payload) or "launchdarkly" (LaunchDarkly's server-SDK flags and segments JSON), got "${from}"`);
  }
  const path = fileArg(ctx, from === 'file' ? 'halyard import flags.json' : `halyard import --from ${from} features.json`);
  const data = ctx.readJson(path);
  const { parseDefinitions } = await core();

  let document: FlagsDocument;
  let extra: Record<string, unknown> = {};
  if (from === 'growthbook') {
    const imported = (await growthbook()).importGrowthBook(data);
    for (const issue of imported.problems) ctx.note(`${ctx.errColors.yellow('warning')} ${ctx.errColors.cyan(issue.path)}: ${issue.message}`);
    const renamed = Object.entries(imported.keys).filter(([name, key]) => name !== key);
    for (const [name, key] of renamed) ctx.note(ctx.errColors.dim(`note    feature "${name}" is flag "${key}" (not a valid Halyard key as is)`));
    if (Object.keys(imported.document.flags).length === 0) {
      throw new CliError(`${path}: no GrowthBook features could be imported${imported.problems.length ? ' (see the warnings above)' : ''}; nothing was written`);
    }
    document = imported.document;
    extra = { keys: imported.keys, problems: imported.problems };
  } else if (from === 'launchdarkly') {
    const imported = (await launchdarkly()).importLaunchDarkly(data);
    for (const issue of imported.problems) ctx.note(`${ctx.errColors.yellow('warning')} ${ctx.errColors.cyan(issue.path)}: ${issue.message}`);
    for (const [name, key] of Object.entries(imported.keys).filter(([name, key]) => name !== key)) {
      ctx.note(ctx.errColors.dim(`note    flag "${name}" is flag "${key}" (not a valid Halyard key as is)`));
    }
    if (Object.keys(imported.document.flags).length === 0) {
      throw new CliError(`${path}: no LaunchDarkly flags could be imported${imported.problems.length ? ' (see the warnings above)' : ''}; nothing was written`);
    }
    document = imported.document;
    extra = { keys: imported.keys, segmentKeys: imported.segmentKeys, problems: imported.problems };
  } else if (from === 'unleash') {
    const { importUnleash } = await unleash();
    const imported = importUnleash(data);
    for (const issue of imported.errors) ctx.note(`${ctx.errColors.red('error')}   ${ctx.errColors.cyan(issue.path)}: ${issue.message}`);
    for (const issue of imported.warnings) ctx.note(`${ctx.errColors.yellow('warning')} ${ctx.errColors.cyan(issue.path)}: ${issue.message}`);
    const renamed = Object.entries(imported.keys).filter(([name, key]) => name !== key);
    for (const [name, key] of renamed) ctx.note(ctx.errColors.dim(`note    feature "${name}" is flag "${key}" (not a valid Halyard key as is)`));
    if (Object.keys(imported.document.flags).length === 0) {
      throw new CliError(`${path}: no Unleash features could be imported${imported.errors.length ? ' (see the errors above)' : ''}; nothing was written`);
    }
    document = imported.document;
    extra = { keys: imported.keys, warnings: imported.warnings, errors: imported.errors };
  } else {
    const parsed = parseDefinitions(data);
    if (!parsed.ok) {
      throw new CliError(`${path} is not a valid flags document (${plural(parsed.problems.length, 'problem')}); nothing was imported`, 1, {
        code: 'invalid_definitions',
        problems: parsed.problems,
      });
    }
    document = data as FlagsDocument;
  }

  const body = { schemaVersion: 1, flags: document.flags, segments: document.segments ?? {} };
  const total = Object.keys(body.flags).length + Object.keys(body.segments).length;
  const dryRun = ctx.flag('dry-run');
  const mode = ctx.flag('replace') ? 'replace' : 'merge';
  const redis = redisTarget(ctx);
  if (redis) {
    const written = await redisImport(ctx, redis, document, mode, dryRun);
    const result: DocumentWriteResult = { version: Number(written.version ?? 0), changed: written.changed, dryRun, flags: written.flags, segments: written.segments };
    if (ctx.json) return ctx.printJson({ redis: redis.label, mode, ...result, version: written.version ?? null, ...extra });
    return printImport(ctx, path, `${redis.label} (Redis)`, mode, dryRun, result, written.version ?? '?');
  }
  // Large imports get a progress bar on a terminal: the upload, then the single validating transaction.
  const bar = total >= 100 ? progress(ctx.stderr, 100, `uploading ${plural(total, 'flag/segment', 'flags/segments')}`, ctx.errColors) : undefined;
  let result: DocumentWriteResult;
  try {
    const response = await ctx.api().request<DocumentWriteResult>('PUT', `/api/v1/environments/${encode(ctx.env)}/document?mode=${mode}${dryRun ? '&dryRun=true' : ''}`, {
      body,
      timeoutMs: 300_000,
      ...(bar ? { onUpload: (sent: number, size: number) => bar.update(Math.floor((sent / size) * 90), sent >= size ? 'validating and writing…' : undefined) } : {}),
    });
    bar?.update(100);
    result = response.body;
  } finally {
    bar?.finish();
  }
  if (ctx.json) return ctx.printJson({ environment: ctx.env, mode, ...result, ...extra });
  printImport(ctx, path, ctx.env, mode, dryRun, result, result.version);
}

/** The human summary of an import, into an environment of the service or a Redis key. */
function printImport(ctx: Context, path: string, where: string, mode: string, dryRun: boolean, result: DocumentWriteResult, version: number | string): void {
  const lines = [
    dryRun
      ? `Dry run: importing ${path} into ${where} (${mode}) would change ${result.changed ? 'this' : 'nothing'}; nothing was written.`
      : result.changed
        ? `Imported ${path} into ${where} (${mode}): document version ${version}.`
        : `${where} already matches ${path}; nothing to write (document version ${version}).`,
    `  flags      ${changeLine(result.flags, dryRun)}`,
    `  segments   ${changeLine(result.segments, dryRun)}`,
  ];
  for (const [label, keys] of [
    ['created', [...result.segments.created.map((k) => `segment ${k}`), ...result.flags.created]],
    ['updated', [...result.segments.updated.map((k) => `segment ${k}`), ...result.flags.updated]],
    ['deleted', [...result.segments.deleted.map((k) => `segment ${k}`), ...result.flags.deleted]],
  ] as const) {
    if (keys.length > 0) lines.push(`  ${label.padEnd(10)} ${keyList(keys)}`);
  }
  if (mode === 'merge' && !dryRun) lines.push(ctx.colors.dim('  (merge: flags and segments not in the file were kept; --replace makes the environment exactly the file)'));
  ctx.print(lines.join('\n'));
}

export async function exportCommand(ctx: Context): Promise<void> {
  const redis = redisTarget(ctx);
  const body = redis ? await redisExport(redis) : (await ctx.api().request<FlagsDocument>('GET', `/api/v1/environments/${encode(ctx.env)}/document`)).body;
  const from = redis ? `${redis.label} (Redis)` : ctx.env;
  // No `version`: the file is the content; the service numbers versions itself, and diffs stay clean in git.
  const document = { schemaVersion: 1, flags: body.flags, segments: body.segments ?? {} };
  const text = `${JSON.stringify(document, null, 2)}\n`;
  const output = ctx.string('output');
  if (output === undefined || output === '-') {
    ctx.stdout.write(text);
    return;
  }
  try {
    writeFileSync(output, text);
  } catch (error) {
    throw new CliError(`cannot write ${output}: ${(error as Error).message}`);
  }
  const summary = `${plural(Object.keys(document.flags).length, 'flag')} and ${plural(Object.keys(document.segments).length, 'segment')}`;
  if (ctx.json) ctx.printJson({ ...(redis ? { redis: redis.label } : { environment: ctx.env }), version: body.version, file: output, flags: Object.keys(document.flags).length, segments: Object.keys(document.segments).length });
  else ctx.print(`Exported ${summary} from ${from} (document version ${body.version ?? '?'}) to ${output}`);
}
