/**
 * The one way the dashboard talks to the service: same origin, the session cookie (HttpOnly, set by
 * `POST /api/v1/session`), and the CSRF token echoed from the readable `halyard_csrf` cookie on every write.
 * Errors are thrown as ApiError with the service's `{ error: { code, message, ...details } }`.
 */
export interface Problem {
  /** JSON path of the offending value, e.g. `flags.checkout.rules[0].conditions[1].values`. */
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers?: Headers,
  ) {
    super(message);
    this.name = 'ApiError';
  }
  /** Validation problems with their JSON paths (400 invalid_definitions / bad_request), else []. */
  get problems(): Problem[] {
    const list = this.details.problems;
    return Array.isArray(list) ? (list as Problem[]) : [];
  }
}

const WRITE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function csrfToken(): string | undefined {
  const match = /(?:^|;\s*)halyard_csrf=([^;]+)/.exec(document.cookie);
  return match ? decodeURIComponent(match[1]!) : undefined;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** Calls the API; resolves with the parsed JSON (or undefined for 204), throws ApiError otherwise. */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (WRITE.has(method)) {
    const csrf = csrfToken();
    if (csrf !== undefined) headers['x-halyard-csrf'] = csrf;
  }
  const response = await fetch(path, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    credentials: 'same-origin',
    signal: options.signal,
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
    const { code, message, ...details } = error ?? {};
    throw new ApiError(response.status, code ?? `http_${response.status}`, message ?? `${response.status} ${response.statusText}`, details, response.headers);
  }
  return json as T;
}
