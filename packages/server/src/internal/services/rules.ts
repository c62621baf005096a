import { parseDefinitions } from '@halyard/core';
import type { JsonValue } from '@halyard/core';
import { InvalidDefinitionsError, NotFoundError, PreconditionFailedError } from '../errors';
import { jsonDiff, type DiffEntry } from '../json';
import type { AuditRecord } from '../store/types';

/** Entity tags of `If-Match` / `If-None-Match`: the listed versions, `'*'`, or `undefined` when absent. */
export type EntityTags = string[] | '*' | undefined;

/** The If-Match contract shared by every conditional write. */
export function checkIfMatch(ifMatch: EntityTags, current: { version: number } | undefined): void {
  if (ifMatch === undefined) return;
  if (!current) throw new PreconditionFailedError(null);
  if (ifMatch !== '*' && !ifMatch.includes(String(current.version))) throw new PreconditionFailedError(current.version);
}

/** Nothing is written unless the would-be environment document passes core's parseDefinitions. */
export function assertValidDocument(document: unknown): void {
  const parsed = parseDefinitions(document);
  if (!parsed.ok) throw new InvalidDefinitionsError(parsed.problems);
}

export function requireFound<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new NotFoundError(what);
  return value;
}

/** An audit entry with its leaf-level diff (unless the caller records a different one, e.g. the archive state). */
export function auditRecord(
  action: string,
  environment: string | null,
  resourceType: string,
  resourceKey: string,
  before: unknown,
  after: unknown,
  diff?: DiffEntry[],
): AuditRecord {
  return {
    action,
    environment,
    resourceType,
    resourceKey,
    before: (before ?? null) as JsonValue | null,
    after: (after ?? null) as JsonValue | null,
    diff: diff ?? jsonDiff(before ?? undefined, after ?? undefined),
  };
}
