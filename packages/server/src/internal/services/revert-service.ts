import type { JsonValue } from '@halyard/core';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { deepEqual } from '../json';
import type { Store } from '../store/store';
import type { Actor, AuditEntry, ResourceKind } from '../store/types';
import type { Definition, ResourceChange, ResourceService } from './resource-service';

const describe = (entry: AuditEntry) => `entry ${entry.id} (${entry.action} by ${entry.actor.name} at ${entry.at})`;

/**
 * "Revert this change" from the audit log: puts a flag or segment back into the state the entry's `before`
 * records, as a new audited change whose entry carries `metadata.revertOf`. Only the newest change of a resource
 * can be reverted: once something changed it later, reverting the older entry would silently undo that too, so
 * the answer is 409 naming the later change.
 */
export class RevertService {
  constructor(
    private readonly store: Store,
    private readonly resources: ResourceService,
  ) {}

  async revert(actor: Actor, id: string): Promise<AuditEntry> {
    const entry = /^\d{1,18}$/.test(id) ? await this.store.audit.find(id) : undefined;
    if (!entry) throw new NotFoundError(`Audit entry "${id.slice(0, 40)}"`);
    const kind = entry.resourceType;
    if ((kind !== 'flag' && kind !== 'segment') || entry.environment === null) {
      throw ValidationError.at('params.id', `${describe(entry)} cannot be reverted: only flag and segment changes can; change the ${kind} directly instead`);
    }
    const env = entry.environment;
    const later = await this.store.audit.latestAfter(kind, env, entry.resourceKey, entry.id);
    if (later) throw new ConflictError(`The ${kind} "${entry.resourceKey}" changed after ${describe(entry)}: ${describe(later)}; revert that change first, or edit the ${kind}`);
    const metadata: Record<string, JsonValue> = { revertOf: entry.id };
    const outcome = await this.resources.change<Definition>(actor, kind as ResourceKind, env, entry.resourceKey, (current): ResourceChange<Definition> => {
      // Re-checked under the environment's lock: a write may have landed since the look-up above.
      const archived = entry.action === `${kind}.archive`;
      const restored = entry.action === `${kind}.restore`;
      // An archive leaves the flag archived; anything else that keeps the resource leaves it live.
      const matches = entry.after === null ? current === undefined : current !== undefined && deepEqual(current.definition, entry.after) && (current.archivedAt !== undefined) === archived;
      if (!matches) throw new ConflictError(`The ${kind} "${entry.resourceKey}" is no longer in the state ${describe(entry)} left it in; reload it and change it directly`);
      if (archived) return { action: `${kind}.restore`, restore: true, metadata };
      if (restored) return { action: `${kind}.archive`, archive: true, metadata };
      if (entry.before === null) return { action: `${kind}.delete`, delete: true, metadata };
      const before = entry.before as unknown as Definition;
      if (current !== undefined && deepEqual(current.definition, before)) throw new ConflictError(`${describe(entry)} changed nothing to revert`);
      return { action: current === undefined ? `${kind}.create` : `${kind}.update`, definition: before, metadata };
    });
    if (!outcome.audit) throw new ConflictError(`${describe(entry)} changed nothing to revert`);
    return outcome.audit;
  }
}
