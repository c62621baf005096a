import type { ChangeMessage } from '../changes';
import { AuditStore } from './audit-store';
import { CodeRefStore } from './code-ref-store';
import type { Database, Queryable, UnitOfWork } from './db';
import { DocumentStore } from './document-store';
import { EnvironmentStore } from './environment-store';
import { IdempotencyStore } from './idempotency-store';
import { KeyStore } from './key-store';
import { ReleasePlanStore } from './release-plan-store';
import { ResourceStore } from './resource-store';
import { SessionStore } from './session-store';

/** The tables, read through one connection (the pool, or one transaction). */
export interface StoreSession {
  readonly environments: EnvironmentStore;
  readonly resources: ResourceStore;
  readonly documents: DocumentStore;
  readonly keys: KeyStore;
  readonly audit: AuditStore;
  readonly idempotency: IdempotencyStore;
  readonly releasePlans: ReleasePlanStore;
  readonly codeRefs: CodeRefStore;
  readonly sessions: SessionStore;
}

/** A session inside one transaction: what it writes commits together, with the change notification. */
export interface StoreTransaction extends StoreSession {
  /** Queues the cross-instance notification; it is delivered if and when the transaction commits. */
  notify(message: ChangeMessage): Promise<void>;
}

/** Sends a change notification inside a transaction (Postgres NOTIFY); see ChangeBus. */
export type TransactionNotifier = (tx: Queryable, message: ChangeMessage) => Promise<void>;

const session = (q: Queryable): StoreSession => ({
  environments: new EnvironmentStore(q),
  resources: new ResourceStore(q),
  documents: new DocumentStore(q),
  keys: new KeyStore(q),
  audit: new AuditStore(q),
  idempotency: new IdempotencyStore(q),
  releasePlans: new ReleasePlanStore(q),
  codeRefs: new CodeRefStore(q),
  sessions: new SessionStore(q),
});

/**
 * The store layer: SQL only. It knows nothing of HTTP, caches or business rules; it returns records or
 * `undefined`, and the services decide what a missing row means. `transaction` runs a unit of work that commits
 * entirely or not at all.
 */
export class Store implements StoreSession {
  readonly environments: EnvironmentStore;
  readonly resources: ResourceStore;
  readonly documents: DocumentStore;
  readonly keys: KeyStore;
  readonly audit: AuditStore;
  readonly idempotency: IdempotencyStore;
  readonly releasePlans: ReleasePlanStore;
  readonly codeRefs: CodeRefStore;
  readonly sessions: SessionStore;

  constructor(
    private readonly db: Database,
    private readonly notifier: TransactionNotifier = async () => {},
  ) {
    ({
      environments: this.environments,
      resources: this.resources,
      documents: this.documents,
      keys: this.keys,
      audit: this.audit,
      idempotency: this.idempotency,
      releasePlans: this.releasePlans,
      codeRefs: this.codeRefs,
      sessions: this.sessions,
    } = session(db));
  }

  get kind(): Database['kind'] {
    return this.db.kind;
  }

  /** A cheap round trip, for health checks. */
  async ping(): Promise<void> {
    await this.db.query('select 1');
  }

  /**
   * One transaction that everything run inside `unit.run` joins (its `transaction`s become savepoints), committed
   * or rolled back by the caller as a whole: how an `Idempotency-Key` is stored with the write it belongs to.
   */
  openUnit(): Promise<UnitOfWork> {
    return this.db.openUnit();
  }

  transaction<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    return this.db.transaction((q) => fn({ ...session(q), notify: (message) => this.notifier(q, message) }));
  }
}
