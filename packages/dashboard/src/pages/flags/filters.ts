import type { FlagEnvironmentState, FlagSummary } from '../../api/flags';

/** The status filter's choices: the environment's serving state, or the flag's lifecycle there. */
export const STATUS_FILTERS = ['on', 'off', 'rolling-out', 'stale', 'expired'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];
export const SORTS = ['key', 'updated'] as const;
export type Sort = (typeof SORTS)[number];

/** The list's filter state; it lives in the URL (`?q=&tag=&kind=&owner=&status=&sort=`) so a view can be shared. */
export interface FlagFilters {
  q: string;
  tag: string | undefined;
  kind: string | undefined;
  owner: string | undefined;
  status: StatusFilter | undefined;
  sort: Sort;
}

const oneOf = <T extends string>(list: readonly T[], value: string | null): T | undefined => (list as readonly string[]).includes(value ?? '') ? (value as T) : undefined;
const nonEmpty = (value: string | null) => (value === null || value === '' ? undefined : value);

export function readFilters(params: URLSearchParams): FlagFilters {
  return {
    q: params.get('q') ?? '',
    tag: nonEmpty(params.get('tag')),
    kind: nonEmpty(params.get('kind')),
    owner: nonEmpty(params.get('owner')),
    status: oneOf(STATUS_FILTERS, params.get('status')),
    sort: oneOf(SORTS, params.get('sort')) ?? 'key',
  };
}

/** Writes one filter into the search params, dropping it when it is back at its default (clean URLs). */
export function withFilter(params: URLSearchParams, name: keyof FlagFilters, value: string | undefined): URLSearchParams {
  const next = new URLSearchParams(params);
  if (value === undefined || value === '' || (name === 'sort' && value === 'key')) next.delete(name);
  else next.set(name, value);
  return next;
}

export function hasFilters(filters: FlagFilters): boolean {
  return filters.q !== '' || filters.tag !== undefined || filters.kind !== undefined || filters.owner !== undefined || filters.status !== undefined;
}

function matchesStatus(state: FlagEnvironmentState | undefined, status: StatusFilter): boolean {
  if (state === undefined) return false;
  if (status === 'stale' || status === 'expired') return state.lifecycle === status;
  return state.status === status;
}

/** The flags `filters` select in `env`, in the chosen order (key A→Z, or most recently updated there first). */
export function applyFilters(flags: readonly FlagSummary[], env: string, filters: FlagFilters): FlagSummary[] {
  const needle = filters.q.trim().toLowerCase();
  const selected = flags.filter(
    (flag) =>
      (needle === '' || flag.key.toLowerCase().includes(needle) || (flag.description ?? '').toLowerCase().includes(needle)) &&
      (filters.tag === undefined || flag.tags.includes(filters.tag)) &&
      (filters.kind === undefined || flag.kind === filters.kind) &&
      (filters.owner === undefined || flag.owner === filters.owner) &&
      (filters.status === undefined || matchesStatus(flag.environments[env], filters.status)),
  );
  const byKey = (a: FlagSummary, b: FlagSummary) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  if (filters.sort === 'key') return selected.sort(byKey);
  const updated = (flag: FlagSummary) => {
    const at = flag.environments[env]?.updatedAt;
    return at === undefined ? -Infinity : Date.parse(at);
  };
  return selected.sort((a, b) => updated(b) - updated(a) || byKey(a, b));
}

/** The distinct values of a facet across all flags, sorted, for the filter pickers. */
export function facetValues(flags: readonly FlagSummary[], pick: (flag: FlagSummary) => readonly (string | undefined)[]): string[] {
  const values = new Set<string>();
  for (const flag of flags) for (const value of pick(flag)) if (value !== undefined && value !== '') values.add(value);
  return [...values].sort();
}

/** How a flag's state in one environment reads: "on", "off", "rolling out 25%", "archived". */
export function statusLabel(state: FlagEnvironmentState): string {
  if (state.status === 'rolling-out') return state.rollout === undefined ? 'rolling out' : `rolling out ${state.rollout}%`;
  return state.status;
}
