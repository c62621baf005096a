export { FlagProvider } from './provider';
export type { FlagProviderProps } from './provider';
export { useFlag, useFlagValue, useVariant, useFlags } from './hooks';
export { useFlagDetails, useFlagStatus } from './details';
export type { FlagStatusInfo } from './details';
export { Flag } from './flag';
// Re-exported so `import { FlagProvider, sseStream } from '@halyard/react'` works; tree-shaken when unused.
export { sseStream } from '@halyard/core/store';
export { createEventSender } from '@halyard/core/events';
export type { FlagProps } from './flag';
export type {
  Register,
  RegisteredFlags,
  DefaultValueFor,
  FlagKey,
  FlagValue,
  BooleanFlagKey,
  FlagEntries,
  FlagDetails,
  FlagsOf,
  IsRegistered,
  ResolvedValue,
  TypedSnapshotFlag,
  Widen,
} from './types';
