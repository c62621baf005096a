import { useQuery } from '@tanstack/react-query';
import { api } from './client';

export type Role = 'viewer' | 'editor' | 'admin';

/** The signed-in admin token, as `GET /api/v1/me` answers (the session cookie authenticates it). */
export interface Me {
  id: string;
  name: string;
  type: 'admin';
  role: Role;
}

/**
 * The current session. `canWrite` is false for viewers: pages disable their controls and say why
 * (`writeBlockedReason`); the API refuses their writes anyway.
 */
export function useSession() {
  const query = useQuery({ queryKey: ['me'], queryFn: () => api<Me>('/api/v1/me'), staleTime: 60_000 });
  const role = query.data?.role;
  return {
    ...query,
    me: query.data,
    canWrite: role === 'editor' || role === 'admin',
    isAdmin: role === 'admin',
    writeBlockedReason: role === 'viewer' ? 'Viewers can look but not change anything: sign in with an editor or admin token.' : undefined,
  };
}
