import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { SegmentDefinition } from '@halyard/core';
import type { StoredResource } from '@halyard/server';
import { ApiError, api } from './client';

/** A segment as the service stores it; `version` is its ETag. */
export type StoredSegment = StoredResource<SegmentDefinition>;

const base = (env: string) => `/api/v1/environments/${encodeURIComponent(env)}/segments`;

/** Every segment of an environment (query key `['segments', env]`, invalidated by live changes). */
export function useSegments(env: string) {
  return useQuery({
    queryKey: ['segments', env],
    queryFn: ({ signal }) => api<{ segments: StoredSegment[] }>(base(env), { signal }).then((body) => body.segments),
  });
}

/** One segment (under `['segments', env, key]` so a live change of the environment's segments refreshes it too). */
export function useSegment(env: string, key: string) {
  return useQuery({
    queryKey: ['segments', env, key],
    queryFn: ({ signal }) => api<StoredSegment>(`${base(env)}/${encodeURIComponent(key)}`, { signal }),
  });
}

export function useCreateSegment(env: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { key: string; definition: SegmentDefinition }) => api<StoredSegment>(base(env), { method: 'POST', body: input }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['segments', env] }),
  });
}

/** Replaces the definition; `version` goes in If-Match, so a concurrent change answers 412 instead of being lost. */
export function useSaveSegment(env: string, key: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { definition: SegmentDefinition; version: number }) =>
      api<StoredSegment>(`${base(env)}/${encodeURIComponent(key)}`, { method: 'PUT', body: { definition: input.definition }, headers: { 'if-match': `"${input.version}"` } }),
    onSuccess: (saved) => {
      client.setQueryData(['segments', env, key], saved);
      return client.invalidateQueries({ queryKey: ['segments', env] });
    },
    // A 412 means someone else saved: fetch their version so the conflict view can diff it against ours.
    onError: (error) => {
      if (error instanceof ApiError && error.status === 412) void client.invalidateQueries({ queryKey: ['segments', env, key] });
    },
  });
}

export function useDeleteSegment(env: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (key: string) => api<void>(`${base(env)}/${encodeURIComponent(key)}`, { method: 'DELETE' }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['segments', env] }),
  });
}
