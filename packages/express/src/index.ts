export { halyard } from './middleware';
export { flagsHandler } from './flags-handler';
export { forceRequestFlags } from './force-request-flags';
export { createOverrideToken, MIN_OVERRIDE_SECRET_LENGTH, DEFAULT_OVERRIDE_TTL_MS } from './overrides';
export type { OverrideTokenOptions } from './overrides';
export type {
  HalyardOptions,
  FlagsHandlerOptions,
  OverrideOptions,
  ContextFn,
  ErrorHandler,
} from './types';
