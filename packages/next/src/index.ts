export { createHalyard } from './create-halyard';
export type { BrowserEventsOption, CreateHalyardOptions, Halyard, HalyardProviderProps, HalyardPageProps } from './create-halyard';
export type { HalyardPageEvents } from './internal/browser-exposures';
export { createFlagsRoute } from './flags-route';
export type { FlagsRoute, FlagsRouteOptions } from './flags-route';
export { evaluateInMiddleware } from './middleware';
export type { MiddlewareFlagOptions } from './middleware';
export { isNextControlFlow } from './internal/control-flow';
export type { CookieReader, HeaderReader, HalyardNextOptions, NextContextFn, RequestInfo } from './types';
