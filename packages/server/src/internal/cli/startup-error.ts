/**
 * One clear line for a database that cannot be opened at start (`halyard serve`, `halyard admin recover`): the
 * operator mistyped DATABASE_URL or the database is down, and a stack trace would bury the one fact that matters.
 */

const PG_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is PostgreSQL running there?)',
  ECONNRESET: 'the connection was reset',
  ETIMEDOUT: 'the connection timed out',
  ENOTFOUND: 'unknown host',
  EAI_AGAIN: 'the host name could not be resolved',
  EHOSTUNREACH: 'host unreachable',
  '28P01': 'password authentication failed',
  '28000': 'the server refused this user',
  '3D000': 'the database does not exist',
  '57P03': 'the database is starting up or shutting down',
  '53300': 'too many connections',
};

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/** True for errors of opening the database (as opposed to a bug, which keeps its stack trace). */
export function isDatabaseStartupError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (code in PG_REASONS || /^(08|28|3D|53|57)/.test(code))) return true;
  const message = String((error as Error | null)?.message ?? '');
  return /Invalid URL|connection timeout|Connection terminated|timeout exceeded when trying to connect/i.test(message) || error instanceof AggregateError;
}

export function describeStartupError(error: unknown, target: { databaseUrl?: string | undefined; dataDir?: string | undefined }): string {
  const code = (error as { code?: unknown } | null)?.code;
  // Connecting to "localhost" tries ::1 and 127.0.0.1; Node reports both in one AggregateError.
  const first = error instanceof AggregateError ? (error.errors[0] as unknown) : error;
  const firstCode = (first as { code?: unknown } | null)?.code ?? code;
  const reason = (typeof firstCode === 'string' ? PG_REASONS[firstCode] : undefined) ?? String((first as Error | null)?.message ?? first);
  if (target.databaseUrl !== undefined) {
    return `cannot open PostgreSQL at ${redactUrl(target.databaseUrl)}: ${reason}; check --database-url / DATABASE_URL`;
  }
  return `cannot open the PGlite database in ${target.dataDir ?? '.halyard'}: ${reason}; check --data-dir / HALYARD_DATA_DIR (one process at a time)`;
}
