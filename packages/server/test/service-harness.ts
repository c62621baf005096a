import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChangeBus } from '../src/internal/changes';
import { DocumentHub } from '../src/internal/document-hub';
import { KeyRing } from '../src/internal/keys';
import { Propagation } from '../src/internal/services/propagation';
import { createServices, type Services } from '../src/internal/services/services';
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
  return {
    db,
    store,
    hub,
    keys,
    bootstrapToken: bootstrapToken!,
    services: createServices(store, new Propagation(hub, bus, keys), hub),
    async close() {
      hub.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
