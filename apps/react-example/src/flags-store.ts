import { createSnapshotStore, type SnapshotStore } from '@halyard/core';

/**
 * Where the SPA gets its flags, fixed at build time (Vite inlines `VITE_*`):
 *
 * - default: its backend's flags route (the Express example's `/api/flags`, same origin under /spa/, or
 *   `VITE_API_ORIGIN` for `vite dev`). The backend evaluates for the visitor of its httpOnly `uid` cookie, so the
 *   SPA and the server-rendered pages always agree, and whatever the backend reads (flags.json or the flag
 *   service) reaches the SPA with no change here.
 * - `VITE_HALYARD_URL` + `VITE_HALYARD_CLIENT_KEY` (a client key, `hy_client_…`): no backend at all — the SPA
 *   asks the flag service's `POST /sdk/v1/evaluate`, which returns evaluated values only (rules and user lists never
 *   reach the browser). The visitor id is then the SPA's own (localStorage), not the backend's cookie.
 */
export interface SpaFlags {
  store: SnapshotStore;
  /** Shown in the header, so a screenshot says where the flags came from. */
  origin: 'backend' | 'flag service';
}

const POLL_INTERVAL = 2_000;
const VISITOR_KEY = 'halyard-example-visitor';

export function createSpaFlags(env: ImportMetaEnv = import.meta.env): SpaFlags {
  const service = env.VITE_HALYARD_URL?.replace(/\/+$/, '');
  const clientKey = env.VITE_HALYARD_CLIENT_KEY;
  if (service && clientKey) {
    return {
      origin: 'flag service',
      store: createSnapshotStore({
        endpoint: `${service}/sdk/v1/evaluate`,
        context: { userId: visitorId() },
        fetch: (input, init) => {
          const headers = new Headers(init?.headers);
          headers.set('authorization', `Bearer ${clientKey}`);
          return fetch(input, { ...init, headers });
        },
        pollInterval: POLL_INTERVAL,
      }),
    };
  }
  return {
    origin: 'backend',
    // Cookies go along cross-origin too (vite dev → Express): the uid cookie identifies the visitor.
    store: createSnapshotStore({
      endpoint: `${env.VITE_API_ORIGIN ?? ''}/api/flags`,
      pollInterval: POLL_INTERVAL,
      fetch: (input, init) => fetch(input, { ...init, credentials: 'include' }),
    }),
  };
}

function visitorId(): string {
  try {
    let id = localStorage.getItem(VISITOR_KEY);
    if (id === null) localStorage.setItem(VISITOR_KEY, (id = randomId()));
    return id;
  } catch {
    // Storage disabled (privacy mode): a per-page-load id still gets consistent flags within the page.
    return randomId();
  }
}

// randomUUID exists only in secure contexts (https, localhost); a plain-http LAN address has none.
const randomId = (): string => globalThis.crypto?.randomUUID?.() ?? `v-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
