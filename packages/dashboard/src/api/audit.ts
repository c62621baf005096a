import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import type { AuditEntry } from '@halyard/server';
import { api } from './client';

export type { AuditEntry } from '@halyard/server';

/** The filters `GET /api/v1/audit` takes (see its OpenAPI querystring); empty strings are left out. */
export interface AuditFilters {
  env?: string;
  resourceType?: string;
  /** A flag or segment key (sent as `flag` / `segment` by `resourceType`, else as both would not work). */
  resourceKey?: string;
  actor?: string;
  action?: string;
  /** ISO-8601 (inclusive). */
  since?: string;
  /** ISO-8601 (exclusive). */
  until?: string;
}

export const AUDIT_PAGE_SIZE = 50;

/** The query string for one page; exported for its unit test. */
export function auditQuery(filters: AuditFilters, cursor?: string): string {
  const params = new URLSearchParams();
  const set = (name: string, value: string | undefined) => {
    if (value !== undefined && value.trim() !== '') params.set(name, value.trim());
  };
  set('env', filters.env);
  set('resourceType', filters.resourceType);
  if (filters.resourceType === 'segment') set('segment', filters.resourceKey);
  else if (filters.resourceKey) set('flag', filters.resourceKey);
  set('actor', filters.actor);
  set('action', filters.action);
  set('since', filters.since);
  set('until', filters.until);
  params.set('limit', String(AUDIT_PAGE_SIZE));
  if (cursor !== undefined) params.set('cursor', cursor);
  return params.toString();
}

/** The audit log, newest first, one page at a time (query key `['audit', filters]`, invalidated by live changes). */
export function useAudit(filters: AuditFilters) {
  return useInfiniteQuery({
    queryKey: ['audit', filters],
    queryFn: ({ pageParam, signal }) => api<{ entries: AuditEntry[]; nextCursor: string | null }>(`/api/v1/audit?${auditQuery(filters, pageParam)}`, { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
}

/** Applies an entry's `before` state as a new audited change; 409 `conflict` when the resource changed since. */
export function useRevert() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<AuditEntry>(`/api/v1/audit/${encodeURIComponent(id)}/revert`, { method: 'POST', body: {} }),
    // A revert writes a flag, segment or environment: every view of them may be stale.
    onSuccess: () => client.invalidateQueries(),
  });
}
