import { describe, expect, it } from 'vitest';
import { cleanEnv, runCli } from './cli';

// A mistyped DATABASE_URL is the most common first-run mistake: one clear line naming the URL (password hidden)
// and the option to fix, exit code 1, no stack trace.
describe('halyard serve with a database it cannot open', () => {
  const serve = (url: string) => runCli(['serve', '--port', '0'], cleanEnv({ DATABASE_URL: url, HALYARD_LOG_LEVEL: 'silent' }));

  it('prints one line for a refused connection, without the password', async () => {
    const result = await serve('postgres://postgres:s3cret@127.0.0.1:1/test');
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      'halyard: cannot open PostgreSQL at postgres://postgres:***@127.0.0.1:1/test: connection refused (is PostgreSQL running there?); check --database-url / DATABASE_URL',
    ]);
    expect(result.stdout).toBe('');
  });

  it('prints one line for a database that does not exist', async () => {
    const result = await serve('postgres://postgres@127.0.0.1:5432/halyard_no_such_database');
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/cannot open PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:5432\/halyard_no_such_database: the database does not exist/);
  });
});
