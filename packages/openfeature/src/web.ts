export { HalyardWebProvider } from './web-provider';
export type { HalyardWebProviderOptions } from './web-provider';
