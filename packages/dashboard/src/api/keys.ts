import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ApiKey, KeyType, Role } from '@halyard/server';
import { api } from './client';

export type { ApiKey, KeyType } from '@halyard/server';

/** The answer to a create: the only time the token is visible (the service keeps its hash). */
export interface NewApiKey extends ApiKey {
  token: string;
}

export interface NewKeyInput {
  type: KeyType;
  name: string;
  environment?: string;
  role?: Role;
}

/** Every active key (admin only; query key `['keys']`, invalidated by live changes). */
export function useKeys(enabled = true) {
  return useQuery({
    queryKey: ['keys'],
    queryFn: ({ signal }) => api<{ keys: ApiKey[] }>('/api/v1/keys', { signal }).then((body) => body.keys),
    enabled,
  });
}

export function useCreateKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: NewKeyInput) => api<NewApiKey>('/api/v1/keys', { method: 'POST', body: input }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['keys'] }),
  });
}

/** Revokes a key; the last active admin token answers 409 (`LastAdminError`) with a message worth showing. */
export function useRevokeKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<void>(`/api/v1/keys/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['keys'] }),
  });
}
