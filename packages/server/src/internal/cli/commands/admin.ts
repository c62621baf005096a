import type { ApiKey } from '../../keys';
import type { AuditEntry } from '../../store/types';
import { ApiClient } from '../client';
import { configPath, normaliseUrl, removeConfig, writeConfig } from '../config';
import type { Context } from '../context';
import { encode } from '../context';
import { CliError, usageError } from '../errors';
import { ago, table } from '../output';

// ---- keys --------------------------------------------------------------------------------------------------------

const scopeOf = (key: ApiKey): string => (key.type === 'admin' ? `role ${key.role}` : `env ${key.environment}`);

export async function keysList(ctx: Context): Promise<void> {
  // Admin tokens belong to no environment: filter only when one was asked for.
  const query = ctx.envGiven ? `?environment=${encode(ctx.env)}` : '';
  const { body } = await ctx.api().request<{ keys: ApiKey[] }>('GET', `/api/v1/keys${query}`);
  if (ctx.json) return ctx.printJson(body);
  if (body.keys.length === 0) {
    ctx.print('No active keys. Create one: halyard keys create --name "checkout service" --type sdk');
    return;
  }
  const rows = body.keys.map((key) => [key.id, key.type, scopeOf(key), key.name, `${key.prefix}…`, ago(key.createdAt)]);
  ctx.print(table(['ID', 'TYPE', 'SCOPE', 'NAME', 'PREFIX', 'CREATED'], rows, ctx.colors));
}

export async function keysCreate(ctx: Context): Promise<void> {
  const type = ctx.string('type') ?? 'sdk';
  if (type !== 'sdk' && type !== 'client' && type !== 'admin') throw usageError(`--type must be sdk (server SDKs), client (browsers) or admin, got "${type}"`);
  const name = ctx.string('name');
  if (name === undefined || name.trim() === '') throw usageError('--name is required: what uses the key, e.g. --name "checkout service"');
  const body: Record<string, unknown> = { type, name };
  if (type === 'admin') {
    const role = ctx.string('role');
    if (role !== 'viewer' && role !== 'editor' && role !== 'admin') throw usageError('admin tokens need --role viewer, editor or admin');
    if (ctx.string('env') !== undefined) throw usageError('admin tokens are not bound to an environment; drop --env');
    body.role = role;
  } else {
    if (ctx.string('role') !== undefined) throw usageError('only admin tokens have a role; drop --role (or use --type admin)');
    body.environment = ctx.env;
  }
  const { body: created } = await ctx.api().request<ApiKey & { token: string }>('POST', '/api/v1/keys', { body });
  if (ctx.json) return ctx.printJson(created);
  ctx.note(`Created ${created.type} key "${created.name}" (${scopeOf(created)}, id ${created.id}). The token is shown once; store it now:`);
  // The token alone on stdout, so `halyard keys create … > token.txt` or `$(halyard keys create …)` captures just it.
  ctx.print(created.token);
}

export async function keysRevoke(ctx: Context): Promise<void> {
  const target = ctx.args[0];
  if (target === undefined) throw usageError('missing the key id (or its prefix, e.g. hy_sdk_AbC123); see halyard keys list');
  const api = ctx.api();
  let id = target;
  if (!/^[0-9a-f-]{36}$/.test(target)) {
    const { body } = await api.request<{ keys: ApiKey[] }>('GET', '/api/v1/keys');
    const matches = body.keys.filter((key) => key.prefix === target.replace(/…$/, '') || key.name === target);
    if (matches.length === 0) throw new CliError(`no active key with id, prefix or name "${target}"; see halyard keys list`);
    if (matches.length > 1) throw new CliError(`"${target}" matches ${matches.length} keys; revoke by id: ${matches.map((k) => k.id).join(', ')}`);
    id = matches[0]!.id;
  }
  await api.request('DELETE', `/api/v1/keys/${encode(id)}`);
  if (ctx.json) return ctx.printJson({ revoked: id });
  ctx.print(`Revoked key ${id}: requests with it now get 401, and its open streams are closed`);
}

// ---- audit -------------------------------------------------------------------------------------------------------

/** ISO-8601, or a duration back from now: 30m, 12h, 7d, 2w. */
export function parseSince(value: string, option: string, now = Date.now()): string {
  const relative = /^(\d+)\s*(s|m|min|h|d|w)$/.exec(value.trim());
  if (relative) {
    const unit = { s: 1, m: 60, min: 60, h: 3600, d: 86_400, w: 604_800 }[relative[2] as 's' | 'm' | 'min' | 'h' | 'd' | 'w'];
    return new Date(now - Number(relative[1]) * unit * 1000).toISOString();
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw usageError(`${option} must be a date (2026-01-31, 2026-01-31T12:00:00Z) or a duration like 30m, 12h, 7d; got "${value}"`);
  return date.toISOString();
}

function changeSummary(entry: AuditEntry): string {
  if (entry.action.endsWith('.create')) return 'created';
  if (entry.action.endsWith('.delete')) return 'deleted';
  if (entry.action === 'key.revoke') return 'revoked';
  const diff = entry.diff ?? [];
  if (diff.length === 0) return '';
  const first = diff[0]!;
  const text = `${first.path.replace(/^\$\.?/, '')}: ${JSON.stringify(first.before ?? null)} → ${JSON.stringify(first.after ?? null)}`;
  const shown = text.length > 60 ? `${text.slice(0, 59)}…` : text;
  return diff.length > 1 ? `${shown} (+${diff.length - 1} more)` : shown;
}

export async function audit(ctx: Context): Promise<void> {
  const params = new URLSearchParams();
  if (ctx.envGiven) params.set('env', ctx.env);
  for (const name of ['flag', 'segment', 'actor', 'action'] as const) {
    const value = ctx.string(name);
    if (value !== undefined) params.set(name, value);
  }
  const since = ctx.string('since');
  if (since !== undefined) params.set('since', parseSince(since, '--since'));
  const until = ctx.string('until');
  if (until !== undefined) params.set('until', parseSince(until, '--until'));
  const limitText = ctx.string('limit') ?? '20';
  if (!/^\d{1,6}$/.test(limitText) || Number(limitText) < 1) throw usageError(`--limit must be a positive number, got "${limitText}"`);
  const limit = Number(limitText);
  const api = ctx.api();
  const entries: AuditEntry[] = [];
  let cursor: string | null = null;
  // The service pages at 500 entries; follow the cursor for larger limits.
  do {
    const page = new URLSearchParams(params);
    page.set('limit', String(Math.min(500, limit - entries.length)));
    if (cursor) page.set('cursor', cursor);
    const response: { body: { entries: AuditEntry[]; nextCursor: string | null } } = await api.request('GET', `/api/v1/audit?${page.toString()}`);
    entries.push(...response.body.entries);
    cursor = response.body.nextCursor;
  } while (cursor && entries.length < limit);
  if (ctx.json) return ctx.printJson({ entries, nextCursor: cursor });
  if (entries.length === 0) {
    ctx.print('No audit entries match.');
    return;
  }
  const rows = entries.map((e) => [e.at.replace('T', ' ').slice(0, 19), e.actor.name, e.action, e.environment ?? '-', e.resourceKey, changeSummary(e)]);
  ctx.print(table(['TIME (UTC)', 'ACTOR', 'ACTION', 'ENV', 'RESOURCE', 'CHANGE'], rows, ctx.colors));
  if (cursor) ctx.note(ctx.errColors.dim(`(more entries: raise --limit or narrow with --since, --flag, --actor)`));
}

// ---- session -----------------------------------------------------------------------------------------------------

async function readSecret(ctx: Context, prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    // Piped: `echo "$TOKEN" | halyard login --url …`
    return ctx.readInput('-').trim();
  }
  ctx.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = '';
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      ctx.stderr.write('\n');
      if (error) reject(error);
      else resolve(value.trim());
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return done();
        if (char === '\u0003') return done(new CliError('cancelled'));
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else value += char;
      }
    };
    stdin.on('data', onData);
  });
}

interface Me {
  name: string;
  role?: string;
  type: string;
}

export async function login(ctx: Context): Promise<void> {
  const url = ctx.url();
  const token = ctx.string('token') ?? ctx.processEnv.HALYARD_TOKEN ?? (await readSecret(ctx, `Admin token for ${url} (hy_admin_…): `));
  if (token === '') throw usageError('no token given: pass --token, set HALYARD_TOKEN, or paste it when asked');
  const client = new ApiClient(normaliseUrl(url, '--url'), token);
  let me: Me;
  try {
    me = (await client.request<Me>('GET', '/api/v1/me')).body;
  } catch (error) {
    if (error instanceof CliError && (error.details.status === 401 || error.details.status === 403)) {
      throw new CliError(`${url} refused this token (${error.details.status}): login needs an admin token (hy_admin_…); nothing was saved`, 1, error.details);
    }
    throw error;
  }
  const path = configPath(ctx.processEnv);
  writeConfig(path, { url, token });
  if (ctx.json) return ctx.printJson({ url, name: me.name, role: me.role, config: path });
  ctx.print(`Logged in to ${url} as "${me.name}" (role ${me.role}). Saved to ${path} (readable by you only).`);
}

export async function logout(ctx: Context): Promise<void> {
  const path = configPath(ctx.processEnv);
  const removed = removeConfig(path);
  if (ctx.json) return ctx.printJson({ removed, config: path });
  ctx.print(removed ? `Removed ${path}` : `Not logged in (no ${path})`);
}

export async function whoami(ctx: Context): Promise<void> {
  const api = ctx.api();
  const { body: me } = await api.request<Me>('GET', '/api/v1/me');
  if (ctx.json) return ctx.printJson({ url: api.url, ...me });
  ctx.print(`"${me.name}" (role ${me.role}) on ${api.url}`);
}
