import type { DocumentHub } from '../document-hub';
import type { Store } from '../store/store';
import { AuditService } from './audit-service';
import { CodeRefService } from './code-ref-service';
import { DocumentService } from './document-service';
import { EnvironmentService } from './environment-service';
import { ExperimentService } from './experiments/experiment-service';
import type { Events } from './events/ingest';
import { FlagService } from './flag-service';
import { IdempotencyService } from './idempotency-service';
import { KeyService } from './key-service';
import type { Propagation } from './propagation';
import { ReleasePlanService, type ReleasePlanOptions } from './release-plans/release-plan-service';
import { ResourceService } from './resource-service';
import { SdkService } from './sdk-service';
import { RevertService } from './revert-service';
import { SessionService, type SessionOptions } from './session-service';

/** The services layer: every rule of the service, over the store. The HTTP layer calls these and nothing below. */
export interface Services {
  environments: EnvironmentService;
  resources: ResourceService;
  flags: FlagService;
  documents: DocumentService;
  keys: KeyService;
  audit: AuditService;
  sdk: SdkService;
  /** `Idempotency-Key` of admin writes. */
  idempotency: IdempotencyService;
  /** SDK events: ingestion and the aggregates' read API (absent where the service runs without them). */
  events?: Events | undefined;
  /** Release plans and scheduled changes (docs/release-safety.md). */
  releasePlans: ReleasePlanService;
  /** Code references uploaded by `halyard code-refs --upload`. */
  codeRefs: CodeRefService;
  /** Dashboard sign-in sessions (cookie + CSRF). */
  sessions: SessionService;
  /** "Revert this change" from the audit log. */
  revert: RevertService;
  /** Experiment results over the event aggregates (absent without events). */
  experiments?: ExperimentService | undefined;
}

export function createServices(
  store: Store,
  propagation: Propagation,
  hub: DocumentHub,
  events?: Events,
  releasePlans: Omit<ReleasePlanOptions, 'metrics'> = {},
  sessions: SessionOptions = {},
): Services {
  const resources = new ResourceService(store, propagation);
  const flags = new FlagService(resources);
  const environments = new EnvironmentService(store, propagation);
  return {
    environments,
    resources,
    flags,
    documents: new DocumentService(store, propagation),
    keys: new KeyService(store, propagation),
    audit: new AuditService(store),
    sdk: new SdkService(hub),
    idempotency: new IdempotencyService(store),
    events,
    releasePlans: new ReleasePlanService(store, resources, flags, { ...releasePlans, metrics: events?.metrics }),
    codeRefs: new CodeRefService(store),
    sessions: new SessionService(store, sessions),
    revert: new RevertService(store, resources),
    experiments: events === undefined ? undefined : new ExperimentService(events.experimentStore, resources, environments),
  };
}
