import type { FlagDefinition, FlagsDocument, SegmentDefinition } from '@halyard/core';
import { composeDocument } from '../compose-document';
import { describeValue } from '../describe';
import { ArchivedError, InvalidDefinitionsError, NotFoundError, PreconditionFailedError } from '../errors';
import { deepEqual, isPlainObject } from '../json';
import type { Store } from '../store/store';
import type { Actor, AuditRecord, DocumentWriteResult, ResourceChanges, ResourceKind } from '../store/types';
import type { Propagation } from './propagation';
import { assertWithinLimits } from './limits';
import { assertValidDocument, auditRecord, type EntityTags } from './rules';

export interface DocumentWriteOptions {
  /** `replace`: the environment ends up exactly as the document (other flags and segments are deleted). `merge`: create or replace the given ones, keep the rest. */
  mode: 'replace' | 'merge';
  /** `If-Match`: the environment's document version must be one of these. */
  ifMatch?: EntityTags;
  dryRun?: boolean;
}

const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** `given`: the keys the document named (in merge mode, resources it did not name are neither changed nor counted). */
export function planChanges<T>(current: Map<string, T>, target: Map<string, T>, given: Iterable<string>): ResourceChanges {
  const plan: ResourceChanges = { created: [], updated: [], deleted: [], unchanged: 0 };
  for (const key of given) {
    if (!current.has(key)) plan.created.push(key);
    else if (!deepEqual(current.get(key), target.get(key))) plan.updated.push(key);
    else plan.unchanged++;
  }
  for (const key of current.keys()) if (!target.has(key)) plan.deleted.push(key);
  plan.created.sort(byKey);
  plan.updated.sort(byKey);
  plan.deleted.sort(byKey);
  return plan;
}

/**
 * Whole environment documents (import, GitOps apply): one transaction, one validation of the whole resulting
 * document, one new document version and one push to SDKs, and one audit entry per flag or segment that actually
 * changes (`flag.create|update|delete`, `segment.*`), so each resource's history stays complete. Resources whose
 * definition is already equal are not touched (no new version).
 */
export class DocumentService {
  constructor(
    private readonly store: Store,
    private readonly propagation: Propagation,
  ) {}

  /**
   * `body` is the document as sent: it is checked with parseDefinitions first, so problems carry the paths of the
   * user's file (in merge mode only its top level; the flags are checked together with the environment's).
   */
  async write(actor: Actor, env: string, body: Record<string, unknown>, options: DocumentWriteOptions): Promise<DocumentWriteResult> {
    assertValidDocument(options.mode === 'replace' ? body : { ...body, flags: {}, segments: {} });
    if (!isPlainObject(body.flags)) {
      throw new InvalidDefinitionsError([{ path: '$.flags', message: `"flags" is required and must be an object of flags keyed by flag key, got ${describeValue(body.flags)}` }]);
    }
    if (body.segments !== undefined && !isPlainObject(body.segments)) {
      throw new InvalidDefinitionsError([{ path: '$.segments', message: `"segments" must be an object of named segments, got ${describeValue(body.segments)}` }]);
    }
    const input = { flags: body.flags as Record<string, FlagDefinition>, segments: (body.segments ?? {}) as Record<string, SegmentDefinition> };

    const outcome = await this.store.transaction(async (tx) => {
      const environment = await tx.environments.find(env, 'update');
      if (!environment) throw new NotFoundError(`Environment "${env}"`);
      const currentVersion = environment.version;
      const { ifMatch } = options;
      if (ifMatch !== undefined && ifMatch !== '*' && !ifMatch.includes(String(currentVersion))) {
        throw new PreconditionFailedError(
          currentVersion,
          `If-Match does not match the environment's document version ${currentVersion}; someone else changed it since. Export again (or retry with If-Match: "${currentVersion}")`,
        );
      }
      const flagRows = await tx.resources.list<FlagDefinition>('flag', env, 'include');
      const segmentRows = await tx.resources.list<SegmentDefinition>('segment', env);

      const archived = flagRows.filter((row) => row.archivedAt !== undefined && Object.hasOwn(input.flags, row.key)).map((row) => row.key);
      if (archived.length > 0) {
        archived.sort();
        const one = archived.length === 1;
        throw new ArchivedError(
          `${one ? `Flag "${archived[0]}" is` : `Flags ${archived.map((k) => `"${k}"`).join(', ')} are`} archived in environment "${env}"; restore or delete ${one ? 'it' : 'them'} first, or remove ${one ? 'it' : 'them'} from the document`,
          archived.map((key) => ({ path: `$.flags[${JSON.stringify(key)}]`, message: 'is archived; restore it (halyard flags restore) or delete it first' })),
        );
      }

      const liveFlags = new Map(flagRows.filter((r) => r.archivedAt === undefined).map((r) => [r.key, r.definition]));
      const liveSegments = new Map(segmentRows.map((r) => [r.key, r.definition]));
      const merge = options.mode === 'merge';
      const targetFlags = new Map<string, FlagDefinition>([...(merge ? liveFlags : []), ...Object.entries(input.flags)]);
      const targetSegments = new Map<string, SegmentDefinition>([...(merge ? liveSegments : []), ...Object.entries(input.segments)]);
      assertValidDocument(composeDocument(0, targetFlags, targetSegments));
      assertWithinLimits([
        ...Object.entries(input.flags).map(([key, definition]) => ({ kind: 'flag' as const, key, definition, current: liveFlags.get(key) })),
        ...Object.entries(input.segments).map(([key, definition]) => ({ kind: 'segment' as const, key, definition, current: liveSegments.get(key) })),
      ]);

      const flags = planChanges(liveFlags, targetFlags, Object.keys(input.flags));
      const segments = planChanges(liveSegments, targetSegments, Object.keys(input.segments));
      const changed = [flags, segments].some((c) => c.created.length + c.updated.length + c.deleted.length > 0);
      const result: DocumentWriteResult = { version: currentVersion, changed, dryRun: options.dryRun === true, flags, segments };
      if (!changed || options.dryRun) return { result, document: undefined };

      const audits: AuditRecord[] = [];
      const apply = async (kind: ResourceKind, plan: ResourceChanges, before: Map<string, unknown>, after: Map<string, unknown>) => {
        await tx.resources.delete(kind, env, plan.deleted);
        const upserts: Record<string, unknown> = {};
        for (const key of [...plan.created, ...plan.updated]) upserts[key] = after.get(key);
        await tx.resources.upsert(kind, env, upserts);
        for (const key of plan.created) audits.push(auditRecord(`${kind}.create`, env, kind, key, null, after.get(key)));
        for (const key of plan.updated) audits.push(auditRecord(`${kind}.update`, env, kind, key, before.get(key), after.get(key)));
        for (const key of plan.deleted) audits.push(auditRecord(`${kind}.delete`, env, kind, key, before.get(key), null));
      };
      // Segments first in the log: flags created in the same import may reference them.
      await apply('segment', segments, liveSegments, targetSegments);
      await apply('flag', flags, liveFlags, targetFlags);
      await tx.audit.appendMany(actor, audits);
      const version = await tx.environments.bumpVersion(env);
      await tx.notify({ type: 'env', env, version });
      result.version = version;
      return { result, document: composeDocument(version, targetFlags, targetSegments) as FlagsDocument };
    });
    if (outcome.document) await this.propagation.documentChanged(env, outcome.document);
    return outcome.result;
  }
}
