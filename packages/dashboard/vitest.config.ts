import { halyardProject } from '../../vitest.shared.ts';

// Unit tests (src/**/*.test.tsx, jsdom where they ask for it) and browser tests (test/*.test.ts: the built app
// served by a real service, driven by Debian's Chromium), one file at a time: each browser file owns a service.
export default halyardProject('dashboard', { testTimeout: 60_000, hookTimeout: 180_000, fileParallelism: false, globalSetup: ['./test/support/global-setup.ts'] });
