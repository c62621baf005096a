import type { FlagsDocument } from '@halyard/core';
import type { ChangeBus } from '../changes';
import type { DocumentHub } from '../document-hub';
import type { ApiKey, KeyRing } from '../keys';
import { afterCommit } from '../store/db';

/**
 * What happens after a write committed: this instance serves the new state at once (read-your-writes without a
 * round trip) and the other instances are told (Redis; Postgres NOTIFY was already sent inside the transaction).
 */
export class Propagation {
  constructor(
    private readonly hub: DocumentHub,
    private readonly bus: ChangeBus,
    private readonly keys: KeyRing,
    /** Called after each committed change is applied here (the dashboard's live feed reads the audit log then). */
    private readonly onCommitted: () => void = () => {},
    /** Awaited after a flags document is served here (the experiments' metric names are re-read then). */
    private readonly onDocumentCommitted: (env: string, document: FlagsDocument) => Promise<void> = async () => {},
  ) {}

  // Each step waits for the commit of the request's unit of work, if it runs in one (Idempotency-Key): a change
  // that may still roll back is neither served nor announced.
  async documentChanged(env: string, document: FlagsDocument): Promise<void> {
    await afterCommit(async () => {
      await this.hub.publish(env, document);
      this.bus.afterCommit({ type: 'env', env, version: Number(document.version) });
      this.onCommitted();
      await this.onDocumentCommitted(env, document);
    });
  }

  environmentDeleted(env: string, revokedKeyIds: ReadonlySet<string>): void {
    afterCommit(() => this.environmentDeletedNow(env, revokedKeyIds));
  }

  private environmentDeletedNow(env: string, revokedKeyIds: ReadonlySet<string>): void {
    for (const id of revokedKeyIds) this.keys.forget(id);
    // Keys first: once the streams end, reconnecting SDKs must already get 401, not a half-deleted state.
    this.hub.revoke(revokedKeyIds);
    this.hub.dropped(env);
    this.bus.afterCommit({ type: 'env-deleted', env });
    this.onCommitted();
  }

  keyCreated(key: ApiKey, hash: string): void {
    afterCommit(() => {
      this.keys.remember(key, hash);
      this.bus.afterCommit({ type: 'keys' });
      this.onCommitted();
    });
  }

  keyRevoked(id: string): void {
    afterCommit(() => {
      this.keys.forget(id);
      this.hub.revoke(new Set([id]));
      this.bus.afterCommit({ type: 'keys' });
      this.onCommitted();
    });
  }
}
