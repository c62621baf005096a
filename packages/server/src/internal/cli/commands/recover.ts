import type { Context } from '../context';
import { CliError } from '../errors';
import { describeStartupError, isDatabaseStartupError } from '../startup-error';

/**
 * `halyard admin recover`: mints an admin token directly against the database, without the service or a token.
 * For an operator locked out (every admin token lost); database access is the credential.
 */
export async function adminRecover(ctx: Context): Promise<void> {
  const env = ctx.processEnv;
  const databaseUrl = ctx.string('database-url') ?? env.DATABASE_URL;
  const schema = ctx.string('schema') ?? env.HALYARD_DB_SCHEMA ?? 'public';
  const dataDir = ctx.string('data-dir') ?? env.HALYARD_DATA_DIR ?? '.halyard';
  const name = ctx.string('name') ?? 'recovered admin';
  // Loaded here only, like `serve`: pg and PGlite are not needed by the other commands.
  const { resolve } = await import('node:path');
  const { ChangeBus } = await import('../../changes');
  const { openPglite, openPostgres } = await import('../../store/db');
  const { migrate } = await import('../../store/migrations');
  const { Store } = await import('../../store/store');
  const { recoverAdmin } = await import('../../services/admin-recovery');
  let db: Awaited<ReturnType<typeof openPostgres>>;
  try {
    db = databaseUrl ? await openPostgres({ connectionString: databaseUrl, schema }) : await openPglite(resolve(dataDir, 'pglite'));
  } catch (error) {
    if (!isDatabaseStartupError(error)) throw error;
    throw new CliError(describeStartupError(error, databaseUrl ? { databaseUrl } : { dataDir }));
  }
  try {
    // The same migrations as `serve`, so recovery works on a database that was never served (and never skips one).
    await migrate(db);
    const bus = new ChangeBus({ db, namespace: databaseUrl ? schema : resolve(dataDir), postgresNotify: true, redisUrl: undefined, redisChannel: undefined, onMessage: () => {}, onResync: () => {}, onError: () => {} });
    const { key, token } = await recoverAdmin(new Store(db, (tx, message) => bus.notifyInTransaction(tx, message)), name);
    if (ctx.json) return ctx.printJson({ ...key, token });
    ctx.note(`Created admin token "${key.name}" (role admin, id ${key.id}), audited as actor "recovery". It is shown once; store it now:`);
    ctx.print(token);
  } finally {
    await db.close();
  }
}
