import { OpenFeatureEventEmitter, ProviderEvents } from '@openfeature/server-sdk';
import type {
  EvaluationContext as OpenFeatureContext,
  JsonValue,
  Logger,
  Provider,
  ProviderMetadata,
  ResolutionDetails,
} from '@openfeature/server-sdk';
import { createFlagClient } from '@halyard/core';
import type { Definitions, FlagClient, FlagClientOptions, FlagStatus, JsonValue as HalyardJson } from '@halyard/core';
import { changedFlags } from './internal/changed-flags';
import { toHalyardContext } from './internal/context';
import { errorResolution, matchesType, ResolutionCache, typeMismatch } from './internal/resolution';
import type { RequestedType } from './internal/resolution';

/**
 * Options of {@link HalyardProvider}: either an existing Halyard `FlagClient` (shared with the rest of the app; the
 * provider never closes it) or the options of `createFlagClient` (at least a `source`; the provider owns and closes
 * that client).
 */
export type HalyardProviderOptions =
  | { client: FlagClient; source?: undefined }
  | (FlagClientOptions & { client?: undefined });

/**
 * OpenFeature server provider that evaluates Halyard flags in-process with `@halyard/core`.
 *
 * - Context: OpenFeature's `targetingKey` becomes Halyard's `userId` unless the context sets `userId` itself; every
 *   other attribute is passed through unchanged (rules can also read `targetingKey` directly).
 * - Results: `value`, `variant` and `reason` come from Halyard (reasons use OpenFeature names; Halyard's extra
 *   `PREREQUISITE_FAILED` is passed through as a custom reason). The matching rule id, when any, is in
 *   `flagMetadata.ruleId`. Errors map to OpenFeature's `FLAG_NOT_FOUND`, `TYPE_MISMATCH`, `PARSE_ERROR` and `GENERAL`.
 * - Events: `PROVIDER_CONFIGURATION_CHANGED` (with `flagsChanged`) when new definitions arrive, `PROVIDER_STALE`
 *   when the source fails after having delivered flags (the last good flags keep being served), `PROVIDER_READY`
 *   when it recovers.
 * - Lifecycle: `initialize()` waits for the first definitions; `onClose()` closes the client only when the provider
 *   created it from options — a client passed in as `{ client }` stays open for its owner.
 *
 * Resolve methods return their result synchronously (the OpenFeature server SDK awaits whatever a provider returns),
 * so the only per-evaluation work is the Halyard evaluation itself.
 *
 * @example
 * ```ts
 * import { OpenFeature } from '@openfeature/server-sdk';
 * import { httpSource } from '@halyard/core';
 * import { HalyardProvider } from '@halyard/openfeature';
 *
 * await OpenFeature.setProviderAndWait(
 *   new HalyardProvider({ source: httpSource({ url: 'https://flags.example.com/sdk/v1/definitions', sdkKey: process.env.HALYARD_SDK_KEY, stream: true }) }),
 * );
 * const flags = OpenFeature.getClient();
 * const enabled = await flags.getBooleanValue('new-checkout', false, { targetingKey: user.id, plan: user.plan });
 * ```
 */
export class HalyardProvider implements Provider {
  readonly metadata: ProviderMetadata = Object.freeze({ name: 'halyard' });
  readonly runsOn = 'server' as const;
  readonly events = new OpenFeatureEventEmitter();
  /** The Halyard client evaluating for this provider (useful for `evaluateAll`, exposure tracking, etc.). */
  readonly client: FlagClient;

  private readonly ownsClient: boolean;
  private readonly resolutions = new ResolutionCache();
  private unsubscribe: (() => void) | undefined;
  private initialized = false;
  private definitions: Definitions | undefined;
  private lastStatus: FlagStatus | undefined;

  constructor(options: HalyardProviderOptions) {
    if (options.client !== undefined) {
      this.client = options.client;
      this.ownsClient = false;
    } else if (options.source !== undefined) {
      this.client = createFlagClient(options);
      this.ownsClient = true;
    } else {
      throw new TypeError('@halyard/openfeature: new HalyardProvider() needs either { client } (a Halyard FlagClient) or { source } (e.g. httpSource(...))');
    }
  }

  /** Called by the SDK: resolves once the client has its first definitions, rejects if the source failed first. */
  async initialize(): Promise<void> {
    this.unsubscribe ??= this.client.subscribe(this.onClientChange);
    try {
      await this.client.ready();
    } finally {
      // Ready/Error for the initialization itself are emitted by the SDK; only later transitions are ours to report.
      const state = this.client.getSnapshot();
      this.definitions = state.definitions;
      this.lastStatus = state.status;
      this.initialized = true;
    }
  }

  /** Called by the SDK on shutdown or when the provider is replaced. */
  async onClose(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.initialized = false;
    this.resolutions.clear();
    if (this.ownsClient) this.client.close();
  }

  resolveBooleanEvaluation(flagKey: string, defaultValue: boolean, context?: OpenFeatureContext, logger?: Logger): ResolutionDetails<boolean>;
  /** Typed as a Promise only to satisfy OpenFeature's `Provider` interface; the value is returned synchronously. */
  resolveBooleanEvaluation(flagKey: string, defaultValue: boolean, context?: OpenFeatureContext, logger?: Logger): Promise<ResolutionDetails<boolean>>;
  resolveBooleanEvaluation(flagKey: string, defaultValue: boolean, context?: OpenFeatureContext): ResolutionDetails<boolean> | Promise<ResolutionDetails<boolean>> {
    return this.resolve(flagKey, defaultValue, context, 'boolean');
  }

  resolveStringEvaluation(flagKey: string, defaultValue: string, context?: OpenFeatureContext, logger?: Logger): ResolutionDetails<string>;
  /** Typed as a Promise only to satisfy OpenFeature's `Provider` interface; the value is returned synchronously. */
  resolveStringEvaluation(flagKey: string, defaultValue: string, context?: OpenFeatureContext, logger?: Logger): Promise<ResolutionDetails<string>>;
  resolveStringEvaluation(flagKey: string, defaultValue: string, context?: OpenFeatureContext): ResolutionDetails<string> | Promise<ResolutionDetails<string>> {
    return this.resolve(flagKey, defaultValue, context, 'string');
  }

  resolveNumberEvaluation(flagKey: string, defaultValue: number, context?: OpenFeatureContext, logger?: Logger): ResolutionDetails<number>;
  /** Typed as a Promise only to satisfy OpenFeature's `Provider` interface; the value is returned synchronously. */
  resolveNumberEvaluation(flagKey: string, defaultValue: number, context?: OpenFeatureContext, logger?: Logger): Promise<ResolutionDetails<number>>;
  resolveNumberEvaluation(flagKey: string, defaultValue: number, context?: OpenFeatureContext): ResolutionDetails<number> | Promise<ResolutionDetails<number>> {
    return this.resolve(flagKey, defaultValue, context, 'number');
  }

  resolveObjectEvaluation<T extends JsonValue>(flagKey: string, defaultValue: T, context?: OpenFeatureContext, logger?: Logger): ResolutionDetails<T>;
  /** Typed as a Promise only to satisfy OpenFeature's `Provider` interface; the value is returned synchronously. */
  resolveObjectEvaluation<T extends JsonValue>(flagKey: string, defaultValue: T, context?: OpenFeatureContext, logger?: Logger): Promise<ResolutionDetails<T>>;
  resolveObjectEvaluation<T extends JsonValue>(flagKey: string, defaultValue: T, context?: OpenFeatureContext): ResolutionDetails<T> | Promise<ResolutionDetails<T>> {
    return this.resolve(flagKey, defaultValue, context, 'object');
  }

  private resolve<T>(flagKey: string, defaultValue: T, context: OpenFeatureContext | undefined, type: RequestedType): ResolutionDetails<T> {
    // OpenFeature's JsonValue allows Dates inside objects; Halyard's variants never hold them, and the default is
    // only handed back, so widening the type here is safe.
    const details = this.client.getDetails(flagKey, defaultValue as HalyardJson, toHalyardContext(context));
    if (details.errorCode !== undefined) {
      // Before the first definitions the client answers GENERAL for everything; OpenFeature has a code for that.
      const code = this.client.getSnapshot().definitions === undefined ? 'PROVIDER_NOT_READY' : details.errorCode;
      return errorResolution(defaultValue, code, details.errorMessage);
    }
    if (!matchesType(details.value, type)) return typeMismatch(flagKey, defaultValue, type, details.value);
    return this.resolutions.success<T>(details, Object.isFrozen(details));
  }

  private readonly onClientChange = (): void => {
    if (!this.initialized) return;
    const state = this.client.getSnapshot();

    const previous = this.definitions;
    if (state.definitions !== undefined && state.definitions !== previous) {
      this.definitions = state.definitions;
      this.resolutions.clear();
      if (previous !== undefined) {
        const flagsChanged = changedFlags(previous, state.definitions);
        if (flagsChanged.length > 0) {
          this.events.emit(ProviderEvents.ConfigurationChanged, {
            flagsChanged,
            message: `Halyard definitions updated to version ${state.definitions.version}`,
            metadata: { version: state.definitions.version },
          });
        }
      }
    }

    const previousStatus = this.lastStatus;
    if (state.status === previousStatus) return;
    this.lastStatus = state.status;
    if (state.status === 'stale') {
      this.events.emit(ProviderEvents.Stale, { message: `Halyard source failed; serving the last good flags: ${state.error?.message ?? 'unknown error'}` });
    } else if (state.status === 'ready') {
      this.events.emit(ProviderEvents.Ready, { message: 'Halyard source recovered' });
    } else if (state.status === 'error') {
      this.events.emit(ProviderEvents.Error, { message: `Halyard source failed: ${state.error?.message ?? 'unknown error'}` });
    }
  };
}
