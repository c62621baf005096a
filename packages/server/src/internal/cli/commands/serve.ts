import type { ServerOptions } from '../../../server';
import type { Context } from '../context';
import { CliError, usageError } from '../errors';
import { describeStartupError, isDatabaseStartupError } from '../startup-error';

/** `halyard serve`: runs the flag service until SIGINT/SIGTERM. */
export async function serve(ctx: Context): Promise<void> {
  const env = ctx.processEnv;
  const portText = ctx.string('port') ?? env.PORT ?? '4242';
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw usageError(`--port must be a number from 0 to 65535, got "${portText}"`);
  const cors = ctx.string('cors-origins') ?? env.HALYARD_CORS_ORIGINS;
  const options: ServerOptions = {
    port: Number(portText),
    host: ctx.string('host') ?? env.HOST ?? '127.0.0.1',
    logger: (ctx.string('log-level') ?? env.HALYARD_LOG_LEVEL ?? 'info') as ServerOptions['logger'],
  };
  const databaseUrl = ctx.string('database-url') ?? env.DATABASE_URL;
  if (databaseUrl) options.databaseUrl = databaseUrl;
  else options.dataDir = ctx.string('data-dir') ?? env.HALYARD_DATA_DIR ?? '.halyard';
  const schema = ctx.string('schema') ?? env.HALYARD_DB_SCHEMA;
  if (schema) options.schema = schema;
  const redisUrl = ctx.string('redis-url') ?? env.REDIS_URL;
  if (redisUrl) options.redisUrl = redisUrl;
  const timeouts = { connectTimeoutMs: 'HALYARD_CONNECT_TIMEOUT_MS', statementTimeoutMs: 'HALYARD_STATEMENT_TIMEOUT_MS', queryTimeoutMs: 'HALYARD_QUERY_TIMEOUT_MS' } as const;
  for (const [option, variable] of Object.entries(timeouts) as Array<[keyof typeof timeouts, string]>) {
    const flag = option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const text = ctx.string(flag) ?? env[variable];
    if (text === undefined || text === '') continue;
    if (!/^\d{1,7}$/.test(text) || Number(text) < 1) throw usageError(`--${flag} (${variable}) must be a number of milliseconds, got "${text}"`);
    options[option] = Number(text);
  }
  if (options.databaseUrl) {
    // The one rule between the timeouts, checked where it lives (store/db.ts), answered as a usage error.
    const { databaseTimeouts } = await import('../../store/db');
    try {
      databaseTimeouts({ connectMs: options.connectTimeoutMs, statementMs: options.statementTimeoutMs, queryMs: options.queryTimeoutMs });
    } catch (error) {
      throw usageError((error as Error).message.replace('@halyard/server: ', ''));
    }
  }
  if (ctx.flag('no-dashboard') || env.HALYARD_DASHBOARD === '0') options.dashboardDir = false;
  options.events = eventsFromEnv(env);
  const webhookUrls = (env.HALYARD_WEBHOOK_URLS ?? '').split(',').map((u) => u.trim()).filter(Boolean);
  for (const url of webhookUrls) if (!/^https?:\/\//.test(url)) throw usageError(`HALYARD_WEBHOOK_URLS must be comma-separated http(s) URLs, got "${url}"`);
  if (webhookUrls.length > 0) options.webhooks = { urls: webhookUrls, secret: env.HALYARD_WEBHOOK_SECRET };
  if (cors && cors !== '*') options.corsOrigins = cors.split(',').map((o) => o.trim()).filter(Boolean);
  const mirrorUrl = ctx.string('redis-mirror') ?? env.HALYARD_REDIS_MIRROR_URL;
  const seed = ctx.flag('redis-seed') || env.HALYARD_REDIS_SEED === '1';
  if (mirrorUrl) {
    if (!/^rediss?:\/\//.test(mirrorUrl)) throw usageError(`--redis-mirror must be a redis:// or rediss:// URL, got "${mirrorUrl}"`);
    const key = ctx.string('redis-key') ?? env.HALYARD_REDIS_MIRROR_KEY;
    const environment = ctx.string('redis-mirror-env') ?? env.HALYARD_REDIS_MIRROR_ENV;
    options.redisMirror = { url: mirrorUrl, seed, ...(key ? { key } : {}), ...(environment ? { environment } : {}) };
  } else if (seed || ctx.string('redis-key') !== undefined || ctx.string('redis-mirror-env') !== undefined) {
    throw usageError('--redis-seed, --redis-key and --redis-mirror-env need --redis-mirror <url>');
  }

  // Signal handlers first: a SIGTERM that arrives while starting (or right after the URL is printed) must still
  // shut down cleanly instead of killing the process with the default action.
  let server: Awaited<ReturnType<typeof import('../../../server').createServer>> | undefined;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    if (!server) return; // createServer is still running; it is closed as soon as it resolves
    server.app.log.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  // Loaded here only: Fastify, pg and PGlite are not needed by the other commands.
  const { createServer } = await import('../../../server');
  try {
    server = await createServer(options);
  } catch (error) {
    // A wrong DATABASE_URL or a database that is down: one line and exit 1, not a stack trace.
    if (isDatabaseStartupError(error)) throw new CliError(describeStartupError(error, options));
    // --redis-mirror problems (unreachable Redis, unknown environment, a key that cannot seed) say what to fix.
    if (error instanceof Error && error.name === 'RedisMirrorError') throw new CliError(error.message.replace(/^@halyard\/server: /, ''));
    throw error;
  }
  if (stopping) {
    await server.close();
    process.exit(0);
  }
  const storage = databaseUrl ? `PostgreSQL (schema ${options.schema ?? 'public'})` : `PGlite in ${options.dataDir}`;
  const lines = [`Halyard flag service listening on ${server.url}`, `Storage: ${storage}`, `API reference: ${server.url}/openapi.json`];
  if (options.dashboardDir !== false) lines.push(`Dashboard: ${server.url}/ (sign in with an admin token)`);
  if (options.redisMirror) lines.push(`Mirroring ${options.redisMirror.environment ?? 'development'} to Redis key ${options.redisMirror.key ?? 'halyard:flags'}`);
  if (server.bootstrapToken) {
    lines.push(
      '',
      'First admin token (shown once; store it now):',
      `  ${server.bootstrapToken}`,
      '',
      'Log the CLI in with it, then create an SDK key:',
      `  halyard login --url ${server.url}`,
      `  halyard keys create --type sdk --env development --name "my service"`,
    );
  }
  ctx.print(lines.join('\n'));
}

/** SDK events settings from the environment (docs/events-ingestion.md); unset variables keep the defaults. */
function eventsFromEnv(env: Record<string, string | undefined>): NonNullable<ServerOptions['events']> {
  const events: NonNullable<ServerOptions['events']> = {};
  const transport = env.HALYARD_EVENTS_TRANSPORT;
  if (transport !== undefined && transport !== '') {
    if (transport !== 'memory' && transport !== 'redis-stream') throw usageError(`HALYARD_EVENTS_TRANSPORT must be "memory" or "redis-stream", got "${transport}"`);
    events.transport = transport;
  }
  const numbers = { flushMs: 'HALYARD_EVENTS_FLUSH_MS', rateLimit: 'HALYARD_EVENTS_RATE_LIMIT', retentionDays: 'HALYARD_EVENTS_RETENTION_DAYS', unitRetentionDays: 'HALYARD_EVENTS_UNIT_RETENTION_DAYS' } as const;
  for (const [option, variable] of Object.entries(numbers) as Array<[keyof typeof numbers, string]>) {
    const text = env[variable];
    if (text === undefined || text === '') continue;
    if (!/^\d{1,9}$/.test(text)) throw usageError(`${variable} must be a whole number, got "${text}"`);
    events[option] = Number(text);
  }
  if (env.HALYARD_EVENTS_ENABLED === 'false') events.enabled = false;
  if (env.HALYARD_EVENTS_CONSUME === 'false') events.stream = { consume: false };
  return events;
}
