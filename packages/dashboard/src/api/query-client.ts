import { QueryClient } from '@tanstack/react-query';
import { ApiError } from './client';

/** One QueryClient for the app. 4xx answers are not retried (the user must change something). */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: { staleTime: 5_000, retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2 },
    mutations: { retry: false },
  },
});
