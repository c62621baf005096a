import { halyardProject } from '../vitest.shared.ts';

export default halyardProject('e2e', { testTimeout: 120_000, hookTimeout: 300_000, fileParallelism: false, globalSetup: ['./test/support/global-setup.ts'] });
