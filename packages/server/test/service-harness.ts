import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChangeBus } from '../src/internal/changes';
import { DocumentHub } from '../src/internal/document-hub';
import type { Services } from '../src/internal/http/api';
import { KeyRing } from '../src/internal/keys';
import { AuditService } from '../src/internal/services/audit-service';
import { DocumentService } from '../src/internal/services/document-service';
import { EnvironmentService } from '../src/internal/services/environment-service';
import { FlagService } from '../src/internal/services/flag-service';
import { KeyService } from '../src/internal/services/key-service';
import { Propagation } from '../src/internal/services/propagation';
import { ResourceService } from '../src/internal/services/resource-service';
import { SdkService } from '../src/internal/services/sdk-service';
import { openPglite, type Database } from '../src/internal/store/db';
import { migrate } from '../src/internal/store/migrations';
import { Store } from '../src/internal/store/store';
import type { Actor } from '../src/internal/store/types';

/** The service and store layers on a fresh PGlite database, wired as createServer wires them, without HTTP. */
export interface ServiceHarness {
  db: Database;
  store: Store;
  hub: DocumentHub;
  keys: KeyRing;
  services: Services;
  /** The first admin token, as on a first start. */
  bootstrapToken: string;
  close(): Promise<void>;
}

export const ACTOR: Actor = { id: null, name: 'unit test' };

export async function openServiceHarness(): Promise<ServiceHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'halyard-services-'));
  const db = await openPglite(dir);
  const { bootstrapToken } = await migrate(db);
  const store = new Store(db);
  const keys = new KeyRing(store.keys);
  await keys.reload();
  const hub = new DocumentHub({ store, heartbeatMs: 60_000, onError: () => {} });
  const bus = new ChangeBus({ db, namespace: dir, postgresNotify: false, redisUrl: undefined, redisChannel: undefined, onMessage: () => {}, onResync: () => {}, onError: () => {} });
  const propagation = new Propagation(hub, bus, keys);
  const resources = new ResourceService(store, propagation);
  return {
    db,
    store,
    hub,
    keys,
    bootstrapToken: bootstrapToken!,
    services: {
      environments: new EnvironmentService(store, propagation),
      resources,
      flags: new FlagService(resources),
      documents: new DocumentService(store, propagation),
      keys: new KeyService(store, propagation),
      audit: new AuditService(store),
      sdk: new SdkService(hub),
    },
    async close() {
      hub.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
