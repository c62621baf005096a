import { defineConfig, type ViteUserConfig } from 'vitest/config';

/**
 * Shared vitest settings. The `@halyard/source` export condition makes every
 * `@halyard/*` import resolve to TypeScript sources, so tests never need a build.
 */
export function halyardProject(name: string, extra: ViteUserConfig['test'] = {}): ViteUserConfig {
  return defineConfig({
    resolve: { conditions: ['@halyard/source', 'module', 'browser', 'development|production'] },
    ssr: { resolve: { conditions: ['@halyard/source', 'module', 'node', 'development|production'], externalConditions: ['@halyard/source'] } },
    test: { name, include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'], testTimeout: 20_000, ...extra },
  });
}
