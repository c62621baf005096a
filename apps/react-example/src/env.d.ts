/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Origin of the Express example for `vite dev` (empty: same origin). */
  readonly VITE_API_ORIGIN?: string;
  /** The flag service, for the backend-less mode (with VITE_HALYARD_CLIENT_KEY). */
  readonly VITE_HALYARD_URL?: string;
  /** A client key (`hy_client_…`) of the flag service: evaluate only, safe to ship to browsers. */
  readonly VITE_HALYARD_CLIENT_KEY?: string;
}
