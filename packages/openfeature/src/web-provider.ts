import { OpenFeatureEventEmitter, ProviderEvents } from '@openfeature/web-sdk';
import type {
  EvaluationContext as OpenFeatureContext,
  JsonValue,
  Provider,
  ProviderMetadata,
  ResolutionDetails,
} from '@openfeature/web-sdk';
import { createSnapshotStore } from '@halyard/core';
import type { FlagSnapshot, FlagStatus, SnapshotStore, SnapshotStoreOptions } from '@halyard/core';
import { toHalyardContext } from './internal/context';
import { errorResolution, matchesType, ResolutionCache, typeMismatch } from './internal/resolution';
import type { RequestedType } from './internal/resolution';

/**
 * Options of {@link HalyardWebProvider}: either an existing Halyard `SnapshotStore` (the provider never closes it)
 * or the options of `createSnapshotStore` (e.g. `{ endpoint }`; the provider owns and closes that store).
 */
export type HalyardWebProviderOptions =
  | { store: SnapshotStore }
  | (SnapshotStoreOptions & { store?: undefined });

/**
 * OpenFeature web provider backed by a Halyard snapshot: the flag service (or your own endpoint) evaluates all flags
 * for the current context, and the provider answers from that snapshot synchronously. No evaluator ships to the
 * browser.
 *
 * - `initialize(context)` and `onContextChange(old, new)` POST the context to the endpoint and wait for the
 *   snapshot; the SDK shows `PROVIDER_RECONCILING` meanwhile and keeps serving the previous values.
 * - `PROVIDER_CONFIGURATION_CHANGED` (with `flagsChanged`) fires when a poll brings different values for the same
 *   context; `PROVIDER_STALE`/`PROVIDER_READY` follow the store's status.
 * - Context mapping as on the server: `targetingKey` becomes `userId` unless `userId` is set.
 * - Reading a flag records an exposure in the store (its `onExposure` callback fires once per flag/variant/unit).
 *
 * @example
 * ```ts
 * import { OpenFeature } from '@openfeature/web-sdk';
 * import { HalyardWebProvider } from '@halyard/openfeature/web';
 *
 * await OpenFeature.setContext({ targetingKey: user.id, plan: user.plan });
 * await OpenFeature.setProviderAndWait(new HalyardWebProvider({ endpoint: '/api/flags' }));
 * const showBanner = OpenFeature.getClient().getBooleanValue('summer-banner', false);
 * ```
 */
export class HalyardWebProvider implements Provider {
  readonly metadata: ProviderMetadata = Object.freeze({ name: 'halyard-web' });
  readonly runsOn = 'client' as const;
  readonly events = new OpenFeatureEventEmitter();
  /** The snapshot store answering for this provider. */
  readonly store: SnapshotStore;

  private readonly ownsStore: boolean;
  private readonly resolutions = new ResolutionCache();
  private unsubscribe: (() => void) | undefined;
  private initialized = false;
  private reconciling = 0;
  private snapshot: FlagSnapshot | undefined;
  private lastStatus: FlagStatus | undefined;

  constructor(options: HalyardWebProviderOptions) {
    if (options.store !== undefined) {
      this.store = options.store;
      this.ownsStore = false;
    } else {
      this.store = createSnapshotStore(options);
      this.ownsStore = true;
    }
  }

  /** Called by the SDK with the global context: fetches the first snapshot. */
  async initialize(context?: OpenFeatureContext): Promise<void> {
    // Context first: subscribing starts the store's sync, and its first request should already carry the context.
    this.store.setContext(toHalyardContext(context));
    this.unsubscribe ??= this.store.subscribe(this.onStoreChange);
    this.reconciling++;
    try {
      await this.store.refresh();
    } finally {
      this.reconciling--;
    }
    const state = this.store.getSnapshot();
    this.snapshot = state.snapshot;
    this.lastStatus = state.status;
    this.initialized = true;
    if (state.status === 'error' || state.status === 'loading') {
      throw new Error(
        `@halyard/openfeature: HalyardWebProvider could not load the flag snapshot: ${
          state.error?.message ??
          'no snapshot and nothing fetched (give the store an endpoint or a snapshot; outside browsers pass isServer: false)'
        }`,
      );
    }
    if (state.status === 'stale') {
      // A bootstrap snapshot is being served but the endpoint failed. The SDK marks the provider READY once this
      // promise resolves, so report the staleness right after that.
      setTimeout(() => {
        if (this.initialized && this.store.getSnapshot().status === 'stale') {
          this.events.emit(ProviderEvents.Stale, { message: staleMessage(this.store.getSnapshot().error) });
        }
      }, 0);
    }
  }

  /**
   * Called by the SDK when the static context changes: fetches the snapshot for the new context. Meanwhile the
   * previous values stay readable (the SDK reports RECONCILING). If the fetch fails this rejects — the SDK then
   * reports PROVIDER_ERROR, since the values held belong to the old context — and the store keeps retrying: the
   * provider emits PROVIDER_READY once the new context's snapshot arrives.
   */
  async onContextChange(_oldContext: OpenFeatureContext, newContext: OpenFeatureContext): Promise<void> {
    this.reconciling++;
    try {
      this.store.setContext(toHalyardContext(newContext));
      await this.store.refresh();
    } finally {
      this.reconciling--;
      // The SDK announces this change itself (PROVIDER_CONTEXT_CHANGED): remember what we serve without emitting.
      this.snapshot = this.store.getSnapshot().snapshot;
    }
    const state = this.store.getSnapshot();
    if (state.status !== 'ready') {
      throw new Error(`@halyard/openfeature: HalyardWebProvider could not load the flag snapshot for the new context: ${state.error?.message ?? 'unknown error'}`);
    }
  }

  async onClose(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.initialized = false;
    this.resolutions.clear();
    if (this.ownsStore) this.store.close();
  }

  resolveBooleanEvaluation(flagKey: string, defaultValue: boolean): ResolutionDetails<boolean> {
    return this.resolve(flagKey, defaultValue, 'boolean');
  }

  resolveStringEvaluation(flagKey: string, defaultValue: string): ResolutionDetails<string> {
    return this.resolve(flagKey, defaultValue, 'string');
  }

  resolveNumberEvaluation(flagKey: string, defaultValue: number): ResolutionDetails<number> {
    return this.resolve(flagKey, defaultValue, 'number');
  }

  resolveObjectEvaluation<T extends JsonValue>(flagKey: string, defaultValue: T): ResolutionDetails<T> {
    return this.resolve(flagKey, defaultValue, 'object');
  }

  private resolve<T>(flagKey: string, defaultValue: T, type: RequestedType): ResolutionDetails<T> {
    const state = this.store.getSnapshot();
    const flags = state.snapshot.flags;
    // Own keys only: `constructor` or `toString` must not find Object.prototype.
    const entry = Object.prototype.hasOwnProperty.call(flags, flagKey) ? flags[flagKey] : undefined;
    if (entry === undefined) {
      return state.status === 'loading'
        ? errorResolution(defaultValue, 'PROVIDER_NOT_READY', '@halyard/openfeature: the flag snapshot has not loaded yet')
        : errorResolution(defaultValue, 'FLAG_NOT_FOUND', `@halyard/openfeature: flag "${flagKey}" is not in the snapshot; check the key or the flag service`);
    }
    if (entry.errorCode !== undefined) return errorResolution(defaultValue, entry.errorCode, `@halyard/openfeature: flag "${flagKey}" failed to evaluate on the server (${entry.errorCode})`);
    if (!matchesType(entry.value, type)) return typeMismatch(flagKey, defaultValue, type, entry.value);
    this.store.expose(flagKey);
    // Entries keep their identity across polls (structural sharing), so their resolutions can be cached.
    return this.resolutions.success<T>(entry, true);
  }

  private readonly onStoreChange = (): void => {
    if (!this.initialized) return;
    const state = this.store.getSnapshot();

    const previous = this.snapshot;
    if (state.snapshot !== previous && this.reconciling === 0) {
      this.snapshot = state.snapshot;
      if (previous !== undefined && state.snapshot.version !== previous.version) {
        const flagsChanged = changedEntries(previous, state.snapshot);
        if (flagsChanged.length > 0) {
          this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged, metadata: { version: state.snapshot.version } });
        }
      }
    }

    if (state.status === this.lastStatus) return;
    this.lastStatus = state.status;
    if (state.status === 'stale') {
      this.events.emit(ProviderEvents.Stale, { message: staleMessage(state.error) });
    } else if (state.status === 'ready') {
      this.events.emit(ProviderEvents.Ready, { message: 'Halyard snapshot endpoint recovered' });
    }
  };
}

/** The store keeps unchanged entries' identity across updates, so identity is enough to find what changed. */
function changedEntries(previous: FlagSnapshot, next: FlagSnapshot): string[] {
  const changed: string[] = [];
  for (const key in next.flags) if (next.flags[key] !== previous.flags[key]) changed.push(key);
  for (const key in previous.flags) if (!(key in next.flags)) changed.push(key);
  return changed;
}

function staleMessage(error: Error | undefined): string {
  return `Halyard snapshot endpoint failed; serving the last values: ${error?.message ?? 'unknown error'}`;
}
