import type { BreakerState, Definitions, FlagBreaker, FlagDefinition, Outcome } from './types';

/*
 * The SDK side of a flag's circuit breaker (docs/release-safety.md, "Circuit breakers"): `guard` outcomes of the
 * watched variants go into a sliding window of per-second buckets (one ring per flag and variant, so memory is
 * bounded by `windowSeconds`); when a variant's error rate reaches `errorRate` with at least `minRequests`
 * outcomes, the breaker opens and the client serves the flag as if it were disabled — in this process, at once,
 * without waiting for the service. The client does that by evaluating an overlay of the definitions in which the
 * open flags are `enabled: false` (see {@link Breakers.overlay}), so the evaluator's hot path is untouched.
 */

export interface BreakerOptions {
  /** The breaker clock (ms); default `Date.now`. Tests inject one. */
  now?: () => number;
  /** Called whenever a breaker opens, goes half-open or closes. */
  onChange?: (state: BreakerState) => void;
}

/** A ring of per-second buckets: `seconds[i]` is the second the counts in slot `i` belong to. */
class Ring {
  private readonly seconds: Float64Array;
  private readonly ok: Uint32Array;
  private readonly failed: Uint32Array;
  constructor(private readonly size: number) {
    this.seconds = new Float64Array(size).fill(-1);
    this.ok = new Uint32Array(size);
    this.failed = new Uint32Array(size);
  }
  add(second: number, ok: boolean): void {
    const i = second % this.size;
    if (this.seconds[i] !== second) {
      this.seconds[i] = second;
      this.ok[i] = 0;
      this.failed[i] = 0;
    }
    if (ok) this.ok[i] = (this.ok[i] as number) + 1;
    else this.failed[i] = (this.failed[i] as number) + 1;
  }
  /** Outcomes of the last `size` seconds ending with `second`. */
  totals(second: number): { errors: number; requests: number } {
    let errors = 0;
    let requests = 0;
    for (let i = 0; i < this.size; i++) {
      const s = this.seconds[i] as number;
      if (s > second - this.size && s <= second) {
        errors += this.failed[i] as number;
        requests += (this.failed[i] as number) + (this.ok[i] as number);
      }
    }
    return { errors, requests };
  }
}

interface Entry {
  config: FlagBreaker;
  watched: ReadonlySet<string>;
  rings: Map<string, Ring>;
  state: BreakerState['state'];
  variant?: string;
  openedAt?: number;
  errors?: number;
  requests?: number;
}

/** Whether `errors` of `requests` trips `config` (the one threshold rule; the service uses it too). */
export function breakerTrips(config: FlagBreaker, errors: number, requests: number): boolean {
  return requests >= config.minRequests && requests > 0 && errors / requests >= config.errorRate;
}

const sameConfig = (a: FlagBreaker, b: FlagBreaker): boolean =>
  a.errorRate === b.errorRate &&
  a.minRequests === b.minRequests &&
  a.windowSeconds === b.windowSeconds &&
  a.halfOpenAfterSeconds === b.halfOpenAfterSeconds &&
  (a.variants ?? []).join('\u0000') === (b.variants ?? []).join('\u0000');

/** The variants a breaker watches: its `variants`, else every variant but `offVariant`. */
export function watchedVariants(flag: FlagDefinition, config: FlagBreaker): string[] {
  return config.variants ?? Object.keys(flag.variants).filter((name) => name !== flag.offVariant);
}

/** The per-process breakers of one client. */
export interface Breakers {
  /** Takes the breakers of new definitions: unchanged settings keep their state; others start closed. */
  sync(definitions: Definitions): void;
  /** Feeds one outcome; `true` when a breaker changed state (the client then rebuilds its overlay). */
  record(outcome: Outcome): boolean;
  /** Moves open breakers whose half-open time has come; `true` when one changed. */
  tick(): boolean;
  /** `definitions` with every open flag disabled, or `definitions` itself when none is open. */
  overlay(definitions: Definitions): Definitions;
  /** Whether flag `key`'s breaker is open. */
  isOpen(key: string): boolean;
  /** Whether any breaker is open (a cheap check for the read path). */
  readonly anyOpen: boolean;
  /** Milliseconds until the next half-open transition, or `undefined`. */
  nextTransitionIn(): number | undefined;
  list(): BreakerState[];
}

export function createBreakers(options: BreakerOptions = {}): Breakers {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  let open = 0;

  const snapshot = (flag: string, e: Entry): BreakerState => {
    const out: BreakerState = { flag, state: e.state, config: e.config };
    if (e.variant !== undefined) out.variant = e.variant;
    if (e.openedAt !== undefined) out.openedAt = e.openedAt;
    if (e.errors !== undefined) out.errors = e.errors;
    if (e.requests !== undefined) out.requests = e.requests;
    return out;
  };
  const changed = (flag: string, e: Entry): true => {
    open = 0;
    for (const x of entries.values()) if (x.state === 'open') open++;
    try {
      options.onChange?.(snapshot(flag, e));
    } catch {
      // A listener's failure must not affect the guarded call that fed the outcome.
    }
    return true;
  };
  const trip = (flag: string, e: Entry, variant: string, errors: number, requests: number): true => {
    e.state = 'open';
    e.variant = variant;
    e.openedAt = now();
    e.errors = errors;
    e.requests = requests;
    return changed(flag, e);
  };

  return {
    sync(definitions) {
      const seen = new Set<string>();
      for (const [key, flag] of Object.entries(definitions.flags)) {
        const config = flag.breaker;
        if (config === undefined) continue;
        seen.add(key);
        const existing = entries.get(key);
        // Killed at the source (the service's breaker, a person): this breaker's job is done. Starting closed
        // means a person re-enabling the flag later is obeyed by every process.
        if (existing !== undefined && sameConfig(existing.config, config) && flag.enabled) continue;
        entries.set(key, { config, watched: new Set(watchedVariants(flag, config)), rings: new Map(), state: 'closed' });
      }
      for (const key of [...entries.keys()]) if (!seen.has(key)) entries.delete(key);
      open = 0;
      for (const x of entries.values()) if (x.state === 'open') open++;
    },
    record(outcome) {
      const e = entries.get(outcome.flag);
      if (e === undefined || !e.watched.has(outcome.variant) || e.state === 'open') return false;
      if (e.state === 'half-open') {
        // The first probe decides: a failure opens it again, a success closes it with an empty window.
        if (outcome.ok) {
          e.state = 'closed';
          e.rings.clear();
          return changed(outcome.flag, e);
        }
        return trip(outcome.flag, e, outcome.variant, 1, 1);
      }
      const second = Math.floor(now() / 1000);
      let ring = e.rings.get(outcome.variant);
      if (ring === undefined) e.rings.set(outcome.variant, (ring = new Ring(e.config.windowSeconds)));
      ring.add(second, outcome.ok);
      if (outcome.ok) return false;
      const { errors, requests } = ring.totals(second);
      return breakerTrips(e.config, errors, requests) ? trip(outcome.flag, e, outcome.variant, errors, requests) : false;
    },
    tick() {
      let any = false;
      const t = now();
      for (const [key, e] of entries) {
        const after = e.config.halfOpenAfterSeconds;
        if (e.state === 'open' && after !== undefined && e.openedAt !== undefined && t >= e.openedAt + after * 1000) {
          e.state = 'half-open';
          e.rings.clear();
          any = changed(key, e);
        }
      }
      return any;
    },
    overlay(definitions) {
      if (open === 0) return definitions;
      const flags: Record<string, FlagDefinition> = { ...definitions.flags };
      for (const [key, e] of entries) {
        const flag = flags[key];
        if (e.state === 'open' && flag !== undefined) flags[key] = { ...flag, enabled: false };
      }
      return { ...definitions, flags };
    },
    isOpen(key) {
      return entries.get(key)?.state === 'open';
    },
    get anyOpen() {
      return open > 0;
    },
    nextTransitionIn() {
      let next: number | undefined;
      const t = now();
      for (const e of entries.values()) {
        const after = e.config.halfOpenAfterSeconds;
        if (e.state !== 'open' || after === undefined || e.openedAt === undefined) continue;
        const due = Math.max(0, e.openedAt + after * 1000 - t);
        if (next === undefined || due < next) next = due;
      }
      return next;
    },
    list() {
      return [...entries].map(([key, e]) => snapshot(key, e));
    },
  };
}
