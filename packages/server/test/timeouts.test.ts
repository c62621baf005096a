import { describe, expect, it } from 'vitest';
import { databaseTimeouts } from '../src/internal/store/db';
import { cleanEnv, runCli } from './cli';

describe('database timeouts', () => {
  it('default to connect 5 s, statement 10 s, query statement + 2 s', () => {
    expect(databaseTimeouts()).toEqual({ connectMs: 5000, statementMs: 10_000, queryMs: 12_000 });
    expect(databaseTimeouts({ statementMs: 500 })).toEqual({ connectMs: 5000, statementMs: 500, queryMs: 2500 });
  });

  it('refuse a query timeout that does not exceed the statement timeout (the server must roll back first)', () => {
    expect(() => databaseTimeouts({ statementMs: 1000, queryMs: 1000 })).toThrow(
      /queryTimeoutMs \(1000\) must be larger than statementTimeoutMs \(1000\), so the server has rolled back a transaction before the service gives up on it/,
    );
    expect(() => databaseTimeouts({ connectMs: 0 })).toThrow(/connectTimeoutMs must be a whole number of milliseconds from 1 to 3600000, got 0/);
  });

  it('halyard serve answers a bad timeout flag or environment variable with a usage error, before opening anything', async () => {
    const url = 'postgres://postgres@127.0.0.1:1/test';
    const flag = await runCli(['serve', '--port', '0', '--query-timeout-ms', 'soon'], cleanEnv({ DATABASE_URL: url, HALYARD_LOG_LEVEL: 'silent' }));
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/--query-timeout-ms \(HALYARD_QUERY_TIMEOUT_MS\) must be a number of milliseconds, got "soon"/);
    const order = await runCli(['serve', '--port', '0'], cleanEnv({ DATABASE_URL: url, HALYARD_LOG_LEVEL: 'silent', HALYARD_STATEMENT_TIMEOUT_MS: '5000', HALYARD_QUERY_TIMEOUT_MS: '4000' }));
    expect(order.code).toBe(2);
    expect(order.stderr).toMatch(/queryTimeoutMs \(4000\) must be larger than statementTimeoutMs \(5000\)/);
  });
});
