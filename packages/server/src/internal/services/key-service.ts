import type { JsonValue } from '@halyard/core';
import { LastAdminError, NotFoundError, ValidationError } from '../errors';
import { createKey, type ApiKey, type KeyType, type Role } from '../keys';
import type { Store } from '../store/store';
import type { Actor } from '../store/types';
import type { Propagation } from './propagation';
import { auditRecord } from './rules';

export interface NewKeyInput {
  type: KeyType;
  name: string;
  /** SDK and client keys: the environment they read. */
  environment?: string | undefined;
  /** Admin tokens: what they may do. */
  role?: Role | undefined;
}

const KEY_ID = /^[0-9a-f-]{36}$/;

/** API keys: SDK keys (one environment's rules), client keys (evaluation only) and admin tokens (with a role). */
export class KeyService {
  constructor(
    private readonly store: Store,
    private readonly propagation: Propagation,
  ) {}

  list(filter: { environment?: string } = {}): Promise<ApiKey[]> {
    return this.store.keys.listActive(filter);
  }

  /** Creates a key; the token is returned here only (just its hash is stored). */
  async create(actor: Actor, input: NewKeyInput): Promise<{ key: ApiKey; token: string }> {
    if (input.type === 'admin') {
      if (input.environment !== undefined) throw ValidationError.at('$.environment', 'admin tokens are not bound to an environment; remove it');
      if (input.role === undefined) throw ValidationError.at('$.role', 'is required for admin tokens: "viewer", "editor" or "admin"');
    } else {
      if (input.role !== undefined) throw ValidationError.at('$.role', 'only admin tokens have a role; remove it');
      if (input.environment === undefined) throw ValidationError.at('$.environment', `is required: the environment the ${input.type} key reads`);
    }
    const created = createKey(input.type);
    const key = await this.store.transaction(async (tx) => {
      if (input.environment !== undefined && !(await tx.environments.find(input.environment, 'share'))) {
        throw new NotFoundError(`Environment "${input.environment}"`);
      }
      const key = await tx.keys.insert(created, input.type === 'admin' ? { type: input.type, name: input.name, role: input.role! } : { type: input.type, name: input.name, environment: input.environment! }, actor.id);
      await tx.audit.append(actor, auditRecord('key.create', key.environment ?? null, 'key', key.id, null, key as unknown as JsonValue));
      await tx.notify({ type: 'keys' });
      return key;
    });
    this.propagation.keyCreated(key, created.hash);
    return { key, token: created.token };
  }

  /**
   * Takes effect at once here and on notification elsewhere; streams opened with the key end. The last active
   * admin token cannot be revoked: decided under a lock on the admin tokens, in the revoking transaction, so two
   * concurrent revocations of the last two cannot both succeed.
   */
  async revoke(actor: Actor, id: string): Promise<void> {
    if (!KEY_ID.test(id)) throw new NotFoundError(`API key "${id.slice(0, 60)}"`);
    await this.store.transaction(async (tx) => {
      const admins = await tx.keys.lockActiveAdmins();
      if (admins.length === 1 && admins[0] === id) {
        throw new LastAdminError(
          `API key "${id}" is the last active admin token; revoking it would leave nobody able to manage keys. ` +
            'Create another admin token first (halyard keys create --type admin --role admin --name …), then revoke this one. ' +
            'Locked out already? With database access: halyard admin recover',
        );
      }
      const key = await tx.keys.revoke(id);
      if (!key) throw new NotFoundError(`API key "${id}"`);
      await tx.audit.append(actor, auditRecord('key.revoke', key.environment ?? null, 'key', key.id, key as unknown as JsonValue, null));
      await tx.notify({ type: 'keys' });
    });
    this.propagation.keyRevoked(id);
  }
}
