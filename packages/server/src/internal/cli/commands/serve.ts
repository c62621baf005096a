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
  if (cors && cors !== '*') options.corsOrigins = cors.split(',').map((o) => o.trim()).filter(Boolean);

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
    throw error;
  }
  if (stopping) {
    await server.close();
    process.exit(0);
  }
  const storage = databaseUrl ? `PostgreSQL (schema ${options.schema ?? 'public'})` : `PGlite in ${options.dataDir}`;
  const lines = [`Halyard flag service listening on ${server.url}`, `Storage: ${storage}`, `API reference: ${server.url}/openapi.json`];
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
