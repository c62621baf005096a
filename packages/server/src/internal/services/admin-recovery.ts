import type { JsonValue } from '@halyard/core';
import { createKey, type ApiKey } from '../keys';
import type { Store } from '../store/store';
import type { Actor } from '../store/types';
import { auditRecord } from './rules';

/** Who a recovered token was made by, in `created_by` and the audit log. */
export const RECOVERY_ACTOR: Actor = { id: null, name: 'recovery' };

/**
 * Mints a new admin token (role admin) straight in the database: the way back in for an operator with database
 * access when no admin token is left (lost, or revoked before the last-admin guard existed). Audited as
 * `key.create` by actor `recovery`; running instances load it on the keys notification or their next resync.
 */
export async function recoverAdmin(store: Store, name: string): Promise<{ key: ApiKey; token: string }> {
  const created = createKey('admin');
  const key = await store.transaction(async (tx) => {
    const key = await tx.keys.insert(created, { type: 'admin', name, role: 'admin' }, RECOVERY_ACTOR.name);
    await tx.audit.append(RECOVERY_ACTOR, auditRecord('key.create', null, 'key', key.id, null, key as unknown as JsonValue));
    await tx.notify({ type: 'keys' });
    return key;
  });
  return { key, token: created.token };
}
