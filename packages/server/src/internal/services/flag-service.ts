import type { FlagDefinition } from '@halyard/core';
import { deepEqual } from '../json';
import type { Actor, StoredResource } from '../store/types';
import type { Preconditions, ResourceService, WriteOutcome } from './resource-service';
import { rolloutServe, type RolloutInput } from './rollout';

/**
 * The flag-only operations, each one write through ResourceService: the kill switch, percentage rollouts,
 * archiving and restoring. Setting what is already there writes nothing (no version, no audit entry).
 */
export class FlagService {
  constructor(private readonly resources: ResourceService) {}

  /** The kill switch: `enabled` sets it; `undefined` flips it. One call, no read first. */
  toggle(actor: Actor, env: string, key: string, enabled: boolean | undefined, conditions: Preconditions = {}): Promise<WriteOutcome<FlagDefinition>> {
    return this.resources.change<FlagDefinition>(actor, 'flag', env, key, (found) => {
      const current = this.existing(env, key, found, conditions);
      const next = enabled ?? !current.definition.enabled;
      if (current.definition.enabled === next) return { unchanged: true };
      return { action: 'flag.toggle', definition: { ...current.definition, enabled: next } };
    });
  }

  /** Percentage rollout in one call (see rolloutServe); does not touch `enabled`. */
  rollout(actor: Actor, env: string, key: string, input: RolloutInput, conditions: Preconditions = {}): Promise<WriteOutcome<FlagDefinition>> {
    return this.resources.change<FlagDefinition>(actor, 'flag', env, key, (found) => {
      const current = this.existing(env, key, found, conditions);
      const defaultServe = rolloutServe(current.definition, input);
      if (deepEqual(current.definition.defaultServe, defaultServe)) return { unchanged: true };
      return { action: 'flag.rollout', definition: { ...current.definition, defaultServe } };
    });
  }

  /**
   * The flag leaves the served document (SDKs get FLAG_NOT_FOUND and their defaults) but keeps its definition,
   * versions and audit history. Refused while other flags still reference it (the document would be invalid).
   */
  archive(actor: Actor, env: string, key: string, conditions: Preconditions = {}): Promise<WriteOutcome<FlagDefinition>> {
    return this.resources.change<FlagDefinition>(actor, 'flag', env, key, (found) => {
      const current = this.existing(env, key, found, conditions);
      if (current.archivedAt !== undefined) return { unchanged: true };
      return { action: 'flag.archive', archive: true };
    });
  }

  restore(actor: Actor, env: string, key: string, conditions: Preconditions = {}): Promise<WriteOutcome<FlagDefinition>> {
    return this.resources.change<FlagDefinition>(actor, 'flag', env, key, (found) => {
      const current = this.existing(env, key, found, conditions);
      if (current.archivedAt === undefined) return { unchanged: true };
      return { action: 'flag.restore', restore: true };
    });
  }

  private existing(env: string, key: string, found: StoredResource<FlagDefinition> | undefined, conditions: Preconditions): StoredResource<FlagDefinition> {
    return this.resources.existing('flag', env, key, found, conditions);
  }
}
