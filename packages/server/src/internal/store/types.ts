import type { JsonValue } from '@halyard/core';
import type { DiffEntry } from '../json';

/** Who made a change, as recorded in the audit log. */
export interface Actor {
  /** The API key id; `null` for the system. */
  id: string | null;
  name: string;
}

export interface EnvironmentInfo {
  key: string;
  name: string;
  /** Document version: changes whenever a flag or segment of the environment changes. */
  version: number;
  createdAt: string;
  updatedAt: string;
}

export type ResourceKind = 'flag' | 'segment';

/** A stored flag or segment. `version` starts at 1 and grows by one per change; it is the resource's ETag. */
export interface StoredResource<T> {
  key: string;
  environment: string;
  version: number;
  definition: T;
  createdAt: string;
  updatedAt: string;
  /** Flags only, when archived: out of the served document, kept with its history until restored or deleted. */
  archivedAt?: string;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: Actor;
  action: string;
  environment: string | null;
  resourceType: string;
  resourceKey: string;
  before: JsonValue | null;
  after: JsonValue | null;
  diff: DiffEntry[];
  /** Facts beyond before/after, e.g. `{ revertOf: "42" }` on a revert; absent when there are none. */
  metadata?: Record<string, JsonValue>;
}

/** An audit entry about to be appended (the store assigns id and time). */
export interface AuditRecord {
  action: string;
  environment: string | null;
  resourceType: string;
  resourceKey: string;
  before: JsonValue | null;
  after: JsonValue | null;
  diff: DiffEntry[];
  metadata?: Record<string, JsonValue>;
}

export interface AuditFilter {
  environment?: string;
  flag?: string;
  segment?: string;
  resourceType?: string;
  actor?: string;
  /** Exact action, or a prefix ending in `.*` (e.g. `flag.*`). */
  action?: string;
  since?: Date;
  until?: Date;
  limit: number;
  /** Entries older than this id (a previous page's `nextCursor`). */
  before?: string;
}

/** Which flags a listing returns. */
export type ArchivedFilter = 'exclude' | 'include' | 'only';

/** What a document write changed (or, on a dry run, would change) for flags or segments. */
export interface ResourceChanges {
  created: string[];
  updated: string[];
  deleted: string[];
  unchanged: number;
}

export interface DocumentWriteResult {
  /** The environment's document version afterwards (the current one when nothing was written). */
  version: number;
  /** Whether anything was (or, on a dry run, would be) written. `unchanged` counts the document's resources that were already equal. */
  changed: boolean;
  dryRun: boolean;
  flags: ResourceChanges;
  segments: ResourceChanges;
}
