import { createFlagClient } from '@halyard/core';
import type { ExposureEvent, FlagClient, FlagSource, JsonValue, SourceUpdate } from '@halyard/core';
import { definitionsFor, withReason, type TestFlagOptions, type TestFlagValues } from './document';

export interface TestClientOptions extends TestFlagOptions {
  /** Receives exposures exactly like a production client's `onExposure`. */
  onExposure?: (event: ExposureEvent) => void;
}

/** A real `FlagClient` serving fixed values, plus `set` to change them mid-test. */
export interface TestFlagClient extends FlagClient {
  /**
   * Serve `value` for `key` from now on (`undefined` removes the flag) and notify subscribers, as a production
   * client does when new definitions arrive. `variant` names the variant served (see `TestFlagOptions.variants`).
   */
  set(key: string, value: JsonValue | undefined, variant?: string): void;
  /** The values served right now. */
  readonly values: TestFlagValues;
}

/**
 * Creates a ready `FlagClient` that serves `values` to every context. It is the real `createFlagClient` fed by an
 * in-memory source, so defaults, type mismatches, missing flags, subscriptions and exposures behave exactly as
 * in production.
 *
 * @example
 * ```ts
 * const client = createTestClient({ 'new-checkout': true, 'max-items': 3 });
 * client.isEnabled('new-checkout'); // true
 * client.set('new-checkout', false); // subscribers are notified
 * ```
 */
export function createTestClient(values: TestFlagValues = {}, options: TestClientOptions = {}): TestFlagClient {
  let current: TestFlagValues = { ...values };
  let variants: Record<string, string> = { ...options.variants };
  const flagOptions = (): TestFlagOptions => ({ reasons: options.reasons, variants });
  let emit: ((update: SourceUpdate) => void) | undefined;
  // Built here, not in start(): the client turns a throwing source into status "error", but bad test values
  // should fail the test loudly.
  let definitions = definitionsFor(current, flagOptions());
  const source: FlagSource = {
    name: 'test',
    start(next) {
      emit = next;
      next({ type: 'definitions', definitions });
      return () => {
        emit = undefined;
      };
    },
  };
  const client = createFlagClient({ source, onExposure: options.onExposure, logger: false });
  return {
    ...client,
    // Spread copies getters as values: keep the live ones.
    get status() {
      return client.status;
    },
    getDetails(key, defaultValue, context) {
      return withReason(key, client.getDetails(key, defaultValue, context), options);
    },
    evaluateAll(context) {
      const snapshot = client.evaluateAll(context);
      if (!options.reasons) return snapshot;
      const flags: typeof snapshot.flags = {};
      for (const [key, entry] of Object.entries(snapshot.flags)) flags[key] = withReason(key, entry, options);
      return { version: `${snapshot.version}-${JSON.stringify(options.reasons)}`, flags };
    },
    set(key, value, variant) {
      const next = { ...current, [key]: value };
      const nextVariants = { ...variants };
      if (variant === undefined) delete nextVariants[key];
      else nextVariants[key] = variant;
      // Validate before committing, so a bad value throws and leaves the client as it was.
      definitions = definitionsFor(next, { reasons: options.reasons, variants: nextVariants });
      current = next;
      variants = nextVariants;
      emit?.({ type: 'definitions', definitions });
    },
    get values() {
      return current;
    },
  };
}
