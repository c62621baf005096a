'use client';
// Client-only entry: the tsup build puts 'use client' on top of dist/client.* so Next treats it as a client
// boundary even when the source directive is lost in bundling.
export { HalyardClientProvider } from './halyard-client-provider';
export type { HalyardClientProviderProps } from './halyard-client-provider';
export { PagesFlagProvider } from './pages-flag-provider';
export type { PagesFlagProviderProps } from './pages-flag-provider';
export type { BrowserEventsConfig, HalyardPageEvents } from './internal/browser-exposures';
export { FlagProvider, Flag, useFlag, useFlagValue, useVariant, useFlagDetails, useFlags, useFlagStatus } from '@halyard/react';
export type { FlagProviderProps, FlagProps } from '@halyard/react';
