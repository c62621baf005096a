export { halyard } from './middleware';
export { flagsHandler } from './flags-handler';
export { createOverrideToken, MIN_OVERRIDE_SECRET_LENGTH, DEFAULT_OVERRIDE_TTL_MS } from './overrides';
export type { OverrideTokenOptions } from './overrides';
export type {
  RequestFlags,
  HalyardOptions,
  FlagsHandlerOptions,
  OverrideOptions,
  ContextFn,
  ErrorHandler,
  Widen,
} from './types';
