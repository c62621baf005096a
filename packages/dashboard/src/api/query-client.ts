import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError } from './client';

/**
 * Fired when any request answers 401 (the session expired, was signed out elsewhere, or its token was revoked).
 * The shell listens and sends the user to /sign-in, coming back to where they were afterwards.
 */
export const sessionEvents = new EventTarget();
export const UNAUTHORIZED = 'unauthorized';

const onError = (error: unknown) => {
  if (error instanceof ApiError && error.status === 401) sessionEvents.dispatchEvent(new Event(UNAUTHORIZED));
};

/** One QueryClient for the app. 4xx answers are not retried (the user must change something). */
export const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError }),
  mutationCache: new MutationCache({ onError }),
  defaultOptions: {
    queries: { staleTime: 5_000, retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2 },
    mutations: { retry: false },
  },
});
