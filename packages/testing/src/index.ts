export { createTestClient } from './internal/test-client';
export type { TestClientOptions, TestFlagClient } from './internal/test-client';
export { createTestSnapshot } from './internal/document';
export type { TestFlagOptions, TestFlagValues } from './internal/document';
export { forEachFlagState } from './internal/for-each-flag-state';
export type { DescribeFn, ForEachFlagState } from './internal/for-each-flag-state';
