import { defineConfig } from 'vitest/config';

// One vitest run for the whole monorepo: every package and app contributes a project.
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'apps/*/vitest.config.ts', 'benchmarks/vitest.config.ts', 'e2e/vitest.config.ts'],
  },
});
