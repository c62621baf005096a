export { HalyardProvider } from './server-provider';
export type { HalyardProviderOptions } from './server-provider';
