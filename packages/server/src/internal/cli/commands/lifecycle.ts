import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { basename, resolve } from 'node:path';
import type { FlagDefinition } from '@halyard/core';
import type { LintFinding, LintFlag, LintOptions } from '@halyard/core/definitions';
import type { Context } from '../context';
import { encode } from '../context';
import { CliError, usageError } from '../errors';
import { plural, table } from '../output';
import type { Stored } from './resources';

/**
 * The flag-lifecycle commands: `lint` runs core's rules; code-refs, codegen and cleanup are shells over
 * @halyard/lifecycle, loaded only when one of them runs: it brings the TypeScript compiler and ts-morph, which
 * the service never needs.
 */
export async function loadLifecycle(load: () => Promise<typeof import('@halyard/lifecycle')> = () => import('@halyard/lifecycle')): Promise<typeof import('@halyard/lifecycle')> {
  try {
    return await load();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && /['"]@halyard\/lifecycle['"]/.test(String((error as Error).message))) {
      throw new CliError('this command needs @halyard/lifecycle: npm install --save-dev @halyard/lifecycle (or pnpm add -D @halyard/lifecycle)', 1, { code: 'missing_package' });
    }
    throw error;
  }
}

const core = () => import('@halyard/core');

/** The flags to check: a document file, or the flags of `--env` on the service (with their timestamps). */
async function loadFlags(ctx: Context, file: string | undefined, command: string): Promise<{ source: string; flags: LintFlag[]; text?: string }> {
  if (file === undefined) {
    if (!ctx.envGiven) throw usageError(`${command} needs a flags document or --env <env>, e.g. halyard ${command} flags.json`);
    const { body } = await ctx.api().request<{ flags: Array<Stored<FlagDefinition> & { lifecycle?: { lastEvaluatedAt?: string | null } }> }>(
      'GET',
      `/api/v1/environments/${encode(ctx.env)}/flags`,
    );
    return {
      source: `environment ${ctx.env}`,
      // lastEvaluatedAt is there only when the service runs with events: without it the "not evaluated" rule stays off.
      flags: body.flags.map((stored) => {
        const lastEvaluatedAt = stored.lifecycle?.lastEvaluatedAt;
        return { key: stored.key, definition: stored.definition, createdAt: stored.createdAt, updatedAt: stored.updatedAt, ...(lastEvaluatedAt !== undefined ? { lastEvaluatedAt } : {}) };
      }),
    };
  }
  const text = ctx.readInput(file);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${file} is not valid JSON: ${(error as Error).message}`, 1, { code: 'invalid_json' });
  }
  const { parseDefinitions } = await core();
  const parsed = parseDefinitions(data);
  if (!parsed.ok) {
    throw new CliError(`${file} is not a valid flags document (${plural(parsed.problems.length, 'problem')}); fix it first (halyard validate ${file})`, 1, {
      code: 'invalid_definitions',
      problems: parsed.problems,
    });
  }
  return { source: file, text, flags: Object.entries(parsed.definitions.flags).map(([key, definition]) => ({ key, definition })) };
}

/** `--document <file>` or `--env`: the flag definitions code is checked against. */
async function loadDefinitions(ctx: Context, command: string): Promise<{ source: string; flags: Record<string, FlagDefinition> }> {
  const document = ctx.string('document');
  if (document === undefined && !ctx.envGiven) throw usageError(`${command} needs --document <flags.json> or --env <env>: the flags the code is checked against`);
  const { source, flags } = await loadFlags(ctx, document, command);
  return { source, flags: Object.fromEntries(flags.map((flag) => [flag.key, flag.definition])) };
}

function wholeDays(ctx: Context, name: string): number | undefined {
  const text = ctx.string(name);
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw usageError(`--${name} must be a whole number of days, got "${text}"`);
  return Number(text);
}

/** `::error file=…,line=…::…` lines that GitHub Actions shows on the pull request. */
function annotation(level: 'error' | 'warning', message: string, file?: string, line?: number): string {
  const escape = (text: string) => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const property = (text: string) => escape(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
  const where = file ? ` file=${property(file)}${line ? `,line=${line}` : ''},title=halyard` : ' title=halyard';
  return `::${level}${where}::${escape(message)}`;
}

const wantsAnnotations = (ctx: Context) => ctx.flag('annotations') || ctx.processEnv.GITHUB_ACTIONS === 'true';

/** The line of `"key":` in a JSON document, for annotations. */
function lineOfKey(text: string | undefined, key: string): number | undefined {
  if (text === undefined) return undefined;
  const at = text.search(new RegExp(`${JSON.stringify(key).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*:`));
  return at === -1 ? undefined : text.slice(0, at).split('\n').length;
}

export async function lint(ctx: Context): Promise<number> {
  // The rules are core's (the service reports them too), so lint runs without @halyard/lifecycle.
  const { lintFlags, parseLifetimes } = await import('@halyard/core/definitions');
  const options: LintOptions = {};
  const lifetimes = ctx.string('lifetime');
  if (lifetimes !== undefined) {
    try {
      options.lifetimes = parseLifetimes(lifetimes);
    } catch (error) {
      throw usageError(`--lifetime: ${(error as Error).message.replace(/^@halyard\/[a-z]+: /, '')}`);
    }
  }
  const staleDays = wholeDays(ctx, 'stale-days');
  if (staleDays !== undefined) options.unchangedDays = staleDays;
  const unusedDays = wholeDays(ctx, 'unused-days');
  if (unusedDays !== undefined) options.notEvaluatedDays = unusedDays;
  const { source, flags, text } = await loadFlags(ctx, ctx.args[0], 'lint');
  const result = lintFlags(flags, options);
  if (ctx.json) ctx.printJson({ source, ...result });
  else {
    const { colors } = ctx;
    if (result.findings.length > 0) {
      ctx.print(
        table(
          ['', 'flag', 'owner', 'finding'],
          result.findings.map((f: LintFinding) => [f.severity === 'error' ? colors.red('error') : colors.yellow('warning'), f.flag, f.owner ?? '-', f.message.replace(/^flag "[^"]+" /, '')]),
          colors,
        ),
      );
    }
    const summary = `${source}: ${plural(result.errors, 'error')}, ${plural(result.warnings, 'warning')} (${plural(result.flags, 'flag')} checked)`;
    ctx.print(result.errors > 0 ? colors.red(summary) : result.warnings > 0 ? colors.yellow(summary) : colors.green(summary));
  }
  if (wantsAnnotations(ctx) && !ctx.json) {
    for (const f of result.findings) ctx.print(annotation(f.severity, f.message, text === undefined ? undefined : source, lineOfKey(text, f.flag)));
  }
  return result.errors > 0 ? 1 : 0;
}

export async function codegen(ctx: Context): Promise<number> {
  const out = ctx.string('out');
  if (out === undefined) throw usageError('codegen needs --out <path>, e.g. halyard codegen flags.json --out src/flags.d.ts');
  const { generateRegister } = await loadLifecycle();
  const file = ctx.args[0];
  const { source, flags } = await loadFlags(ctx, file, 'codegen');
  const command = `halyard codegen ${file ?? `--env ${ctx.env}`} --out ${out}`;
  const text = generateRegister({ flags: Object.fromEntries(flags.map((flag) => [flag.key, flag.definition])) }, { source, command });
  const current = existsSync(out) ? readFileSync(out, 'utf8') : undefined;
  const upToDate = current === text;
  if (ctx.flag('check')) {
    if (ctx.json) ctx.printJson({ out, upToDate, flags: flags.length });
    else if (upToDate) ctx.print(`${out}: ${ctx.colors.green('up to date')} (${plural(flags.length, 'flag')})`);
    else ctx.print(ctx.colors.red(`${out} is ${current === undefined ? 'missing' : 'stale'}: run ${command}`));
    if (!upToDate && wantsAnnotations(ctx) && !ctx.json) ctx.print(annotation('error', `${out} is stale: run ${command}`, out));
    return upToDate ? 0 : 1;
  }
  if (!upToDate) {
    try {
      writeFileSync(out, text);
    } catch (error) {
      throw new CliError(`cannot write ${out}: ${(error as Error).message}`);
    }
  }
  if (ctx.json) ctx.printJson({ out, written: !upToDate, flags: flags.length });
  else ctx.print(`${upToDate ? `${out} is up to date` : `Wrote ${out}`} (${plural(flags.length, 'flag')} from ${source})`);
  return 0;
}

function directoryArgs(ctx: Context, paths: string[]): string[] {
  for (const path of paths) {
    try {
      statSync(path);
    } catch {
      throw usageError(`no such file or folder: ${path}`);
    }
  }
  return paths;
}

/** `git rev-parse …` in `dir`, or undefined outside a repository or without git (bounded: 5 s). */
function git(dir: string, ...args: string[]): string | undefined {
  try {
    const out = execFileSync('git', ['-C', dir, 'rev-parse', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5_000 }).trim();
    return out === '' ? undefined : out;
  } catch {
    return undefined;
  }
}

/** `--upload`: replaces this repository's references in `--env` on the service (one transaction there). */
async function uploadCodeRefs(
  ctx: Context,
  dir: string,
  references: ReadonlyArray<{ key: string; file: string; line: number; column: number }>,
): Promise<{ repo: string; references: number; removed: number; flags: number }> {
  const folder = statSync(dir).isDirectory() ? dir : resolve(dir, '..');
  const top = git(folder, '--show-toplevel');
  const repo = ctx.string('repo') ?? basename(resolve(top ?? folder));
  const branchName = ctx.string('branch') ?? git(folder, '--abbrev-ref', 'HEAD');
  // A detached HEAD reports "HEAD": not a branch name, so it is left out.
  const branch = branchName === 'HEAD' ? undefined : branchName;
  const commit = ctx.string('commit') ?? git(folder, 'HEAD');
  const { body } = await ctx.api().request<{ repo: string; references: number; removed: number; flags: number }>(
    'PUT',
    `/api/v1/environments/${encode(ctx.env)}/code-refs/${encode(repo)}`,
    {
      body: {
        ...(branch !== undefined ? { branch } : {}),
        ...(commit !== undefined ? { commit } : {}),
        references: references.map((r) => ({ flag: r.key, file: r.file, line: r.line, column: r.column })),
      },
    },
  );
  return body;
}

export async function codeRefs(ctx: Context): Promise<number> {
  const { checkCodeRefs, scanPaths } = await loadLifecycle();
  const paths = directoryArgs(ctx, ctx.args);
  // Checked before scanning: without --env there is nowhere to store the references.
  if (ctx.flag('upload') && !ctx.envGiven) throw usageError('--upload needs --env <env>: the environment the references are stored in');
  const pattern = ctx.string('pattern');
  if (pattern !== undefined) {
    try {
      new RegExp(pattern);
    } catch (error) {
      throw usageError(`--pattern is not a regular expression: ${(error as Error).message}`);
    }
    if (!/\((?!\?[:=!<])|\(\?<[A-Za-z]/.test(pattern)) throw usageError('--pattern needs a capture group around the key, e.g. is_enabled\\("([a-z0-9-]+)"');
  }
  const { source, flags } = await loadDefinitions(ctx, 'code-refs');
  const root = process.cwd();
  const scan = scanPaths(paths, { root, ...(pattern !== undefined ? { patterns: [pattern] } : {}) });
  const report = checkCodeRefs(scan, flags);
  const failed = report.unknown.length + report.expired.length;
  const uploaded = ctx.flag('upload') ? await uploadCodeRefs(ctx, paths[0]!, report.references) : undefined;
  if (ctx.json) {
    ctx.printJson({ source, ...report, ...(uploaded ? { uploaded } : {}) });
    return failed > 0 ? 1 : 0;
  }
  const { colors } = ctx;
  const where = (r: { file: string; line: number; column: number }) => `${r.file}:${r.line}:${r.column}`;
  const lines: string[] = [];
  for (const r of report.unknown) lines.push(`${colors.red('error')}    ${where(r)}  ${r.via}("${r.key}"): no flag "${r.key}" in ${source}; ${r.suggestion}`.trimEnd());
  for (const r of report.expired) lines.push(`${colors.red('error')}    ${where(r)}  ${r.via}("${r.key}"): flag "${r.key}" has expired (${flags[r.key]?.expiresAt}); remove it: halyard cleanup ${r.key} --keep <variant> ${paths.join(' ')}`);
  for (const d of report.dynamic) lines.push(`${colors.yellow('warning')}  ${where(d)}  ${d.via}(${d.expression}): the key is built at run time and cannot be checked`);
  if (lines.length) ctx.print(lines.join('\n'));
  if (report.unused.length) ctx.print(`${colors.dim('Read by no code (candidates for removal):')} ${report.unused.join(', ')}`);
  const counted = new Map<string, number>();
  for (const r of report.references) counted.set(r.key, (counted.get(r.key) ?? 0) + 1);
  const summary = `${plural(report.references.length, 'reference')} to ${plural(counted.size, 'key')} in ${plural(report.files, 'file')}: ${plural(report.unknown.length, 'unknown key')}, ${plural(report.expired.length, 'expired read')}, ${plural(report.unused.length, 'unused flag')}`;
  ctx.print(failed > 0 ? colors.red(summary) : colors.green(summary));
  if (uploaded) ctx.print(`Uploaded ${plural(uploaded.references, 'reference')} of repository ${uploaded.repo} to environment ${ctx.env} (${plural(uploaded.removed, 'previous reference')} replaced)`);
  if (wantsAnnotations(ctx)) {
    for (const r of report.unknown) ctx.print(annotation('error', `no flag "${r.key}"; ${r.suggestion}`.trim(), r.file, r.line));
    for (const r of report.expired) ctx.print(annotation('error', `flag "${r.key}" has expired; remove it from the code`, r.file, r.line));
  }
  return failed > 0 ? 1 : 0;
}

export async function cleanup(ctx: Context): Promise<number> {
  const [key, ...paths] = ctx.args as [string, ...string[]];
  const keep = ctx.string('keep');
  if (keep === undefined) throw usageError(`cleanup needs --keep <variant>: the variant every read of "${key}" now gets, e.g. --keep on`);
  directoryArgs(ctx, paths);
  const { cleanupPaths, keptValue } = await loadLifecycle();
  let definition: FlagDefinition | undefined;
  if (ctx.string('document') !== undefined || ctx.envGiven) {
    const { source, flags } = await loadDefinitions(ctx, 'cleanup');
    definition = flags[key];
    if (definition === undefined) {
      const { suggestion } = await import('@halyard/core/definitions');
      throw new CliError(`no flag "${key}" in ${source}; ${suggestion(key, Object.keys(flags))}`.trimEnd());
    }
  }
  let value;
  try {
    value = keptValue(keep, definition);
  } catch (error) {
    throw usageError(`--keep: ${(error as Error).message.replace(/^@halyard\/[a-z]+: /, '')}`);
  }
  const write = ctx.flag('write');
  const result = cleanupPaths(paths.map((p) => resolve(p)), { key, variant: keep, value }, { write, root: process.cwd() });
  const written = write && result.refused.length === 0;
  if (ctx.json) {
    ctx.printJson({ flag: key, keep, value, written, files: result.files, changed: result.changed.map(({ file, reads, diff }) => ({ file, reads, diff })), refused: result.refused });
    return result.refused.length > 0 ? 1 : 0;
  }
  const { colors } = ctx;
  if (!write) for (const file of result.changed) ctx.stdout.write(colorDiff(file.diff, colors));
  for (const r of result.refused) ctx.note(`${ctx.errColors.red('refused')}  ${r.file}:${r.line}  ${r.reason}`);
  const reads = result.changed.reduce((sum, file) => sum + file.reads, 0);
  const what = `${plural(reads, 'read')} of "${key}" in ${plural(result.changed.length, 'file')} (kept "${keep}")`;
  if (result.refused.length > 0) ctx.note(ctx.errColors.red(`Nothing written: ${plural(result.refused.length, 'file')} cannot be cleaned up automatically; fix ${result.refused.length === 1 ? 'it' : 'them'} by hand and run again.`));
  else if (result.changed.length === 0) ctx.note(`No reads of "${key}" in ${plural(result.files, 'file')}.`);
  else if (written) ctx.note(`Removed ${what}. Review the change, then archive the flag: halyard flags archive ${key}`);
  else ctx.note(colors.dim(`Would remove ${what}; run again with --write to apply.`));
  return result.refused.length > 0 ? 1 : 0;
}

function colorDiff(diff: string, colors: Context['colors']): string {
  return diff
    .split('\n')
    .map((line) => (line.startsWith('+') && !line.startsWith('+++') ? colors.green(line) : line.startsWith('-') && !line.startsWith('---') ? colors.red(line) : line.startsWith('@@') ? colors.cyan(line) : line))
    .join('\n');
}
