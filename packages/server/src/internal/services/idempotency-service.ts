import { IdempotencyKeyInUseError, IdempotencyKeyReusedError, ValidationError } from '../errors';
import type { UnitOfWork } from '../store/db';
import type { IdempotencyRecord, IdempotencyScope, StoredResponse } from '../store/idempotency-store';
import type { Store } from '../store/store';

export type { IdempotencyScope, StoredResponse };

/** Longest accepted `Idempotency-Key`. */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;
/** How long a key is remembered: a retry after this is a new request. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const SWEEP_EVERY_MS = 60_000;
const SWEEP_BATCH = 1000;

/** Visible ASCII only: the key is an opaque token chosen by the client (a UUID, typically). */
const KEY_PATTERN = /^[\x21-\x7e]+$/;

/** A first request: run it inside `unit`, then `complete` with its answer before committing. */
export interface IdempotentWrite {
  unit: UnitOfWork;
  complete(response: StoredResponse): Promise<void>;
}

/**
 * `Idempotency-Key` for admin writes. The key is claimed inside the write's own transaction (a unit of work the
 * whole request joins) together with the answer, so a write and its key commit together or not at all: a retry
 * after a lost answer replays the recorded answer instead of writing twice, and a write that failed (any 4xx or
 * 5xx) leaves the key unused. Keys are scoped per token, method and path, and expire after `ttlMs`.
 */
export class IdempotencyService {
  private lastSweep = 0;

  constructor(
    private readonly store: Store,
    private readonly ttlMs = IDEMPOTENCY_TTL_MS,
    private readonly onError: (error: unknown, message: string) => void = () => {},
  ) {}

  /** Refuses a key that is empty, too long or not visible ASCII (400 naming the header). */
  static check(key: string): void {
    if (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX_LENGTH || !KEY_PATTERN.test(key)) {
      throw ValidationError.at(
        'headers.idempotency-key',
        `must be 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} visible ASCII characters (a UUID is a good choice), got ${key.length} characters`,
      );
    }
  }

  /** The recorded answer to replay, or the unit of work to run the first request in. */
  async begin(scope: IdempotencyScope, requestHash: string): Promise<{ replay: StoredResponse } | IdempotentWrite> {
    IdempotencyService.check(scope.key);
    this.sweepSometimes();
    const existing = await this.store.idempotency.find(scope);
    if (existing) return { replay: this.replayable(existing, requestHash) };
    const unit = await this.store.openUnit();
    try {
      // A concurrent request with the same key waits here until the first one commits or rolls back.
      if (await unit.run(() => this.store.idempotency.claim(scope, requestHash, this.ttlMs))) {
        return { unit, complete: (response) => unit.run(() => this.store.idempotency.complete(scope, response)) };
      }
    } catch (error) {
      await unit.rollback();
      throw error;
    }
    await unit.rollback();
    const winner = await this.store.idempotency.find(scope);
    if (!winner) throw this.inUse();
    return { replay: this.replayable(winner, requestHash) };
  }

  private replayable(record: IdempotencyRecord, requestHash: string): StoredResponse {
    if (record.requestHash !== requestHash) {
      throw new IdempotencyKeyReusedError(
        'This Idempotency-Key was already used for a different request (another body or query) to this endpoint; use a new key for a new request',
      );
    }
    if (!record.response) throw this.inUse();
    return record.response;
  }

  private inUse(): IdempotencyKeyInUseError {
    return new IdempotencyKeyInUseError('A request with this Idempotency-Key is still being processed; retry shortly', 1);
  }

  /** Lazy expiry: at most one bounded sweep per minute per instance, off the request's path. */
  private sweepSometimes(): void {
    const now = Date.now();
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    this.store.idempotency.sweep(SWEEP_BATCH).catch((error: unknown) => this.onError(error, '@halyard/server: sweeping expired idempotency keys failed'));
  }
}
