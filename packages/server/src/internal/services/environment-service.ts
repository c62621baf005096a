import type { FlagsDocument, JsonValue } from '@halyard/core';
import { ConflictError, NotFoundError } from '../errors';
import type { Store } from '../store/store';
import type { Actor, EnvironmentInfo } from '../store/types';
import type { Propagation } from './propagation';
import { auditRecord, requireFound } from './rules';

export interface NewEnvironment {
  key: string;
  /** Default: the key. */
  name?: string | undefined;
  /** Copy every flag and segment of this environment (archived flags stay behind). */
  copyFrom?: string | undefined;
}

const envNotFound = (env: string) => new NotFoundError(`Environment "${env}"`);

/** Environments: each has its own flags, segments, keys and document version. */
export class EnvironmentService {
  constructor(
    private readonly store: Store,
    private readonly propagation: Propagation,
  ) {}

  list(): Promise<EnvironmentInfo[]> {
    return this.store.environments.list();
  }

  async get(env: string): Promise<EnvironmentInfo> {
    return requireFound(await this.store.environments.find(env), `Environment "${env}"`);
  }

  /** The environment's current served document (archived flags left out). */
  async document(env: string): Promise<FlagsDocument> {
    return requireFound(await this.store.documents.load(env), `Environment "${env}"`);
  }

  async create(actor: Actor, input: NewEnvironment): Promise<EnvironmentInfo> {
    const name = input.name ?? input.key;
    const { info, document } = await this.store.transaction(async (tx) => {
      if (await tx.environments.find(input.key)) throw new ConflictError(`Environment "${input.key}" already exists`);
      const info = await tx.environments.insert(input.key, name);
      // A concurrent create of the same key won the race.
      if (!info) throw new ConflictError(`Environment "${input.key}" already exists`);
      if (input.copyFrom !== undefined) {
        if (!(await tx.environments.find(input.copyFrom, 'share'))) throw new NotFoundError(`Environment "${input.copyFrom}" (copyFrom)`);
        await tx.resources.copyEnvironment(input.copyFrom, info.key);
      }
      const document = await tx.documents.load(info.key);
      const after = { key: info.key, name: info.name, ...(input.copyFrom !== undefined ? { copiedFrom: input.copyFrom } : {}) };
      await tx.audit.append(actor, auditRecord('environment.create', info.key, 'environment', info.key, null, after));
      await tx.notify({ type: 'env', env: info.key, version: info.version });
      return { info, document };
    });
    if (document) await this.propagation.documentChanged(info.key, document);
    return info;
  }

  /** Renaming to the current name writes nothing. */
  async rename(actor: Actor, env: string, name: string): Promise<EnvironmentInfo> {
    return this.store.transaction(async (tx) => {
      const before = await tx.environments.find(env, 'update');
      if (!before) throw envNotFound(env);
      if (before.name === name) return before;
      const after = (await tx.environments.rename(env, name))!;
      await tx.audit.append(actor, auditRecord('environment.update', env, 'environment', env, { key: env, name: before.name }, { key: env, name: after.name }));
      return after;
    });
  }

  /** Deletes the environment with its flags, segments and keys; its open streams end and its keys stop working. */
  async delete(actor: Actor, env: string): Promise<void> {
    const revoked = await this.store.transaction(async (tx) => {
      const info = await tx.environments.find(env, 'update');
      if (!info) throw envNotFound(env);
      const document = await tx.documents.load(env);
      const keyIds = await tx.keys.activeIdsOfEnvironment(env);
      await tx.environments.delete(env);
      const before = { key: env, name: info.name, document: document as unknown as JsonValue, deletedKeys: keyIds };
      await tx.audit.append(actor, auditRecord('environment.delete', env, 'environment', env, before, null));
      await tx.notify({ type: 'env-deleted', env });
      return new Set(keyIds);
    });
    this.propagation.environmentDeleted(env, revoked);
  }
}
