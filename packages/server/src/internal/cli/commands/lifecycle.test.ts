import { describe, expect, it } from 'vitest';
import { CliError } from '../errors';
import { loadLifecycle } from './lifecycle';

describe('loadLifecycle', () => {
  it('names the install command in one line when @halyard/lifecycle is not installed', async () => {
    const missing = Object.assign(new Error("Cannot find package '@halyard/lifecycle' imported from /app/node_modules/@halyard/server/dist/cli.js"), { code: 'ERR_MODULE_NOT_FOUND' });
    const error = await loadLifecycle(() => Promise.reject(missing)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).message).toBe('this command needs @halyard/lifecycle: npm install --save-dev @halyard/lifecycle (or pnpm add -D @halyard/lifecycle)');
    expect((error as CliError).exitCode).toBe(1);
  });

  it('passes other failures through (a broken install is not a missing one)', async () => {
    const broken = Object.assign(new Error("Cannot find package 'ts-morph' imported from /app/node_modules/@halyard/lifecycle/dist/index.js"), { code: 'ERR_MODULE_NOT_FOUND' });
    await expect(loadLifecycle(() => Promise.reject(broken))).rejects.toBe(broken);
    await expect(loadLifecycle()).resolves.toHaveProperty('cleanupPaths');
  });
});
