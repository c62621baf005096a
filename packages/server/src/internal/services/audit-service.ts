import { ValidationError } from '../errors';
import type { Store } from '../store/store';
import type { AuditEntry, AuditFilter } from '../store/types';

export interface AuditQueryInput {
  environment?: string | undefined;
  flag?: string | undefined;
  segment?: string | undefined;
  resourceType?: string | undefined;
  actor?: string | undefined;
  action?: string | undefined;
  /** ISO-8601 dates: entries at or after `since`, before `until`. */
  since?: string | undefined;
  until?: string | undefined;
  /** Default 50. */
  limit?: number | undefined;
  /** `nextCursor` of the previous page. */
  cursor?: string | undefined;
}

export const AUDIT_PAGE = { default: 50, maximum: 500 } as const;

// PostgreSQL timestamps hold years 1–294276 (4713 BC with "BC"); the API takes the years ISO-8601 writes with four digits.
const EARLIEST = Date.parse('0001-01-01T00:00:00Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

function dateOf(value: string | undefined, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  const time = date.getTime();
  if (Number.isNaN(time)) throw ValidationError.at(`query.${name}`, 'must be an ISO-8601 date, e.g. 2026-01-31T12:00:00Z');
  if (time < EARLIEST || time > LATEST) throw ValidationError.at(`query.${name}`, 'must be a date from year 0001 to 9999');
  return date;
}

/** The append-only audit log: newest first, filtered, paged with a cursor. */
export class AuditService {
  constructor(private readonly store: Store) {}

  async query(input: AuditQueryInput): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
    const filter: AuditFilter = { limit: input.limit ?? AUDIT_PAGE.default };
    for (const name of ['environment', 'flag', 'segment', 'resourceType', 'actor', 'action'] as const) {
      const value = input[name];
      if (value !== undefined) filter[name] = value;
    }
    const since = dateOf(input.since, 'since');
    const until = dateOf(input.until, 'until');
    if (since) filter.since = since;
    if (until) filter.until = until;
    if (input.cursor !== undefined) {
      if (!/^\d{1,18}$/.test(input.cursor)) throw ValidationError.at('query.cursor', 'use the nextCursor value of a previous page');
      filter.before = input.cursor;
    }
    return this.store.audit.query(filter);
  }
}
