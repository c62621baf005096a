export { TestFlagProvider, renderWithFlags } from './internal/react';
export type { TestFlagProviderProps, TestFlags, RenderWithFlagsOptions, RenderWithFlagsResult } from './internal/react';
