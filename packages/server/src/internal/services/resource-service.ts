import type { FlagDefinition, FlagsDocument, JsonValue, SegmentDefinition } from '@halyard/core';
import { composeDocument } from '../compose-document';
import { ArchivedError, ConflictError, NotFoundError, PreconditionFailedError, PreconditionRequiredError } from '../errors';
import { deepEqual, mergePatch, type DiffEntry } from '../json';
import type { Store } from '../store/store';
import type { Actor, ArchivedFilter, AuditEntry, ResourceKind, StoredResource } from '../store/types';
import type { Propagation } from './propagation';
import { assertWithinLimits } from './limits';
import { assertValidDocument, auditRecord, checkIfMatch, requireFound, type EntityTags } from './rules';

export type Definition = FlagDefinition | SegmentDefinition;

/** A change to one flag or segment, decided from its current state inside the transaction. */
export type ResourceChange<T> = (
  | { action: string; definition: T }
  | { action: string; delete: true }
  | { action: string; archive: true }
  | { action: string; restore: true }
  | { unchanged: true }
) & {
  /** Recorded in the audit entry's `metadata` (a revert names the entry it reverts: `{ revertOf }`). */
  metadata?: Record<string, JsonValue>;
};

export interface WriteOutcome<T> {
  /** The resource afterwards; `undefined` once deleted. */
  resource: StoredResource<T> | undefined;
  /** Whether anything was written (a change to the current state writes nothing). */
  changed: boolean;
  /** The audit action of the write, when something was written (`flag.toggle`…). */
  action?: string;
  /** The write created the resource. */
  created: boolean;
  audit?: AuditEntry;
}

/** Conditional-request headers of a write, already parsed. */
export interface Preconditions {
  ifMatch?: EntityTags;
  ifNoneMatch?: EntityTags;
}

const LABEL: Record<ResourceKind, string> = { flag: 'Flag', segment: 'Segment' };

export const notFoundIn = (kind: ResourceKind, env: string, key: string): NotFoundError => new NotFoundError(`${LABEL[kind]} "${key}" in environment "${env}"`);

function archivedConflict(env: string, key: string): ArchivedError {
  return new ArchivedError(
    `Flag "${key}" in environment "${env}" is archived; restore it first (POST /api/v1/environments/${env}/flags/${key}/restore, or halyard flags restore ${key}) or delete it`,
  );
}

/**
 * Flags and segments: reads, and every write as one unit of work. A write locks the environment, lets the
 * caller's rule decide from the current state, refuses anything that would make the environment's document
 * invalid, writes, bumps the document version, appends exactly one audit entry and queues the notification, all
 * in one transaction; then this instance serves the new document at once.
 */
export class ResourceService {
  constructor(
    private readonly store: Store,
    private readonly propagation: Propagation,
  ) {}

  async list<T extends Definition>(kind: ResourceKind, env: string, archived: ArchivedFilter = 'exclude'): Promise<Array<StoredResource<T>>> {
    return this.store.transaction(async (tx) => {
      requireFound(await tx.environments.find(env), `Environment "${env}"`);
      return tx.resources.list<T>(kind, env, archived);
    });
  }

  async get<T extends Definition>(kind: ResourceKind, env: string, key: string): Promise<StoredResource<T>> {
    const found = await this.store.resources.find<T>(kind, env, key);
    if (found) return found;
    requireFound(await this.store.environments.find(env), `Environment "${env}"`);
    throw notFoundIn(kind, env, key);
  }

  /** Creates a resource that must not exist yet (409 otherwise). */
  create<T extends Definition>(actor: Actor, kind: ResourceKind, env: string, key: string, definition: T): Promise<WriteOutcome<T>> {
    return this.change<T>(actor, kind, env, key, (current) => {
      if (current?.archivedAt !== undefined) {
        throw new ArchivedError(`Flag "${key}" exists but is archived; restore it (POST …/flags/${key}/restore) or delete it before creating it again`);
      }
      if (current) throw new ConflictError(`${LABEL[kind]} "${key}" already exists (version ${current.version}); use PUT or PATCH to change it`);
      return { action: `${kind}.create`, definition };
    });
  }

  /**
   * Full replacement, or creation when missing. Replacing needs If-Match: a replacement is a read-modify-write,
   * and without the version it would silently overwrite a concurrent editor's change. `If-None-Match: *` creates only.
   */
  replace<T extends Definition>(actor: Actor, kind: ResourceKind, env: string, key: string, definition: T, conditions: Preconditions = {}): Promise<WriteOutcome<T>> {
    return this.change<T>(actor, kind, env, key, (current) => {
      if (current) {
        if (conditions.ifNoneMatch === '*') throw new PreconditionFailedError(current.version);
        if (conditions.ifMatch === undefined) {
          throw new PreconditionRequiredError(
            `Replacing an existing ${kind} needs If-Match with its current version (ETag "${current.version}"), so concurrent edits are never overwritten; use PATCH or toggle for a blind change`,
            current.version,
          );
        }
        checkIfMatch(conditions.ifMatch, current);
        if (deepEqual(current.definition, definition)) return { unchanged: true };
        return { action: `${kind}.update`, definition };
      }
      checkIfMatch(conditions.ifMatch, current);
      return { action: `${kind}.create`, definition };
    });
  }

  /** JSON merge patch (RFC 7396) of the definition: `{ "enabled": false }`; `{ "description": null }` removes it. */
  patch<T extends Definition>(actor: Actor, kind: ResourceKind, env: string, key: string, patch: Record<string, unknown>, conditions: Preconditions = {}): Promise<WriteOutcome<T>> {
    return this.change<T>(actor, kind, env, key, (current) => {
      const existing = this.existing(kind, env, key, current, conditions);
      const definition = mergePatch(existing.definition, patch) as T;
      if (deepEqual(existing.definition, definition)) return { unchanged: true };
      return { action: `${kind}.update`, definition };
    });
  }

  delete(actor: Actor, kind: ResourceKind, env: string, key: string, conditions: Preconditions = {}): Promise<WriteOutcome<Definition>> {
    return this.change<Definition>(actor, kind, env, key, (current) => {
      this.existing(kind, env, key, current, conditions);
      return { action: `${kind}.delete`, delete: true };
    });
  }

  /** The resource must exist and match If-Match. */
  existing<T>(kind: ResourceKind, env: string, key: string, current: StoredResource<T> | undefined, conditions: Preconditions): StoredResource<T> {
    if (!current) throw notFoundIn(kind, env, key);
    checkIfMatch(conditions.ifMatch, current);
    return current;
  }

  /**
   * Changes one flag or segment. `decide` sees the current stored resource (under the environment lock) and
   * returns what to do, or throws a domain error. Nothing is written unless the resulting environment document
   * passes `parseDefinitions`.
   */
  async change<T extends Definition>(
    actor: Actor,
    kind: ResourceKind,
    env: string,
    key: string,
    decide: (current: StoredResource<T> | undefined) => ResourceChange<T>,
  ): Promise<WriteOutcome<T>> {
    let outcome: { resource: StoredResource<T> | undefined; action?: string; audit?: AuditEntry; document?: FlagsDocument };
    try {
      outcome = await this.store.transaction(async (tx) => {
        requireFound(await tx.environments.find(env, 'update'), `Environment "${env}"`);
        const flagRows = await tx.resources.list<FlagDefinition>('flag', env, 'include');
        const segmentRows = await tx.resources.list<SegmentDefinition>('segment', env);
        const flags = new Map(flagRows.filter((r) => r.archivedAt === undefined).map((r) => [r.key, r.definition]));
        const segments = new Map(segmentRows.map((r) => [r.key, r.definition]));
        const current = ((kind === 'flag' ? flagRows : segmentRows) as Array<StoredResource<T>>).find((r) => r.key === key);

        const change = decide(current);
        if ('unchanged' in change) return { resource: current };
        if (current?.archivedAt !== undefined && 'definition' in change) throw archivedConflict(env, key);
        if (('archive' in change || 'restore' in change) && (kind !== 'flag' || !current)) throw notFoundIn(kind, env, key);

        const target = (kind === 'flag' ? flags : segments) as Map<string, T>;
        if ('delete' in change || 'archive' in change) target.delete(key);
        else if ('restore' in change) target.set(key, current!.definition);
        else {
          assertWithinLimits([{ kind, key, definition: change.definition, current: current?.definition }]);
          target.set(key, change.definition);
        }
        assertValidDocument(composeDocument(0, flags, segments));

        let resource: StoredResource<T> | undefined;
        let diff: DiffEntry[] | undefined;
        if ('delete' in change) {
          await tx.resources.delete(kind, env, [key]);
        } else if ('archive' in change || 'restore' in change) {
          resource = await tx.resources.setArchived<T>(env, key, 'archive' in change);
          // The definition is unchanged; the entry records the archive state instead.
          diff = [{ path: '$.archivedAt', ...(current!.archivedAt !== undefined ? { before: current!.archivedAt } : {}), ...(resource.archivedAt !== undefined ? { after: resource.archivedAt } : {}) }];
        } else if (current) {
          resource = await tx.resources.update(kind, env, key, change.definition);
        } else {
          resource = await tx.resources.insert(kind, env, key, change.definition);
        }
        const version = await tx.environments.bumpVersion(env);
        const record = auditRecord(change.action, env, kind, key, current?.definition, resource?.definition, diff);
        if (change.metadata !== undefined) record.metadata = change.metadata;
        const audit = await tx.audit.append(actor, record);
        await tx.notify({ type: 'env', env, version });
        return { resource, action: change.action, audit, document: composeDocument(version, flags, segments) };
      });
    } catch (error) {
      if (error instanceof PreconditionFailedError && error.currentVersion !== null) error.lastChange ??= await this.lastChange(kind, env, key);
      throw error;
    }
    if (!outcome.document) return { resource: outcome.resource, changed: false, created: false };
    await this.propagation.documentChanged(env, outcome.document);
    return {
      resource: outcome.resource,
      changed: true,
      action: outcome.action!,
      created: outcome.action!.endsWith('.create'),
      ...(outcome.audit ? { audit: outcome.audit } : {}),
    };
  }

  /** Who changed the resource last, for a 412 (best effort: a failed look-up must not hide the 412). */
  private async lastChange(kind: ResourceKind, env: string, key: string) {
    const entry = await this.store.audit.latest(kind, env, key).catch(() => undefined);
    return entry ? { actor: entry.actor.name, action: entry.action, at: entry.at } : undefined;
  }
}
