import { useQuery } from '@tanstack/react-query';
import type { Role } from '@halyard/server';
import { api } from './client';

export type { Role } from '@halyard/server';

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

/** `POST /api/v1/session`'s answer (the cookies carry the session itself). */
export interface SessionInfo {
  id: string;
  name: string;
  role: Role;
  expiresAt: string;
}

/** Trades an admin token for a session cookie (401: bad token; 429: too many failed attempts). */
export function createSession(token: string): Promise<SessionInfo> {
  return api<SessionInfo>('/api/v1/session', { method: 'POST', body: { token } });
}

/** Ends the session on the server and clears its cookies. */
export function deleteSession(): Promise<void> {
  return api<void>('/api/v1/session', { method: 'DELETE' });
}

/**
 * Where to go after signing in: `next` when it is a path of this app (never another origin), else `/`.
 *
 * @example
 * safeNext('/env/production/flags?q=checkout') // '/env/production/flags?q=checkout'
 * safeNext('//evil.example') // '/'
 */
export function safeNext(next: string | null | undefined): string {
  if (next === null || next === undefined || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  if (next.startsWith('/sign-in')) return '/';
  return next;
}
