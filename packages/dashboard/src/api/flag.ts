import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { FlagDefinition } from '@halyard/core';
import type { FlagLifecycle, StoredResource } from '@halyard/server';
import { api } from './client';

/** A flag as the service stores it (`GET /api/v1/environments/:env/flags/:key`); `version` is its ETag. */
export type StoredFlag = StoredResource<FlagDefinition> & { lifecycle?: FlagLifecycle };

/** `details.lastChange` of a 412 `version_conflict`: who changed the flag last, and when. */
export interface LastChange {
  actor: string;
  action: string;
  at: string;
}

export const flagPath = (env: string, key: string) => `/api/v1/environments/${encodeURIComponent(env)}/flags/${encodeURIComponent(key)}`;

/** One flag (query key `['flag', env, key]`, invalidated by live changes). */
export function useFlag(env: string, key: string) {
  return useQuery({
    queryKey: ['flag', env, key],
    queryFn: ({ signal }) => fetchFlag(env, key, signal),
  });
}

export function fetchFlag(env: string, key: string, signal?: AbortSignal): Promise<StoredFlag> {
  return api<StoredFlag>(flagPath(env, key), signal ? { signal } : {});
}

/**
 * Every flag definition of an environment, for the prerequisite picker (under `['flags', env, …]` so the live
 * invalidation of `['flags', env]` refreshes it).
 */
export function useEnvironmentFlags(env: string) {
  return useQuery({
    queryKey: ['flags', env, 'definitions'],
    queryFn: ({ signal }) =>
      api<{ flags: StoredFlag[] }>(`/api/v1/environments/${encodeURIComponent(env)}/flags`, { signal }).then((body) => body.flags),
  });
}

function settle(client: ReturnType<typeof useQueryClient>, env: string, key: string, saved: StoredFlag | undefined) {
  if (saved) client.setQueryData(['flag', env, key], saved);
  return client.invalidateQueries({ queryKey: ['flags', env] });
}

/**
 * Replaces the definition with `If-Match: "<version>"`: a concurrent change answers 412 `version_conflict`
 * (`details.currentVersion`, `details.lastChange`) instead of being overwritten.
 */
export function useSaveFlag(env: string, key: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { definition: FlagDefinition; version: number }) =>
      api<StoredFlag>(flagPath(env, key), { method: 'PUT', body: { definition: input.definition }, headers: { 'if-match': `"${input.version}"` } }),
    onSuccess: (saved) => settle(client, env, key, saved),
  });
}

/** The kill switch (`POST …/toggle { enabled }`): an explicit value, safe to retry. */
export function useToggleFlag(env: string, key: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (enabled: boolean) => api<StoredFlag>(`${flagPath(env, key)}/toggle`, { method: 'POST', body: { enabled } }),
    onSuccess: (saved) => settle(client, env, key, saved),
  });
}

/** Archive (out of the served document, history kept) or restore a flag. */
export function useArchiveFlag(env: string, key: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (archive: boolean) => api<StoredFlag>(`${flagPath(env, key)}/${archive ? 'archive' : 'restore'}`, { method: 'POST' }),
    onSuccess: (saved) => settle(client, env, key, saved),
  });
}
