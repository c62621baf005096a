import type { DocumentHub } from '../document-hub';
import type { Store } from '../store/store';
import { AuditService } from './audit-service';
import { DocumentService } from './document-service';
import { EnvironmentService } from './environment-service';
import { FlagService } from './flag-service';
import { KeyService } from './key-service';
import type { Propagation } from './propagation';
import { ResourceService } from './resource-service';
import { SdkService } from './sdk-service';

/** The services layer: every rule of the service, over the store. The HTTP layer calls these and nothing below. */
export interface Services {
  environments: EnvironmentService;
  resources: ResourceService;
  flags: FlagService;
  documents: DocumentService;
  keys: KeyService;
  audit: AuditService;
  sdk: SdkService;
}

export function createServices(store: Store, propagation: Propagation, hub: DocumentHub): Services {
  const resources = new ResourceService(store, propagation);
  return {
    environments: new EnvironmentService(store, propagation),
    resources,
    flags: new FlagService(resources),
    documents: new DocumentService(store, propagation),
    keys: new KeyService(store, propagation),
    audit: new AuditService(store),
    sdk: new SdkService(hub),
  };
}
