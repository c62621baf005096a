#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createServer, type ServerOptions } from './server';

const HELP = `halyard — the Halyard flag service

Usage:
  halyard serve [options]

Options (environment variable in brackets):
  --port <n>            port to listen on, default 4242 [PORT]
  --host <addr>         interface, default 127.0.0.1; 0.0.0.0 in containers [HOST]
  --data-dir <dir>      embedded Postgres (PGlite) data, default ./.halyard [HALYARD_DATA_DIR]
  --database-url <url>  use this PostgreSQL instead of PGlite [DATABASE_URL]
  --schema <name>       Postgres schema for Halyard's tables, default public [HALYARD_DB_SCHEMA]
  --redis-url <url>     also propagate changes over Redis pub/sub [REDIS_URL]
  --cors-origins <list> comma-separated origins allowed to call /sdk/v1/evaluate, default * [HALYARD_CORS_ORIGINS]
  --log-level <level>   silent, error, warn, info, debug; default info [HALYARD_LOG_LEVEL]
  -h, --help            show this help
  -v, --version         print the version
`;

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function fail(message: string): never {
  process.stderr.write(`halyard: ${message}\n\nRun "halyard --help" for usage.\n`);
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'data-dir': { type: 'string' },
        'database-url': { type: 'string' },
        schema: { type: 'string' },
        'redis-url': { type: 'string' },
        'cors-origins': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    fail((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.version) {
    process.stdout.write(`${version()}\n`);
    return;
  }
  const command = positionals[0];
  if (values.help || command === 'help' || command === undefined) {
    process.stdout.write(HELP);
    return;
  }
  if (command !== 'serve') fail(`unknown command "${command}"`);

  const env = process.env;
  const portText = values.port ?? env.PORT ?? '4242';
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) fail(`--port must be a number from 0 to 65535, got "${portText}"`);
  const cors = values['cors-origins'] ?? env.HALYARD_CORS_ORIGINS;
  const options: ServerOptions = {
    port: Number(portText),
    host: values.host ?? env.HOST ?? '127.0.0.1',
    logger: (values['log-level'] ?? env.HALYARD_LOG_LEVEL ?? 'info') as ServerOptions['logger'],
  };
  const databaseUrl = values['database-url'] ?? env.DATABASE_URL;
  if (databaseUrl) options.databaseUrl = databaseUrl;
  else options.dataDir = values['data-dir'] ?? env.HALYARD_DATA_DIR ?? '.halyard';
  const schema = values.schema ?? env.HALYARD_DB_SCHEMA;
  if (schema) options.schema = schema;
  const redisUrl = values['redis-url'] ?? env.REDIS_URL;
  if (redisUrl) options.redisUrl = redisUrl;
  if (cors && cors !== '*') options.corsOrigins = cors.split(',').map((o) => o.trim()).filter(Boolean);

  // Signal handlers first: a SIGTERM that arrives while starting (or right after the URL is printed) must still
  // shut down cleanly instead of killing the process with the default action.
  let server: Awaited<ReturnType<typeof createServer>> | undefined;
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

  server = await createServer(options);
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
      'Create an SDK key:',
      `  curl -X POST ${server.url}/api/v1/keys -H "Authorization: Bearer <admin token>" -H "Content-Type: application/json" \\`,
      `       -d '{"type":"sdk","environment":"development","name":"my service"}'`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`halyard: ${(error as Error).message ?? String(error)}\n`);
  process.exit(1);
});
