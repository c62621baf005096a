import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { EnvironmentInfo } from '@halyard/server';
import { api } from './client';

/** An environment as `GET /api/v1/environments` lists it. */
export type Environment = EnvironmentInfo;

/** Every environment (query key `['environments']`, invalidated by live changes). */
export function useEnvironments() {
  return useQuery({
    queryKey: ['environments'],
    queryFn: ({ signal }) => api<{ environments: Environment[] }>('/api/v1/environments', { signal }).then((body) => body.environments),
  });
}

function useInvalidate() {
  const client = useQueryClient();
  // The flags overview lists every environment as a column, so it changes with them.
  return () => Promise.all([client.invalidateQueries({ queryKey: ['environments'] }), client.invalidateQueries({ queryKey: ['flags'] })]);
}

export function useCreateEnvironment() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (input: { key: string; name?: string; copyFrom?: string }) => api<Environment>('/api/v1/environments', { method: 'POST', body: input }),
    onSuccess: invalidate,
  });
}

export function useRenameEnvironment() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (input: { key: string; name: string }) => api<Environment>(`/api/v1/environments/${encodeURIComponent(input.key)}`, { method: 'PATCH', body: { name: input.name } }),
    onSuccess: invalidate,
  });
}

export function useDeleteEnvironment() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (key: string) => api<void>(`/api/v1/environments/${encodeURIComponent(key)}`, { method: 'DELETE' }),
    onSuccess: invalidate,
  });
}
